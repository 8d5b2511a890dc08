//! Demo dependency.
