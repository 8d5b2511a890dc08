//! Strings that build-time code decodes only when it runs. A script that hides the URL it
//! downloads from (`U=$(echo aHR0cHM6Ly9… | base64 -d); curl -o sdk.tgz "$U"`, `$(echo
//! moc.rodnev.daolnwod//:sptth | rev)`, `H=$'\x6b\x61…'`, PowerShell's
//! `[Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('…'))` or `-EncodedCommand`, a
//! build script's `STANDARD.decode("aHR0…")`, Python's `'…'[::-1]`) holds no listed word a
//! search can find, and its download is only what it decodes. [`as_run`] is the file with every
//! such expression replaced by the text it evaluates to, line for line, which the deep scan and
//! the build-script reader then read as they read the file itself.
//!
//! Only pure transformations of a literal are evaluated (base64 and hex decoding, reversal,
//! ROT13), never anything that runs, and only in code a build runs (see [`build_time`]): shell,
//! PowerShell and batch scripts, CI pipelines and task runners' files, Dockerfiles, makefiles,
//! CMake and Gradle files, `build.rs`, `setup.py`, `conanfile.py` and `package.json` (its
//! `scripts`). A result that is not printable text (a binary, another encoding) is left as
//! written.

use std::borrow::Cow;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use regex::{Captures, Regex};

use super::{FileName, re};

/// The file named `name` as it reads once the literals it decodes at run time are decoded (see
/// the module), or `None` when it is not build-time code or decodes nothing.
pub fn as_run(name: &str, text: &str) -> Option<String> {
    static TRIGGERS: LazyLock<AhoCorasick> = LazyLock::new(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build([
                "$'",
                "base64",
                "b64decode",
                "decode64",
                "atob(",
                "frombase64",
                "decodestring",
                ".decode(",
                "decodebase64",
                "buffer.from",
                "| rev",
                "|rev",
                "rev <<<",
                ".rev()",
                "xxd",
                "[::-1]",
                "reverse()",
                "powershell",
                "pwsh",
                "| tr ",
                "|tr ",
            ])
            .expect("fixed patterns")
    });
    if !build_time(name) || !TRIGGERS.is_match(text) {
        return None;
    }
    let mut changed = false;
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let run = if TRIGGERS.is_match(line) {
            decode_line(line)
        } else {
            Cow::Borrowed(line)
        };
        changed |= matches!(run, Cow::Owned(_));
        out.push_str(&run);
    }
    changed.then_some(out)
}

/// Whether the file named `name` is code a build runs (see the module). Asked of every text
/// file: decided on its base name and extension without allocating, but for the few names a CI
/// pipeline or task runner's file may have.
fn build_time(name: &str) -> bool {
    const EXTS: &[&str] = &[
        "sh", "bash", "zsh", "ksh", "ps1", "psm1", "bat", "cmd", "mk", "cmake", "gradle",
    ];
    const BASES: &[&str] = &[
        "build.rs",
        "setup.py",
        "conanfile.py",
        "noxfile.py",
        "dockerfile",
        "containerfile",
        "makefile",
        "gnumakefile",
        "cmakelists.txt",
        "package.json",
        "build.gradle.kts",
        "settings.gradle.kts",
    ];
    let path = name.rsplit('!').next().unwrap_or(name);
    let base = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let ext = base.rsplit_once('.').map_or("", |(_, e)| e);
    let prefix = |p: &str| {
        base.get(..p.len())
            .is_some_and(|b| b.eq_ignore_ascii_case(p))
    };
    EXTS.iter().any(|e| ext.eq_ignore_ascii_case(e))
        || BASES.iter().any(|b| base.eq_ignore_ascii_case(b))
        || prefix("dockerfile.")
        || ext.eq_ignore_ascii_case("dockerfile")
        || ([
            "yml",
            "yaml",
            "json",
            "toml",
            "ini",
            "just",
            "jenkinsfile",
            "",
        ]
        .iter()
        .any(|e| ext.eq_ignore_ascii_case(e))
            || prefix("jenkinsfile"))
            && super::script::carrier(&FileName::new(name))
}

