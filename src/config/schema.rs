//! The configuration as written: the serde shape of `entitycheck.toml` and of a Cargo.toml's
//! metadata table, and the keys valid at each place in it (for did-you-mean suggestions).

use serde::Deserialize;
use toml::Spanned;

use super::{ColorChoice, Format};

// ---------------------------------------------------------------------------------------------
// As written.
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub(super) struct RawConfig {
    #[serde(default)]
    pub(super) policy: RawPolicy,
    #[serde(default)]
    pub(super) graph: RawGraph,
    #[serde(default)]
    pub(super) deep: RawDeep,
    #[serde(default)]
    pub(super) lists: RawLists,
    #[serde(default)]
    pub(super) registry: RawRegistry,
    #[serde(default)]
    pub(super) output: RawOutput,
    #[serde(default)]
    pub(super) waiver: Vec<RawWaiver>,
    #[serde(default)]
    pub(super) ignore: Vec<RawIgnore>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) struct RawIgnore {
    pub(super) package: Spanned<String>,
    pub(super) paths: Spanned<Vec<String>>,
    pub(super) reason: Spanned<String>,
    pub(super) approved_by: Option<String>,
    pub(super) expires: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub(super) struct RawPolicy {
    pub(super) fail_on: Option<Spanned<Vec<String>>>,
    pub(super) dev_dependencies_fail: Option<bool>,
    pub(super) fail_on_unscanned: Option<bool>,
    pub(super) as_of: Option<Spanned<String>>,
    pub(super) max_list_age: Option<u32>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub(super) struct RawGraph {
    #[serde(default)]
    pub(super) features: Vec<String>,
    pub(super) all_features: Option<bool>,
    pub(super) no_default_features: Option<bool>,
    #[serde(default)]
    pub(super) targets: Vec<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub(super) struct RawDeep {
    pub(super) enabled: Option<bool>,
    pub(super) cache: Option<bool>,
    pub(super) max_file_size: Option<Spanned<Size>>,
    pub(super) max_hits_per_file: Option<usize>,
    pub(super) archive_max_depth: Option<u32>,
    pub(super) archive_max_total_size: Option<Spanned<Size>>,
    pub(super) archive_max_entries: Option<u64>,
    pub(super) archive_max_entry_size: Option<Spanned<Size>>,
    pub(super) package_max_unpacked_size: Option<Spanned<Size>>,
    pub(super) package_max_decode_seconds: Option<u64>,
    pub(super) package_max_archive_members: Option<u64>,
    pub(super) package_max_binaries: Option<u64>,
    pub(super) build_outputs: Option<bool>,
    pub(super) unpack_test_data: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub(super) struct RawRegistry {
    pub(super) owners: Option<bool>,
    pub(super) crates_io_dump: Option<String>,
    pub(super) crates_io_api: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub(super) struct RawLists {
    pub(super) builtin: Option<bool>,
    pub(super) warn_age: Option<u32>,
    #[serde(default)]
    pub(super) extra: Vec<RawListRef>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum RawListRef {
    Path(String),
    Table {
        path: String,
        format: Option<String>,
    },
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub(super) struct RawOutput {
    pub(super) format: Option<Format>,
    pub(super) color: Option<ColorChoice>,
    pub(super) verbose: Option<bool>,
    pub(super) quiet: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) struct RawWaiver {
    pub(super) package: Spanned<String>,
    pub(super) version: Option<Spanned<String>>,
    pub(super) entity: Option<String>,
    pub(super) evidence: Option<String>,
    pub(super) reason: Spanned<String>,
    /// What the acceptance rests on (a legal opinion, a licence, a contract clause).
    pub(super) basis: Option<String>,
    pub(super) approved_by: Option<String>,
    pub(super) expires: Option<Spanned<String>>,
}

/// A size: bytes as an integer, or a string such as `"64 MiB"`.
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum Size {
    Bytes(u64),
    Text(String),
}

/// The parts of a Cargo.toml we read: only the metadata tables, everything else ignored.
#[derive(Deserialize)]
pub(super) struct Manifest {
    pub(super) workspace: Option<MetaHolder>,
    pub(super) package: Option<MetaHolder>,
}

#[derive(Deserialize)]
pub(super) struct MetaHolder {
    pub(super) metadata: Option<Metadata>,
}

#[derive(Deserialize)]
pub(super) struct Metadata {
    pub(super) entitycheck: Option<RawConfig>,
}

/// The field names a derived `Deserialize` struct knows (serde passes them to
/// `deserialize_struct`), read by a deserializer that records them and stops: the list of
/// valid keys can never fall behind the structs.
pub(super) fn fields_of<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    use serde::de::{self, Visitor};
    struct Fields<'a>(&'a mut &'static [&'static str]);
    impl<'de> serde::Deserializer<'de> for Fields<'_> {
        type Error = de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            *self.0 = fields;
            Err(de::Error::custom("fields read"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(Fields(&mut fields));
    fields
}

/// The keys valid where `key` (a dotted path such as `policy.fail-harder` or `waiver.0.bogus`)
/// was written.
fn valid_keys(key: &str) -> &'static [&'static str] {
    let parts: Vec<&str> = key.split('.').collect();
    match parts.as_slice() {
        [_] => fields_of::<RawConfig>(),
        ["policy", ..] => fields_of::<RawPolicy>(),
        ["graph", ..] => fields_of::<RawGraph>(),
        ["deep", ..] => fields_of::<RawDeep>(),
        ["lists", ..] => fields_of::<RawLists>(),
        ["registry", ..] => fields_of::<RawRegistry>(),
        ["output", ..] => fields_of::<RawOutput>(),
        ["waiver", ..] => fields_of::<RawWaiver>(),
        ["ignore", ..] => fields_of::<RawIgnore>(),
        _ => &[],
    }
}

/// `: did you mean `x`? valid keys here: …` for an unknown key.
pub(super) fn suggest_key(key: &str) -> String {
    let valid = valid_keys(key);
    if valid.is_empty() {
        return String::new();
    }
    let last = key.rsplit('.').next().unwrap_or(key);
    let table = match key.split('.').next() {
        Some(t) if key.contains('.') => {
            if matches!(t, "waiver" | "ignore") {
                format!(" in [[{t}]]")
            } else {
                format!(" in [{t}]")
            }
        }
        _ => " at the top level".to_string(),
    };
    let guess = crate::diag::did_you_mean(last, valid.iter().copied())
        .map(|g| format!(": did you mean `{g}`?"))
        .unwrap_or_else(|| ":".to_string());
    format!("{guess} valid keys{table}: {}", valid.join(", "))
}
