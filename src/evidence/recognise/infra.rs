//! Recognisers of infrastructure code that fetches and runs another party's software: Terraform
//! (and OpenTofu, Terragrunt) module and provider sources, Ansible collections and roles, and
//! Android `repo` manifests. What they name is downloaded and run where the code is deployed:
//! integration, as a dependency manifest's packages and URLs are.
//!
//! A registry address names its publisher by a namespace (`Vendor/engine/aws`, `vendor.engine`),
//! read as an npm scope is: the namespace belongs to the organisation that publishes under it. The
//! public Terraform registry publishes a namespace's modules and providers from the GitHub
//! organisation of that name (`terraform-<provider>-<name>`, `terraform-provider-<type>`), so
//! its addresses are also read as those repositories' URLs.

use std::sync::LazyLock;

use regex::Regex;

use super::{FieldHit, FieldKind, FileName, MetadataFormat, Recogniser, line_at, re};
use crate::evidence::Shape;

use FieldKind::{Attribution as A, Integration as I};

struct Out<'a, 't> {
    format: MetadataFormat,
    text: &'t str,
    out: &'a mut Vec<FieldHit>,
}

impl Out<'_, '_> {
    fn push(&mut self, key: &str, kind: FieldKind, shape: Shape, value: &str, at: usize) {
        if value.trim().is_empty() {
            return;
        }
        self.out.push(FieldHit {
            format: self.format,
            key: key.to_string(),
            kind,
            shape,
            value: value.to_string(),
            line: line_at(self.text, at),
        });
    }

    /// A registry namespace, as its publisher: its name (words split, `VendorLab` →
    /// `Vendor Lab`).
    fn namespace(&mut self, key: &str, kind: FieldKind, ns: &str, at: usize) {
        let ns = ns.trim();
        if ns.is_empty() {
            return;
        }
        self.push(
            &format!("{key} (namespace {ns})"),
            kind,
            Shape::Text,
            &super::imports::with_words(ns),
            at,
        );
    }

    /// A repository or download reference: a URL (`git::https://…`, `git+https://…`,
    /// `git@host:org/repo.git`, `s3::https://…`) or a code host's shorthand (`github.com/org/repo`),
    /// read as a URL. `false` when `v` is neither.
    fn url(&mut self, key: &str, v: &str, at: usize) -> bool {
        let v = v.trim();
        // A forced getter: `git::`, `hg::`, `s3::`, `gcs::`.
        let v = match v.split_once("::") {
            Some((getter, rest))
                if !getter.is_empty() && getter.bytes().all(|b| b.is_ascii_alphanumeric()) =>
            {
                rest
            }
            _ => v,
        };
        if v.contains("://") || v.starts_with("git@") {
            self.push(key, I, Shape::Url, v, at);
            return true;
        }
        let host = v.split('/').next().unwrap_or("");
        if matches!(
            host.to_ascii_lowercase().as_str(),
            "github.com" | "bitbucket.org" | "gitlab.com"
        ) && v.split('/').count() >= 3
        {
            self.push(key, I, Shape::Url, &format!("https://{v}"), at);
            return true;
        }
        false
    }
}

/// Whether `v` is a path on the machine (`./modules/x`, `../x`, `/opt/x`, `~/x`, `C:\x`).
fn local_path(v: &str) -> bool {
    let v = v.trim();
    v.starts_with(['.', '/', '~', '\\']) || v.get(1..3) == Some(":\\") || v.starts_with("file:")
}

/// The registry hosts that publish from GitHub organisations of the namespace's name.
const PUBLIC_REGISTRIES: &[&str] = &["registry.terraform.io", "registry.opentofu.org"];

// --- Terraform ------------------------------------------------------------------------------

