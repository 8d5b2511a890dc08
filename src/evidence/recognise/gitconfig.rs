//! A git checkout's `.git/config`: the URLs of its remotes say where the checkout's code comes
//! from. A vendor SDK copied into a package with its repository (`vendor/engine/.git/config`:
//! `url = https://github.com/<vendor>/<sdk>.git`), or a path dependency that is a clone of the
//! vendor's repository, is attributed by them as a package's `repository` is. A section's other
//! keys (branches, a user's settings) are not read. Credentials written into a URL
//! (`https://user:token@host/…`) are removed before the URL becomes evidence: reports are
//! uploaded and kept, and a token must not travel with them.

use super::{FieldHit, FieldKind, FileName, MetadataFormat, Recogniser};
use crate::evidence::Shape;

pub struct GitConfig;

impl Recogniser for GitConfig {
    fn claims(&self, file: &FileName<'_>, _text: &str) -> bool {
        file.base == "config" && file.ends_with(".git/config")
    }

    fn read(&self, _file: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        // The section a line is in: `remote "origin"` → ("remote", "origin").
        let mut section: Option<(String, String)> = None;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if let Some(head) = line.strip_prefix('[') {
                let head = head.split(']').next().unwrap_or("").trim();
                let (kind, name) = head.split_once(char::is_whitespace).unwrap_or((head, ""));
                section = Some((
                    kind.to_ascii_lowercase(),
                    name.trim().trim_matches('"').to_string(),
                ));
                continue;
            }
            let Some((kind, name)) = &section else {
                continue;
            };
            if kind != "remote" && kind != "submodule" {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            if key != "url" && key != "pushurl" {
                continue;
            }
            let value = value.split([';', '#']).next().unwrap_or("").trim();
            let value = value.trim_matches('"');
            if value.is_empty() {
                continue;
            }
            out.push(FieldHit {
                format: MetadataFormat::GitConfig,
                key: format!("{kind}.{name}.{key}"),
                kind: FieldKind::Attribution,
                shape: Shape::Url,
                value: without_credentials(value),
                line: u32::try_from(i + 1).unwrap_or(u32::MAX),
            });
        }
    }
}

/// `url` without the user name and password a `scheme://user:password@host/…` URL carries
/// (`https://ci:ghp_x@github.com/o/r` → `https://github.com/o/r`). An scp-like `git@host:o/r`
/// names no secret and is kept.
fn without_credentials(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(name: &str, text: &str) -> Vec<(String, String, u32)> {
        crate::evidence::recognise::fields(name, text)
            .into_iter()
            .map(|f| (f.key, f.value, f.line))
            .collect()
    }

    #[test]
    fn remotes_and_submodules_say_where_the_checkout_comes_from() {
        let config = "[core]\n\tbare = false\n[remote \"origin\"]\n\turl = https://ci:ghp_secret@github.com/KasperskyLab/ksc-sdk.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n[branch \"main\"]\n\tremote = origin\n[Remote \"mirror\"]\n\tpushurl = \"git@gitlab.example:mirror/sdk.git\" ; ours\n[submodule \"bases\"]\n\turl = https://example.com/bases.git\n[user]\n\temail = dev@example.com\n";
        assert_eq!(
            read("vendor/engine/.git/config", config),
            [
                (
                    "remote.mirror.pushurl".to_string(),
                    "git@gitlab.example:mirror/sdk.git".to_string(),
                    9
                ),
                (
                    "remote.origin.url".to_string(),
                    "https://github.com/KasperskyLab/ksc-sdk.git".to_string(),
                    4
                ),
                (
                    "submodule.bases.url".to_string(),
                    "https://example.com/bases.git".to_string(),
                    11
                ),
            ]
        );
        // Only a repository's own config file.
        assert!(read("docs/config", config).is_empty());
        assert!(read("vendor/engine/.git/configs", config).is_empty());
    }

    #[test]
    fn credentials_never_reach_the_evidence() {
        assert_eq!(
            without_credentials("https://user:pa@ss@host.example/o/r?x=@y"),
            "https://host.example/o/r?x=@y"
        );
        assert_eq!(
            without_credentials("ssh://git@host.example:22/o/r"),
            "ssh://host.example:22/o/r"
        );
        assert_eq!(without_credentials("git@host:o/r"), "git@host:o/r");
        assert_eq!(without_credentials("/srv/git/r"), "/srv/git/r");
    }
}