/// One line with its decoding expressions evaluated; its line break kept, and any break inside
/// a decoded value written as `; ` so that lines keep their numbers.
fn decode_line(line: &str) -> Cow<'_, str> {
    let mut text = Cow::Borrowed(line);
    for rule in [
        ansi_c,
        pipelines,
        powershell_strings,
        powershell_commands,
        calls,
        groovy_calls,
        reversals,
    ] {
        if let Some(s) = rule(&text) {
            text = Cow::Owned(s);
        }
    }
    text
}

/// `line` with each match of `pattern` replaced by what `f` makes of it (`None`: left as
/// written); `None` when nothing changed.
fn replaced(
    line: &str,
    pattern: &Regex,
    f: impl Fn(&Captures<'_>) -> Option<String>,
) -> Option<String> {
    let mut changed = false;
    let out = pattern.replace_all(line, |c: &Captures<'_>| match f(c) {
        Some(s) => {
            changed = true;
            s
        }
        None => c[0].to_string(),
    });
    changed.then(|| out.into_owned())
}

/// Bash's ANSI-C quoting: `$'\x6b\x61'` is `'ka'` (its escapes read as string literals' are,
/// by [`crate::text::escapes::unescape`]; one holding a control character is a terminal
/// sequence, not text a script uses).
fn ansi_c(line: &str) -> Option<String> {
    static QUOTED: LazyLock<Regex> = LazyLock::new(|| re(r"\$'((?:[^'\\]|\\.)*)'"));
    replaced(line, &QUOTED, |c| {
        // Bash's escapes of control characters (`\e`, `\a`, `\cX`…): a terminal sequence.
        let mut rest = c[1].as_bytes();
        while let Some(p) = memchr::memchr(b'\\', rest) {
            if matches!(
                rest.get(p + 1),
                Some(b'a' | b'b' | b'e' | b'E' | b'f' | b'v' | b'c')
            ) {
                return None;
            }
            rest = &rest[(p + 2).min(rest.len())..];
        }
        let text = crate::text::escapes::unescape(&c[1]).unwrap_or_else(|| c[1].to_string());
        Some(quote(&printable(text.as_bytes())?, '\''))
    })
}

/// The decoding commands a pipeline's stage may be (see [`transform`]).
const STAGE_PATTERN: &str = concat!(
    r"base64\s+(?:-d|--decode|-D|-di|-id)(?:\s+-[iw]\s*0?)?",
    r"|openssl\s+(?:enc\s+)?(?:-?base64\s+-d|-d\s+-base64)(?:\s+-A)?",
    r"|rev",
    r"|xxd\s+(?:-r\s+-p|-p\s+-r|-rp|-pr|-r\s+-ps|-ps\s+-r)",
    r#"|tr\s+['"]?(?:A-Za-z|a-zA-Z)['"]?\s+['"]?(?:N-ZA-Mn-za-m|n-za-mN-ZA-M)['"]?"#,
);