/// Terraform, OpenTofu and Terragrunt: `module` sources, `required_providers` sources, a
/// Terragrunt `terraform { source = … }`, the providers a `.terraform.lock.hcl` pins, the
/// modules `terraform init` recorded (`.terraform/modules/modules.json`), the same in JSON
/// syntax (`*.tf.json`), a CDK for Terraform project's providers and modules (`cdktf.json`), and
/// the plugins a Packer template requires (`*.pkr.hcl` `required_plugins`). Not comments, nor any
/// other `source` (a file a resource uploads).
pub struct Terraform;

impl Recogniser for Terraform {
    fn claims(&self, f: &FileName<'_>, _: &str) -> bool {
        matches!(f.ext.as_str(), "tf" | "tofu")
            || f.base.ends_with(".pkr.hcl")
            || f.base == "cdktf.json"
            || f.base.eq_ignore_ascii_case("terragrunt.hcl")
            || f.base.eq_ignore_ascii_case(".terraform.lock.hcl")
            || f.base.ends_with(".tf.json")
            || f.base.ends_with(".tofu.json")
            || f.ends_with(".terraform/modules/modules.json")
    }

    fn read(&self, f: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        let mut w = Out {
            format: MetadataFormat::Terraform,
            text,
            out,
        };
        if f.ext == "json" {
            // `terraform_json` reads Terraform's JSON syntax, `terraform init`'s module record
            // and a CDK for Terraform project's providers and modules.
            terraform_json(&mut w, text);
            return;
        }
        let code = hcl_code(text);
        static SOURCE: LazyLock<Regex> =
            LazyLock::new(|| re(r#"(?:^|[\s{,;])source\s*=\s*"([^"\n]*)""#));
        static LOCKED: LazyLock<Regex> =
            LazyLock::new(|| re(r#"(?m)^[ \t]*provider[ \t]+"([^"\n]+)"[ \t]*\{"#));
        let blocks = Blocks::of(&code);
        for c in SOURCE.captures_iter(&code) {
            let v = c.get(1).expect("group");
            let path = blocks.at(v.start());
            let path: Vec<&str> = path.iter().map(String::as_str).collect();
            match path.as_slice() {
                ["module"] | ["terraform"] => {
                    module_source(&mut w, "module source", v.as_str(), v.start())
                }
                // Packer's plugins are downloaded and run as a provider is.
                [.., list @ ("required_providers" | "required_plugins"), _] => {
                    let key = format!("{list} source");
                    provider_source(&mut w, &key, v.as_str(), v.start());
                }
                _ => {}
            }
        }
        if f.base.eq_ignore_ascii_case(".terraform.lock.hcl") {
            for c in LOCKED.captures_iter(&code) {
                let v = c.get(1).expect("group");
                provider_source(&mut w, "provider", v.as_str(), v.start());
            }
        }
    }
}

/// A module's source: a local path (nothing), a URL or code host's shorthand, or a registry
/// address (`[host/]namespace/name/provider[//subdir]`).
fn module_source(w: &mut Out<'_, '_>, key: &str, v: &str, at: usize) {
    let v = v.trim();
    if v.is_empty() || local_path(v) || w.url(key, v, at) {
        return;
    }
    let address = v.split("//").next().unwrap_or(v);
    let address = address.split('?').next().unwrap_or(address);
    let parts: Vec<&str> = address.split('/').collect();
    let (host, ns, name, provider) = match parts.as_slice() {
        [ns, name, provider] => ("registry.terraform.io", *ns, *name, *provider),
        [host, ns, name, provider] if host.contains('.') => (*host, *ns, *name, *provider),
        _ => return,
    };
    registry(
        w,
        key,
        host,
        ns,
        &format!("terraform-{provider}-{name}"),
        at,
    );
    if !PUBLIC_REGISTRIES.contains(&host.to_ascii_lowercase().as_str()) {
        w.push(
            key,
            I,
            Shape::Url,
            &format!("https://{host}/{ns}/{name}/{provider}"),
            at,
        );
    }
}

/// A provider's source address: `[host/]namespace/type`.
fn provider_source(w: &mut Out<'_, '_>, key: &str, v: &str, at: usize) {
    let parts: Vec<&str> = v.trim().split('/').collect();
    let (host, ns, kind) = match parts.as_slice() {
        [ns, kind] => ("registry.terraform.io", *ns, *kind),
        [host, ns, kind] => (*host, *ns, *kind),
        _ => return,
    };
    registry(w, key, host, ns, &format!("terraform-provider-{kind}"), at);
    if !PUBLIC_REGISTRIES.contains(&host.to_ascii_lowercase().as_str()) {
        w.push(
            key,
            I,
            Shape::Url,
            &format!("https://{host}/{ns}/{kind}"),
            at,
        );
    }
}

/// A registry namespace: the publisher's name, and on a public registry the GitHub repository
/// it publishes from.
fn registry(w: &mut Out<'_, '_>, key: &str, host: &str, ns: &str, repo: &str, at: usize) {
    let valid = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    if !valid(ns) || !valid(repo) {
        return;
    }
    w.namespace(key, I, ns, at);
    if PUBLIC_REGISTRIES.contains(&host.to_ascii_lowercase().as_str()) {
        w.push(
            key,
            I,
            Shape::Url,
            &format!("https://github.com/{ns}/{repo}"),
            at,
        );
    }
}

/// Terraform's JSON syntax: `module.<name>.source`, `terraform.required_providers.<name>.source`
/// (a block may be an array of objects); and `terraform init`'s record of modules
/// (`{"Modules": [{"Source": …}]}`).
fn terraform_json(w: &mut Out<'_, '_>, text: &str) {
    use serde_json::Value;
    let Ok(doc) = serde_json::from_str::<Value>(text.trim_start_matches('\u{feff}')) else {
        return;
    };
    let at = |v: &str| {
        text.find(&serde_json::to_string(v).unwrap_or_default())
            .unwrap_or(0)
    };
    // A block's bodies: an object, or an array of objects.
    fn bodies(v: Option<&Value>) -> Vec<&serde_json::Map<String, Value>> {
        match v {
            Some(Value::Object(o)) => vec![o],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_object).collect(),
            _ => Vec::new(),
        }
    }
    for modules in bodies(doc.get("module")) {
        for m in modules.values() {
            for body in bodies(Some(m)) {
                if let Some(Value::String(s)) = body.get("source") {
                    module_source(w, "module source", s, at(s));
                }
            }
        }
    }
    for tf in bodies(doc.get("terraform")) {
        for rp in bodies(tf.get("required_providers")) {
            for p in rp.values() {
                if let Some(Value::String(s)) = p.get("source") {
                    provider_source(w, "required_providers source", s, at(s));
                }
            }
        }
    }
    // CDK for Terraform: `"terraformProviders": ["vendor/engine@~> 1.0", {"source": …}]`, and
    // its `terraformModules`.
    for (list, provider) in [("terraformProviders", true), ("terraformModules", false)] {
        let Some(Value::Array(items)) = doc.get(list) else {
            continue;
        };
        for item in items {
            let spec = match item {
                Value::String(s) => s.as_str(),
                Value::Object(o) => match o.get("source").or_else(|| o.get("name")) {
                    Some(Value::String(s)) => s.as_str(),
                    _ => continue,
                },
                _ => continue,
            };
            // A version after `@` (not a `git@host:` address's user).
            let source = match spec.rsplit_once('@') {
                Some((s, v)) if !v.contains(['/', ':']) => s,
                _ => spec,
            }
            .trim();
            if provider {
                provider_source(w, list, source, at(spec));
            } else {
                module_source(w, list, source, at(spec));
            }
        }
    }
    if let Some(Value::Array(ms)) = doc.get("Modules") {
        for m in ms {
            if let Some(Value::String(s)) = m.get("Source") {
                module_source(w, "module source", s, at(s));
            }
        }
    }
}

/// HCL text with its comments (`#`, `//`, `/* … */`) blanked, outside strings; offsets kept.
fn hcl_code(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'"' {
            i = string_end(b, i);
            continue;
        }
        let line_comment = c == b'#' || (c == b'/' && b.get(i + 1) == Some(&b'/'));
        if line_comment {
            while i < b.len() && b[i] != b'\n' {
                out[i] = b' ';
                i += 1;
            }
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'*') {
            while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                if b[i] != b'\n' {
                    out[i] = b' ';
                }
                i += 1;
            }
            for o in out.iter_mut().take((i + 2).min(b.len())).skip(i) {
                *o = b' ';
            }
            i += 2;
            continue;
        }
        i += 1;
    }
    // Only ASCII bytes were blanked, each by a space: still UTF-8 (a multi-byte character is
    // blanked whole, byte by byte, or not at all).
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Where the HCL string that opens at `open` (a `"`) ends: just past its closing quote, or at
/// the line break or the end that cuts it short; `\`-escapes passed over.
fn string_end(b: &[u8], open: usize) -> usize {
    let mut i = open + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            b'\n' => return i,
            _ => i += 1,
        }
    }
    b.len()
}

