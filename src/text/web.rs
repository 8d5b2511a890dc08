//! Web addresses: the code-hosting services whose URLs name an organisation, registry team
//! logins read as such URLs, and country-code sites.

use super::normalize;

/// Code-hosting services whose first path segment is an organisation or user.
pub(crate) const CODE_HOSTS: &[&str] = &[
    "github.com",
    "gitlab.com",
    "bitbucket.org",
    "codeberg.org",
    "git.sr.ht",
    "sr.ht",
    "gitee.com",
];

/// Whether a public suffix is a country's: in the Public Suffix List's ICANN section (never a
/// hosting platform's private suffix) and ending in a two-letter country-code top-level domain
/// (`fr`, `com.br`, `co.jp`).
pub(crate) fn is_country_site(suffix: psl::Suffix<'_>) -> bool {
    let tld = suffix
        .as_bytes()
        .rsplit(|&b| b == b'.')
        .next()
        .unwrap_or(b"");
    suffix.typ() == Some(psl::Type::Icann)
        && tld.len() == 2
        && tld.iter().all(u8::is_ascii_alphabetic)
}

/// A registry team login, `github:<org>:<team>` (how crates.io names a GitHub team owning a
/// crate), read as the URL of its organisation: host `github.com`, path `<org>/<team>`.
pub(crate) fn registry_team(text: &str) -> Option<(String, Vec<String>)> {
    let rest = text.trim().strip_prefix("github:")?;
    let (org, team) = rest.split_once(':').unwrap_or((rest, ""));
    let valid = |s: &str| !s.contains(['/', ':', '@', ' ']);
    if org.is_empty() || !valid(org) || !valid(team) {
        return None;
    }
    let segs = std::iter::once(org)
        .chain(Some(team).filter(|t| !t.is_empty()))
        .map(str::to_string)
        .collect();
    Some(("github.com".to_string(), segs))
}

/// The organisation (or user) a URL on a code-hosting service belongs to, for an organisation
/// listed on `org_host`. For GitHub, its raw-file, archive, API, Pages and CDN forms name the
/// organisation too: `github.com/<org>`, `raw.githubusercontent.com/<org>`,
/// `codeload.github.com/<org>`, `media.githubusercontent.com/media/<org>`,
/// `api.github.com/repos/<org>`, `<org>.github.io`, `cdn.jsdelivr.net/gh/<org>`;
/// `objects.githubusercontent.com` (release assets by number) names none.
pub(crate) fn hosted_org<'s>(host: &'s str, segs: &'s [String], org_host: &str) -> Option<&'s str> {
    let seg = |i: usize| segs.get(i).map(String::as_str);
    if org_host == "github.com" {
        if let Some(org) = host.strip_suffix(".github.io") {
            return (!org.contains('.')).then_some(org);
        }
        return match host {
            "github.com"
            | "www.github.com"
            | "raw.github.com"
            | "raw.githubusercontent.com"
            | "codeload.github.com"
            | "gist.githubusercontent.com"
            | "gist.github.com"
            | "raw.githack.com"
            | "rawcdn.githack.com" => seg(0),
            "media.githubusercontent.com" => match seg(0) {
                Some("media" | "lfs") => seg(1),
                _ => seg(0),
            },
            "api.github.com" | "uploads.github.com" => match seg(0) {
                Some("repos" | "orgs" | "users") => seg(1),
                _ => None,
            },
            "cdn.jsdelivr.net" | "fastly.jsdelivr.net" => match seg(0) {
                Some("gh") => seg(1),
                _ => None,
            },
            _ => None,
        };
    }
    normalize::host_matches(host, org_host)
        .then(|| seg(0))
        .flatten()
}
