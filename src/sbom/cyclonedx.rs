//! SBOM stage, CycloneDX: a CycloneDX document as a JSON value (JSON as read, XML after
//! `xml::to_json`) → components with their attribution evidence and dependency edges.
//!
//! Read: `metadata.component` (the product, a root) with `metadata.supplier`,
//! `metadata.manufacturer` (`manufacture` before 1.6); every component, nested ones included,
//! and every service; `dependencies`. Any spec version's fields are read where present; an
//! unknown field is ignored, a field of the wrong type is an error naming where it is.

use serde_json::Value;

use super::{At, Collector, Component, Document, Edge, Format, index};
use crate::evidence::{Role, Shape};
use crate::graph::DepKind;

/// The namespace of this tool's own properties, written by `--format cyclonedx`.
pub const PROPERTY_PREFIX: &str = "cargo-entitycheck:";

/// Reads a CycloneDX document. `xml`: it came from XML (lines are in `@line`).
pub fn read(v: &Value, file: &str, xml: bool) -> Result<Document, String> {
    let spec = v
        .get("specVersion")
        .and_then(Value::as_str)
        .unwrap_or("1.x")
        .to_string();
    let mut r = Reader {
        file,
        xml,
        components: Vec::new(),
        contains: Vec::new(),
    };
    if let Some(meta) = v.get("metadata") {
        let meta = obj(meta, "/metadata")?;
        if let Some(c) = meta.get("component") {
            let i = r.component(c, "/metadata/component", None, false)?;
            r.components[i].root = true;
            r.components[i].declared = None;
            // Who supplies and who made the product (`manufacture` was 1.5's name).
            for key in ["supplier", "manufacturer", "manufacture"] {
                if let Some(e) = meta.get(key) {
                    let mut col = Collector {
                        file,
                        out: Vec::new(),
                    };
                    r.entity(&mut col, key, e, &format!("/metadata/{key}"))?;
                    r.components[i].evidence.extend(col.out);
                }
            }
            // The SBOM's own authors wrote the document, not the product: a mention.
            if let Some(Value::Array(authors)) = meta.get("authors") {
                let mut col = Collector {
                    file,
                    out: Vec::new(),
                };
                for (k, a) in authors.iter().enumerate() {
                    let at = format!("/metadata/authors/{k}");
                    let line = r.line(a);
                    r.contact(&mut col, "metadata.authors", Role::Mention, a, &at, line)?;
                }
                r.components[i].evidence.extend(col.out);
            }
        }
    }
    if let Some(list) = v.get("components") {
        for (k, c) in arr(list, "/components")?.iter().enumerate() {
            r.component(c, &format!("/components/{k}"), None, false)?;
        }
    }
    if let Some(list) = v.get("services") {
        for (k, s) in arr(list, "/services")?.iter().enumerate() {
            r.component(s, &format!("/services/{k}"), None, true)?;
        }
    }
    let mut edges: Vec<Edge> = r
        .contains
        .iter()
        .map(|&(from, to)| Edge {
            from,
            to,
            kind: DepKind::Normal,
        })
        .collect();
    let components = r.components;
    let keys = index(&components);
    if let Some(deps) = v.get("dependencies") {
        for (k, d) in arr(deps, "/dependencies")?.iter().enumerate() {
            let at = format!("/dependencies/{k}");
            let d = obj(d, &at)?;
            let Some(from) = d.get("ref").and_then(Value::as_str) else {
                return Err(format!("{file}: {at}: a dependency without `ref`"));
            };
            let Some(&from) = keys.get(from) else {
                continue;
            };
            for key in ["dependsOn"] {
                let Some(list) = d.get(key) else { continue };
                for (j, to) in arr(list, &format!("{at}/{key}"))?.iter().enumerate() {
                    let to = match to {
                        Value::String(s) => s.as_str(),
                        // 1.2–1.4 XML nests `<dependency ref=…/>`; some writers put objects in JSON.
                        Value::Object(o) => o.get("ref").and_then(Value::as_str).unwrap_or(""),
                        _ => return Err(format!("{file}: {at}/{key}/{j}: not a reference")),
                    };
                    if let Some(&to) = keys.get(to) {
                        edges.push(Edge {
                            from,
                            to,
                            kind: DepKind::Normal,
                        });
                    }
                }
            }
        }
    }
    edges.sort_by_key(|e| (e.from, e.to));
    edges.dedup();
    let format = Format::CycloneDxJson { spec };
    Ok(Document {
        file: file.to_string(),
        format,
        components,
        edges,
    })
}