/// The nesting of an HCL file's blocks and object values: for each `{`, the first word of what
/// opens it (`module "x" {` → `module`, `ksc = {` → `ksc`), and where it closes.
struct Blocks {
    /// (open offset, close offset, name, depth)
    spans: Vec<(usize, usize, String, usize)>,
}

impl Blocks {
    fn of(code: &str) -> Blocks {
        let b = code.as_bytes();
        let mut spans = Vec::new();
        let mut stack: Vec<(usize, String)> = Vec::new();
        let mut boundary = 0;
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            match c {
                b'"' => {
                    i = string_end(b, i);
                    continue;
                }
                b'{' => {
                    let head = code.get(boundary..i).unwrap_or("");
                    let name: String = head
                        .trim_start()
                        .trim_start_matches('"')
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-'))
                        .collect();
                    stack.push((i, name));
                    boundary = i + 1;
                }
                b'}' => {
                    if let Some((open, name)) = stack.pop() {
                        spans.push((open, i, name, stack.len()));
                    }
                    boundary = i + 1;
                }
                b'\n' | b',' => boundary = i + 1,
                _ => {}
            }
            i += 1;
        }
        // Blocks left open run to the end.
        while let Some((open, name)) = stack.pop() {
            spans.push((open, b.len(), name, stack.len()));
        }
        spans.sort_by_key(|s| (s.3, s.0));
        Blocks { spans }
    }

    /// The names of the blocks around `at`, outermost first.
    fn at(&self, at: usize) -> Vec<String> {
        let mut around: Vec<&(usize, usize, String, usize)> =
            self.spans.iter().filter(|s| s.0 < at && at < s.1).collect();
        around.sort_by_key(|s| s.3);
        around.into_iter().map(|s| s.2.clone()).collect()
    }
}

