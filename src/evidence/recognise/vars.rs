//! Variables a build file sets, put in place of their uses before the file is read: a
//! makefile's `KAV_LIB = kavsdk` then `LDLIBS += -l$(KAV_LIB)`, CMake's `set(ENGINE_LIB kavsdk)`
//! then `target_link_libraries(app ${ENGINE_LIB})`. A library linked through a variable is
//! linked all the same. (Scripts and Dockerfiles have their own, ordered reading:
//! `script::expanded`.)
//!
//! Every binding of a name in the file counts (the branches of a conditional each give one),
//! joined by spaces; a binding on a comment line binds nothing; a use of a name the file does not
//! bind stays as written. Lines keep their numbers.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::re;

/// `text` with its make (and qmake) variables in place: `NAME = v`, `NAME := v`, `NAME ?= v`,
/// `NAME += v` (appended), `export`/`override` before them, used as `$(NAME)`, `${NAME}`,
/// qmake's `$$NAME` and `$${NAME}`. A recipe line (starting with a tab) sets nothing.
pub(super) fn make_expanded(text: &str) -> Cow<'_, str> {
    static SET: LazyLock<Regex> = LazyLock::new(|| {
        re(r"(?m)^ *(?:(?:export|override) +)?([A-Za-z_][\w.-]*)[ \t]*(\+=|[:!?]*=)[ \t]*([^\n]*)$")
    });
    static USE: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"\$\(([A-Za-z_][\w.-]*)\)|\$\{([A-Za-z_][\w.-]*)\}|\$\$\{([A-Za-z_]\w*)\}|\$\$([A-Za-z_]\w*)",
        )
    });
    if !text.contains('$') {
        return Cow::Borrowed(text);
    }
    let mut vars: HashMap<&str, String> = HashMap::new();
    for c in SET.captures_iter(text) {
        let (name, value) = (c.get(1).expect("group").as_str(), &c[3]);
        let value = value[..value.find('#').unwrap_or(value.len())].trim();
        if !value.is_empty() {
            bind(&mut vars, name, value);
        }
    }
    substitute(text, &vars, &USE)
}

/// `text` with its CMake variables in place: `set(NAME v…)` (its values up to `CACHE` or
/// `PARENT_SCOPE`) and `list(APPEND NAME v…)`, outside comments, used as `${NAME}`.
pub(super) fn cmake_expanded(text: &str) -> Cow<'_, str> {
    static SET: LazyLock<Regex> = LazyLock::new(|| {
        re(r"(?i)\b(?:set|list\s*\(\s*APPEND)\s*\(?\s*([A-Za-z_][\w.-]*)\s+([^)]*)\)")
    });
    static USE: LazyLock<Regex> = LazyLock::new(|| re(r"\$\{([A-Za-z_][\w.-]*)\}"));
    if !text.contains("${") {
        return Cow::Borrowed(text);
    }
    let mut vars: HashMap<&str, String> = HashMap::new();
    for c in SET.captures_iter(text) {
        let whole = c.get(0).expect("match");
        let line_start = text[..whole.start()].rfind('\n').map_or(0, |i| i + 1);
        if text[line_start..whole.start()].contains('#') {
            continue;
        }
        let values: Vec<&str> = c[2]
            .split_whitespace()
            .map(|v| v.trim_matches('"'))
            .take_while(|v| !matches!(*v, "CACHE" | "PARENT_SCOPE"))
            .filter(|v| !v.is_empty())
            .collect();
        if !values.is_empty() {
            bind(
                &mut vars,
                c.get(1).expect("group").as_str(),
                &values.join(" "),
            );
        }
    }
    substitute(text, &vars, &USE)
}

/// The most bytes a variable's value keeps: values that use themselves (`X=$X$X`, line after
/// line) would otherwise double without bound.
pub(super) const MAX_VALUE: usize = 4096;

/// The most bytes a line may grow to once its uses are replaced; past it the line is read as
/// written.
pub(super) const MAX_LINE: usize = 64 * 1024;

/// `value`, cut to [`MAX_VALUE`] bytes (at a character boundary).
pub(super) fn capped(value: &str) -> String {
    let mut end = value.len().min(MAX_VALUE);
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    value[..end].to_string()
}

