//! Entity stage, shared services: data/shared-domains.toml → the domains never taken as an
//! entity's domain identifier (webmail, code hosting, CDNs, URL shorteners), whatever list
//! brings them.

use std::sync::LazyLock;

use serde::Deserialize;

use crate::text::normalize;

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
    SHARED
        .iter()
        .find(|s| normalize::host_matches(host, &s.domain))
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
