//! TEMPORARY stand-in; replaced by the real normaliser.
pub fn normalize(text: &str) -> String {
    tokens(text).join(" ")
}
pub fn tokens(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(String::from)
        .collect()
}
pub fn is_legal_form(t: &str) -> bool {
    matches!(
        t,
        "ao" | "ooo" | "zao" | "jsc" | "ltd" | "limited" | "inc" | "gmbh" | "llc"
    )
}
pub fn strip_legal_forms(tokens: &[String]) -> Vec<String> {
    tokens
        .iter()
        .filter(|t| !is_legal_form(t))
        .cloned()
        .collect()
}
pub fn normalize_host(host: &str) -> Option<String> {
    let h = host.trim().trim_end_matches('.').to_lowercase();
    if h.is_empty() { None } else { Some(h) }
}
pub fn host_matches(host: &str, domain: &str) -> bool {
    host == domain || host.ends_with(&format!(".{domain}"))
}
pub fn parse_url_like(s: &str) -> Option<(String, Vec<String>)> {
    let s = s.trim();
    let rest = s.split_once("://").map(|x| x.1).unwrap_or(s);
    let rest = rest.split_once('@').map(|x| x.1).unwrap_or(rest);
    let (host, path) = rest.split_once(['/', ':']).unwrap_or((rest, ""));
    let host = normalize_host(host)?;
    let segs = path
        .split('/')
        .filter(|p| !p.is_empty())
        .map(|p| p.trim_end_matches(".git").to_string())
        .collect();
    Some((host, segs))
}
pub fn parse_email(s: &str) -> Option<(Option<String>, String, String)> {
    let (name, addr) = match s.split_once('<') {
        Some((n, a)) => (
            Some(n.trim().to_string()).filter(|n| !n.is_empty()),
            a.trim_end_matches('>').trim(),
        ),
        None => (None, s.trim()),
    };
    let (local, domain) = addr.rsplit_once('@')?;
    Some((name, local.to_string(), normalize_host(domain)?))
}
