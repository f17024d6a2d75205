"""The code type-checks under mypy's strict mode (DESIGN: type hints everywhere)."""

from __future__ import annotations

from mypy import api

from quizapp.config import ROOT


def test_mypy_strict_on_engine_and_generators() -> None:
    stdout, stderr, status = api.run(["--config-file", str(ROOT / "pyproject.toml"), "--no-incremental",
                                      str(ROOT / "quizapp"), str(ROOT / "generators")])
    assert status == 0, stdout + stderr
