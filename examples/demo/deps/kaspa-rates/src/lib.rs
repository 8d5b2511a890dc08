//! Demo dependency that only looks like the listed name.
