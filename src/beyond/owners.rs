//! Evidence stage, registry owners: the crates.io packages being screened → who owns and
//! publishes each (users and teams), as attribution evidence.
//!
//! `authors` is self-declared and often empty; the registry's owners are not. Sources, in order:
//! a local crates.io database dump (`--crates-io-dump`, read as a stream, keeping only the
//! screened crates), else the registry API (`GET {api}/api/v1/crates/{name}/owners`), politely:
//! a descriptive User-Agent, at most one request a second, only the screened crates, and a
//! per-crate cache in the per-user cache directory (never in the project, which could write
//! "no owners" there: see `crate::cache::dir`) that answers while it is fresh and, older, when
//! the registry cannot be reached (with a note saying how old it is).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use camino::{Utf8Path, Utf8PathBuf};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::InputError;
use crate::evidence::field::{RegistryField, RegistryWho};
use crate::evidence::{Evidence, Field, Role, Shape, clip};

/// The public crates.io API.
pub const CRATES_IO_API: &str = "https://crates.io";

/// A cached answer younger than this is used without asking the registry again (owners change
/// rarely; a warm run must not cost one second per crate).
pub const CACHE_FRESH: Duration = Duration::from_secs(7 * 24 * 3600);

/// The crawler policy of crates.io: at most one request a second.
const MIN_INTERVAL: Duration = Duration::from_secs(1);

/// How the owners are looked up.
#[derive(Debug, Clone, Serialize)]
pub struct OwnersOptions {
    /// A crates.io database dump (`db-dump.tar.gz`): read instead of the API.
    pub dump: Option<Utf8PathBuf>,
    /// The API base (`https://crates.io`, a mirror, a local server in tests).
    pub api: String,
    /// Whether the API may be asked (`--offline`/`--frozen` forbid it: cache only).
    pub network: bool,
}

impl Default for OwnersOptions {
    fn default() -> Self {
        OwnersOptions {
            dump: None,
            api: CRATES_IO_API.to_string(),
            network: true,
        }
    }
}

/// A user or a team owning (or having published) a crate.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Owner {
    /// `user` or `team`.
    pub kind: String,
    /// A GitHub login for users; `github:<org>:<team>` for teams.
    pub login: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// What is known of one crate's owners, and where it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrateOwners {
    pub owners: Vec<Owner>,
    /// Who published each screened version (from a dump; the owners API does not say).
    #[serde(default)]
    pub publishers: BTreeMap<String, Owner>,
}

/// The result of a lookup: owners per crate name, and notes for the person running the check.
#[derive(Debug, Default)]
pub struct Lookup {
    pub by_crate: HashMap<String, CrateOwners>,
    pub notes: Vec<String>,
}

/// Whether a package source is crates.io (`registry+…crates.io-index`, `sparse+…index.crates.io`).
pub fn is_crates_io(source_url: &str) -> bool {
    source_url.contains("github.com/rust-lang/crates.io-index")
        || source_url.contains("index.crates.io")
}

/// Looks up the owners of `crates` (name → the screened versions). `cache_dir`: where the
/// per-crate API answers are kept (none: no cache).
pub fn lookup(
    crates: &BTreeMap<String, BTreeSet<String>>,
    opts: &OwnersOptions,
    cache_dir: Option<&Utf8Path>,
) -> Result<Lookup, InputError> {
    if crates.is_empty() {
        return Ok(Lookup::default());
    }
    if let Some(dump) = &opts.dump {
        let by_crate = read_dump(dump, crates)?;
        let mut notes = Vec::new();
        let age = std::fs::metadata(dump)
            .and_then(|m| m.modified())
            .ok()
            .map(|t| age_words(DateTime::<Utc>::from(t), Utc::now()));
        notes.push(format!(
            "registry owners of {} crates.io packages read from the database dump {dump}{}",
            crates.len(),
            age.map(|a| format!(" (written {a})")).unwrap_or_default()
        ));
        let missing: Vec<&str> = crates
            .keys()
            .filter(|c| !by_crate.contains_key(*c))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            notes.push(format!(
                "not in the database dump (newer than it, or not from crates.io): {}",
                missing.join(", ")
            ));
        }
        return Ok(Lookup { by_crate, notes });
    }
    Ok(from_api(crates.keys(), opts, cache_dir, Utc::now()))
}

