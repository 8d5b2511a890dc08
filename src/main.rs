//! The `cargo-entitycheck` binary: a thin app over the library (see `app`).

mod app;

/// mimalloc: loading a whole screening list makes millions of small allocations across threads,
/// where it is several times faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    app::main()
}
