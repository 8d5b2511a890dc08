//! Entity stage: a TOML entity list (built-in or `--entities FILE`) → a validated [`EntityList`].
//!
//! The list is data that changes with the law, so it lives in `data/` and is parsed here, once,
//! into types the matcher can trust: every reference resolves, every fact has a source and a grade,
//! every domain is a real host name. Parsing collects *all* problems before failing, so a
//! maintainer fixing a list sees every mistake in one run.
//!
//! The model is in `model.rs`, the file as written in `schema.rs`, turning the one into the other
//! in `validate.rs`, and reading a list (built in, a file, a text) in `load.rs`; importers of
//! other formats in `import/`.

pub mod diff;
pub mod import;
pub mod merge;
pub mod shared;

mod load;
mod model;
mod schema;
mod validate;

pub use load::{BUILTIN_ORIGIN, BUILTIN_TOML};
pub use model::{
    Alias, DomainId, DomainLabel, Entity, EntityKind, EntityList, Exemption, Gate, Grade, ListMeta,
    OrgId, Product, Programme, ProgrammeDate, Restricts, Shared, SignerId, Source, Stale, Status,
    Strength, short_digest,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_list_parses_and_every_fact_has_a_source() {
        let list = EntityList::builtin().expect("built-in list is valid");
        assert!(list.list.digest.starts_with("sha256:"));
        for name in [
            "AO Kaspersky Lab",
            "OOO Kaspersky Group",
            "Kaspersky Labs Limited",
        ] {
            assert!(
                list.entities.iter().any(|e| e.name == name),
                "{name} must be listed"
            );
        }
        let icts = list.programme("icts-kaspersky").unwrap();
        let dates: Vec<String> = icts.dates.iter().map(|d| d.date.to_string()).collect();
        assert_eq!(dates, ["2024-07-20", "2024-09-29"]);
        assert!(
            list.source("fr-2024-13532")
                .unwrap()
                .citation
                .contains("89 FR 52434")
        );
        assert!(
            list.source("fr-2024-13695")
                .unwrap()
                .citation
                .contains("89 FR 52362")
        );
        let ao = list.entity("ao-kaspersky-lab").unwrap();
        let cats = list.exempt_categories(ao);
        assert!(cats.contains("threat-intelligence") && cats.contains("security-training"));
    }

    /// The built-in data's version and the digest of its bytes for that version. Changing
    /// data/entities.toml without bumping `list.version` fails here: update both constants
    /// together, with the new version, when the data changes.
    const BUILTIN_VERSION: &str = "2026.12.03.1";
    const BUILTIN_DIGEST: &str =
        "sha256:ac14b77fa4d971f612a92ffa6b831737b274fa3e05cf528da60487b03d01aed7";

    #[test]
    fn builtin_data_changes_bump_the_version() {
        let list = EntityList::builtin().unwrap();
        assert_eq!(
            (list.list.version.as_str(), list.list.digest.as_str()),
            (BUILTIN_VERSION, BUILTIN_DIGEST),
            "data/entities.toml changed: bump [list] version and updated, then this test's constants"
        );
    }

    #[test]
    fn builtin_provenance_is_complete() {
        let list = EntityList::builtin().unwrap();
        for s in &list.sources {
            let official = s.citation.contains(" FR ") || s.citation.contains("Pub. L.");
            assert!(
                s.url.is_some() || official || s.grade == Grade::Unverified,
                "source {} has neither a URL nor an official citation",
                s.id
            );
            // A read date is the day the source was read, never the list's version date
            // stamped on every source; a source whose reading was not dated has none.
            if let Some(read) = s.read {
                assert!(
                    read <= list.list.updated,
                    "source {} read after the list",
                    s.id
                );
            }
        }
        let read: Vec<&str> = list
            .sources
            .iter()
            .filter(|s| s.read.is_some())
            .map(|s| s.id.as_str())
            .collect();
        assert_eq!(
            read,
            [
                "fr-2024-13532",
                "fr-2024-13695",
                "summaries-2024",
                "thompson-hine-2024-06",
                "kaspersky-ru-pages",
                "ofac-2024-06-21",
                "bod-17-01",
                "ndaa-2018-1634",
                "kaspersky-github",
                "kaspersky-jp-privacy",
                "kaspersky-zh-help",
                "domains-observed"
            ]
        );
        // Facts graded as their sources allow (LEGAL.md): names with no source are unverified;
        // the Russian names and the EU representative cite the entity's own pages; the two
        // dates cite BIS's own press release (primary).
        let alias = |e: &str, name: &str| {
            list.entity(e)
                .unwrap()
                .aliases
                .iter()
                .find(|a| a.name == name)
                .unwrap_or_else(|| panic!("{e}: {name}"))
                .clone()
        };
        for name in ["Kaspersky Lab ZAO", "Kaspersky Lab JSC"] {
            assert_eq!(alias("ao-kaspersky-lab", name).grade, Grade::Unverified);
        }
        assert_eq!(
            &*alias("kaspersky", "Kaspersky Labs GmbH").source,
            "kaspersky-jp-privacy"
        );
        assert_eq!(
            &*alias("ao-kaspersky-lab", "АО «Лаборатория Касперского»").source,
            "kaspersky-ru-pages"
        );
        let icts = list.programme("icts-kaspersky").unwrap();
        for d in &icts.dates {
            assert_eq!(
                (d.source.as_str(), d.grade),
                ("bis-press-2024-06-20", Grade::Primary)
            );
        }
        // Each programme states what it restricts.
        let restricts: Vec<(&str, Restricts)> = list
            .programmes
            .iter()
            .map(|p| (p.id.as_str(), p.restricts))
            .collect();
        assert!(
            restricts.iter().all(|(_, r)| *r != Restricts::Unstated),
            "{restricts:?}"
        );
        assert!(restricts.contains(&("entity-list", Restricts::ExportToEntity)));
        assert!(restricts.contains(&("icts-kaspersky", Restricts::Integration)));
        // OFAC's twelve designated persons are persons (weak on their own).
        let ofac: Vec<&Entity> = list
            .entities
            .iter()
            .filter(|e| e.programmes == ["ofac-eo14024-kaspersky"])
            .collect();
        assert_eq!(ofac.len(), 12);
        assert!(
            ofac.iter()
                .all(|e| e.kind == EntityKind::Person && e.group.is_none())
        );
        // Aliases no source states are gone, and so is the unsourced kaspersky.co.uk attribution.
        let aliases: Vec<&str> = list
            .entities
            .iter()
            .flat_map(|e| e.aliases.iter().map(|a| a.name.as_str()))
            .collect();
        assert!(!aliases.contains(&"Kaspersky Labs") && !aliases.contains(&"Kaspersky Group"));
        let limited = list.entity("kaspersky-labs-limited").unwrap();
        assert!(limited.domains.is_empty());
        // The Entity List entries are named by secondary sources.
        for id in [
            "ao-kaspersky-lab",
            "ooo-kaspersky-group",
            "kaspersky-labs-limited",
        ] {
            assert_eq!(list.entity(id).unwrap().grade, Grade::Secondary, "{id}");
        }
        let bod = list.source("bod-17-01").unwrap();
        assert!(bod.citation.contains("82 FR 43782") && bod.citation.contains("2017-19838"));
        assert!(bod.citation.contains("19 September 2017"));
        // The determination's covered and exempt categories are data.
        let icts = list.programme("icts-kaspersky").unwrap();
        let cats = |v: &[Exemption]| v.iter().map(|e| e.category.clone()).collect::<Vec<_>>();
        assert_eq!(
            cats(&icts.covered),
            ["anti-virus", "cybersecurity", "integration"]
        );
        let consulting = icts
            .exempt
            .iter()
            .find(|e| e.category == "consulting")
            .unwrap();
        assert!(!consulting.executable, "never executable code");
    }

    #[test]
    fn shared_domains_are_dropped_at_load_with_a_note() {
        let text = r#"[list]
id = "x"
title = "t"
version = "1"
updated = "2024-01-01"

[[source]]
id = "s"
title = "s"
citation = "s"
grade = "secondary"

[[entity]]
id = "p"
kind = "person"
name = "Some Person"
source = "s"
grade = "secondary"

  [[entity.domain]]
  domain = "gmail.com"
  source = "s"
  grade = "secondary"

  [[entity.domain]]
  domain = "person.example"
  source = "s"
  grade = "secondary"
"#;
        let l = EntityList::parse(text, "x.toml").unwrap();
        let p = l.entity("p").unwrap();
        assert_eq!(p.domains.len(), 1);
        assert_eq!(p.domains[0].domain, "person.example");
        assert!(l.list.notes[0].contains("gmail.com"), "{:?}", l.list.notes);
    }

    #[test]
    fn unknown_key_names_file_and_line() {
        let text = "[list]\nid = \"x\"\ntitle = \"t\"\nversion = \"1\"\nupdated = \"2024-01-01\"\ncolour = \"red\"\n";
        let err = EntityList::parse(text, "x.toml").unwrap_err().to_string();
        assert!(err.contains("x.toml"), "{err}");
        assert!(err.contains("line 6"), "{err}");
        assert!(err.contains("colour"), "{err}");
    }

    #[test]
    fn collects_every_semantic_problem_with_lines() {
        let text = r#"[list]
id = "x"
title = "t"
version = "1"
updated = "not-a-date"

[[entity]]
id = "a"
kind = "company"
name = "A"
group = "nobody"
source = "missing"
grade = "primary"

  [[entity.domain]]
  domain = "not a domain"
  source = "missing"
  grade = "primary"
"#;
        let err = EntityList::parse(text, "bad.toml").unwrap_err().to_string();
        for needle in [
            "bad.toml:5: list.updated",
            "bad.toml:11: group `nobody`",
            "bad.toml:12: source `missing`",
            "bad.toml:16: `not a domain`",
        ] {
            assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
        }
    }

    #[test]
    fn a_fact_graded_above_its_source_is_a_problem() {
        let text = r#"[list]
id = "x"
title = "t"
version = "1"
updated = "2024-01-01"

[[source]]
id = "summary"
title = "s"
citation = "s"
grade = "secondary"

[[entity]]
id = "a"
kind = "company"
name = "A Corp"
source = "summary"
grade = "secondary"

  [[entity.alias]]
  name = "A Corp"
  source = "summary"
  grade = "primary"
"#;
        let err = EntityList::parse(text, "g.toml").unwrap_err().to_string();
        assert!(
            err.contains(
                "g.toml:22: a fact graded primary cites source `summary`, graded secondary"
            ),
            "{err}"
        );
        assert!(
            EntityList::parse(&text.replace("\"primary\"", "\"unverified\""), "g.toml").is_ok()
        );
    }

    #[test]
    fn short_digest_is_prefix() {
        assert_eq!(
            short_digest("sha256:0123456789abcdef"),
            "sha256:0123456789ab"
        );
    }
}
