//! Evidence stage, deep scan, rendered documents: the text a document shows (an RTF file, an
//! office document's XML: see `rtf` and `office`), line by line, with the source line each
//! rendered line comes from, which the text scan reads in place of the source.

/// A document as it renders (see `rtf` and `office`): one line of `text` per rendered line, and
/// for each the source line (1-based) its first shown character came from, so that evidence
/// points at the source.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Rendered {
    pub text: String,
    pub lines: Vec<u32>,
    /// Nothing of the current rendered line is shown yet.
    fresh: bool,
}

impl Rendered {
    pub fn new() -> Rendered {
        Rendered {
            text: String::new(),
            lines: vec![1],
            fresh: true,
        }
    }

    /// The current rendered line shows something from source line `line`: the first such
    /// says where the line comes from.
    pub fn starts(&mut self, line: u32) {
        if self.fresh {
            self.fresh = false;
            if let Some(l) = self.lines.last_mut() {
                *l = line;
            }
        }
    }

    /// Ends the current rendered line; the next one comes from `line` unless something shown
    /// on it says otherwise.
    pub fn end_line(&mut self, line: u32) {
        self.text.push('\n');
        self.lines.push(line);
        self.fresh = true;
    }
}
