#!/usr/bin/env python3
"""Set up quizapp in a local virtual environment and run it.

    python3 dev.py          set up, prepare the database, serve http://127.0.0.1:5000
    python3 dev.py test     set up (with test extras), run the whole test suite

Only the standard library is used here, so this works on a fresh machine
with Python 3.11+.  Extra arguments after `test` go to pytest; after `serve`
(the default) to `quizapp serve` (e.g. --port 8000).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("QUIZAPP_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def ensure_environment(extras: str) -> None:
    """Create the virtual environment and install the project into it,
    again only when pyproject.toml or the extras changed."""
    if sys.version_info < (3, 11):
        sys.exit(f"quizapp needs Python 3.11 or newer (this is {sys.version.split()[0]})")
    if not (BIN / "python").exists():
        print(f"creating the virtual environment in {VENV.name}/ ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamp = VENV / ".quizapp-installed"
    installed = stamp.read_text().split() if stamp.exists() else []
    # The stamp is "<digest> [test]": an install with the test extras also serves `serve`.
    if installed[:1] == [digest] and (not extras or extras in installed[1:]):
        return
    print("installing quizapp and its dependencies ...", flush=True)
    target = f"{ROOT}[{extras}]" if extras else str(ROOT)
    subprocess.run([str(BIN / "python"), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([str(BIN / "python"), "-m", "pip", "install", "--quiet", "-e", target], check=True)
    stamp.write_text(f"{digest} {extras}".strip())


def main(argv: list[str]) -> int:
    """Dispatch `serve` (default) or `test`."""
    command, rest = (argv[0], argv[1:]) if argv and not argv[0].startswith("-") else ("serve", argv)
    if command == "test":
        ensure_environment("test")
        args = [str(BIN / "python"), "-m", "pytest", "-n", os.environ.get("QUIZAPP_TEST_WORKERS", "auto"), *rest]
        return subprocess.run(args, cwd=ROOT).returncode
    if command == "serve":
        ensure_environment("")
        return subprocess.run([str(BIN / "quizapp"), "serve", *rest], cwd=ROOT).returncode
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