/// A shell pipeline from a literal through decoding commands: `echo <b64> | base64 -d`, `printf
/// %s <hex> | xxd -r -p`, `echo <text> | rev`, `base64 -d <<< "<b64>"`, `echo … | tr
/// 'A-Za-z' 'N-ZA-Mn-za-m'`, and chains of them; a command substitution (`$(…)`, backticks) of
/// one is its value. What the pipeline goes on to (`| sh`) stays.
fn pipelines(line: &str) -> Option<String> {
    static SOURCE: LazyLock<Regex> = LazyLock::new(|| {
        re(concat!(
            r#"(?i)\b(?:echo|printf)(?:\s+-[neE]+)*(?:\s+(?:'%s'|"%s"|%s))?\s+"#,
            r#"("[^"`$]*"|'[^']*'|[^\s|;)`'"<>]+)"#,
        ))
    });
    static HERE: LazyLock<Regex> = LazyLock::new(|| {
        re(&format!(
            r#"(?i)\b({STAGE_PATTERN})\s*<<<\s*("[^"`$]*"|'[^']*'|[^\s|;)`'"<>]+)"#
        ))
    });
    static STAGE: LazyLock<Regex> =
        LazyLock::new(|| re(&format!(r"(?i)^\s*(?:{STAGE_PATTERN})(?:[\s|;)`]|$)")));
    // From `at`: each `| <decoding command>` that follows, applied to `value`; where the last
    // ends, and how many there were. `None` when one cannot decode what it is given.
    let more = |mut at: usize, mut value: Vec<u8>| -> Option<(usize, Vec<u8>, usize)> {
        let mut n = 0;
        while let Some(after) = line[at..].trim_start().strip_prefix('|')
            && let Some(m) = STAGE.find(after)
        {
            // The command without what ends it.
            let end = after[..m.end()]
                .trim_end_matches(['|', ';', ')', '`'])
                .trim_end()
                .len();
            value = transform(after[..end].trim(), &value)?;
            at = line.len() - after.len() + end;
            n += 1;
        }
        Some((at, value, n))
    };
    let mut spans: Vec<(usize, usize, String)> = Vec::new();
    let mut push = |start: usize, end: usize, value: &[u8]| {
        let Some(text) = printable(value) else { return };
        let text = text.trim_end_matches('\n').replace('\n', "; ");
        // A command substitution of the pipeline is its value.
        let before = line[..start].trim_end();
        let after = line[end..].trim_start();
        let closing = line.len() - after.len();
        let (s, e) = if before.ends_with("$(") && after.starts_with(')') {
            (before.len() - 2, closing + 1)
        } else if before.ends_with('`') && after.starts_with('`') {
            (before.len() - 1, closing + 1)
        } else {
            (start, end)
        };
        if spans.last().is_none_or(|&(_, last, _)| s >= last) {
            spans.push((s, e, text));
        }
    };
    for c in SOURCE.captures_iter(line) {
        let (whole, arg) = (c.get(0).expect("match"), c.get(1).expect("group"));
        let value = unquote(arg.as_str()).as_bytes().to_vec();
        // An `echo` is a source only when a decoding command reads it.
        if let Some((end, value, 1..)) = more(whole.end(), value) {
            push(whole.start(), end, &value);
        }
    }
    for c in HERE.captures_iter(line) {
        let (whole, stage, arg) = (
            c.get(0).expect("match"),
            c.get(1).expect("group"),
            c.get(2).expect("group"),
        );
        if let Some((end, value, _)) = transform(stage.as_str(), unquote(arg.as_str()).as_bytes())
            .and_then(|value| more(whole.end(), value))
        {
            push(whole.start(), end, &value);
        }
    }
    splice(line, spans)
}

/// One decoding command applied to `value`.
fn transform(stage: &str, value: &[u8]) -> Option<Vec<u8>> {
    let word = stage
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match word.as_str() {
        "base64" | "openssl" => base64_bytes(std::str::from_utf8(value).ok()?),
        "rev" => {
            let s = std::str::from_utf8(value).ok()?;
            let s = s.strip_suffix('\n').unwrap_or(s);
            Some(
                s.split('\n')
                    .map(|l| l.chars().rev().collect::<String>())
                    .collect::<Vec<_>>()
                    .join("\n")
                    .into_bytes(),
            )
        }
        "xxd" => {
            let hex: String = std::str::from_utf8(value)
                .ok()?
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            hex::decode(hex).ok()
        }
        "tr" => Some(value.iter().map(|&b| rot13(b)).collect()),
        _ => None,
    }
}

fn rot13(b: u8) -> u8 {
    match b {
        b'a'..=b'z' => (b - b'a' + 13) % 26 + b'a',
        b'A'..=b'Z' => (b - b'A' + 13) % 26 + b'A',
        _ => b,
    }
}

/// PowerShell's `[Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('…'))`
/// (`Unicode`: UTF-16) is the string it decodes.
fn powershell_strings(line: &str) -> Option<String> {
    static GET_STRING: LazyLock<Regex> = LazyLock::new(|| {
        re(concat!(
            r#"(?i)\[(?:System\.)?Text\.Encoding\]::(\w+)\.GetString\(\s*"#,
            r#"\[(?:System\.)?Convert\]::FromBase64String\(\s*['"]([A-Za-z0-9+/=\s]+)['"]\s*\)\s*\)"#,
        ))
    });
    replaced(line, &GET_STRING, |c| {
        let bytes = base64_bytes(&c[2])?;
        let text = if c[1].eq_ignore_ascii_case("unicode") {
            utf16le(&bytes)?
        } else {
            printable(&bytes)?
        };
        Some(quote(&text.replace('\n', "; "), '"'))
    })
}