/// The evidence of one crate's owners, for the screened `version`.
pub fn evidence(owners: &CrateOwners, version: &str) -> Vec<Evidence> {
    let mut out = Vec::new();
    let mut push = |publisher: bool, o: &Owner| {
        let kind = if o.kind == "team" { "team" } else { "user" };
        let who = match (publisher, kind) {
            (true, _) => RegistryWho::Publisher,
            (false, "team") => RegistryWho::OwnerTeam,
            (false, _) => RegistryWho::OwnerUser,
        };
        // A team's login (`github:<org>:<team>`) names its GitHub organisation; a user's login
        // is a GitHub account. Both are read as code-hosting URLs by the matcher.
        let text = if kind == "team" {
            o.login.clone()
        } else {
            o.url
                .clone()
                .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
                .unwrap_or_else(|| format!("https://github.com/{}", o.login))
        };
        out.push(Evidence::new(
            Field::Registry(RegistryField { who, name: false }),
            Role::Attribution,
            Shape::Url,
            clip(&text),
        ));
        if let Some(name) = o.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            let field = Field::Registry(RegistryField { who, name: true });
            // A user's display name reads like an author; a team's like a label.
            let shape = if kind == "team" {
                Shape::Text
            } else {
                Shape::Author
            };
            out.push(Evidence::new(field, Role::Attribution, shape, clip(name)));
        }
    };
    for o in &owners.owners {
        push(false, o);
    }
    if let Some(p) = owners.publishers.get(version) {
        push(true, p);
    }
    out.sort();
    out.dedup();
    out
}

// ---------------------------------------------------------------------------------------------
// The API, with its cache.
// ---------------------------------------------------------------------------------------------

/// One cached answer.
#[derive(Debug, Serialize, Deserialize)]
struct CacheEntry {
    fetched: DateTime<Utc>,
    api: String,
    owners: CrateOwners,
}

