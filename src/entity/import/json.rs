//! Typed, lazy readers of the JSON the importer takes in: each value is read straight into the
//! few fields the importer uses, borrowing the text wherever a string has no escapes, and no
//! generic document tree (`serde_json::Value`) is built.
//!
//! They read a document exactly as indexing a `Value` read it: any JSON value is accepted where
//! `Value` accepted one; a value of another type than the one used reads as missing (a lone
//! string where a list is expected, a number or `null` where an object is); the last of
//! duplicate keys wins; and every value that is not used is still parsed ([`Skip`]: strings,
//! escapes and numbers are checked as `Value` checks them), so a document `Value` refused is
//! refused with the same error at the same place.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A JSON string, borrowed from the text unless it holds escapes; any other type is an error,
/// as for `String` ("invalid type: …, expected a string").
pub(super) struct Str<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Str<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Str<'a>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Str<'a>, E> {
                Ok(Str(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Str<'a>, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_string(V(PhantomData))
    }
}

/// A JSON value that is not an array or an object.
enum Scalar<'a> {
    Str(Cow<'a, str>),
    Number(serde_json::Number),
    /// `null`, a boolean, or a number `Value` makes `null` (not finite).
    Other,
}

/// A type read from any JSON value: scalars, arrays and objects each in their own way. What a
/// type does not read is parsed and thrown away.
trait Read<'de>: Sized + Default {
    /// A value that is no array or object; by default the empty value.
    fn scalar(_: Scalar<'de>) -> Self {
        Self::default()
    }
    fn seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Self::scalar(Scalar::Other))
    }
    fn map<A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Self::scalar(Scalar::Other))
    }
}

struct ReadVisitor<T>(PhantomData<T>);

fn read_any<'de, D: Deserializer<'de>, T: Read<'de>>(d: D) -> Result<T, D::Error> {
    d.deserialize_any(ReadVisitor(PhantomData))
}

impl<'de, T: Read<'de>> Visitor<'de> for ReadVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<T, E> {
        Ok(T::scalar(Scalar::Str(Cow::Borrowed(v))))
    }
    fn visit_str<E>(self, v: &str) -> Result<T, E> {
        Ok(T::scalar(Scalar::Str(Cow::Owned(v.to_string()))))
    }
    fn visit_string<E>(self, v: String) -> Result<T, E> {
        Ok(T::scalar(Scalar::Str(Cow::Owned(v))))
    }
    fn visit_u64<E>(self, v: u64) -> Result<T, E> {
        Ok(T::scalar(Scalar::Number(v.into())))
    }
    fn visit_i64<E>(self, v: i64) -> Result<T, E> {
        Ok(T::scalar(Scalar::Number(v.into())))
    }
    fn visit_f64<E>(self, v: f64) -> Result<T, E> {
        // As `Value` reads it: a number that is not finite is `null`.
        Ok(T::scalar(
            serde_json::Number::from_f64(v).map_or(Scalar::Other, Scalar::Number),
        ))
    }
    fn visit_bool<E>(self, _: bool) -> Result<T, E> {
        Ok(T::scalar(Scalar::Other))
    }
    fn visit_unit<E>(self) -> Result<T, E> {
        Ok(T::scalar(Scalar::Other))
    }
    fn visit_none<E>(self) -> Result<T, E> {
        Ok(T::scalar(Scalar::Other))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        T::seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::map(map)
    }
}

/// Implements `Deserialize` through [`Read`].
macro_rules! deserialize_by_read {
    ($($t:ident),*) => {$(
        impl<'de> Deserialize<'de> for $t<'de> {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                read_any(d)
            }
        }
    )*};
}

/// Any JSON value, parsed as `Value` parses it, and thrown away.
#[derive(Default)]
pub(super) struct Skip;

impl<'de> Read<'de> for Skip {}

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        read_any(d)
    }
}

/// Any value read as a text field: a string trimmed, a number as `Value` writes it, anything
/// else empty.
#[derive(Default)]
pub(super) struct Text<'a>(pub Cow<'a, str>);

