//! Named choices: an enum whose values have one name and one line of description each
//! (list formats, report formats), declared once with `named_enum!` so that the
//! configuration, the command line, the fuzz targets and the docs all read the same table.

/// An enum declared with `named_enum!`: every value, its name and its description.
///
/// The app builds its command-line arguments from [`Named::ALL`] (the library uses no clap),
/// configuration errors suggest from [`Named::NAMES`], and fuzz targets iterate [`Named::ALL`].
pub trait Named: Copy + Eq + std::fmt::Debug + Send + Sync + 'static {
    /// Every value, in the order help and error messages list them.
    const ALL: &'static [Self];
    /// Every value's name, in the order of [`Named::ALL`].
    const NAMES: &'static [&'static str];
    /// The name the configuration and the command line write.
    fn name(self) -> &'static str;
    /// One line for `--help`.
    fn description(self) -> &'static str;
    /// The value a name (in any case) names.
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.name().eq_ignore_ascii_case(name))
    }
}

/// Declares an enum of [`Named`] values: each variant with its name and description, which
/// become its serde name, its doc comment and its `--help` line. Adding a variant here is the
/// whole of naming it; the compiler then asks for what it does (every `match` on the enum).
/// A variant may carry attributes of its own (`#[default]`).
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $Enum:ident {
            $( $(#[$vmeta:meta])* $Variant:ident = $name:literal => $description:literal, )+
        }
    ) => {
        $(#[$meta])*
        $vis enum $Enum {
            $(
                #[doc = $description]
                #[serde(rename = $name)]
                $(#[$vmeta])*
                $Variant,
            )+
        }

        impl $crate::named::Named for $Enum {
            const ALL: &'static [$Enum] = &[$($Enum::$Variant),+];
            const NAMES: &'static [&'static str] = &[$($name),+];

            fn name(self) -> &'static str {
                match self {
                    $($Enum::$Variant => $name,)+
                }
            }

            fn description(self) -> &'static str {
                match self {
                    $($Enum::$Variant => $description,)+
                }
            }
        }
    };
}
pub(crate) use named_enum;

#[cfg(test)]
mod tests {
    use super::Named;

    /// Every value of a table is found again by its name, in any case and through serde (the
    /// configuration), and `NAMES` follows `ALL` with no name twice.
    fn round_trips<T: Named + serde::Serialize + serde::de::DeserializeOwned>() {
        assert_eq!(T::ALL.len(), T::NAMES.len());
        for (&v, &name) in T::ALL.iter().zip(T::NAMES) {
            assert_eq!(v.name(), name);
            assert_eq!(T::from_name(name), Some(v));
            assert_eq!(T::from_name(&name.to_ascii_uppercase()), Some(v));
            assert_eq!(serde_json::to_value(v).unwrap(), serde_json::json!(name));
            assert_eq!(serde_json::from_value::<T>(name.into()).unwrap(), v);
            assert!(!v.description().is_empty(), "{name}");
            assert_eq!(T::NAMES.iter().filter(|n| **n == name).count(), 1, "{name}");
        }
        assert_eq!(T::from_name("no-such-format"), None);
    }

    #[test]
    fn every_list_and_report_format_round_trips_through_its_name() {
        round_trips::<crate::entity::import::ListFormat>();
        round_trips::<crate::config::Format>();
        round_trips::<crate::config::ListOutput>();
        round_trips::<crate::config::ColorChoice>();
        round_trips::<crate::evidence::recognise::MetadataFormat>();
    }
}