fn arr<'v>(v: &'v Value, at: &str) -> Result<&'v Vec<Value>, String> {
    v.as_array()
        .ok_or_else(|| format!("{at}: expected an array, found {}", kind(v)))
}

fn obj<'v>(v: &'v Value, at: &str) -> Result<&'v serde_json::Map<String, Value>, String> {
    v.as_object()
        .ok_or_else(|| format!("{at}: expected an object, found {}", kind(v)))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

struct Reader<'f> {
    file: &'f str,
    xml: bool,
    components: Vec<Component>,
    /// Nested components and services: the parent contains the child.
    contains: Vec<(usize, usize)>,
}

impl Reader<'_> {
    fn line(&self, v: &Value) -> Option<u32> {
        v.get("@line")
            .and_then(Value::as_u64)
            .and_then(|l| u32::try_from(l).ok())
    }

    fn at<'a>(&self, pointer: &'a str, line: Option<u32>) -> At<'a> {
        if self.xml {
            At::Line(line)
        } else {
            At::Pointer(pointer)
        }
    }

    fn err(&self, at: &str, what: &str, v: &Value) -> String {
        match self.line(v) {
            Some(l) => format!("{}:{l}: {what}, found {}", self.file, kind(v)),
            None => format!("{}: {at}: {what}, found {}", self.file, kind(v)),
        }
    }

    fn text<'v>(&self, v: &'v Value, at: &str) -> Result<&'v str, String> {
        match v {
            Value::String(s) => Ok(s),
            Value::Object(o) => Ok(o.get("#text").and_then(Value::as_str).unwrap_or("")),
            // From XML, an element JSON holds once may come as a list of one (`url`).
            Value::Array(a) if a.len() == 1 => self.text(&a[0], at),
            _ => Err(self.err(at, "expected text", v)),
        }
    }

    /// Reads a component or service (and those nested in it); returns its index.
    fn component(
        &mut self,
        v: &Value,
        at: &str,
        parent: Option<usize>,
        service: bool,
    ) -> Result<usize, String> {
        let o = v
            .as_object()
            .ok_or_else(|| self.err(at, "expected a component", v))?;
        let line = self.line(v);
        let s = |key: &str| -> Result<String, String> {
            match o.get(key) {
                None => Ok(String::new()),
                Some(x) => self.text(x, &format!("{at}/{key}")).map(str::to_string),
            }
        };
        let name = s("name")?;
        let version = s("version")?;
        let group = s("group")?;
        let purl = Some(s("purl")?).filter(|p| !p.is_empty());
        let key = Some(s("bom-ref")?)
            .filter(|k| !k.is_empty())
            .unwrap_or_else(|| format!("#{at}"));
        let mut col = Collector {
            file: self.file,
            out: Vec::new(),
        };
        let p = |k: &str| format!("{at}/{k}");
        for key in ["supplier", "manufacturer", "provider"] {
            if let Some(e) = o.get(key) {
                self.entity(&mut col, key, e, &p(key))?;
            }
        }
        if let Some(list) = o.get("authors") {
            let list = arr(list, &p("authors"))?;
            for (k, a) in list.iter().enumerate() {
                let ap = format!("{at}/authors/{k}");
                let line = self.line(a).or(line);
                self.contact(&mut col, "authors", Role::Attribution, a, &ap, line)?;
            }
        }
        let author = s("author")?;
        col.add(
            "author",
            Role::Attribution,
            Shape::Author,
            &author,
            self.at(&p("author"), line),
        );
        col.add(
            "publisher",
            Role::Attribution,
            Shape::Text,
            &s("publisher")?,
            self.at(&p("publisher"), line),
        );
        col.add(
            "group",
            Role::Attribution,
            Shape::Text,
            &group,
            self.at(&p("group"), line),
        );
        col.add(
            "copyright",
            Role::Attribution,
            Shape::Text,
            &s("copyright")?,
            self.at(&p("copyright"), line),
        );
        match &purl {
            Some(purl) => col.purl("purl", purl, self.at(&p("purl"), line)),
            // Without a purl, a dotted group is read as a Maven group: a reversed domain.
            None if group.contains('.') => {
                if let Some(host) = super::reversed_domain(&group) {
                    col.add(
                        "group (reversed domain)",
                        Role::Attribution,
                        Shape::Url,
                        &format!("https://{host}/"),
                        self.at(&p("group"), line),
                    );
                }
            }
            None => {}
        }
        let cpe = s("cpe")?;
        col.cpe("cpe", &cpe, self.at(&p("cpe"), line));
        col.add(
            "name",
            Role::Mention,
            Shape::Text,
            &name,
            self.at(&p("name"), line),
        );
        col.add(
            "description",
            Role::Mention,
            Shape::Text,
            &s("description")?,
            self.at(&p("description"), line),
        );
        if let Some(refs) = o.get("externalReferences") {
            for (k, r) in arr(refs, &p("externalReferences"))?.iter().enumerate() {
                let rp = format!("{at}/externalReferences/{k}");
                let ro = r
                    .as_object()
                    .ok_or_else(|| self.err(&rp, "expected a reference", r))?;
                let ty = ro.get("type").and_then(Value::as_str).unwrap_or("other");
                let url = match ro.get("url") {
                    Some(u) => self.text(u, &format!("{rp}/url"))?,
                    None => "",
                };
                // Where the thing is developed, published and shipped from says who makes it;
                // an advisory or a licence page only talks about it.
                let role = match ty {
                    "vcs"
                    | "website"
                    | "distribution"
                    | "distribution-intake"
                    | "source-distribution"
                    | "issue-tracker"
                    | "mailing-list"
                    | "support"
                    | "release-notes"
                    | "documentation" => Role::Attribution,
                    _ => Role::Mention,
                };
                col.add(
                    &format!("externalReferences {ty}"),
                    role,
                    Shape::Url,
                    url,
                    self.at(&format!("{rp}/url"), self.line(r).or(line)),
                );
            }
        }
        if let Some(ev) = o.get("evidence").and_then(|e| e.get("copyright")) {
            for (k, c) in arr(ev, &p("evidence/copyright"))?.iter().enumerate() {
                let cp = format!("{at}/evidence/copyright/{k}/text");
                let t = match c {
                    Value::Object(co) => co.get("text").map(|t| self.text(t, &cp)).transpose()?,
                    other => Some(self.text(other, &cp)?),
                };
                col.add(
                    "evidence.copyright",
                    Role::Attribution,
                    Shape::Text,
                    t.unwrap_or(""),
                    self.at(&cp, self.line(c).or(line)),
                );
            }
        }
        if let Some(eps) = o.get("endpoints") {
            for (k, e) in arr(eps, &p("endpoints"))?.iter().enumerate() {
                let ep = format!("{at}/endpoints/{k}");
                let u = self.text(e, &ep)?;
                col.add(
                    "endpoints",
                    Role::Attribution,
                    Shape::Url,
                    u,
                    self.at(&ep, self.line(e).or(line)),
                );
            }
        }
        let mut declared = None;
        if o.get("scope").and_then(|s| self.text(s, "").ok()) == Some("excluded") {
            declared = Some(DepKind::Dev);
        }
        if let Some(props) = o.get("properties") {
            for (k, pr) in arr(props, &p("properties"))?.iter().enumerate() {
                let pp = format!("{at}/properties/{k}");
                let name = pr.get("name").and_then(Value::as_str).unwrap_or("");
                let value = match pr.get("value") {
                    Some(v) => self.text(v, &pp)?,
                    None => pr.get("#text").and_then(Value::as_str).unwrap_or(""),
                };
                // Our own SBOMs say exactly how a crate reaches the product.
                if name == format!("{PROPERTY_PREFIX}kind") {
                    declared = match value {
                        "member" => Some(DepKind::Member),
                        "normal" => Some(DepKind::Normal),
                        "build" => Some(DepKind::Build),
                        "dev" => Some(DepKind::Dev),
                        _ => declared,
                    };
                }
            }
        }
        let display = if name.is_empty() {
            key.clone()
        } else {
            name.clone()
        };
        self.components.push(Component {
            key,
            name: display,
            version,
            purl,
            root: false,
            declared,
            evidence: col.out,
            line,
        });
        let me = self.components.len() - 1;
        if let Some(parent) = parent {
            self.contains.push((parent, me));
        }
        for (key, svc) in [("components", false), ("services", true)] {
            if key == "services" && !service {
                continue;
            }
            if let Some(list) = o.get(key) {
                for (k, c) in arr(list, &p(key))?.iter().enumerate() {
                    self.component(c, &format!("{at}/{key}/{k}"), Some(me), svc)?;
                }
            }
        }
        Ok(me)
    }

    /// An organisational entity (`supplier`, `manufacturer`, `provider`): its name, URLs and
    /// contacts.
    fn entity(
        &self,
        col: &mut Collector<'_>,
        field: &str,
        v: &Value,
        at: &str,
    ) -> Result<(), String> {
        // XML writes an empty organisation as `<provider/>`: nothing to read.
        if v.as_str().is_some_and(|s| s.trim().is_empty()) || v.is_null() {
            return Ok(());
        }
        let o = v
            .as_object()
            .ok_or_else(|| self.err(at, "expected an organisation", v))?;
        let line = self.line(v);
        if let Some(n) = o.get("name") {
            let t = self.text(n, &format!("{at}/name"))?;
            col.add(
                &format!("{field}.name"),
                Role::Attribution,
                Shape::Text,
                t,
                self.at(&format!("{at}/name"), line),
            );
        }
        if let Some(urls) = o.get("url") {
            let list: Vec<&Value> = match urls {
                Value::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            for (k, u) in list.into_iter().enumerate() {
                let up = format!("{at}/url/{k}");
                let t = self.text(u, &up)?;
                col.add(
                    &format!("{field}.url"),
                    Role::Attribution,
                    Shape::Url,
                    t,
                    self.at(&up, self.line(u).or(line)),
                );
            }
        }
        if let Some(contacts) = o.get("contact") {
            let list: Vec<&Value> = match contacts {
                Value::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            for (k, c) in list.into_iter().enumerate() {
                let cp = format!("{at}/contact/{k}");
                let cl = self.line(c).or(line);
                self.contact(
                    col,
                    &format!("{field}.contact"),
                    Role::Attribution,
                    c,
                    &cp,
                    cl,
                )?;
            }
        }
        Ok(())
    }

    /// An organisational contact (`name`, `email`) as `Name <email>`.
    fn contact(
        &self,
        col: &mut Collector<'_>,
        field: &str,
        role: Role,
        v: &Value,
        at: &str,
        line: Option<u32>,
    ) -> Result<(), String> {
        if v.as_str().is_some_and(|s| s.trim().is_empty()) || v.is_null() {
            return Ok(());
        }
        let o = v
            .as_object()
            .ok_or_else(|| self.err(at, "expected a contact", v))?;
        let get = |k: &str| -> Result<&str, String> {
            match o.get(k) {
                Some(x) => self.text(x, &format!("{at}/{k}")),
                None => Ok(""),
            }
        };
        let (name, email) = (get("name")?.trim(), get("email")?.trim());
        let text = match (name.is_empty(), email.is_empty()) {
            (false, false) => format!("{name} <{email}>"),
            (false, true) => name.to_string(),
            (true, false) => format!("<{email}>"),
            (true, true) => return Ok(()),
        };
        col.add(field, role, Shape::Author, &text, self.at(at, line));
        Ok(())
    }
}
