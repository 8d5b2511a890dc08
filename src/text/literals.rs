//! String literals a program joins into one string: `"Kasp" "ersky"` (C, C++, Python adjacent
//! literals), `"Kasp" + "ersky"` (JavaScript, Java, C#, Python), `'Kasp' . 'ersky'` (PHP, Perl),
//! `"Kasp" .. "ersky"` (Lua), `"Kasp" & "ersky"` (Visual Basic), `"Kasp" ~ "ersky"` (D),
//! `'Kasp' || 'ersky'` (SQL) and `concat!("Kasp", "ersky")` (Rust). A name split that way is
//! the name to whoever runs the code.

/// `line` with each run of joined literals written as the one literal it makes
/// (`concat!("AO Kasp", "ersky Lab")` → `concat!("AO Kaspersky Lab")`), or `None` when no two
/// literals on it are joined. Literals are quoted with `"`, `'` or `` ` ``, a backslash escaping
/// the next character; a quote that is never closed (an apostrophe in prose, a Rust lifetime)
/// starts no literal.
pub fn join_literals(line: &str) -> Option<String> {
    let b = line.as_bytes();
    let mut lits: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let q = b[i];
        if !matches!(q, b'"' | b'\'' | b'`') {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        let mut close = None;
        while j < b.len() {
            if b[j] == b'\\' {
                j += 2;
                continue;
            }
            if b[j] == q {
                close = Some(j);
                break;
            }
            j += 1;
        }
        match close {
            Some(j) => {
                lits.push((i, j));
                i = j + 1;
            }
            None => i += 1,
        }
    }
    if lits.len() < 2 {
        return None;
    }
    // A comma joins only inside `concat!`: elsewhere it separates the items of a list.
    let commas = line.contains("concat!");
    let mut out = String::with_capacity(line.len());
    let (mut copied, mut k, mut joined) = (0usize, 0usize, false);
    while k < lits.len() {
        let mut e = k;
        while e + 1 < lits.len() && joins(&line[lits[e].1 + 1..lits[e + 1].0], commas) {
            e += 1;
        }
        if e > k {
            let q = &line[lits[k].0..=lits[k].0];
            out.push_str(&line[copied..lits[k].0]);
            out.push_str(q);
            for &(o, c) in &lits[k..=e] {
                out.push_str(&line[o + 1..c]);
            }
            out.push_str(q);
            copied = lits[e].1 + 1;
            joined = true;
        }
        k = e + 1;
    }
    if !joined {
        return None;
    }
    out.push_str(&line[copied..]);
    Some(out)
}

/// Whether the text between two literals joins them.
fn joins(gap: &str, commas: bool) -> bool {
    match gap.trim() {
        "" | "+" | "." | ".." | "&" | "~" | "||" => true,
        "," => commas,
        _ => false,
    }
}

#[cfg(test)]
mod tests;
