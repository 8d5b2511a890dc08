//! The `cargo-entitycheck` binary: a thin app over the library (see `app`).

mod app;

fn main() -> std::process::ExitCode {
    app::main()
}
