"""The command line: generators, generate, grade, init-db."""

from __future__ import annotations

import json

from flask.testing import FlaskCliRunner

import generators
from quizapp.questions import AnswerKind


def test_generators_table_lists_every_generator(runner: FlaskCliRunner) -> None:
    out = runner.invoke(args=["generators"]).output
    assert out.splitlines()[0].split() == ["id", "topic", "kind", "version", "note"]
    for gen in generators.REGISTRY.values():
        assert gen.id in out and gen.note in out


def test_generate_json_has_the_documented_keys(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["generate", "vpc.subnet-usable-addresses", "--seed", "7", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    for key in ("id", "version", "seed", "topic", "kind", "prompt", "params", "choices", "answer", "explanation"):
        assert key in data
    assert data["seed"] == 7 and data["id"] == "vpc.subnet-usable-addresses"


def test_generated_answer_grades_as_correct_for_every_generator(runner: FlaskCliRunner) -> None:
    for gen in generators.REGISTRY.values():
        for seed in (0, 1, 99):
            data = json.loads(runner.invoke(args=["generate", gen.id, "--seed", str(seed), "--json"]).output)
            answer = data["answer"] if isinstance(data["answer"], str) else json.dumps(data["answer"])
            graded = runner.invoke(args=["grade", gen.id, "--seed", str(seed), "--answer", answer])
            assert graded.exit_code == 0, graded.output
            result = json.loads(graded.output)
            assert result["correct"] is True and result["score"] == 1 and result["format_error"] is None, (gen.id, result)


def test_grade_reports_format_errors(runner: FlaskCliRunner) -> None:
    numeric = next(g for g in generators.REGISTRY.values() if g.kind is AnswerKind.NUMERIC)
    result = json.loads(runner.invoke(args=["grade", numeric.id, "--seed", "1", "--answer", "ten"]).output)
    assert result["correct"] is False and result["score"] == 0 and "not a number" in result["format_error"]


def test_generate_text_form_and_unknown_id(runner: FlaskCliRunner) -> None:
    ok = runner.invoke(args=["generate", "vpc.subnet-usable-addresses", "--seed", "5"])
    assert ok.exit_code == 0 and "Answer:" in ok.output and "Explanation:" in ok.output
    bad = runner.invoke(args=["generate", "vpc.no-such-thing", "--seed", "5"])
    assert bad.exit_code != 0 and "no generator 'vpc.no-such-thing'" in bad.output
    negative = runner.invoke(args=["generate", "vpc.subnet-usable-addresses", "--seed", "-1"])
    assert negative.exit_code != 0


def test_init_db_is_idempotent(runner: FlaskCliRunner) -> None:
    assert runner.invoke(args=["init-db"]).exit_code == 0
    again = runner.invoke(args=["init-db"])
    assert again.exit_code == 0 and "latest schema" in again.output