impl<'de> Read<'de> for Text<'de> {
    fn scalar(s: Scalar<'de>) -> Self {
        Text(match s {
            Scalar::Str(s) => trim_cow(s),
            Scalar::Number(n) => Cow::Owned(n.to_string()),
            Scalar::Other => Cow::Borrowed(""),
        })
    }
}

/// Any value: the text of a string (untrimmed), else nothing.
#[derive(Default)]
struct AnyStr<'a>(Option<Cow<'a, str>>);

impl<'de> Read<'de> for AnyStr<'de> {
    fn scalar(s: Scalar<'de>) -> Self {
        AnyStr(match s {
            Scalar::Str(s) => Some(s),
            _ => None,
        })
    }
}

/// An array's string items, trimmed, the empty ones left out (items of other types are
/// ignored); any other value gives none.
#[derive(Default)]
pub(super) struct Strings<'a>(pub Vec<Cow<'a, str>>);

impl<'de> Read<'de> for Strings<'de> {
    fn seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let mut out = Vec::new();
        while let Some(AnyStr(s)) = seq.next_element()? {
            if let Some(s) = s {
                let s = trim_cow(s);
                if !s.is_empty() {
                    out.push(s);
                }
            }
        }
        Ok(Strings(out))
    }
}

/// [`Strings`], and a lone string read as `;`-separated parts (a CSL multi-valued cell).
#[derive(Default)]
pub(super) struct CellList<'a>(pub Vec<Cow<'a, str>>);

impl<'de> Read<'de> for CellList<'de> {
    fn scalar(s: Scalar<'de>) -> Self {
        let mut out = Vec::new();
        if let Scalar::Str(s) = s {
            split_semicolons(s, &mut out);
        }
        CellList(out)
    }
    fn seq<A: SeqAccess<'de>>(seq: A) -> Result<Self, A::Error> {
        Strings::seq(seq).map(|Strings(v)| CellList(v))
    }
}

deserialize_by_read!(Text, AnyStr, Strings, CellList);

/// A trimmed string, borrowed if it was.
pub(super) fn trim_cow(s: Cow<'_, str>) -> Cow<'_, str> {
    match s {
        Cow::Borrowed(b) => Cow::Borrowed(b.trim()),
        Cow::Owned(o) if o.trim().len() == o.len() => Cow::Owned(o),
        Cow::Owned(o) => Cow::Owned(o.trim().to_string()),
    }
}

/// Adds the non-empty trimmed parts of a `;`-separated text to `out`.
pub(super) fn split_semicolons<'a>(s: Cow<'a, str>, out: &mut Vec<Cow<'a, str>>) {
    match s {
        Cow::Borrowed(b) => out.extend(
            b.split(';')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(Cow::Borrowed),
        ),
        Cow::Owned(o) => out.extend(
            o.split(';')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(|x| Cow::Owned(x.to_string())),
        ),
    }
}

/// Reads an object key by key: `field` reads the value of each key it knows and returns
/// `false` for the others, whose values are skipped.
fn read_fields<'de, A, T>(
    mut map: A,
    mut out: T,
    mut field: impl FnMut(&mut T, &str, &mut A) -> Result<bool, A::Error>,
) -> Result<T, A::Error>
where
    A: MapAccess<'de>,
{
    while let Some(Str(key)) = map.next_key()? {
        if !field(&mut out, &key, &mut map)? {
            map.next_value::<Skip>()?;
        }
    }
    Ok(out)
}

// --- Consolidated Screening List JSON ---------------------------------------------------------

/// One entry of a CSL JSON export's `results`, as the importer reads it; any value that is not
/// an object reads as an entry without fields.
#[derive(Default)]
pub(super) struct CslEntry<'a> {
    pub name: Text<'a>,
    pub underscore_id: Text<'a>,
    pub id: Text<'a>,
    pub entity_number: Text<'a>,
    pub source: Text<'a>,
    pub kind: Text<'a>,
    pub federal_register_notice: Text<'a>,
    pub start_date: Text<'a>,
    pub end_date: Text<'a>,
    pub license_requirement: Text<'a>,
    pub license_policy: Text<'a>,
    pub source_list_url: Text<'a>,
    pub alt_names: CellList<'a>,
    pub programs: CellList<'a>,
    pub citizenships: CellList<'a>,
    pub nationalities: CellList<'a>,
    /// The `country` of each object of `addresses`, where it is not empty.
    pub address_countries: Addresses<'a>,
    pub ids: Ids<'a>,
}

