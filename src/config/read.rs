//! Reading TOML strictly yet completely: every unknown key and every value of the wrong type is
//! collected, each with its place, instead of stopping at the first.

use crate::diag::{Diagnostics, finish, line_of};
use crate::error::InputError;

/// A value of the wrong type, where and what (serde stops at the first; see [`from_str_all`]).
pub(super) type TypeError = (std::ops::Range<usize>, String);

/// Deserializes `T` like [`from_str_collecting`], and goes on past values of the wrong type:
/// each one's line is set aside (commented out, so every line keeps its number) and the rest
/// read again, so every type error comes out with the other problems in one run. A problem
/// that is not about a value (the TOML itself is broken) still stops at once.
pub(super) fn from_str_all<T: serde::de::DeserializeOwned>(
    text: &str,
    origin: &str,
) -> Result<(T, Vec<String>, Vec<TypeError>), InputError> {
    let original = text;
    let mut text = text.to_string();
    let mut errors: Vec<TypeError> = Vec::new();
    loop {
        match from_str_collecting::<T>(&text, origin) {
            Ok((value, unknown)) => return Ok((value, unknown, errors)),
            Err((e, first)) => {
                let span = e.span().filter(|_| !first && errors.len() < 64);
                let Some(span) = span else {
                    // Before any value could be judged, or too many: report what there is.
                    if errors.is_empty() {
                        return Err(InputError::Toml {
                            path: origin.to_string(),
                            message: e.to_string(),
                        });
                    }
                    let mut d = Diagnostics::new(original, origin);
                    for (s, m) in &errors {
                        d.at(s.clone(), m);
                    }
                    let last = line_of(&text, span_or_zero(e.span()).start);
                    let at = original_line_start(original, last);
                    d.at(at..at, e.message());
                    return Err(finish(d, ()).err().unwrap_or_else(|| InputError::Toml {
                        path: origin.to_string(),
                        message: e.to_string(),
                    }));
                };
                let start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
                if text[start..].starts_with('#') {
                    return Err(InputError::Toml {
                        path: origin.to_string(),
                        message: e.to_string(),
                    });
                }
                // Lines keep their numbers: the span is given as the same line's start in the
                // text as written.
                let line = line_of(&text, span.start);
                let original = original_line_start(original, line);
                errors.push((original..original, e.message().to_string()));
                text.insert(start, '#');
            }
        }
    }
}

/// Where 1-based line `line` starts in `text`.
pub(super) fn original_line_start(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    text.match_indices('\n')
        .nth(line - 2)
        .map_or(text.len(), |(i, _)| i + 1)
}

pub(super) fn span_or_zero(s: Option<std::ops::Range<usize>>) -> std::ops::Range<usize> {
    s.unwrap_or(0..0)
}

/// Deserializes `T` from `text`, collecting every key it does not know (as dotted paths) instead
/// of stopping at the first, so they are reported with the other problems, all at once. The
/// error says whether the TOML itself is broken (`true`) or a value is of the wrong type.
pub(super) fn from_str_collecting<T: serde::de::DeserializeOwned>(
    text: &str,
    origin: &str,
) -> Result<(T, Vec<String>), (toml::de::Error, bool)> {
    let _ = origin;
    let de = toml::Deserializer::parse(text).map_err(|e| (e, true))?;
    let mut unknown = Vec::new();
    // `?` segments stand for `Option`s, not keys.
    let value = serde_ignored::deserialize(de, |path| {
        let key: Vec<String> = path
            .to_string()
            .split('.')
            .filter(|s| *s != "?")
            .map(str::to_string)
            .collect();
        unknown.push(key.join("."));
    })
    .map_err(|e: toml::de::Error| (e, false))?;
    Ok((value, unknown))
}

/// The span of a dotted key path (`policy.fail-harder`, `waiver.0.bogus`) in a document, for
/// its line.
pub(super) fn key_span(text: &str, path: &str) -> Option<std::ops::Range<usize>> {
    use toml::de::{DeTable, DeValue};
    let doc = DeTable::parse(text).ok()?;
    let mut table = doc.get_ref();
    let mut span = None;
    let parts: Vec<&str> = path.split('.').collect();
    let mut i = 0;
    while i < parts.len() {
        let (k, v) = table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == parts[i])?;
        span = Some(k.span());
        i += 1;
        let mut v = v.get_ref();
        // An array of tables: the next part is the index.
        if let DeValue::Array(items) = v
            && let Some(n) = parts.get(i).and_then(|p| p.parse::<usize>().ok())
        {
            v = items.get(n)?.get_ref();
            i += 1;
        }
        match v {
            DeValue::Table(t) => table = t,
            _ => break,
        }
    }
    span
}
