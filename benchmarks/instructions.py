#!/usr/bin/env python3
"""CPU instructions per instance, per generator, counted by valgrind.

    .venv/bin/python benchmarks/instructions.py [--makes 300] ID [ID ...]

`generate.py` measures time, which on a shared host drifts by a quarter
within minutes: too much to see a change of a few percent. This counts the
instructions a generator executes instead (valgrind's callgrind tool, which
runs the program on a simulated CPU), and the count is the same from one
run to the next. For each generator it runs Python twice under callgrind,
both times importing everything and making 100 warm-up instances, the
second time also making `--makes` more; the difference divided by
`--makes` is the cost of one instance. Hash randomisation is off so that
both runs do the same work. Needs valgrind on the PATH (Debian: apt install
valgrind); each generator takes about half a minute. Run by hand, to
compare two versions of the code; the figures go in the issue note.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

_CHILD = """
import sys
import generators
gen = generators.get(sys.argv[1])
for seed in range(100):
    gen.make(seed)
for seed in range(1000, 1000 + int(sys.argv[2])):
    gen.make(seed)
"""


def instructions(gen_id: str, makes: int) -> int:
    """Instructions executed by a Python process that imports the generators
    and makes 100 + `makes` instances of `gen_id`."""
    with tempfile.TemporaryDirectory() as scratch:
        out = os.path.join(scratch, "callgrind.out")
        env = dict(os.environ, PYTHONHASHSEED="0")
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
             sys.executable, "-c", _CHILD, gen_id, str(makes)],
            capture_output=True, text=True, env=env, check=False,
        )
        found = re.search(r"Collected\s*:\s*(\d+)", done.stderr)
        if done.returncode != 0 or found is None:
            raise SystemExit(f"valgrind failed for {gen_id}:\n{done.stderr[-2000:]}")
        return int(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="+", help="generator ids")
    parser.add_argument("--makes", type=int, default=300)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt install valgrind)", file=sys.stderr)
        return 2
    import generators

    unknown = [gen_id for gen_id in args.ids if gen_id not in generators.REGISTRY]
    if unknown:
        print(f"unknown generator id(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    print(f"{'generator':48} {'instructions per instance':>26}")
    for gen_id in args.ids:
        per_make = (instructions(gen_id, args.makes) - instructions(gen_id, 0)) / args.makes
        print(f"{gen_id:48} {per_make:26,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