impl<'de> Read<'de> for CslEntry<'de> {
    fn map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        read_fields(map, CslEntry::default(), |e, key, map| {
            match key {
                "name" => e.name = map.next_value()?,
                "_id" => e.underscore_id = map.next_value()?,
                "id" => e.id = map.next_value()?,
                "entity_number" => e.entity_number = map.next_value()?,
                "source" => e.source = map.next_value()?,
                "type" => e.kind = map.next_value()?,
                "federal_register_notice" => e.federal_register_notice = map.next_value()?,
                "start_date" => e.start_date = map.next_value()?,
                "end_date" => e.end_date = map.next_value()?,
                "license_requirement" => e.license_requirement = map.next_value()?,
                "license_policy" => e.license_policy = map.next_value()?,
                "source_list_url" => e.source_list_url = map.next_value()?,
                "alt_names" => e.alt_names = map.next_value()?,
                "programs" => e.programs = map.next_value()?,
                "citizenships" => e.citizenships = map.next_value()?,
                "nationalities" => e.nationalities = map.next_value()?,
                "addresses" => e.address_countries = map.next_value()?,
                "ids" => e.ids = map.next_value()?,
                _ => return Ok(false),
            }
            Ok(true)
        })
    }
}

/// The non-empty `country` of each item of an `addresses` array (an item that is not an object
/// has none); any other value gives none.
#[derive(Default)]
pub(super) struct Addresses<'a>(pub Vec<Cow<'a, str>>);

/// The `country` of one address object.
#[derive(Default)]
struct Address<'a>(Text<'a>);

impl<'de> Read<'de> for Address<'de> {
    fn map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        read_fields(map, Address::default(), |a, key, map| {
            if key == "country" {
                a.0 = map.next_value()?;
                return Ok(true);
            }
            Ok(false)
        })
    }
}

impl<'de> Read<'de> for Addresses<'de> {
    fn seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let mut out = Vec::new();
        while let Some(Address(Text(c))) = seq.next_element()? {
            if !c.is_empty() {
                out.push(c);
            }
        }
        Ok(Addresses(out))
    }
}

/// The websites and e-mail addresses of an `ids` array (`{"type": "Website", "number": …}`).
#[derive(Default)]
pub(super) struct Ids<'a> {
    pub websites: Vec<Cow<'a, str>>,
    pub emails: Vec<Cow<'a, str>>,
}

/// One `ids` item: its `type` and `number`.
#[derive(Default)]
struct IdItem<'a> {
    kind: Text<'a>,
    number: Text<'a>,
}

impl<'de> Read<'de> for IdItem<'de> {
    fn map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        read_fields(map, IdItem::default(), |i, key, map| {
            match key {
                "type" => i.kind = map.next_value()?,
                "number" => i.number = map.next_value()?,
                _ => return Ok(false),
            }
            Ok(true)
        })
    }
}

impl<'de> Read<'de> for Ids<'de> {
    fn seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let mut out = Ids::default();
        while let Some(item) = seq.next_element::<IdItem>()? {
            let kind = &item.kind.0;
            if kind.eq_ignore_ascii_case("website") {
                out.websites.push(item.number.0);
            } else if kind.eq_ignore_ascii_case("email address")
                || kind.eq_ignore_ascii_case("email")
            {
                out.emails.push(item.number.0);
            }
        }
        Ok(out)
    }
}

/// One item of `sources_used`: the dates it gives as strings.
#[derive(Default)]
pub(super) struct SourceUsed<'a> {
    pub last_imported: Option<Cow<'a, str>>,
    pub source_last_updated: Option<Cow<'a, str>>,
}

