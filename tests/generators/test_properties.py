"""Properties every registered generator must have, over many seeds."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from decimal import Decimal

import pytest

import generators
from generators.base import Generator, LabGenerator
from quizapp.grading import grade
from quizapp.questions import AnswerKind, JSONValue, NumericSpec, Question

SEEDS = range(int(os.environ.get("QUIZAPP_PROPERTY_SEEDS", "500")))
ALL = sorted(generators.REGISTRY)


def _checker(gen: Generator):  # type: ignore[no-untyped-def]
    return gen.check if isinstance(gen, LabGenerator) else None


def _leaves(value: JSONValue) -> Iterator[JSONValue]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


def _shown(leaf: JSONValue, prompt: str) -> bool:
    if isinstance(leaf, bool) or leaf is None:
        return True
    if isinstance(leaf, int):
        return str(leaf) in prompt or f"{leaf:,}" in prompt
    if isinstance(leaf, float):
        return any(form in prompt for form in (str(leaf), f"{leaf:,}", f"{leaf:,.2f}", f"{leaf:g}"))
    return str(leaf) in prompt


@pytest.mark.parametrize("gen_id", ALL)
def test_generator_properties(gen_id: str) -> None:
    gen = generators.get(gen_id)
    checker = _checker(gen)
    kinds_seen = set()
    for seed in SEEDS:
        q = gen.make(seed)
        where = f"{gen_id} seed {seed}"
        kinds_seen.add(q.kind)
        assert q.kind is gen.kind, where
        assert q.source == gen_id and q.version == gen.version and q.seed == seed
        # Same seed, same instance.
        assert gen.make(seed).to_json() == q.to_json(), where
        # The instance survives a JSON round trip.
        data = json.loads(json.dumps(q.to_json()))
        back = Question.from_json(data)
        assert back.to_json() == q.to_json(), where
        # The answer grades as correct, in the form the CLI prints it.
        answer = q.answer
        result = grade(q, answer if isinstance(answer, str) else json.dumps(answer), lab_checker=checker)
        assert result.format_error is None, f"{where}: {result.format_error}"
        assert result.correct and result.score == 1.0, f"{where}: {result.feedback}"
        # Choices are distinct; every distractor grades as incorrect and names its misconception.
        texts = [c.text for c in q.choices]
        assert len(texts) == len(set(texts)), f"{where}: repeated choice {texts}"
        if q.kind is AnswerKind.SINGLE:
            assert sum(c.correct for c in q.choices) == 1, where
            for c in q.choices:
                if not c.correct:
                    wrong = grade(q, c.key)
                    assert not wrong.correct, where
                    assert c.misconception, f"{where}: distractor {c.text!r} has no misconception"
        if q.kind is AnswerKind.MULTIPLE:
            right = [c.key for c in q.choices if c.correct]
            assert len(right) >= 2, where
            for c in q.choices:
                if not c.correct:
                    assert c.misconception, f"{where}: distractor {c.text!r} has no misconception"
                    wrong = grade(q, sorted(right[1:] + [c.key]))
                    assert not wrong.correct and c.misconception in wrong.misconceptions, where
        if q.kind is AnswerKind.ORDERING:
            assert len(q.choices) >= 3, where
            assert [c.key for c in q.display_choices] != [c.key for c in q.choices], where
            assert not grade(q, [c.key for c in q.display_choices]).correct, where
        if isinstance(q.spec, NumericSpec):
            for m in q.meta.get("numeric_misconceptions", []):
                if abs(Decimal(str(m["value"])) - q.spec.value) > q.spec.tolerance:
                    assert not grade(q, str(m["value"])).correct, where
        # The prompt shows every value the answer was computed from.
        for leaf in _leaves(q.params):
            assert _shown(leaf, q.prompt), f"{where}: param {leaf!r} is not in the prompt"
        assert q.explanation.strip() and q.prompt.strip(), where
        assert "#" in q.note and q.note.split("#")[0] == gen.note.split("#")[0]
    assert kinds_seen == {gen.kind}


def test_registry_covers_answer_kinds() -> None:
    kinds = {g.kind for g in generators.REGISTRY.values()}
    assert {AnswerKind.SINGLE, AnswerKind.MULTIPLE, AnswerKind.NUMERIC, AnswerKind.NETWORK} <= kinds


def test_ids_are_stable_dotted_names() -> None:
    for gen_id, gen in generators.REGISTRY.items():
        topic, _, rest = gen_id.partition(".")
        assert rest and topic and gen_id == gen_id.lower() and " " not in gen_id
        assert gen.title and gen.version >= 1
