"""Pyflakes' checks (ruff's F rules) pass: no undefined names, no unused
imports or variables, no shadowed definitions. An undefined name inside a
lambda only fails when the lambda runs, long after the tests that built it
(a hop's explanation once referred to an `except ... as exc` name that
Python had already deleted)."""

from __future__ import annotations

import subprocess
import sys

from quizapp.config import ROOT


def test_pyflakes_rules_pass() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--select", "F", "--no-cache", "--output-format", "concise",
         "quizapp", "generators", "tests", "benchmarks", "dev.py"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
