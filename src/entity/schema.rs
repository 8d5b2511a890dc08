//! The list file as written: the serde shape of the TOML (`deny_unknown_fields` everywhere).

use serde::Deserialize;
use toml::Spanned;

use super::model::{EntityKind, Gate, Grade, Restricts, Strength};

// ---------------------------------------------------------------------------------------------
// The file format, as written. `deny_unknown_fields` everywhere: a misspelt key is an error,
// never a silently ignored fact.
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawList {
    pub(super) list: RawMeta,
    #[serde(default)]
    pub(super) source: Vec<RawSource>,
    #[serde(default)]
    pub(super) programme: Vec<RawProgramme>,
    #[serde(default)]
    pub(super) entity: Vec<RawEntity>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMeta {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) version: String,
    pub(super) updated: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSource {
    pub(super) id: Spanned<String>,
    pub(super) title: String,
    pub(super) citation: String,
    pub(super) publisher: Option<String>,
    pub(super) url: Option<String>,
    pub(super) read: Option<Spanned<String>>,
    pub(super) grade: Grade,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProgramme {
    pub(super) id: Spanned<String>,
    pub(super) title: String,
    pub(super) authority: String,
    pub(super) scope: String,
    #[serde(default)]
    pub(super) restricts: Restricts,
    pub(super) source: Spanned<String>,
    pub(super) grade: Grade,
    #[serde(default)]
    pub(super) context: bool,
    #[serde(default)]
    pub(super) gate: Gate,
    #[serde(default)]
    pub(super) date: Vec<RawDate>,
    #[serde(default)]
    pub(super) covered: Vec<RawExempt>,
    #[serde(default)]
    pub(super) exempt: Vec<RawExempt>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDate {
    pub(super) date: Spanned<String>,
    pub(super) effect: String,
    #[serde(default)]
    pub(super) gate: Gate,
    pub(super) text: String,
    pub(super) source: Spanned<String>,
    pub(super) grade: Grade,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawExempt {
    pub(super) category: String,
    pub(super) text: String,
    #[serde(default = "yes")]
    pub(super) executable: bool,
    pub(super) source: Spanned<String>,
    pub(super) grade: Grade,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEntity {
    pub(super) id: Spanned<String>,
    pub(super) kind: EntityKind,
    pub(super) name: String,
    pub(super) short: Option<String>,
    pub(super) legal_form: Option<String>,
    pub(super) country: Option<String>,
    pub(super) group: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) programmes: Vec<Spanned<String>>,
    pub(super) note: Option<String>,
    pub(super) source: Spanned<String>,
    pub(super) grade: Grade,
    #[serde(default)]
    pub(super) alias: Vec<RawAlias>,
    #[serde(default)]
    pub(super) domain: Vec<RawDomain>,
    #[serde(default)]
    pub(super) domain_label: Vec<RawDomainLabel>,
    #[serde(default)]
    pub(super) org: Vec<RawOrg>,
    #[serde(default)]
    pub(super) signer: Vec<RawSigner>,
    #[serde(default)]
    pub(super) product: Vec<RawProduct>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAlias {
    pub(super) name: Spanned<String>,
    pub(super) script: Option<String>,
    #[serde(default)]
    pub(super) strength: Strength,
    pub(super) note: Option<String>,
    pub(super) source: Spanned<String>,
    pub(super) grade: Grade,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDomain {
    pub(super) domain: Spanned<String>,
    pub(super) category: Option<String>,
    pub(super) note: Option<String>,
    pub(super) source: Spanned<String>,
    pub(super) grade: Grade,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDomainLabel {
    pub(super) label: Spanned<String>,
    pub(super) source: Spanned<String>,
    pub(super) grade: Grade,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOrg {
    pub(super) host: Spanned<String>,
    pub(super) name: Spanned<String>,
    pub(super) source: Spanned<String>,
    pub(super) grade: Grade,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSigner {
    pub(super) subject: Spanned<String>,
    pub(super) source: Spanned<String>,
    pub(super) grade: Grade,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProduct {
    pub(super) name: Spanned<String>,
    #[serde(default)]
    pub(super) aliases: Vec<String>,
    pub(super) category: String,
    pub(super) note: Option<String>,
    pub(super) source: Spanned<String>,
    pub(super) grade: Grade,
}

fn yes() -> bool {
    true
}