// --- Ansible --------------------------------------------------------------------------------

/// Ansible: what `ansible-galaxy install` installs (`requirements.yml`: `collections` and
/// `roles`, by Galaxy name, repository URL or archive), what a collection depends on and who
/// publishes it (`galaxy.yml`: `dependencies`, `namespace`, `authors`, `repository`), and what a
/// role depends on and who made it (`meta/main.yml`: `dependencies`, `galaxy_info` `author` and
/// `company`). A Galaxy name's namespace (`vendor.engine` → `vendor`) is its publisher.
pub struct Ansible;

impl Recogniser for Ansible {
    fn claims(&self, f: &FileName<'_>, text: &str) -> bool {
        let base = f.base.to_ascii_lowercase();
        matches!(
            base.as_str(),
            "requirements.yml"
                | "requirements.yaml"
                | "execution-environment.yml"
                | "execution-environment.yaml"
        ) || (matches!(base.as_str(), "galaxy.yml" | "galaxy.yaml") && text.contains("namespace"))
            || ((f.ends_with("meta/main.yml") || f.ends_with("meta/main.yaml"))
                && (text.contains("galaxy_info") || text.contains("dependencies")))
            || playbook(f, text)
    }

    fn read(&self, f: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        let mut w = Out {
            format: MetadataFormat::Ansible,
            text,
            out,
        };
        if playbook(f, text) {
            read_playbook(&mut w, text);
            return;
        }
        let galaxy = f.base.to_ascii_lowercase().starts_with("galaxy.");
        // `key: value` at the start of a line, a list item or a flow mapping's entry.
        static KEY: LazyLock<Regex> = LazyLock::new(|| {
            re(
                r#"(?:^[ \t]*(?:-[ \t]+)?|[{,][ \t]*)["']?([A-Za-z_][\w.-]*)["']?[ \t]*:(?:[ \t]+|$)"#,
            )
        });
        // A list item that is a bare value: `- vendor.engine`, `- "vendor.engine,1.0"`.
        static ITEM: LazyLock<Regex> =
            LazyLock::new(|| re(r#"^[ \t]*-[ \t]+["']?([^\s"'{\[#:][^\s"',#]*)"#));
        let mut at = 0;
        let mut section = String::new();
        for raw in text.split_inclusive('\n') {
            let start = at;
            at += raw.len();
            let line = super::manifests::uncommented(raw.trim_end_matches(['\n', '\r']));
            if line.trim().is_empty() || line.trim_start().starts_with("---") {
                continue;
            }
            let indent = line.len() - line.trim_start().len();
            let mut keyed = false;
            for c in KEY.captures_iter(line) {
                keyed = true;
                let (k, m) = (c.get(1).expect("group"), c.get(0).expect("match"));
                let key = k.as_str();
                if indent == 0 && m.start() == 0 && !line.trim_start().starts_with('-') {
                    section = key.to_ascii_lowercase();
                }
                let rest = &line[m.end()..];
                let value = first_value(rest);
                let value_at = start + m.end() + rest.find(value).unwrap_or(0);
                match key.to_ascii_lowercase().as_str() {
                    // Who publishes or made it.
                    "namespace" if galaxy && indent == 0 => {
                        w.namespace("namespace", A, value, value_at)
                    }
                    "author" | "authors" | "company" => {
                        for (v, a) in values_of(text, value, value_at) {
                            w.push(key, A, Shape::Author, &v, a);
                        }
                    }
                    "repository" | "homepage" | "issues" if galaxy => {
                        w.push(key, A, Shape::Url, value, value_at);
                    }
                    // What it installs.
                    "name" | "src" | "source" | "role" | "collection"
                        if section != "galaxy_info" && !(galaxy && indent == 0) =>
                    {
                        installed(&mut w, key, value, value_at);
                    }
                    // A collection's dependencies: `vendor.engine: ">=1.0"`.
                    k if galaxy && section == "dependencies" && indent > 0 && k.contains('.') => {
                        installed(&mut w, "dependencies", key, start + k_offset(line, key));
                    }
                    _ => {}
                }
            }
            if !keyed
                && matches!(
                    section.as_str(),
                    "collections" | "roles" | "dependencies" | ""
                )
                && let Some(c) = ITEM.captures(line)
            {
                let v = c.get(1).expect("group");
                // The old form `src,version,name`.
                let name = v.as_str().split(',').next().unwrap_or("");
                installed(&mut w, "item", name, start + v.start());
            }
        }
    }
}

/// Whether `f` is an Ansible playbook (a YAML list of plays: `hosts:` and `tasks:`, `roles:`
/// or handlers) or a role's task or handler file (`roles/<name>/tasks/*.yml`).
fn playbook(f: &FileName<'_>, text: &str) -> bool {
    static HOSTS: LazyLock<Regex> = LazyLock::new(|| re(r"(?m)^-?[ \t]*-?[ \t]*hosts:"));
    static TASKS: LazyLock<Regex> = LazyLock::new(|| {
        re(r"(?m)^[ \t]*-?[ \t]*(?:tasks|pre_tasks|post_tasks|roles|handlers|import_playbook):")
    });
    let yaml = matches!(f.ext.as_str(), "yml" | "yaml");
    let path = f.path.replace('\\', "/");
    let role_file =
        path.contains("roles/") && (path.contains("/tasks/") || path.contains("/handlers/"));
    yaml && (role_file || (HOSTS.is_match(text) && TASKS.is_match(text)))
}

/// What a playbook or task file runs from elsewhere: the modules and roles of other collections
/// it calls by their full names (`vendor.engine.agent:`, `role: vendor.engine.agent`), the
/// collections a play lists (`collections: [vendor.engine]`), and what a task downloads or
/// installs from a URL (`url:`, `deb:`, `src:`, `repo:`, `name:`…, when the value is a URL).
/// Task names and other text are not read; nor comments.
fn read_playbook(w: &mut Out<'_, '_>, text: &str) {
    // A module's full name as a task's key: `- vendor.engine.agent:` or `  vendor.engine.agent:`.
    static FQCN: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"^[ \t]*(?:-[ \t]+)?([a-z_][a-z0-9_]*)\.[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*[ \t]*:(?:[ \t]|$)",
        )
    });
    // A role or collection by name: `role: x.y`, `- x.y` under `roles:` or `collections:`,
    // `name: x.y.z` of an `include_role`/`import_role`.
    static ROLE: LazyLock<Regex> = LazyLock::new(|| {
        re(r#"^[ \t]*(?:-[ \t]+)?(?:\{[ \t]*)?role[ \t]*:[ \t]*["']?([A-Za-z_][\w-]*)\.[\w.-]+"#)
    });
    static ITEM: LazyLock<Regex> =
        LazyLock::new(|| re(r#"^[ \t]*-[ \t]+["']?([A-Za-z_][\w-]*)\.[\w.-]+["']?[ \t]*$"#));
    static LIST_KEY: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"^([ \t]*)(?:-[ \t]+)?(collections|roles|include_role|import_role)[ \t]*:[ \t]*(\[[^\]]*\])?",
        )
    });
    static NAME: LazyLock<Regex> = LazyLock::new(|| {
        re(r#"^[ \t]*name[ \t]*:[ \t]*["']?([A-Za-z_][\w-]*)\.[\w.-]+["']?[ \t]*$"#)
    });
    static URL_VALUE: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r#"^[ \t]*(?:-[ \t]+)?(?:url|urls|deb|src|repo|baseurl|mirrorlist|name|path|pkg|package|packages)[ \t]*:[ \t]*["']?(?:deb[ \t]+(?:\[[^\]]*\][ \t]+)?)?((?:git\+)?(?:https?|ftp|ssh|git)://[^\s"']+|git@[^\s"']+)"#,
        )
    });
    let mut at = 0;
    // The list a line is in (`collections`, `roles`, an include's role), by its key's indent.
    let mut list: Option<(usize, String)> = None;
    for raw in text.split_inclusive('\n') {
        let start = at;
        at += raw.len();
        let line = super::manifests::uncommented(raw.trim_end_matches(['\n', '\r']));
        if line.trim().is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if let Some((i, _)) = &list
            && indent <= *i
            && !(indent == *i && line.trim_start().starts_with('-'))
        {
            list = None;
        }
        if let Some(c) = LIST_KEY.captures(line) {
            let key = c.get(2).expect("group").as_str().to_string();
            let key_indent = c.get(1).expect("group").as_str().len();
            if let Some(flow) = c.get(3) {
                for item in flow.as_str().trim_matches(['[', ']']).split(',') {
                    let item = item.trim().trim_matches(['"', '\'']);
                    if let Some((ns, _)) = item.split_once('.') {
                        w.namespace(&key, I, ns, start + flow.start());
                    }
                }
            } else {
                list = Some((key_indent, key));
            }
            continue;
        }
        for (pattern, key) in [(&*FQCN, "module"), (&*ROLE, "role")] {
            if let Some(c) = pattern.captures(line) {
                let ns = c.get(1).expect("group");
                w.namespace(key, I, ns.as_str(), start + ns.start());
            }
        }
        if let Some((_, key)) = &list {
            let named = match key.as_str() {
                "include_role" | "import_role" => NAME.captures(line),
                _ => ITEM.captures(line),
            };
            if let Some(c) = named {
                let ns = c.get(1).expect("group");
                w.namespace(key, I, ns.as_str(), start + ns.start());
            }
        }
        if let Some(c) = URL_VALUE.captures(line) {
            let url = c.get(1).expect("group");
            let v = url.as_str().strip_prefix("git+").unwrap_or(url.as_str());
            w.push("task URL", I, Shape::Url, v, start + url.start());
        }
    }
}

