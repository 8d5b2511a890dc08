//! The `cargo-entitycheck` binary: a thin app over the library (see `app`).

mod app;

/// mimalloc: loading a whole screening list makes millions of small allocations across threads,
/// where it is several times faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc keeps freed memory for a second and commits arenas eagerly, which took the peak
/// memory of a deep scan (files read and dropped on every thread) from ~150 to ~270 MiB on uv.
/// Freed memory is returned after 10 ms and arenas are committed as used: ~180 MiB, and faster
/// than returning it at once (every page freed and faulted in again).
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
    no_huge_pages();
}

/// No transparent huge pages for this process: mimalloc asks for them on its arenas (before
/// `main`, so its own option comes too late), and each first touch of a 2 MiB page zeroes all
/// of it: about 50 such pages, most of a warm check's own CPU time, for a run that uses tens of
/// MiB; a whole screening list runs no faster with them. The setting is inherited by the
/// `cargo metadata` the check starts (its allocator does not ask for huge pages).
fn no_huge_pages() {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    // SAFETY: prctl with an integer option and integer arguments; it touches no memory of ours.
    // A kernel without the option returns an error, which changes nothing.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn main() -> std::process::ExitCode {
    return_memory_promptly();
    app::main()
}