impl<'de> Read<'de> for SourceUsed<'de> {
    fn map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        read_fields(map, SourceUsed::default(), |u, key, map| {
            match key {
                "last_imported" => u.last_imported = map.next_value::<AnyStr>()?.0,
                "source_last_updated" => u.source_last_updated = map.next_value::<AnyStr>()?.0,
                _ => return Ok(false),
            }
            Ok(true)
        })
    }
}

deserialize_by_read!(CslEntry, Addresses, Address, Ids, IdItem, SourceUsed);

/// Reads a CSL JSON document (`{"results": [...], "sources_used": [...]}`), handing each entry
/// of `results` to `each` with its index as it is read, and returns `sources_used`. Read as the
/// struct `CslJson { results: Vec<_>, #[serde(default)] sources_used: Vec<_> }` is read (other
/// keys skipped, `results` required, a duplicate key an error, an array read as the fields in
/// order), so that its errors are that struct's.
pub(super) fn read_csl_json<'de>(
    text: &'de str,
    each: &mut dyn FnMut(usize, CslEntry<'de>),
) -> Result<Vec<SourceUsed<'de>>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let used = de.deserialize_struct("CslJson", &["results", "sources_used"], CslDoc { each })?;
    de.end()?;
    Ok(used)
}

struct CslDoc<'f, 'de> {
    each: &'f mut dyn FnMut(usize, CslEntry<'de>),
}

/// `results`, each entry handed over as it is read.
struct Results<'f, 'de> {
    each: &'f mut dyn FnMut(usize, CslEntry<'de>),
}

impl<'de> DeserializeSeed<'de> for Results<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Results<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while let Some(entry) = seq.next_element()? {
            (self.each)(i, entry);
            i += 1;
        }
        Ok(())
    }
}

/// The keys of the document.
enum DocKey {
    Results,
    SourcesUsed,
    Other,
}

impl<'de> Deserialize<'de> for DocKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = DocKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("field identifier")
            }
            fn visit_str<E>(self, v: &str) -> Result<DocKey, E> {
                Ok(match v {
                    "results" => DocKey::Results,
                    "sources_used" => DocKey::SourcesUsed,
                    _ => DocKey::Other,
                })
            }
            fn visit_u64<E>(self, v: u64) -> Result<DocKey, E> {
                Ok(match v {
                    0 => DocKey::Results,
                    1 => DocKey::SourcesUsed,
                    _ => DocKey::Other,
                })
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<DocKey, E> {
                Ok(match v {
                    b"results" => DocKey::Results,
                    b"sources_used" => DocKey::SourcesUsed,
                    _ => DocKey::Other,
                })
            }
        }
        d.deserialize_identifier(V)
    }
}

impl<'de> Visitor<'de> for CslDoc<'_, 'de> {
    type Value = Vec<SourceUsed<'de>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("struct CslJson")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        if seq
            .next_element_seed(Results { each: self.each })?
            .is_none()
        {
            return Err(de::Error::invalid_length(
                0,
                &"struct CslJson with 2 elements",
            ));
        }
        Ok(seq.next_element()?.unwrap_or_default())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut results = false;
        let mut used = None;
        while let Some(key) = map.next_key::<DocKey>()? {
            match key {
                DocKey::Results => {
                    if results {
                        return Err(de::Error::duplicate_field("results"));
                    }
                    map.next_value_seed(Results {
                        each: &mut *self.each,
                    })?;
                    results = true;
                }
                DocKey::SourcesUsed => {
                    if used.is_some() {
                        return Err(de::Error::duplicate_field("sources_used"));
                    }
                    used = Some(map.next_value::<Vec<SourceUsed>>()?);
                }
                DocKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !results {
            return Err(de::Error::missing_field("results"));
        }
        Ok(used.unwrap_or_default())
    }
}

// --- OpenSanctions -----------------------------------------------------------------------------

/// One FollowTheMoney entity (a line of an OpenSanctions export).
#[derive(Deserialize)]
pub(super) struct FtmEntity<'a> {
    #[serde(borrow)]
    pub id: Option<Str<'a>>,
    #[serde(borrow)]
    pub schema: Option<Str<'a>>,
    #[serde(borrow)]
    pub caption: Option<Str<'a>>,
    #[serde(default, borrow)]
    pub properties: Properties<'a>,
    #[serde(default, borrow)]
    pub datasets: Vec<Str<'a>>,
    /// Listed itself (a sanctioned party), not only related to one.
    #[serde(default)]
    pub target: bool,
    #[serde(borrow)]
    pub last_seen: Option<Str<'a>>,
}