fn cache_path(dir: &Utf8Path, name: &str) -> Option<Utf8PathBuf> {
    // Crate names are ASCII letters, digits, `-` and `_`: anything else never names a file.
    (!name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    .then(|| dir.join(format!("{}.json", name.to_ascii_lowercase())))
}

/// The most the cached answers may hold together (some 50,000 crates' owners); past it, the
/// least recently used are deleted.
const MAX_CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// The most one cached answer may hold (a crate has a handful of owners; a megabyte is
/// thousands); a larger file is not read.
const MAX_CACHE_ENTRY_BYTES: u64 = 1024 * 1024;

fn read_cache(dir: Option<&Utf8Path>, name: &str, api: &str) -> Option<CacheEntry> {
    let path = cache_path(dir?, name)?;
    // The bounded reader: a regular file only, no link followed, never past the bound.
    let text = crate::fsio::read_regular(path, crate::fsio::ReadKind::Cache, MAX_CACHE_ENTRY_BYTES)
        .ok()?;
    serde_json::from_slice::<CacheEntry>(&text)
        .ok()
        .filter(|e| e.api == api)
}

fn write_cache(dir: Option<&Utf8Path>, name: &str, entry: &CacheEntry) {
    let Some(path) = dir.and_then(|d| cache_path(d, name)) else {
        return;
    };
    // The cache is an optimisation and a fallback: failing to write it never fails the check.
    let _ = crate::cache::dir::create(path.parent().unwrap_or(Utf8Path::new(".")));
    if let Ok(json) = serde_json::to_vec_pretty(entry)
        && crate::fsio::write_atomically(&path, &json).is_ok()
        && let Some(dir) = path.parent()
    {
        crate::cache::dir::evict(dir, MAX_CACHE_BYTES);
    }
}

/// "3 days ago", "5 hours ago".
fn age_words(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let d = now.signed_duration_since(then);
    if d.num_days() >= 1 {
        format!("{} days ago, on {}", d.num_days(), then.format("%Y-%m-%d"))
    } else if d.num_hours() >= 1 {
        format!("{} hours ago", d.num_hours())
    } else {
        "less than an hour ago".to_string()
    }
}

/// The User-Agent crates.io's crawler policy asks for: who we are and where to read about it.
pub fn user_agent() -> String {
    let home = option_env!("CARGO_PKG_REPOSITORY")
        .filter(|r| !r.is_empty())
        .unwrap_or("https://crates.io/crates/cargo-entitycheck");
    format!(
        "cargo-entitycheck/{} (+{home}; registry owners lookup)",
        env!("CARGO_PKG_VERSION")
    )
}

#[derive(Deserialize)]
struct ApiOwners {
    users: Vec<ApiUser>,
}

#[derive(Deserialize)]
struct ApiUser {
    login: String,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

/// Why one request gave no owners.
enum Fetch {
    Owners(CrateOwners),
    /// The registry answered that it has no such crate.
    NotFound,
    /// The registry could not be reached or answered with an error.
    Unreachable(String),
}

/// A crate name in a URL path: its own characters (letters, digits, `-`, `_`) as they are.
const NAME_SET: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_');

fn fetch(agent: &ureq::Agent, api: &str, name: &str) -> Fetch {
    let url = format!(
        "{}/api/v1/crates/{}/owners",
        api.trim_end_matches('/'),
        percent_encoding::utf8_percent_encode(name, NAME_SET)
    );
    let mut resp = match agent.get(&url).header("Accept", "application/json").call() {
        Ok(r) => r,
        Err(e) => return Fetch::Unreachable(e.to_string()),
    };
    let status = resp.status().as_u16();
    if status == 404 {
        return Fetch::NotFound;
    }
    if status != 200 {
        return Fetch::Unreachable(format!("HTTP {status} from {url}"));
    }
    let body = match resp
        .body_mut()
        .with_config()
        .limit(4 << 20)
        .read_to_string()
    {
        Ok(b) => b,
        Err(e) => return Fetch::Unreachable(format!("reading {url}: {e}")),
    };
    match serde_json::from_str::<ApiOwners>(&body) {
        Ok(a) => {
            let mut owners: Vec<Owner> = a
                .users
                .into_iter()
                .map(|u| Owner {
                    kind: match u.kind.as_deref() {
                        Some("team") => "team".into(),
                        _ if u.login.starts_with("github:") => "team".into(),
                        _ => "user".into(),
                    },
                    login: u.login,
                    name: u.name,
                    url: u.url,
                })
                .collect();
            owners.sort();
            owners.dedup();
            Fetch::Owners(CrateOwners {
                owners,
                publishers: BTreeMap::new(),
            })
        }
        Err(e) => Fetch::Unreachable(format!(
            "{url} did not answer in the owners API's shape: {e}"
        )),
    }
}

fn from_api<'a>(
    names: impl Iterator<Item = &'a String>,
    opts: &OwnersOptions,
    cache_dir: Option<&Utf8Path>,
    now: DateTime<Utc>,
) -> Lookup {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .user_agent(user_agent())
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(5)))
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into();
    let mut out = Lookup::default();
    let mut last: Option<Instant> = None;
    // Once the registry cannot be reached, the remaining crates come from the cache: asking
    // again for each would only add a timeout per crate.
    let mut unreachable: Option<String> =
        (!opts.network).then(|| "the network is off (--offline or --frozen)".to_string());
    let mut stale: Vec<String> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    let mut not_found: Vec<String> = Vec::new();
    let (mut fetched, mut cached) = (0usize, 0usize);
    for name in names {
        let entry = read_cache(cache_dir, name, &opts.api);
        let fresh = entry.as_ref().is_some_and(|e| {
            now.signed_duration_since(e.fetched)
                .to_std()
                .is_ok_and(|d| d < CACHE_FRESH)
        });
        if fresh && let Some(e) = entry {
            cached += 1;
            out.by_crate.insert(name.clone(), e.owners);
            continue;
        }
        if unreachable.is_none() {
            if let Some(t) = last {
                let wait = MIN_INTERVAL.saturating_sub(t.elapsed());
                std::thread::sleep(wait);
            }
            last = Some(Instant::now());
            match fetch(&agent, &opts.api, name) {
                Fetch::Owners(owners) => {
                    fetched += 1;
                    write_cache(
                        cache_dir,
                        name,
                        &CacheEntry {
                            fetched: now,
                            api: opts.api.clone(),
                            owners: owners.clone(),
                        },
                    );
                    out.by_crate.insert(name.clone(), owners);
                    continue;
                }
                Fetch::NotFound => {
                    not_found.push(name.clone());
                    continue;
                }
                Fetch::Unreachable(why) => unreachable = Some(why),
            }
        }
        match entry {
            Some(e) => {
                stale.push(format!("{name} ({})", age_words(e.fetched, now)));
                out.by_crate.insert(name.clone(), e.owners);
            }
            None => unknown.push(name.clone()),
        }
    }
    if fetched + cached > 0 {
        out.notes.push(format!(
            "registry owners from {}: {fetched} fetched, {cached} from the cache",
            opts.api
        ));
    }
    if let Some(why) = &unreachable
        && !(stale.is_empty() && unknown.is_empty())
    {
        out.notes
            .push(format!("the registry API {} was not used: {why}", opts.api));
    }
    if !stale.is_empty() {
        out.notes.push(format!(
            "registry owners taken from the cache, fetched: {}",
            stale.join(", ")
        ));
    }
    if !unknown.is_empty() {
        out.notes.push(format!(
            "registry owners unknown (registry unreachable, nothing cached): {}",
            unknown.join(", ")
        ));
    }
    if !not_found.is_empty() {
        out.notes.push(format!(
            "not on the registry {}: {}",
            opts.api,
            not_found.join(", ")
        ));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The database dump.
// ---------------------------------------------------------------------------------------------

/// What a pass over the dump keeps: only rows about the screened crates.
#[derive(Default)]
struct DumpState {
    /// crate id → name, for the screened names.
    crates: HashMap<u32, String>,
    crates_done: bool,
    /// (crate id, owner id, is a team).
    owners: Vec<(u32, u32, bool)>,
    owners_done: bool,
    /// (crate id, version, publisher user id).
    versions: Vec<(u32, String, u32)>,
    versions_done: bool,
    /// user id → (login, name).
    users: HashMap<u32, (String, Option<String>)>,
    users_done: bool,
    /// team id → (login, name).
    teams: HashMap<u32, (String, String)>,
    teams_done: bool,
}

/// Reads the owners and publishers of `crates` from a crates.io database dump.
///
/// The dump is streamed (its tables are read in the archive's order, never all held); a row is
/// kept only once the rows it depends on are known, so memory follows the screened crates, not
/// the dump. A table met before the one it depends on is read again in another pass.
pub fn read_dump(
    path: &Utf8Path,
    crates: &BTreeMap<String, BTreeSet<String>>,
) -> Result<HashMap<String, CrateOwners>, InputError> {
    if !path.is_file() {
        return Err(InputError::Io {
            path: path.to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        });
    }
    let state = RefCell::new(DumpState::default());
    for _pass in 0..4 {
        let needed = {
            let s = state.borrow();
            !(s.crates_done && s.owners_done && s.versions_done && s.users_done && s.teams_done)
        };
        if !needed {
            break;
        }
        let mut loader = db_dump::Loader::new();
        let (crates_done, owners_done, versions_done, users_done, teams_done) = {
            let s = state.borrow();
            (
                s.crates_done,
                s.owners_done,
                s.versions_done,
                s.users_done,
                s.teams_done,
            )
        };
        if !crates_done {
            loader.crates(|row| {
                let mut s = state.borrow_mut();
                if crates.contains_key(&row.name) {
                    s.crates.insert(row.id.0, row.name);
                }
                s.crates_done = true;
            });
        }
        if !owners_done {
            loader.crate_owners(|row| {
                let mut s = state.borrow_mut();
                if !s.crates_done {
                    return;
                }
                s.owners_done = true;
                if s.crates.contains_key(&row.crate_id.0) {
                    let (id, team) = match row.owner_id {
                        db_dump::crate_owners::OwnerId::User(u) => (u.0, false),
                        db_dump::crate_owners::OwnerId::Team(t) => (t.0, true),
                    };
                    s.owners.push((row.crate_id.0, id, team));
                }
            });
        }
        if !versions_done {
            loader.versions(|row| {
                let mut s = state.borrow_mut();
                if !s.crates_done {
                    return;
                }
                s.versions_done = true;
                let Some(name) = s.crates.get(&row.crate_id.0) else {
                    return;
                };
                let num = row.num.to_string();
                if let Some(by) = row.published_by
                    && crates.get(name).is_some_and(|v| v.contains(&num))
                {
                    s.versions.push((row.crate_id.0, num, by.0));
                }
            });
        }
        if !users_done {
            loader.users(|row| {
                let mut s = state.borrow_mut();
                if !(s.owners_done && s.versions_done) {
                    return;
                }
                s.users_done = true;
                let id = row.id.0;
                let wanted = s.owners.iter().any(|o| !o.2 && o.1 == id)
                    || s.versions.iter().any(|v| v.2 == id);
                if wanted {
                    s.users.insert(id, (row.username, row.name));
                }
            });
        }
        if !teams_done {
            loader.teams(|row| {
                let mut s = state.borrow_mut();
                if !s.owners_done {
                    return;
                }
                s.teams_done = true;
                let id = row.id.0;
                if s.owners.iter().any(|o| o.2 && o.1 == id) {
                    s.teams.insert(id, (row.login, row.name));
                }
            });
        }
        loader.load(path).map_err(|e| {
            InputError::Usage(format!(
                "{path}: not a readable crates.io database dump: {e}"
            ))
        })?;
        // An empty table never calls back: a table whose prerequisites were known when this
        // pass began has now been read in full.
        let mut s = state.borrow_mut();
        s.crates_done = true;
        if crates_done {
            s.owners_done = true;
            s.versions_done = true;
        }
        if owners_done && versions_done {
            s.users_done = true;
        }
        if owners_done {
            s.teams_done = true;
        }
    }
    let s = state.into_inner();
    let mut out: HashMap<String, CrateOwners> = HashMap::new();
    for name in s.crates.values() {
        out.entry(name.clone()).or_default();
    }
    let user = |id: u32| {
        s.users.get(&id).map(|(login, name)| Owner {
            kind: "user".into(),
            login: login.clone(),
            name: name.clone(),
            url: Some(format!("https://github.com/{login}")),
        })
    };
    for &(crate_id, owner_id, team) in &s.owners {
        let Some(name) = s.crates.get(&crate_id) else {
            continue;
        };
        let owner = if team {
            s.teams.get(&owner_id).map(|(login, name)| Owner {
                kind: "team".into(),
                login: login.clone(),
                name: Some(name.clone()),
                url: None,
            })
        } else {
            user(owner_id)
        };
        if let Some(o) = owner {
            out.entry(name.clone()).or_default().owners.push(o);
        }
    }
    for (crate_id, num, by) in &s.versions {
        if let (Some(name), Some(o)) = (s.crates.get(crate_id), user(*by)) {
            out.entry(name.clone())
                .or_default()
                .publishers
                .insert(num.clone(), o);
        }
    }
    for c in out.values_mut() {
        c.owners.sort();
        c.owners.dedup();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team(login: &str) -> Owner {
        Owner {
            kind: "team".into(),
            login: login.into(),
            name: Some("core".into()),
            url: None,
        }
    }

    #[test]
    fn owners_become_attribution_evidence() {
        let owners = CrateOwners {
            owners: vec![
                team("github:kasperskylab:core"),
                Owner {
                    kind: "user".into(),
                    login: "someone".into(),
                    name: Some("Some One".into()),
                    url: None,
                },
            ],
            publishers: [(
                "1.0.0".to_string(),
                Owner {
                    kind: "user".into(),
                    login: "pub".into(),
                    name: None,
                    url: Some("https://github.com/pub".into()),
                },
            )]
            .into(),
        };
        let ev = evidence(&owners, "1.0.0");
        let got: Vec<(String, &str)> = ev
            .iter()
            .map(|e| (e.field.to_string(), e.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("crates.io owner team", "github:kasperskylab:core"),
                ("crates.io owner team name", "core"),
                ("crates.io owner user", "https://github.com/someone"),
                ("crates.io owner user name", "Some One"),
                ("crates.io publisher", "https://github.com/pub"),
            ]
            .map(|(f, t)| (f.to_string(), t))
        );
        assert!(ev.iter().all(|e| e.role == Role::Attribution));
        // Another version has no publisher evidence.
        assert_eq!(evidence(&owners, "2.0.0").len(), 4);
    }

    #[test]
    fn crates_io_sources() {
        assert!(is_crates_io(
            "registry+https://github.com/rust-lang/crates.io-index"
        ));
        assert!(is_crates_io("sparse+https://index.crates.io/"));
        assert!(!is_crates_io("sparse+https://my.registry.example/index/"));
    }

    #[test]
    fn cache_names_are_crate_names_only() {
        let d = Utf8Path::new("/c");
        assert_eq!(
            cache_path(d, "Serde_JSON").unwrap(),
            Utf8Path::new("/c/serde_json.json")
        );
        assert!(cache_path(d, "../etc/passwd").is_none());
        assert!(cache_path(d, "").is_none());
    }

    #[test]
    fn ages_in_words() {
        let now: DateTime<Utc> = "2026-11-30T12:00:00Z".parse().unwrap();
        let then: DateTime<Utc> = "2026-11-27T11:00:00Z".parse().unwrap();
        assert_eq!(age_words(then, now), "3 days ago, on 2026-11-27");
        let then: DateTime<Utc> = "2026-11-30T09:00:00Z".parse().unwrap();
        assert_eq!(age_words(then, now), "3 hours ago");
    }

    #[test]
    fn user_agent_says_who_we_are() {
        let ua = user_agent();
        assert!(ua.starts_with(concat!("cargo-entitycheck/", env!("CARGO_PKG_VERSION"))));
        assert!(ua.contains("(+http"));
    }

    #[test]
    fn offline_uses_the_cache_with_its_age() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = Utf8Path::from_path(tmp.path()).unwrap();
        let now: DateTime<Utc> = "2026-11-30T12:00:00Z".parse().unwrap();
        let old = CacheEntry {
            fetched: "2026-10-01T00:00:00Z".parse().unwrap(),
            api: CRATES_IO_API.into(),
            owners: CrateOwners {
                owners: vec![team("github:kasperskylab:core")],
                publishers: BTreeMap::new(),
            },
        };
        write_cache(Some(dir), "av-core", &old);
        let opts = OwnersOptions {
            network: false,
            ..Default::default()
        };
        let names = ["av-core".to_string(), "other".to_string()];
        let l = from_api(names.iter(), &opts, Some(dir), now);
        assert_eq!(l.by_crate["av-core"].owners, old.owners.owners);
        let notes = l.notes.join("\n");
        assert!(
            notes.contains("av-core (60 days ago, on 2026-10-01)"),
            "{notes}"
        );
        assert!(notes.contains("nothing cached): other"), "{notes}");
        assert!(notes.contains("--offline"), "{notes}");
    }

    /// A team login names its GitHub organisation: the listed one is confirmed; a look-alike
    /// organisation, a team merely called like the brand, or a malformed login is not.
    #[test]
    fn team_logins_match_the_listed_organisation() {
        let lists = [crate::entity::EntityList::builtin().unwrap()];
        let m = crate::matching::Matcher::new(&lists);
        let best = |login: &str| {
            let ev = Evidence::new("crates.io owner team", Role::Attribution, Shape::Url, login);
            m.match_evidence(&ev)
                .into_iter()
                .filter(|x| x.confidence != crate::matching::Confidence::Mention)
                .min_by_key(|x| x.confidence)
                .map(|x| (x.identifier.kind, x.confidence))
        };
        use crate::matching::{Confidence, IdentKind};
        for login in [
            "github:kasperskylab:core",
            "github:KasperskyLab:sdk-publishers",
            "github:kasperskylab",
        ] {
            assert_eq!(
                best(login),
                Some((IdentKind::Org, Confidence::Confirmed)),
                "{login}"
            );
        }
        for login in [
            "github:kasperskylabfans:core",
            "github:rust-lang:kasperskylab",
            "github::kasperskylab",
            "github:kaspa-ng:core",
        ] {
            assert_eq!(best(login), None, "{login}");
        }
    }
}