fn bind<'t>(vars: &mut HashMap<&'t str, String>, name: &'t str, value: &str) {
    let v = vars.entry(name).or_default();
    if v.len() >= MAX_VALUE {
        return;
    }
    if !v.is_empty() {
        v.push(' ');
    }
    v.push_str(&capped(value));
}

/// `text` with each use `uses` finds (its first group that took part is the name) replaced by
/// the name's value; values are themselves expanded first, a few rounds deep.
fn substitute<'t>(text: &'t str, vars: &HashMap<&str, String>, uses: &Regex) -> Cow<'t, str> {
    if vars.is_empty() {
        return Cow::Borrowed(text);
    }
    let name_of = |c: &Captures<'_>| {
        (1..c.len())
            .find_map(|i| c.get(i))
            .map(|m| m.as_str().to_string())
            .unwrap_or_default()
    };
    // Values that use other variables (`LIBS = -l$(ENGINE)`), three rounds deep: no loop on
    // a variable that uses itself.
    let mut resolved: HashMap<&str, String> = vars.clone();
    for _ in 0..3 {
        let before = resolved.clone();
        for v in resolved.values_mut() {
            let grown = uses.replace_all(v, |c: &Captures<'_>| {
                before
                    .get(name_of(c).as_str())
                    .cloned()
                    .unwrap_or_else(|| c[0].to_string())
            });
            *v = capped(&grown);
        }
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let replaced = uses.replace_all(line, |c: &Captures<'_>| {
            // A value never brings a line break in: line numbers stay.
            resolved
                .get(name_of(c).as_str())
                .map(|v| v.replace('\n', " "))
                .unwrap_or_else(|| c[0].to_string())
        });
        // A line that uses a value many times is read as written, not grown without bound.
        out.push_str(if replaced.len() > MAX_LINE {
            line
        } else {
            &replaced
        });
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn make_variables_are_put_in_place() {
        let mk = "ENGINE := scanengine\n# ENGINE = old_engine\nLIBS = -l$(ENGINE)\nLIBS += -lz\nexport SDK ?= vendorsdk\napp:\n\tcc -o app $(LIBS) -l${SDK} $(UNSET)\n";
        let got = make_expanded(mk);
        assert_eq!(
            got.lines().nth(6),
            Some("\tcc -o app -lscanengine -lz -lvendorsdk $(UNSET)")
        );
        assert_eq!(got.lines().count(), mk.lines().count());
        // qmake's own syntax.
        let pro = "ENGINE = scanengine\nLIBS += -l$$ENGINE -l$${ENGINE}\n";
        assert_eq!(
            make_expanded(pro).lines().nth(1),
            Some("LIBS += -lscanengine -lscanengine")
        );
        // A variable that uses itself does not loop, and values that double stay bounded.
        assert!(make_expanded("A = $(A) x\nB = $(A)\n").contains("B = "));
        let doubling: String = (0..60)
            .map(|i| format!("X{} = $(X{i})$(X{i})\n", i + 1))
            .collect();
        let text = format!("X0 = abcdefgh\n{doubling}all:\n\tcc $(X60) $(X60) -lz\n");
        let got = make_expanded(&text);
        assert!(got.len() < text.len() + 64 * MAX_VALUE, "{}", got.len());
        assert!(got.ends_with("-lz\n"));
    }

    #[test]
    fn cmake_variables_are_put_in_place() {
        let cm = "if(WIN32)\n  set(ENGINE_LIB scanengine64)\nelse()\n  set(ENGINE_LIB \"scanengine\" CACHE STRING \"engine\")\nendif()\n# set(ENGINE_LIB old_engine)\nlist(APPEND EXTRA vendorsdk)\ntarget_link_libraries(app PRIVATE ${ENGINE_LIB} ${EXTRA} ${UNSET})\n";
        let got = cmake_expanded(cm);
        assert_eq!(
            got.lines().nth(7),
            Some("target_link_libraries(app PRIVATE scanengine64 scanengine vendorsdk ${UNSET})")
        );
    }
}