fn k_offset(line: &str, key: &str) -> usize {
    line.find(key).unwrap_or(0)
}

/// The first value of a YAML value: a quoted string, or the plain text up to a flow mapping's
/// `,` or `}`.
fn first_value(rest: &str) -> &str {
    let rest = rest.trim();
    if let Some(q) = rest.chars().next().filter(|c| matches!(c, '"' | '\'')) {
        let inner = &rest[1..];
        return inner.split(q).next().unwrap_or(inner);
    }
    rest.split([',', '}']).next().unwrap_or(rest).trim()
}

/// A maker key's values: the one on its line, or the list items under it.
fn values_of(text: &str, value: &str, at: usize) -> Vec<(String, usize)> {
    if !value.is_empty() && !value.starts_with('[') {
        return vec![(value.to_string(), at)];
    }
    if let Some(list) = value.strip_prefix('[') {
        return list
            .trim_end_matches(']')
            .split(',')
            .map(|v| (v.trim().trim_matches(['"', '\'']).to_string(), at))
            .collect();
    }
    let mut out = Vec::new();
    let mut pos = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
    for line in text[pos..].split_inclusive('\n') {
        let t = line.trim();
        let Some(item) = t.strip_prefix("- ") else {
            if t.is_empty() || t.starts_with('#') {
                pos += line.len();
                continue;
            }
            break;
        };
        out.push((item.trim().trim_matches(['"', '\'']).to_string(), pos));
        pos += line.len();
    }
    out
}

