#!/usr/bin/env python3
"""Benchmark the kernel heap (mm/heap/heap.c) on the host: throughput, efficiency, instructions per call.

Runs build/bench/bench_heap (tools/bench_heap.c) for the random-actions throughput against libc malloc
and the heap efficiency, passing its `name: value` lines through, then counts instructions with
callgrind: `bench_heap --pairs LIVE COUNT` sets up LIVE live blocks and runs COUNT free+allocate pairs
in pair_loop, and only pair_loop is collected (--toggle-collect=pair_loop), so the setup does not count.
An O(1) allocator costs the same per pair with 10, 1,000 or 100,000 blocks live.

stdout holds only `name: value` lines:
    heap_random_actions_max<M>_keel / _libc / _ratio, heap_efficiency_percent (talc's 128 MiB region),
    heap_efficiency_4mib_percent (from bench_heap)
    heap_instructions_per_pair_live<N>          Keel's heap
    heap_instructions_per_pair_live<N>_libc     the host's malloc, for scale
Progress goes to stderr. Exit status 1 if a run failed.

Usage: tools/bench_heap.py [--bench build/bench/bench_heap] [--pairs 20000] [--no-throughput]
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

LIVE_COUNTS = (10, 1000, 100000)
TOTALS = re.compile(r"^(?:totals|summary):\s+(\d+)", re.MULTILINE)


def instructions_per_pair(bench, live, pairs, libc):
    """Instructions callgrind counts inside pair_loop, divided by the number of pairs."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        cmd = ["valgrind", "--tool=callgrind", "--toggle-collect=pair_loop",
               f"--callgrind-out-file={out}", bench, "--pairs", str(live), str(pairs)]
        if libc:
            cmd.append("--libc")
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr[-500:]}")
        with open(out) as f:
            match = TOTALS.search(f.read())
        if not match:
            raise RuntimeError("no totals line in the callgrind output")
        return int(match.group(1)) / pairs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", default="build/bench/bench_heap")
    parser.add_argument("--pairs", type=int, default=20000, help="pairs per callgrind run")
    parser.add_argument("--no-throughput", action="store_true", help="only the callgrind counts")
    args = parser.parse_args()

    try:
        if not args.no_throughput:
            print("bench_heap: random actions and efficiency", file=sys.stderr, flush=True)
            proc = subprocess.run([args.bench], stdout=subprocess.PIPE, text=True)
            if proc.returncode != 0:
                raise RuntimeError(f"{args.bench} exited with {proc.returncode}")
            sys.stdout.write(proc.stdout)
            sys.stdout.flush()
        if not shutil.which("valgrind"):
            print("valgrind not found: no instruction counts", file=sys.stderr)
            return 1
        for live in LIVE_COUNTS:
            for libc in (False, True):
                print(f"callgrind: {live} live{' (libc)' if libc else ''}", file=sys.stderr, flush=True)
                count = instructions_per_pair(args.bench, live, args.pairs, libc)
                print(f"heap_instructions_per_pair_live{live}{'_libc' if libc else ''}: {count:.0f}",
                      flush=True)
    except (OSError, RuntimeError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
