//! Report, shared formatting: the small pieces of text every view writes the same way.

use super::escape::Esc;
use crate::graph::PathStep;

/// `app v0.1.0 → wrapper v0.2.0 → sdk-sys v0.3.1 (as sdk) [build]`
pub fn path(steps: &[PathStep]) -> String {
    steps
        .iter()
        .map(|st| {
            let mut s = format!("{} v{}", Esc(&st.name), Esc(&st.version));
            if let Some(r) = &st.renamed {
                s.push_str(&format!(" (as {})", Esc(r)));
            }
            if let Some(k) = st.edge.filter(|k| *k != crate::graph::DepKind::Normal) {
                s.push_str(&format!(" [{}]", k.as_str()));
            }
            s
        })
        .collect::<Vec<_>>()
        .join(" → ")
}