/// What an Ansible requirement installs: a repository or archive's URL, a local archive
/// (`vendor-engine-1.0.0.tar.gz`, named `<namespace>-<name>-<version>`), or a Galaxy name
/// (`vendor.engine`) whose namespace publishes it. A bare word (a role's local alias) names none.
fn installed(w: &mut Out<'_, '_>, key: &str, v: &str, at: usize) {
    let v = v.trim().trim_matches(['"', '\'']);
    if v.is_empty() || v.contains("{{") {
        return;
    }
    if let Some(url) = v.strip_prefix("git+") {
        w.push(key, I, Shape::Url, url, at);
        return;
    }
    if w.url(key, v, at) {
        return;
    }
    let base = v.rsplit(['/', '\\']).next().unwrap_or(v);
    if let Some(archive) = base
        .strip_suffix(".tar.gz")
        .or_else(|| base.strip_suffix(".tgz"))
    {
        let ns = archive.split('-').next().unwrap_or("");
        w.namespace(key, I, ns, at);
        return;
    }
    if local_path(v) {
        return;
    }
    if let Some((ns, name)) = v.split_once('.')
        && !name.is_empty()
    {
        w.namespace(key, I, ns, at);
    }
}

// --- repo manifests -------------------------------------------------------------------------

/// An Android `repo` manifest (`.repo/manifests/default.xml`, a local manifest): the projects it
/// checks out, each from its remote's `fetch` URL joined with the project's name; a project
/// whose remote's `fetch` is relative to the manifest's own URL (`..`) by its name alone.
/// Comments and remotes no project uses name nothing checked out.
pub struct RepoManifest;

