//! Table-driven tests of the matcher against the built-in list.

use super::index::runs;
use super::lookup::miss_bit;
use super::*;
use crate::entity::EntityList;
use crate::evidence::{Evidence, Role, Shape};

/// The built-in list, loaded once for every test.
fn builtin() -> &'static [EntityList] {
    static LISTS: std::sync::OnceLock<Vec<EntityList>> = std::sync::OnceLock::new();
    LISTS.get_or_init(|| vec![EntityList::builtin().unwrap()])
}

fn matcher() -> Matcher<'static> {
    Matcher::new(builtin())
}

/// (field role, shape, text) → expected (entity id, confidence) of the strongest match, or None.
fn best(m: &Matcher, role: Role, shape: Shape, text: &str) -> Option<(String, Confidence)> {
    let ev = Evidence::new("test", role, shape, text);
    m.match_evidence(&ev)
        .into_iter()
        .min_by_key(|x| x.confidence)
        .map(|x| (x.entity.id, x.confidence))
}

use Confidence::{Confirmed, Possible, Probable};
use Role::{Attribution, Mention as M};
use Shape::*;
const MENTION: Confidence = Confidence::Mention;

/// (field role, shape, evidence text, expected strongest match: entity id and confidence).
type Case = (
    Role,
    Shape,
    &'static str,
    Option<(&'static str, Confidence)>,
);

/// A legal form of another kind written beside a listed name rules that entity out.
#[test]
fn conflicting_legal_forms_never_match_the_listed_company() {
    let m = matcher();
    for text in [
        "Kaspersky Labs GmbH",
        "Kaspersky Labs Sp. z o.o.",
        "OOO Kaspersky Labs Limited GmbH",
    ] {
        let ev = Evidence::new("test", Role::Attribution, Shape::Text, text);
        let ids: Vec<String> = m
            .match_evidence(&ev)
            .into_iter()
            .map(|x| x.entity.id)
            .collect();
        if text.ends_with("GmbH") && text.starts_with("Kaspersky") {
            assert!(
                !ids.contains(&"kaspersky-labs-limited".to_string()),
                "{text}: {ids:?}"
            );
        }
        if text.contains("Sp.") {
            assert!(
                !ids.contains(&"kaspersky-labs-limited".to_string()),
                "{text}: {ids:?}"
            );
        }
    }
    // The same name with its own form still matches.
    let ev = Evidence::new(
        "test",
        Role::Attribution,
        Shape::Text,
        "Kaspersky Labs Ltd.",
    );
    assert!(
        m.match_evidence(&ev)
            .iter()
            .any(|x| x.entity.id == "kaspersky-labs-limited")
    );
}

#[test]
fn table() {
    let m = matcher();
    #[rustfmt::skip]
    let cases: &[Case] = &[
        // Legal names in Latin and Cyrillic, each of the three listed entities.
        (Attribution, Text, "Copyright (c) 2024 AO Kaspersky Lab", Some(("ao-kaspersky-lab", Confirmed))),
        (Attribution, Text, "© АО «Лаборатория Касперского», 2023", Some(("ao-kaspersky-lab", Probable))),
        (Attribution, Text, "Copyright OOO Kaspersky Group", Some(("ooo-kaspersky-group", Probable))),
        (Attribution, Text, "Kaspersky Labs Limited, London", Some(("kaspersky-labs-limited", Probable))),
        (Attribution, Text, "Kaspersky Lab, Inc.", Some(("kaspersky-lab-inc", Confirmed))),
        (Attribution, Text, "Лаборатория Касперского", Some(("kaspersky", Probable))),
        (Attribution, Author, "Kaspersky Lab", Some(("kaspersky", Confirmed))),
        // Domains and e-mail.
        (Attribution, Author, "Ivan <ivan@kaspersky.com>", Some(("kaspersky", Probable))),
        (Attribution, Author, "Ivan <ivan@mail.kaspersky.ru>", Some(("kaspersky", Probable))),
        (Attribution, Url, "https://builds.kaspersky.ru/sdk", Some(("kaspersky", Probable))),
        // Country domains: the label `kaspersky` under a country-code suffix, whole labels.
        (Attribution, Url, "https://www.kaspersky.fr/downloads", Some(("kaspersky", Probable))),
        (Attribution, Url, "https://kaspersky.com.br/", Some(("kaspersky", Probable))),
        (Attribution, Author, "Taro <taro@support.kaspersky.co.jp>", Some(("kaspersky", Probable))),
        (Attribution, Url, "https://kaspersky.fr.evil.example/", None),
        (Attribution, Url, "https://kaspersky-fans.fr/", None),
        (Attribution, Url, "https://notkaspersky.example/", None),
        (Attribution, Url, "https://kaspersky.com.mirror.example.org/x", None),
        // Hosting platforms' customer names (the Public Suffix List's private section) and
        // generic suffixes are no country site of the entity.
        (Attribution, Url, "https://kaspersky.netlify.app/", None),
        (Attribution, Url, "https://kaspersky.readthedocs.io/en/latest/", None),
        (Attribution, Url, "https://docs.kaspersky.vercel.app/", None),
        (Attribution, Url, "https://kaspersky.xyz/", None),
        // Code hosting.
        (Attribution, Url, "https://github.com/KasperskyLab/some-repo", Some(("kaspersky", Confirmed))),
        (Attribution, Url, "ssh://git@github.com/KasperskyLab/x.git", Some(("kaspersky", Confirmed))),
        (Attribution, Url, "git@github.com:KasperskyLab/x.git", Some(("kaspersky", Confirmed))),
        (Attribution, Url, "https://github.com/KasperSkytte/ampvis2", None),
        (Attribution, Url, "https://github.com/someone/kaspersky-log-parser", Some(("kaspersky", MENTION))),
        // Look-alikes that must pass.
        (Attribution, Author, "Kasper Skyum <kasper@example.org>", None),
        (Attribution, Text, "kaspa-wallet", None),
        (Attribution, Text, "kas-widgets", None),
        (M, Text, "Parses Kaspersky anti-virus logs", Some(("kaspersky", MENTION))),
        // A brand word inside a person's name is only possible.
        (Attribution, Author, "Jan Kaspersky <jan@example.org>", Some(("kaspersky", Possible))),
        (Attribution, Author, "Kaspersky", Some(("kaspersky", Probable))),
        // Unverified identifiers are weak, but never weaken the stronger name they contain:
        // the primary `Kaspersky Lab` inside `Kaspersky Lab JSC` decides.
        (Attribution, Text, "Kaspersky Lab JSC", Some(("kaspersky", Confirmed))),
        (Attribution, Text, "Kaspersky Lab ZAO", Some(("kaspersky", Confirmed))),
        // Signers.
        (Attribution, Subject, "CN=Kaspersky Lab, O=AO Kaspersky Lab, C=RU", Some(("ao-kaspersky-lab", Confirmed))),
        // Embedded addresses in free text.
        (Attribution, Text, "Written by the SDK team <sdk@kaspersky.com>", Some(("kaspersky", Probable))),
        // Another kind of company is not the listed one (GmbH is not Limited); the alias
        // `Kaspersky Labs GmbH` (the EU representative, secondary) is what matches.
        (Attribution, Text, "Kaspersky Labs GmbH", Some(("kaspersky", Probable))),
        (Attribution, Text, "Kaspersky Labs Sp. z o.o.", Some(("kaspersky", Probable))),
        // No alias no source states: `Kaspersky Labs` and `Kaspersky Group` alone are brand
        // readings of `Kaspersky` at most, never a listed company's name.
        (Attribution, Text, "Kaspersky Group", Some(("kaspersky", Probable))),
    ];
    for (role, shape, text, want) in cases {
        let got = best(&m, *role, *shape, text);
        let want = want.map(|(id, c)| (id.to_string(), c));
        assert_eq!(got, want, "evidence {text:?} ({role:?}, {shape:?})");
    }
}

/// Grades combine to the strongest supported match: the unverified alias is reported (possible)
/// beside the primary name inside it (confirmed), never instead of it.
#[test]
fn an_unverified_alias_never_hides_a_stronger_name_inside_it() {
    let m = matcher();
    for text in ["Kaspersky Lab JSC", "Kaspersky Lab ZAO"] {
        let ev = Evidence::new("authors", Attribution, Author, text);
        let got: Vec<(String, String, Confidence)> = m
            .match_evidence(&ev)
            .into_iter()
            .map(|x| (x.entity.id, x.identifier.value, x.confidence))
            .collect();
        assert!(
            got.contains(&("kaspersky".into(), "Kaspersky Lab".into(), Confirmed)),
            "{text}: {got:?}"
        );
        assert!(
            got.contains(&("ao-kaspersky-lab".into(), text.into(), Possible)),
            "{text}: {got:?}"
        );
    }
}

#[test]
fn exempt_product_category_is_carried() {
    let m = matcher();
    let ev = Evidence::new(
        "authors",
        Attribution,
        Author,
        "Kaspersky Threat Intelligence Portal team",
    );
    let ms = m.match_evidence(&ev);
    assert!(
        ms.iter()
            .any(|x| x.identifier.category.as_deref() == Some("threat-intelligence")),
        "{ms:#?}"
    );
    // The bare brand inside the product name is dominated by the product.
    assert!(
        !ms.iter().any(|x| x.identifier.kind == IdentKind::Alias),
        "{ms:#?}"
    );
}

#[test]
fn securelist_is_threat_intelligence() {
    let m = matcher();
    let ev = Evidence::new("homepage", Attribution, Url, "https://securelist.com/");
    let ms = m.match_evidence(&ev);
    assert_eq!(ms.len(), 1);
    assert_eq!(
        ms[0].identifier.category.as_deref(),
        Some("threat-intelligence")
    );
}

#[test]
fn needles_cover_latin_cyrillic_and_domains() {
    let m = matcher();
    let n = m.needles();
    for want in ["kaspersky", "касперск", "kaspersky.com", "kasperskylab"] {
        assert!(n.iter().any(|x| x == want), "{want} not in {n:?}");
    }
}

/// One needle per name is enough, since a name matches only where all its words stand: every
/// name of the built-in list, written as listed, holds one of the needles (in any case), and
/// the common words of product names (`services`, `consulting`) are not needles.
#[test]
fn every_listed_name_holds_a_needle_and_common_words_are_none() {
    let m = matcher();
    let n = m.needles();
    for e in &builtin()[0].entities {
        let names = std::iter::once(&e.name)
            .chain(e.short.iter())
            .chain(e.aliases.iter().map(|a| &a.name))
            .chain(e.products.iter().map(|p| &p.name));
        for name in names {
            let lower = name.to_lowercase();
            let spaced: String = lower
                .chars()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(" ");
            assert!(
                n.iter()
                    .any(|w| lower.contains(w.as_str()) || spaced.contains(w.as_str())),
                "{name}: no needle of {n:?}"
            );
        }
    }
    for common in [
        "services",
        "consulting",
        "advisory",
        "andrei anatolyevich efremov",
    ] {
        assert!(!n.iter().any(|w| w == common), "{common} in {n:?}");
    }
    // Spelled out (`K.a.s.p…`): the organisation's and products' needles, not natural persons'.
    let spelled = m.spelled_needles();
    assert!(spelled.iter().any(|w| w == "kaspersky"));
    assert!(spelled.iter().all(|w| n.contains(w)));
    assert!(
        !spelled.iter().any(|w| w.contains("vich") || w == "andrei"),
        "{spelled:?}"
    );
}

/// The memo of texts that matched nothing is per shape and role, and never answers for a match:
/// the same text read another way still matches, and a repeated match carries its own evidence.
#[test]
fn remembered_misses_are_per_shape_and_never_hide_a_match() {
    let m = matcher();
    let text = "ssh://git@securelist.com:research/engine.git";
    let as_subject = Evidence::new("signer", Attribution, Subject, text);
    let as_url = Evidence::new("repository", Attribution, Url, text);
    assert!(m.match_evidence(&as_subject).is_empty());
    let first = m.match_evidence(&as_url);
    assert!(!first.is_empty());
    assert!(m.match_evidence(&as_subject).is_empty());
    assert_eq!(m.match_evidence(&as_url), first);
    let other_field = Evidence::new("homepage", Attribution, Url, text);
    let again = m.match_evidence(&other_field);
    assert_eq!(again.len(), first.len());
    assert!(again.iter().all(|x| x.evidence.field == "homepage"));
    // A miss remembered as a mention is not a miss remembered as an attribution, and the
    // other way round; a plain miss stays a miss.
    let plain = Evidence::new("description", M, Text, "A fast JSON parser");
    assert!(m.match_evidence(&plain).is_empty());
    assert!(m.match_evidence(&plain).is_empty());
    assert_eq!(
        m.misses.lock().unwrap().get("A fast JSON parser"),
        Some(&miss_bit(Text, M))
    );
    assert_ne!(miss_bit(Text, M), miss_bit(Text, Attribution));
}

/// A list the size of a whole screening list's slice: thousands of names sharing first words
/// (`China ...`), one entity per row, merged with the built-in list where the legal name and
/// country agree. Every name is found as itself and only as itself, the joined spelling too,
/// and a list whose words exceed the prefilter's budget says so.
#[test]
fn large_lists_match_exactly_and_merge_by_position() {
    use crate::entity::import::{ListFormat, parse};
    let mut csv = String::from("_id,source,type,name,alt_names,addresses\n");
    for i in 0..25_000 {
        csv.push_str(&format!(
            "row-{i},Entity List (EL) - Bureau of Industry and Security,Entity,China Widget{i} Trading Co. Ltd.,Widget{i} Holdings,\"1 Road, City, CN\"\n"
        ));
    }
    csv.push_str("kl,Entity List (EL) - Bureau of Industry and Security,Entity,AO Kaspersky Lab,,\"Moscow, RU\"\n");
    let imported = parse(&csv, "big.csv", ListFormat::CslCsv).unwrap();
    let lists: &'static [EntityList] =
        Box::leak(vec![EntityList::builtin().unwrap(), imported].into_boxed_slice());
    let m = Matcher::new(lists);
    assert!(
        m.notes().iter().any(|n| n.contains("byte prefilter")),
        "{:?}",
        m.notes()
    );
    let ids = |text: &str| -> Vec<String> {
        let ev = Evidence::new("test", Role::Attribution, Shape::Text, text);
        let mut v: Vec<String> = m
            .match_evidence(&ev)
            .into_iter()
            .map(|x| format!("{}:{}", x.entity.list_id, x.entity.id))
            .collect();
        v.dedup();
        v
    };
    assert_eq!(
        ids("China Widget12345 Trading Co. Ltd."),
        ["csl:csl-row-12345"]
    );
    assert_eq!(ids("made by ChinaWidget777TradingCo"), ["csl:csl-row-777"]);
    assert_eq!(ids("Widget24999 Holdings"), ["csl:csl-row-24999"]);
    assert!(ids("China Widget25000 Trading Co. Ltd.").is_empty());
    assert!(ids("China Widget").is_empty());
    // The CSL's AO Kaspersky Lab (RU) is the built-in entity, with the CSL entry beside it.
    let ev = Evidence::new("test", Role::Attribution, Shape::Text, "AO Kaspersky Lab");
    let hit = m
        .match_evidence(&ev)
        .into_iter()
        .find(|x| x.entity.id == "ao-kaspersky-lab")
        .expect("built-in entity");
    assert_eq!(hit.entity.list_id, "entitycheck-builtin");
    assert!(
        hit.entity
            .also
            .iter()
            .any(|a| a.list_id == "csl" && a.id == "csl-kl"),
        "{:?}",
        hit.entity.also
    );
}

/// Times compiling a large list (not a check: `ENTITYCHECK_SCALE_LIST=FILE cargo test --release
/// --lib matcher_scale -- --ignored --nocapture`). `scripts/bench.sh` measures whole checks.
#[test]
#[ignore]
fn matcher_scale() {
    let Ok(path) = std::env::var("ENTITYCHECK_SCALE_LIST") else {
        return;
    };
    let cpu = || {
        let mut u: libc::rusage = unsafe { std::mem::zeroed() };
        unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
        u.ru_utime.tv_sec as f64 + u.ru_utime.tv_usec as f64 / 1e6
    };
    let (c0, t0) = (cpu(), std::time::Instant::now());
    let list = crate::entity::import::load(
        camino::Utf8Path::new(&path),
        None,
        &crate::fsio::Limits::DEFAULT,
    )
    .unwrap();
    let (c1, t1) = (cpu(), std::time::Instant::now());
    let lists = vec![EntityList::builtin().unwrap(), list];
    let m = Matcher::new(&lists);
    let (c2, t2) = (cpu(), std::time::Instant::now());
    eprintln!(
        "import {:.2} s wall {:.2} s cpu; matcher {:.2} s wall {:.2} s cpu; {} patterns",
        (t1 - t0).as_secs_f64(),
        c1 - c0,
        (t2 - t1).as_secs_f64(),
        c2 - c1,
        m.names.len()
    );
}

#[test]
fn runs_are_the_ranges_of_equal_keys() {
    let sorted = [(1, 'a'), (1, 'b'), (4, 'c'), (7, 'd'), (7, 'e'), (7, 'f')];
    let got: Vec<_> = runs(&sorted, |x| x.0).collect();
    assert_eq!(got, vec![(1, (0, 2)), (4, (2, 1)), (7, (3, 3))]);
    assert_eq!(runs(&[] as &[(u8, u8)], |x| x.0).count(), 0);
}

/// A one-word name glued to words of a product's name is read in identifiers, not in prose, an
/// author or a hosting account, and not glued to anything else.
#[test]
fn names_glued_to_product_words_match_in_identifiers() {
    let m = matcher();
    let cases: &[Case] = &[
        (
            Attribution,
            Text,
            "kasperskysdk",
            Some(("kaspersky", Probable)),
        ),
        (
            Attribution,
            Text,
            "kasperskyscanengine2",
            Some(("kaspersky", Probable)),
        ),
        (
            Attribution,
            Text,
            "Kasperskyscan (kasperskyscan.dll)",
            Some(("kaspersky", Probable)),
        ),
        (
            Attribution,
            Text,
            "kasperskyav x64",
            Some(("kaspersky", Probable)),
        ),
        // Not glued to product words: a person's handle, a longer word.
        (Attribution, Text, "kasperskytte", None),
        (Attribution, Text, "kasperskyx", None),
        (Attribution, Author, "Kasperskyscan", None),
        (Attribution, Url, "https://github.com/kasperskyscan/x", None),
        // Prose mentions no glued name.
        (M, Text, "the kasperskysdk bindings", None),
        // A name too short to be read glued.
        (Attribution, Text, "kavsdkscan", None),
    ];
    for (role, shape, text, want) in cases {
        let got = best(&m, *role, *shape, text);
        assert_eq!(
            got,
            want.map(|(id, c)| (id.to_string(), c)),
            "{role:?} {shape:?} {text}"
        );
    }
    let ev = Evidence::new("test", Attribution, Text, "kasperskysdk");
    let rule = &m.match_evidence(&ev)[0].rule;
    assert!(rule.contains("start of the word `kasperskysdk`"), "{rule}");
}
