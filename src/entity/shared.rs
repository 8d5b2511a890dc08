//! Entity stage, shared services: data/shared-domains.toml → the domains never taken as an
//! entity's domain identifier (webmail, code hosting, CDNs, URL shorteners), whatever list
//! brings them.

use std::sync::LazyLock;

use serde::Deserialize;

/// The maintained list, compiled into the binary.
pub const SHARED_TOML: &str = include_str!("../../data/shared-domains.toml");

/// One shared-service domain (it covers its sub-domains).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedDomain {
    pub domain: String,
    pub kind: String,
    pub url: String,
    pub why: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SharedFile {
    domain: Vec<SharedDomain>,
}

/// The parsed list. The file is part of the binary and a unit test parses it, so a parse error
/// here is a build defect; it degrades to "nothing is shared" rather than a panic.
static SHARED: LazyLock<Vec<SharedDomain>> = LazyLock::new(|| {
    toml::from_str::<SharedFile>(SHARED_TOML)
        .map(|f| f.domain)
        .unwrap_or_default()
});

/// Every shared-service domain.
pub fn all() -> &'static [SharedDomain] {
    &SHARED
}

/// The shared service `host` belongs to (the domain itself or a sub-domain of it).
pub fn shared(host: &str) -> Option<&'static SharedDomain> {
    // Each whole-label suffix of the host looked up (a whole list asks once per domain); the
    // earliest entry of the file wins, as a scan in file order would pick.
    static INDEX: LazyLock<std::collections::HashMap<&'static str, usize>> = LazyLock::new(|| {
        let mut index = std::collections::HashMap::new();
        for (i, s) in SHARED.iter().enumerate() {
            index.entry(s.domain.as_str()).or_insert(i);
        }
        index
    });
    crate::text::normalize::host_suffixes(host)
        .filter_map(|suffix| INDEX.get(suffix).copied())
        .min()
        .map(|i| &SHARED[i])
}

/// The note `list` shows for a dropped domain.
pub fn note(entity: &str, domain: &str, s: &SharedDomain) -> String {
    format!(
        "entity `{entity}`: domain `{domain}` dropped: {} ({}), never an identifier",
        s.kind, s.why
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize;

    /// The indexed look-up finds what a scan of the file in order finds.
    #[test]
    fn look_up_agrees_with_a_scan() {
        let scan = |host: &str| {
            SHARED
                .iter()
                .find(|s| normalize::host_matches(host, &s.domain))
                .map(|s| s.domain.as_str())
        };
        let mut hosts = vec![
            "",
            ".",
            "com",
            "example.com",
            "notgmail.com",
            "gmail.com.evil",
        ];
        let owned: Vec<String> = SHARED
            .iter()
            .flat_map(|s| {
                [
                    s.domain.clone(),
                    format!("a.b.{}", s.domain),
                    format!("x{}", s.domain),
                    format!("{}.x", s.domain),
                ]
            })
            .collect();
        hosts.extend(owned.iter().map(String::as_str));
        for h in hosts {
            assert_eq!(shared(h).map(|s| s.domain.as_str()), scan(h), "{h}");
        }
    }

    #[test]
    fn the_data_parses_and_covers_sub_domains() {
        let f: SharedFile = toml::from_str(SHARED_TOML).expect("data/shared-domains.toml parses");
        assert!(f.domain.len() >= 20);
        assert!(f.domain.iter().all(|d| d.url.starts_with("https://")));
        assert_eq!(shared("gmail.com").unwrap().kind, "webmail");
        assert_eq!(shared("someone.github.io").unwrap().kind, "code-hosting");
        assert!(shared("kaspersky.com").is_none());
        // Whole labels only: a domain that merely ends in the same letters is not shared.
        assert!(shared("notgithub.com").is_none());
    }
}
