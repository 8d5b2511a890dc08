//! Demo dependency: the bindings.
