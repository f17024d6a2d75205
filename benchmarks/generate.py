#!/usr/bin/env python3
"""Instances per second, per generator and in total, on one core.

    .venv/bin/python benchmarks/generate.py [--seconds 0.5] [--target 5000] [ID ...]

Each generator makes instances with consecutive seeds for about `--seconds`
of CPU time (process time, so other load on the machine does not count
against it; the process is pinned to one core); the table shows instances
per CPU-second and the ratio to the target (issue 2: at least
5,000 instances/s for every generator).  Run by hand; the figures go in the
issue note, never into a timed test.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import generators


def rate(gen: generators.Generator, seconds: float) -> tuple[int, float]:
    """How many instances `gen` made in about `seconds`, and the time taken."""
    gen.make(0)  # warm caches (the Faker instance, imports)
    count, seed = 0, 1
    start = time.process_time()
    deadline = start + seconds
    while True:
        for _ in range(50):
            gen.make(seed)
            seed += 1
        count += 50
        now = time.process_time()
        if now >= deadline:
            return count, now - start


def main() -> int:
    """Print the table; exit 1 if a generator is under the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", help="generator ids (default: all)")
    parser.add_argument("--seconds", type=float, default=0.5)
    parser.add_argument("--target", type=float, default=5000.0)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    ids = args.ids or sorted(generators.REGISTRY)
    print(f"python {platform.python_version()} on {platform.machine()}, one core, {args.seconds}s per generator\n")
    print(f"{'generator':48} {'inst/s':>10} {'x target':>9}")
    total_count, total_time, slow = 0, 0.0, []
    for gen_id in ids:
        count, elapsed = rate(generators.get(gen_id), args.seconds)
        per_second = count / elapsed
        total_count += count
        total_time += elapsed
        if per_second < args.target:
            slow.append(gen_id)
        print(f"{gen_id:48} {per_second:10,.0f} {per_second / args.target:9.2f}")
    print(f"\n{'all generators':48} {total_count / total_time:10,.0f} {total_count / total_time / args.target:9.2f}")
    print(f"slowest under target: {', '.join(slow)}" if slow else f"every generator is at or above {args.target:,.0f}/s")
    return 1 if slow else 0


if __name__ == "__main__":
    raise SystemExit(main())
