//! The `cargo-entitycheck` binary: a thin app over the library (see `app`).

mod app;

/// mimalloc: loading a whole screening list makes millions of small allocations across threads,
/// where it is several times faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc keeps freed memory for a second and commits arenas eagerly, which took the peak
/// memory of a deep scan (files read and dropped on every thread) from ~150 to ~270 MiB on uv.
/// Freed memory is returned after 10 ms and arenas are committed as used: ~180 MiB, and faster
/// than returning it at once (every page freed and faulted in again). Transparent huge pages
/// stay on: without them (`prctl(PR_SET_THP_DISABLE)`) the cold uv check peaked lower (153
/// against 181 MiB) but ran about 6% slower, and a warm check was no faster.
fn return_memory_promptly() {
    // `mi_option_t` of the mimalloc v3 sources that `libmimalloc-sys` 0.1.49 (pinned in
    // Cargo.lock) builds: `mi_option_arena_eager_commit` = 4, `mi_option_purge_delay` = 15.
    const ARENA_EAGER_COMMIT: std::ffi::c_int = 4;
    const PURGE_DELAY: std::ffi::c_int = 15;
    unsafe extern "C" {
        fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    }
    // SAFETY: setting documented options of the allocator linked in, before any thread starts.
    unsafe {
        mi_option_set(ARENA_EAGER_COMMIT, 0);
        mi_option_set(PURGE_DELAY, 10);
    }
}

fn main() -> std::process::ExitCode {
    return_memory_promptly();
    app::main()
}