/// `powershell -EncodedCommand …` (`-enc`, `-e`: base64 of UTF-16) runs the command it
/// encodes.
fn powershell_commands(line: &str) -> Option<String> {
    static ENCODED: LazyLock<Regex> = LazyLock::new(|| {
        re(concat!(
            r#"(?i)\b((?:powershell|pwsh)(?:\.exe)?)\b([^|;]*?)\s-e(?:c|nc|ncodedcommand)?\s+"#,
            r#"['"]?([A-Za-z0-9+/]{8,}={0,2})['"]?"#,
        ))
    });
    replaced(line, &ENCODED, |c| {
        let command = utf16le(&base64_bytes(&c[3])?)?;
        Some(format!(
            "{}{} -Command {}",
            &c[1],
            &c[2],
            command.replace('\n', "; ")
        ))
    })
}

/// A base64 literal handed to a decoding call, in the languages build code is written in:
/// Python's `b64decode("…")`, PHP's `base64_decode`, Ruby's `Base64.decode64`, JavaScript's
/// `atob` and `Buffer.from("…", "base64")`, Go's `DecodeString`, Java's and Rust's
/// `….decode("…")`: the literal is replaced by the text it decodes to.
fn calls(line: &str) -> Option<String> {
    static CALL: LazyLock<Regex> = LazyLock::new(|| {
        re(concat!(
            r#"(?i)(?:b64decode|urlsafe_b64decode|base64_decode|decode64|atob|FromBase64String"#,
            r#"|DecodeString|\.decode|Buffer\.from)\s*\(\s*b?(['"])([A-Za-z0-9+/_-]{8,}={0,2})['"]"#,
        ))
    });
    replaced(line, &CALL, decoded_literal)
}

/// Groovy's `"…".decodeBase64()`, as [`calls`].
fn groovy_calls(line: &str) -> Option<String> {
    static GROOVY: LazyLock<Regex> =
        LazyLock::new(|| re(r#"(['"])([A-Za-z0-9+/_-]{8,}={0,2})['"]\s*\.decodeBase64\(\)"#));
    replaced(line, &GROOVY, decoded_literal)
}

/// A match of [`calls`]' or [`groovy_calls`]' patterns (group 1 the quote, group 2 the base64)
/// with the literal replaced by the text it decodes to, in the same quotes.
fn decoded_literal(c: &Captures<'_>) -> Option<String> {
    let whole = c.get(0).expect("match");
    let lit = c.get(2).expect("group");
    let text = printable(&base64_bytes(lit.as_str())?)?;
    let q = c[1].chars().next().unwrap_or('"');
    let head = &whole.as_str()[..lit.start() - whole.start() - 1];
    let tail = &whole.as_str()[lit.end() - whole.start() + 1..];
    Some(format!(
        "{head}{}{tail}",
        quote(&text.replace('\n', "; "), q)
    ))
}

/// A literal reversed where it is used: Python's `'…'[::-1]`, Rust's `"…".chars().rev()`,
/// JavaScript's `'…'.split('').reverse().join('')`; the literal is replaced by its reversal.
fn reversals(line: &str) -> Option<String> {
    static REVERSED: LazyLock<Regex> = LazyLock::new(|| {
        re(concat!(
            r#"(['"])([^'"\\\n]{6,})['"](\s*\[\s*::\s*-1\s*\]|\s*\.chars\(\)\s*\.rev\(\)"#,
            r#"|\s*\.split\(\s*(?:''|"")\s*\)\s*\.reverse\(\)\s*\.join\(\s*(?:''|"")\s*\))"#,
        ))
    });
    replaced(line, &REVERSED, |c| {
        let q = c[1].chars().next().unwrap_or('"');
        if !c[0][c[2].len() + 1..].starts_with(q) {
            return None;
        }
        let text: String = c[2].chars().rev().collect();
        Some(format!("{}{}", quote(&text, q), &c[3]))
    })
}

/// `line` with each span (sorted, apart) replaced by its text; `None` without spans.
fn splice(line: &str, spans: Vec<(usize, usize, String)>) -> Option<String> {
    if spans.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(line.len());
    let mut copied = 0;
    for (s, e, text) in spans {
        out.push_str(&line[copied..s]);
        out.push_str(&text);
        copied = e;
    }
    out.push_str(&line[copied..]);
    Some(out)
}

/// A quoted or bare shell word's contents.
fn unquote(arg: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = arg.strip_prefix(q).and_then(|a| a.strip_suffix(q)) {
            return inner;
        }
    }
    arg
}

/// `text` in quotes `q` (the other kind where it holds `q`).
fn quote(text: &str, q: char) -> String {
    let q = if text.contains(q) {
        if q == '"' { '\'' } else { '"' }
    } else {
        q
    };
    format!("{q}{text}{q}")
}

/// Base64 in either alphabet, padded or not, whitespace ignored.
fn base64_bytes(s: &str) -> Option<Vec<u8>> {
    const CONFIG: GeneralPurposeConfig = GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true);
    const STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, CONFIG);
    const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, CONFIG);
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if s.len() < 8 {
        return None;
    }
    STANDARD.decode(&s).or_else(|_| URL_SAFE.decode(&s)).ok()
}