/// The properties the importer reads, each as [`Strings`] (a value that is not an array of
/// strings gives none of its items that are not strings, and nothing when it is no array).
/// `properties` itself must be an object, as for a map ("expected a map").
#[derive(Default)]
pub(super) struct Properties<'a> {
    pub name: Vec<Cow<'a, str>>,
    pub alias: Vec<Cow<'a, str>>,
    pub previous_name: Vec<Cow<'a, str>>,
    pub weak_alias: Vec<Cow<'a, str>>,
    pub website: Vec<Cow<'a, str>>,
    pub email: Vec<Cow<'a, str>>,
    pub topics: Vec<Cow<'a, str>>,
    pub country: Vec<Cow<'a, str>>,
    /// The dates of the entity's `sanctions` (nested `Sanction` entities, as in OpenSanctions'
    /// `targets.nested.json`): when each listing was made, started and ended.
    pub sanctions: Vec<SanctionDates<'a>>,
}

/// The dates one `Sanction` states (FollowTheMoney `listingDate`, `startDate`, `endDate`).
#[derive(Default)]
pub(super) struct SanctionDates<'a> {
    pub listing_date: Vec<Cow<'a, str>>,
    pub start_date: Vec<Cow<'a, str>>,
    pub end_date: Vec<Cow<'a, str>>,
}

/// An array of nested `Sanction` entities; any other value (or item) gives none.
#[derive(Default)]
pub(super) struct Sanctions<'a>(pub Vec<SanctionDates<'a>>);

/// One nested `Sanction` entity: only its `properties` are read.
#[derive(Default)]
pub(super) struct SanctionEntity<'a>(pub Option<SanctionDates<'a>>);

/// A `Sanction`'s `properties` object.
#[derive(Default)]
pub(super) struct SanctionProps<'a>(pub SanctionDates<'a>);

impl<'de> Read<'de> for Sanctions<'de> {
    fn seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let mut out = Vec::new();
        while let Some(SanctionEntity(d)) = seq.next_element()? {
            out.extend(d);
        }
        Ok(Sanctions(out))
    }
}

impl<'de> Read<'de> for SanctionEntity<'de> {
    fn map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        read_fields(map, SanctionEntity(None), |e, key, map| {
            if key != "properties" {
                return Ok(false);
            }
            e.0 = Some(map.next_value::<SanctionProps>()?.0);
            Ok(true)
        })
    }
}

impl<'de> Read<'de> for SanctionProps<'de> {
    fn map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        read_fields(map, SanctionProps::default(), |p, key, map| {
            let slot = match key {
                "listingDate" => &mut p.0.listing_date,
                "startDate" => &mut p.0.start_date,
                "endDate" => &mut p.0.end_date,
                _ => return Ok(false),
            };
            *slot = map.next_value::<Strings>()?.0;
            Ok(true)
        })
    }
}

deserialize_by_read!(Sanctions, SanctionEntity, SanctionProps);

impl<'de: 'a, 'a> Deserialize<'de> for Properties<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Properties<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Properties<'a>, A::Error> {
                read_fields(map, Properties::default(), |p, key, map| {
                    let slot = match key {
                        "name" => &mut p.name,
                        "alias" => &mut p.alias,
                        "previousName" => &mut p.previous_name,
                        "weakAlias" => &mut p.weak_alias,
                        "website" => &mut p.website,
                        "email" => &mut p.email,
                        "topics" => &mut p.topics,
                        "country" => &mut p.country,
                        "sanctions" => {
                            p.sanctions = map.next_value::<Sanctions>()?.0;
                            return Ok(true);
                        }
                        _ => return Ok(false),
                    };
                    *slot = map.next_value::<Strings>()?.0;
                    Ok(true)
                })
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}
