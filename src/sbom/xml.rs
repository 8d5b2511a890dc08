//! SBOM stage, CycloneDX XML: the XML text → the same JSON value CycloneDX JSON would be, so
//! one reader serves both serialisations. Every object keeps the line of its element in `@line`
//! (for findings and errors); list elements (`<components>`, `<dependencies>`, …) become arrays,
//! `<dependency ref>` children become `dependsOn`, `<property name>` a name and a value.

use serde_json::{Map, Value};

/// Elements whose children form a JSON array (when they have element children).
const LISTS: &[&str] = &[
    "components",
    "services",
    "externalReferences",
    "dependencies",
    "authors",
    "properties",
    "endpoints",
    "copyright",
];

/// Children that are arrays in JSON even when they occur once.
const REPEATED: &[&str] = &["url", "contact"];

/// Converts a CycloneDX XML document; returns it and its spec version (from the namespace).
pub fn to_json(text: &str, file: &str) -> Result<(Value, String), String> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, opts)
        .map_err(|e| format!("{file}:{}: not well-formed XML: {e}", e.pos().row))?;
    let root = doc.root_element();
    let lines = Lines::new(text);
    let ns = root.tag_name().namespace().unwrap_or("");
    let Some(spec) = ns.strip_prefix("http://cyclonedx.org/schema/bom/") else {
        let what = if ns.contains("spdx.org") || root.tag_name().name() == "RDF" {
            " (SPDX RDF/XML is not read: convert it to SPDX JSON or tag-value)"
        } else if root
            .children()
            .any(|c| c.tag_name().name() == "spdxVersion")
        {
            " (SPDX XML is not read: convert it to SPDX JSON or tag-value)"
        } else {
            ""
        };
        return Err(format!(
            "{file}:{}: not a CycloneDX XML document: the root element is `{}` in namespace `{ns}`, not `bom` in http://cyclonedx.org/schema/bom/…{what}",
            lines.of(root),
            root.tag_name().name()
        ));
    };
    if root.tag_name().name() != "bom" {
        return Err(format!(
            "{file}:{}: the root element is `{}`, not `bom`",
            lines.of(root),
            root.tag_name().name()
        ));
    }
    let mut v = convert(&lines, root);
    if let Value::Object(o) = &mut v {
        o.insert("specVersion".into(), Value::String(spec.to_string()));
        o.insert("bomFormat".into(), Value::String("CycloneDX".into()));
    }
    Ok((v, spec.to_string()))
}

/// Byte offsets where each line starts (`text_pos_at` scans from the start on every call).
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Lines(starts)
    }

    fn of(&self, n: roxmltree::Node<'_, '_>) -> u32 {
        let at = n.range().start;
        u32::try_from(self.0.partition_point(|&s| s <= at)).unwrap_or(u32::MAX)
    }
}

fn text_of(n: roxmltree::Node<'_, '_>) -> String {
    n.children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text())
        .collect::<String>()
        .trim()
        .to_string()
}

fn convert(lines: &Lines, n: roxmltree::Node<'_, '_>) -> Value {
    let name = n.tag_name().name();
    let kids: Vec<roxmltree::Node<'_, '_>> = n.children().filter(|c| c.is_element()).collect();
    let at = Value::from(lines.of(n));
    if LISTS.contains(&name) {
        if kids.is_empty() {
            let t = text_of(n);
            return if t.is_empty() {
                Value::Array(Vec::new())
            } else {
                Value::String(t)
            };
        }
        return Value::Array(kids.iter().map(|k| convert(lines, *k)).collect());
    }
    if name == "dependency" {
        let mut o = Map::new();
        o.insert("@line".into(), at);
        o.insert(
            "ref".into(),
            Value::String(n.attribute("ref").unwrap_or("").to_string()),
        );
        let deps: Vec<Value> = kids
            .iter()
            .filter_map(|k| k.attribute("ref"))
            .map(|r| Value::String(r.to_string()))
            .collect();
        o.insert("dependsOn".into(), Value::Array(deps));
        return Value::Object(o);
    }
    if name == "property" {
        let mut o = Map::new();
        o.insert("@line".into(), at);
        o.insert(
            "name".into(),
            Value::String(n.attribute("name").unwrap_or("").to_string()),
        );
        o.insert("value".into(), Value::String(text_of(n)));
        return Value::Object(o);
    }
    let attrs: Vec<(&str, &str)> = n.attributes().map(|a| (a.name(), a.value())).collect();
    if kids.is_empty() && attrs.is_empty() {
        return Value::String(text_of(n));
    }
    let mut o = Map::new();
    o.insert("@line".into(), at);
    for (k, v) in attrs {
        o.insert(k.to_string(), Value::String(v.to_string()));
    }
    if kids.is_empty() {
        o.insert("#text".into(), Value::String(text_of(n)));
    }
    for k in kids {
        let key = k.tag_name().name().to_string();
        let v = convert(lines, k);
        if REPEATED.contains(&key.as_str()) {
            if let Value::Array(list) = o.entry(key).or_insert_with(|| Value::Array(Vec::new())) {
                list.push(v);
            }
        } else {
            // Outside lists CycloneDX repeats no element: the first one is read.
            o.entry(key).or_insert(v);
        }
    }
    Value::Object(o)
}