/// `bytes` as text when they are printable UTF-8 (tabs and line breaks allowed), else `None`:
/// a decoded binary is not a string a script uses.
fn printable(bytes: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(bytes).ok()?;
    (!s.trim().is_empty()
        && !s
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')))
    .then(|| s.replace('\r', ""))
}

/// UTF-16LE bytes as printable text.
fn utf16le(bytes: &[u8]) -> Option<String> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .collect();
    printable(String::from_utf16(&units).ok()?.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::as_run;

    const URL: &str = "https://downloads.example.org/sdk/engine-8.1.tgz";

    fn run(name: &str, text: &str) -> String {
        as_run(name, text).unwrap_or_else(|| panic!("{name}: nothing decoded in {text:?}"))
    }

    #[test]
    fn shell_pipelines_and_substitutions_are_their_values() {
        let b64 = "aHR0cHM6Ly9kb3dubG9hZHMuZXhhbXBsZS5vcmcvc2RrL2VuZ2luZS04LjEudGd6";
        let cases = [
            (
                format!("U=$(echo {b64} | base64 -d)\n"),
                format!("U={URL}\n"),
            ),
            (
                format!("U=`echo -n '{b64}' | base64 --decode`\n"),
                format!("U={URL}\n"),
            ),
            (
                format!("curl -o x \"$(printf %s {b64} | base64 -D)\"\n"),
                format!("curl -o x \"{URL}\"\n"),
            ),
            (
                format!("base64 -d <<< \"{b64}\" | sh\n"),
                format!("{URL} | sh\n"),
            ),
            (
                format!("echo {b64} | openssl enc -base64 -d -A > u.txt\n"),
                format!("{URL} > u.txt\n"),
            ),
            (
                "H=$(echo gro.elpmaxe.sdaolnwod | rev)\n".to_string(),
                "H=downloads.example.org\n".to_string(),
            ),
            (
                "H=$(echo qbjaybnqf.rknzcyr.bet | tr 'A-Za-z' 'N-ZA-Mn-za-m')\n".to_string(),
                "H=downloads.example.org\n".to_string(),
            ),
            (
                "H=$(printf %s 646f776e6c6f616473 | xxd -r -p)\n".to_string(),
                "H=downloads\n".to_string(),
            ),
            // A chain: base64 of the reversed host.
            (
                format!(
                    "H=$(echo {} | base64 -d | rev)\n",
                    "Z3JvLmVscG1heGUuc2Rhb2xud29k"
                ),
                "H=downloads.example.org\n".to_string(),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(run("get.sh", &text), want, "{text}");
        }
    }

    #[test]
    fn ansi_c_quoting_is_its_characters() {
        assert_eq!(
            run("get.bash", "H=$'\\x65\\x78\\141\\u006dple'\n"),
            "H='example'\n"
        );
        // A control character no URL holds: left as written.
        assert_eq!(as_run("get.sh", "printf $'\\e[1mbold'\n"), None);
    }

    #[test]
    fn powershell_decodes_strings_and_encoded_commands() {
        let text = "$u = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('aHR0cHM6Ly9kb3dubG9hZHMuZXhhbXBsZS5vcmcvc2RrL2VuZ2luZS04LjEudGd6'))\n";
        assert_eq!(run("fetch.ps1", text), format!("$u = \"{URL}\"\n"));
        let text = "powershell.exe -NoProfile -enc aQB3AHIAIABoAHQAdABwAHMAOgAvAC8AZABvAHcAbgBsAG8AYQBkAHMALgBlAHgAYQBtAHAAbABlAC4AbwByAGcALwBzAGQAawAvAGUAbgBnAGkAbgBlAC0AOAAuADEALgB0AGcAegA=\n";
        assert_eq!(
            run("build.bat", text),
            format!("powershell.exe -NoProfile -Command iwr {URL}\n")
        );
    }

    #[test]
    fn decoding_calls_and_reversals_in_build_code() {
        let cases = [
            (
                "build.rs",
                "let u = STANDARD.decode(\"aHR0cHM6Ly9kb3dubG9hZHMuZXhhbXBsZS5vcmcvc2RrL2VuZ2luZS04LjEudGd6\").unwrap();\n",
                format!("let u = STANDARD.decode(\"{URL}\").unwrap();\n"),
            ),
            (
                "setup.py",
                "u = base64.b64decode(b'aHR0cHM6Ly9kb3dubG9hZHMuZXhhbXBsZS5vcmcvc2RrL2VuZ2luZS04LjEudGd6')\n",
                format!("u = base64.b64decode(b'{URL}')\n"),
            ),
            (
                "build.gradle",
                "def u = new String('aHR0cHM6Ly9kb3dubG9hZHMuZXhhbXBsZS5vcmcvc2RrL2VuZ2luZS04LjEudGd6'.decodeBase64())\n",
                format!("def u = new String('{URL}'.decodeBase64())\n"),
            ),
            (
                "package.json",
                "\"x\": \"node -e \\\"fetch(atob('aHR0cHM6Ly9kb3dubG9hZHMuZXhhbXBsZS5vcmcvc2RrL2VuZ2luZS04LjEudGd6'))\\\"\"\n",
                format!("\"x\": \"node -e \\\"fetch(atob('{URL}'))\\\"\"\n"),
            ),
            (
                "build.rs",
                "let h: String = \"gro.elpmaxe\".chars().rev().collect();\n",
                "let h: String = \"example.org\".chars().rev().collect();\n".to_string(),
            ),
            (
                "setup.py",
                "h = 'gro.elpmaxe'[::-1]\n",
                "h = 'example.org'[::-1]\n".to_string(),
            ),
        ];
        for (name, text, want) in cases {
            assert_eq!(run(name, text), want, "{name}: {text}");
        }
    }

    #[test]
    fn only_build_code_and_only_text_results() {
        let text = "U=$(echo aHR0cHM6Ly9kb3dubG9hZHMuZXhhbXBsZS5vcmcvc2RrL2VuZ2luZS04LjEudGd6 | base64 -d)\n";
        // Documentation and other sources are not run by a build.
        for name in ["README.md", "docs/get.txt", "src/lib.rs", "app/main.py"] {
            assert_eq!(as_run(name, text), None, "{name}");
        }
        for name in [
            "scripts/get.sh",
            ".github/workflows/ci.yml",
            "Dockerfile",
            "docker/app.dockerfile",
            "Makefile",
            "build.rs",
            "cmake/deps.cmake",
        ] {
            assert!(as_run(name, text).is_some(), "{name}");
        }
        // Bytes that are not text (a binary's base64), a word too short to be base64, and a
        // pipeline into something that is not a decoder stay as written.
        assert_eq!(
            as_run("get.sh", "X=$(echo f39GTEYCAQEAAAAA | base64 -d)\n"),
            None
        );
        assert_eq!(as_run("get.sh", "X=$(echo abc | base64 -d)\n"), None);
        assert_eq!(as_run("get.sh", "echo hello | grep h | rev2\n"), None);
        // Lines keep their numbers: a decoded script's lines are joined.
        let two = format!(
            "echo {} | base64 -d | sh\nnext\n",
            "Y3VybCAtTyBhCnRhciB4ZiBhCg=="
        );
        assert_eq!(run("get.sh", &two), "curl -O a; tar xf a | sh\nnext\n");
    }
}
