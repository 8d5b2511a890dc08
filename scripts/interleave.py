#!/usr/bin/env python3
"""Times several commands in interleaved rounds and prints their medians as JSON.

    interleave.py RUNS OUT.json NAME=DIR::COMMAND [NAME=DIR::COMMAND ...]

COMMAND is split like a shell would; a word @FILE stands for the lines of FILE, one argument
each (thousands of package directories, too long for one string).

Each round runs every command once, in the order given; one warm-up round is not counted.
Running them side by side, round after round, means a slow spell of a shared machine slows
all of them alike, so the ratios between them hold even when the absolute times drift (timing
one command's runs and then the next's, as hyperfine does, puts each in a different spell).
Every run's wall time and CPU time (user + system of the command and everything it waited for,
from the operating system's accounting of finished children) is kept; the output has, per
command, its medians and all its times, and per pair of commands the median of the per-round
ratios (`ratio` for wall time, `cpu_ratio` for CPU time).
"""

import json
import resource
import shlex
import statistics
import subprocess
import sys
import time


def main() -> None:
    runs, out = int(sys.argv[1]), sys.argv[2]
    cmds = []
    for spec in sys.argv[3:]:
        name, rest = spec.split("=", 1)
        cwd, command = rest.split("::", 1)
        argv = []
        for word in shlex.split(command):
            if word.startswith("@"):  # @FILE: the file's lines, one argument each
                with open(word[1:]) as f:
                    argv.extend(line for line in f.read().splitlines() if line)
            else:
                argv.append(word)
        cmds.append((name, cwd, argv))
    times = {name: [] for name, _, _ in cmds}
    cpu = {name: [] for name, _, _ in cmds}
    for round_ in range(runs + 1):
        for name, cwd, argv in cmds:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            elapsed = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            # 0 and 1 are answers (pass/fail, match/no match); anything else is a broken run.
            if done.returncode not in (0, 1):
                sys.exit(f"{name}: `{shlex.join(argv)}` in {cwd} exited with {done.returncode}:\n"
                         + done.stderr.decode(errors="replace"))
            if round_ > 0:
                times[name].append(elapsed)
                cpu[name].append(used)
    ratios = {
        f"{a}/{b}": statistics.median(x / y for x, y in zip(times[a], times[b]))
        for a in times
        for b in times
        if a != b
    }
    cpu_ratios = {
        f"{a}/{b}": statistics.median(x / y for x, y in zip(cpu[a], cpu[b]) if y > 0)
        for a in cpu
        for b in cpu
        if a != b and any(y > 0 for y in cpu[b])
    }
    doc = {
        "runs": runs,
        "median": {name: statistics.median(t) for name, t in times.items()},
        "cpu_median": {name: statistics.median(t) for name, t in cpu.items()},
        "times": times,
        "cpu": cpu,
        "ratio": ratios,
        "cpu_ratio": cpu_ratios,
    }
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)


if __name__ == "__main__":
    main()
