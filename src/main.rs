//! The `cargo-entitycheck` binary: a thin app over the library (see `app`).

mod app;

/// mimalloc: loading a whole screening list makes millions of small allocations across threads,
/// where it is several times faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Arenas are committed as used (eager commit had taken the peak of a deep scan from ~150 to
/// ~270 MiB on uv), and freed memory is kept for 100 ms before it is returned. Returning it
/// after 10 ms had held the peak down while every file was read into a fresh buffer; with one
/// reused buffer per worker it mostly made the kernel zero the same pages again (647 `madvise`
/// calls on a cold uv check). Keeping it a whole second was no faster than 100 ms and took the
/// peak of a cold yara-x check to 174–192 MiB (100 ms: 138–152 MiB).
///
/// Transparent huge pages are off for the process. mimalloc asks for them on its arenas, so
/// the first touch of each 2 MiB region made the kernel zero all of it, and each purge split
/// one and had it faulted in again: the zeroing was up to 14% of a cold check's samples. In
/// paired runs without them a cold check took 0.96x the CPU on uv and 0.98x on yara-x, with
/// a steadier system time and a lower peak on yara-x (114 against 135 MiB). (Measured before
/// the fast stage was made cheaper, the difference was within the noise.)
///
/// The allocator is also built without its own request for them (`no_thp`): it reads its
/// options before `main`, and had already asked for huge pages on its first arena, so every
/// run, `--version` too, still faulted in two 2 MiB pages zeroed whole (on this project's
/// benchmark host, up to 7% of a cold check's samples in some runs, when the host had to back
/// the memory first).
///
/// `MIMALLOC_PURGE_DELAY`, `MIMALLOC_ARENA_EAGER_COMMIT` and `MIMALLOC_ALLOW_THP` in the
/// environment still win.
fn tune_allocator() {
    // `mi_option_t` of the mimalloc v3 sources that `libmimalloc-sys` 0.1.49 (pinned in
    // Cargo.lock) builds: `mi_option_arena_eager_commit` = 4, `mi_option_purge_delay` = 15,
    // `mi_option_allow_thp` = 43.
    const ARENA_EAGER_COMMIT: std::ffi::c_int = 4;
    const PURGE_DELAY: std::ffi::c_int = 15;
    const ALLOW_THP: std::ffi::c_int = 43;
    unsafe extern "C" {
        fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    }
    // Each option the environment does not set: the variable mimalloc reads, the option, and
    // the value chosen here.
    let options = [
        ("MIMALLOC_ARENA_EAGER_COMMIT", ARENA_EAGER_COMMIT, 0),
        ("MIMALLOC_PURGE_DELAY", PURGE_DELAY, 100),
        ("MIMALLOC_ALLOW_THP", ALLOW_THP, 0),
    ];
    for (variable, option, value) in options {
        if std::env::var_os(variable).is_none() {
            // SAFETY: setting documented options of the allocator linked in, before any
            // thread starts.
            unsafe { mi_option_set(option, value) };
            // The allocator reads `allow_thp` when it starts, before `main`, and then asks the
            // kernel itself; here the process asks. A kernel without the call refuses it, and
            // nothing changes but speed.
            #[cfg(target_os = "linux")]
            if option == ALLOW_THP {
                // SAFETY: `prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)` only sets a flag of this
                // process.
                let _ = unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
            }
        }
    }
}

fn main() -> std::process::ExitCode {
    tune_allocator();
    app::main()
}