impl Recogniser for RepoManifest {
    fn claims(&self, f: &FileName<'_>, text: &str) -> bool {
        // Its root element is `<manifest>` (a `pom.xml` may hold a jar plugin's `<manifest>`).
        static ROOT: LazyLock<Regex> = LazyLock::new(|| {
            re(
                r"^\u{feff}?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--(?s:.*?)-->\s*|<!DOCTYPE[^>]*>\s*)*<manifest[\s>]",
            )
        });
        f.ext == "xml"
            && !f.base.eq_ignore_ascii_case("AndroidManifest.xml")
            && text.contains("<project")
            && (text.contains("<remote") || text.contains("<default"))
            && ROOT.is_match(text)
    }

    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        let opts = roxmltree::ParsingOptions {
            allow_dtd: false,
            ..Default::default()
        };
        let Ok(doc) = roxmltree::Document::parse_with_options(text, opts) else {
            return;
        };
        let root = doc.root_element();
        if root.tag_name().name() != "manifest" {
            return;
        }
        let mut w = Out {
            format: MetadataFormat::RepoManifest,
            text,
            out,
        };
        let elements = || root.children().filter(roxmltree::Node::is_element);
        let remotes: std::collections::HashMap<&str, &str> = elements()
            .filter(|n| n.has_tag_name("remote"))
            .filter_map(|n| Some((n.attribute("name")?, n.attribute("fetch")?)))
            .collect();
        let default = elements()
            .filter(|n| n.has_tag_name("default"))
            .find_map(|n| n.attribute("remote"));
        // A project (a subproject inside one too, named under its parent's name), the
        // superproject, and a project another manifest moves to a remote (`extend-project`).
        let checked_out = |n: &roxmltree::Node<'_, '_>| {
            n.has_tag_name("project")
                || n.has_tag_name("superproject")
                || (n.has_tag_name("extend-project") && n.attribute("remote").is_some())
        };
        for p in root.descendants().filter(checked_out) {
            let Some(name) = p.attribute("name") else {
                continue;
            };
            let parents: Vec<roxmltree::Node<'_, '_>> = p
                .ancestors()
                .skip(1)
                .take_while(|a| a.has_tag_name("project"))
                .collect();
            let mut name = name.trim_matches('/').to_string();
            for parent in &parents {
                if let Some(pn) = parent.attribute("name") {
                    name = format!("{}/{name}", pn.trim_matches('/'));
                }
            }
            let at = p.range().start;
            let remote = std::iter::once(p)
                .chain(parents.iter().copied())
                .find_map(|n| n.attribute("remote"))
                .or(default);
            let fetch = remote.and_then(|r| remotes.get(r)).map(|f| f.trim());
            match fetch {
                Some(fetch) if fetch.contains("://") || fetch.starts_with("git@") => {
                    let url = format!("{}/{name}", fetch.trim_end_matches('/'));
                    w.push("project", I, Shape::Url, &url, at);
                }
                // Relative to the manifest's own URL, which the manifest does not say: what the
                // fetch path names beyond `..` (`../VendorLab`), and the project's name.
                _ => {
                    let named: Vec<&str> = fetch
                        .unwrap_or("")
                        .split('/')
                        .filter(|s| !s.is_empty() && *s != "." && *s != "..")
                        .chain(std::iter::once(name.as_str()))
                        .collect();
                    w.push(
                        "project",
                        I,
                        Shape::Text,
                        &super::imports::with_words(&named.join("/")),
                        at,
                    );
                }
            }
        }
    }
}
