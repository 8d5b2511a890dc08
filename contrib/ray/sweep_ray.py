#!/usr/bin/env python3
"""Sweep a registry's .crate files on a Ray cluster with `cargo entitycheck sweep`.

Ray schedules; the binary screens. Each shard (`--shard I/N`, partitioned by crate name) is one
Ray task running `cargo-entitycheck entitycheck sweep ... --jobs 1` on one CPU; a task that fails
(a non-zero exit, a lost node) is retried by Ray (`max_retries`, `retry_exceptions`), and a
retried shard resumes from what its output already holds. When every shard is done, the outputs
are merged into one sorted, deduplicated index (`sweep merge`) and, given a key, signed
(`sweep sign`, a DSSE envelope written beside the index).

On a cluster, the inputs, the output directory and the binary must be at the same paths on every
node (a shared file system); on one machine, `ray.init()` starts a local cluster. See the
manual's "Sweeping a registry" chapter (docs/src/sweep.md).

Usage:
  python3 sweep_ray.py --binary target/release/cargo-entitycheck --shards 64 \
      --out-dir /shared/sweep ~/.cargo/registry/cache [--list FILE] \
      [--crates-io-dump db-dump.tar.gz] [--registry-index DIR] [--sign KEY.pem] \
      [--address auto] [--as-of YYYY-MM-DD] [-- EXTRA SWEEP ARGS]
"""

import argparse
import json
import os
import subprocess
import sys
import time

import ray

# Retries of a failed shard. A shard resumes from its output, so a retry costs only the
# versions the failed attempt had not written.
MAX_RETRIES = 3


def shard_output(out_dir, index, count):
    return os.path.join(out_dir, f"shard-{index:05d}-of-{count:05d}.jsonl")


@ray.remote(num_cpus=1, max_retries=MAX_RETRIES, retry_exceptions=True)
def sweep_shard(binary, sweep_args, index, count, out_dir):
    """Runs one shard; raises (so Ray retries it) when the binary fails."""
    out = shard_output(out_dir, index, count)
    cmd = [binary, "entitycheck", "sweep", *sweep_args,
           "--shard", f"{index}/{count}", "--jobs", "1", "-o", out]
    started = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(
            f"shard {index}/{count}: exit {p.returncode}: {p.stderr.strip()[-2000:]}")
    return {"shard": index, "output": out, "seconds": time.monotonic() - started,
            "summary": p.stderr.strip().splitlines()[-1] if p.stderr.strip() else ""}


def count_lines(path):
    with open(path, "rb") as f:
        return sum(1 for _ in f)


def run(args, binary, sweep_args, out_dir):
    """Sweeps every shard as a Ray task, then merges (and signs) the index."""
    cpus = int(ray.cluster_resources().get("CPU", 1))
    started = time.monotonic()
    pending = [sweep_shard.remote(binary, sweep_args, i, args.shards, out_dir)
               for i in range(args.shards)]
    results = ray.get(pending)
    swept = time.monotonic() - started

    outputs = [r["output"] for r in sorted(results, key=lambda r: r["shard"])]
    index = os.path.join(out_dir, args.index_name)
    subprocess.run([binary, "entitycheck", "sweep", "merge", *outputs, "-o", index], check=True)
    if args.sign:
        subprocess.run([binary, "entitycheck", "sweep", "sign", index,
                        "--key", os.path.abspath(args.sign)], check=True)
    records = count_lines(index)
    task_seconds = sum(r["seconds"] for r in results)
    return {
        "index": index,
        "signed": bool(args.sign),
        "shards": args.shards,
        "cpus": cpus,
        "records": records,
        "seconds": round(swept, 3),
        "versions_per_second": round(records / swept, 2) if swept > 0 else None,
        "versions_per_second_per_core": round(records / swept / cpus, 2) if swept > 0 else None,
        "task_seconds": round(task_seconds, 3),
        # Versions per core-second of the tasks themselves (without Ray's scheduling and the
        # merge): the figure to multiply by the cores of a cluster.
        "versions_per_task_second": round(records / task_seconds, 2) if task_seconds > 0 else None,
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", help=".crate files or directories of them")
    ap.add_argument("--binary", required=True, help="the cargo-entitycheck binary")
    ap.add_argument("--shards", type=int, required=True, help="number of shards (tasks)")
    ap.add_argument("--out-dir", required=True, help="where shard outputs and the index go")
    ap.add_argument("--list", action="append", default=[], help="a file listing .crate paths")
    ap.add_argument("--crates-io-dump", help="a crates.io database dump (owners, checksums)")
    ap.add_argument("--registry-index", help="a registry index directory (checksums)")
    ap.add_argument("--as-of", help="evaluate verdicts at this date (YYYY-MM-DD)")
    ap.add_argument("--entities", action="append", default=[], help="another entity list")
    ap.add_argument("--sign", help="private key (PKCS#8 PEM) to sign the merged index with")
    ap.add_argument("--address", help="Ray cluster address (default: start a local one)")
    ap.add_argument("--num-cpus", type=int, help="CPUs of a local cluster (default: all)")
    ap.add_argument("--index-name", default="index.jsonl")
    args = ap.parse_args(argv)
    if args.shards < 1:
        ap.error("--shards must be at least 1")
    if not args.paths and not args.list:
        ap.error("give .crate paths or --list")

    binary = os.path.abspath(args.binary)
    out_dir = os.path.abspath(args.out_dir)
    os.makedirs(out_dir, exist_ok=True)
    sweep_args = [os.path.abspath(p) for p in args.paths]
    for lst in args.list:
        sweep_args += ["--list", os.path.abspath(lst)]
    if args.crates_io_dump:
        sweep_args += ["--crates-io-dump", os.path.abspath(args.crates_io_dump)]
    if args.registry_index:
        sweep_args += ["--registry-index", os.path.abspath(args.registry_index)]
    if args.as_of:
        sweep_args += ["--as-of", args.as_of]
    for e in args.entities:
        sweep_args += ["--entities", os.path.abspath(e)]

    # The tasks run this file's `sweep_shard`: ship this directory to the workers.
    runtime_env = {"working_dir": os.path.dirname(os.path.abspath(__file__))}
    if args.address:
        ray.init(address=args.address, runtime_env=runtime_env)
    else:
        ray.init(num_cpus=args.num_cpus, include_dashboard=False, runtime_env=runtime_env)
    try:
        report = run(args, binary, sweep_args, out_dir)
    finally:
        ray.shutdown()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
