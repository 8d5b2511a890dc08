//! Web addresses: hosts, URLs and e-mail addresses read into canonical host names and path
//! segments; the code-hosting services whose URLs name an organisation, registry team logins
//! read as such URLs, and country-code sites.

use unicode_normalization::UnicodeNormalization;

use super::chars::{homoglyph, is_invisible};

/// Canonical host name: percent-decoded, IDNA (punycode) decoded, NFKC, invisible characters
/// removed, lower case, ideographic full stops made dots, trailing dot dropped; in each label,
/// Cyrillic and Greek look-alikes mapped to Latin (in a host name they can only be a spoof).
/// `None` for an empty or impossible host.
pub fn normalize_host(host: &str) -> Option<String> {
    let trimmed = host.trim();
    // Plain ASCII without percent-escapes or punycode labels: NFKC, IDNA and the look-alike
    // map change nothing but case (a whole screening list has a website or e-mail per entry).
    if trimmed.is_ascii() && !trimmed.contains('%') {
        let unified = trimmed.trim_end_matches('.').to_ascii_lowercase();
        if unified.contains("xn--") {
            return normalize_host_general(host);
        }
        if unified.is_empty() || unified.contains(char::is_whitespace) {
            return None;
        }
        if !unified.starts_with('[') && unified.split('.').any(str::is_empty) {
            return None;
        }
        return Some(unified);
    }
    normalize_host_general(host)
}

/// [`normalize_host`] for any text.
pub(super) fn normalize_host_general(host: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(host.trim()).decode_utf8_lossy();
    let unified: String = decoded
        .nfkc()
        .filter(|c| !is_invisible(*c))
        .map(|c| match c {
            '\u{3002}' | '\u{FF0E}' | '\u{FF61}' => '.',
            c => c,
        })
        .collect();
    let unified = unified.trim().trim_end_matches('.').to_lowercase();
    if unified.is_empty() || unified.contains(char::is_whitespace) {
        return None;
    }
    if unified.starts_with('[') {
        return Some(unified); // IPv6 literal
    }
    let (unicode, result) = idna::domain_to_unicode(&unified);
    let host = if result.is_ok() { unicode } else { unified };
    let mut out = String::with_capacity(host.len());
    for (i, label) in host.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        for c in label.chars() {
            if c.is_ascii() {
                out.push(c);
            } else if let Some(l) = homoglyph(c) {
                out.push(l);
            } else {
                out.extend(c.to_lowercase());
            }
        }
    }
    if out.split('.').any(str::is_empty) {
        return None;
    }
    Some(out)
}

/// A host and each parent domain, on whole labels: `a.b.example.com`, `b.example.com`,
/// `example.com`, `com`.
pub fn host_suffixes(host: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(host), |h| h.split_once('.').map(|(_, t)| t))
}

/// Whether `host` is `domain` or a sub-domain of it, on whole labels.
pub fn host_matches(host: &str, domain: &str) -> bool {
    host == domain
        || (host.len() > domain.len()
            && host.ends_with(domain)
            && host.as_bytes()[host.len() - domain.len() - 1] == b'.')
}

/// Host and path segments of a URL-like string: `https://…`, `git+https://…?rev#sha`,
/// `ssh://git@host/…`, `git@host:owner/repo.git` (scp-like), `registry+…`, `sparse+…`, or a bare
/// `host/path`. Segments are percent-decoded; a trailing `.git` is dropped from the last.
pub fn parse_url_like(s: &str) -> Option<(String, Vec<String>)> {
    let s = s.trim();
    let s = s
        .strip_prefix("registry+")
        .or_else(|| s.strip_prefix("sparse+"))
        .or_else(|| s.strip_prefix("git+"))
        .unwrap_or(s);
    let rest = s.split_once("://").map_or(s, |(_, rest)| rest);
    // Cut the query and fragment.
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, ""),
    };
    let authority = authority
        .rsplit_once('@')
        .map(|(_, h)| h)
        .unwrap_or(authority);
    // scp-like `host:owner/repo`: the colon separates host and path, not a port. Written after
    // a scheme too (`ssh://git@github.com:Owner/repo`, which git itself refuses but people
    // write), it is read the same way: a port is digits only.
    let (host, path) = if authority.starts_with('[') {
        (
            authority.split_inclusive(']').next().unwrap_or(authority),
            path.to_string(),
        )
    } else {
        match authority.split_once(':') {
            Some((h, first)) if !first.is_empty() && !first.chars().all(|c| c.is_ascii_digit()) => {
                let joined = if path.is_empty() {
                    first.to_string()
                } else {
                    format!("{first}/{path}")
                };
                (h, joined)
            }
            Some((h, _port)) => (h, path.to_string()),
            None => (authority, path.to_string()),
        }
    };
    let host = normalize_host(host)?;
    if !host.contains('.') && host != "localhost" && !host.starts_with('[') {
        return None;
    }
    let mut segs: Vec<String> = path
        .split('/')
        .filter(|p| !p.is_empty())
        .map(|p| {
            percent_encoding::percent_decode_str(p)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    if let Some(last) = segs.last_mut()
        && let Some(stripped) = last.strip_suffix(".git")
    {
        *last = stripped.to_string();
    }
    Some((host, segs))
}

/// `Name <local@domain>` or `local@domain` → (name, local part, normalised domain).
pub fn parse_email(s: &str) -> Option<(Option<String>, String, String)> {
    let s = s.trim();
    let (name, addr) = match (s.find('<'), s.rfind('>')) {
        (Some(a), Some(b)) if a < b => {
            let name = s[..a].trim().trim_matches('"').trim();
            (
                Some(name.to_string()).filter(|n| !n.is_empty()),
                s[a + 1..b].trim(),
            )
        }
        _ => (None, s.trim_start_matches("mailto:")),
    };
    let (local, domain) = addr.rsplit_once('@')?;
    if local.is_empty() || local.contains(char::is_whitespace) {
        return None;
    }
    let domain = normalize_host(domain.trim_end_matches(['.', ',', ';']))?;
    domain
        .contains('.')
        .then(|| (name, local.to_string(), domain))
}

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
    host_matches(host, org_host).then(|| seg(0)).flatten()
}
