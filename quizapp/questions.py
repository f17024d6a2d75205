"""What a question is, independent of where it came from.

A question is a plain immutable value: a generator builds one from a seed, an
authored pack builds one from text, and the engine grades, renders, stores and
exports it without knowing which.  Everything here is standard library only so
that the rule-model side can depend on it without pulling in the web stack.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from string import ascii_lowercase
from typing import Any

from quizapp.values import quick_init

JSONValue = Any
"""A value that `json.dumps` accepts (dicts, lists, str, int, float, bool, None)."""


class AnswerKind(StrEnum):
    """How a learner answers, and so how the answer is graded."""

    SINGLE = "single"
    """Pick one of the choices."""
    MULTIPLE = "multiple"
    """Pick exactly N of the choices ("choose two"); all or nothing."""
    NUMERIC = "numeric"
    """A number, graded within a tolerance, in a stated unit."""
    NETWORK = "network"
    """A CIDR block or an IP address, compared as networks, not strings."""
    TEXT = "text"
    """Short free text, compared after normalisation."""
    ORDERING = "ordering"
    """Put the choices in order."""
    LAB = "lab"
    """A small configuration that a rule model checks against the scenario."""


@quick_init
@dataclass(frozen=True)
class Choice:
    """One option of a choice or ordering question.

    `misconception` names the mistaken belief that produces this option when
    it is a distractor; it is what the feedback names when a learner picks it.
    """

    key: str
    text: str
    correct: bool = False
    misconception: str | None = None

    def to_json(self) -> dict[str, JSONValue]:
        """The choice as a JSON-ready dict."""
        return {
            "key": self.key,
            "text": self.text,
            "correct": self.correct,
            "misconception": self.misconception,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, JSONValue]) -> Choice:
        """Inverse of `to_json`."""
        return cls(
            key=str(data["key"]),
            text=str(data["text"]),
            correct=bool(data.get("correct", False)),
            misconception=data.get("misconception"),
        )


@dataclass(frozen=True)
class NumericSpec:
    """The correct number, how far off still counts, and its unit."""

    value: Decimal
    tolerance: Decimal = Decimal(0)
    unit: str = ""


@dataclass(frozen=True)
class NetworkSpec:
    """The correct CIDR block or address.

    `expect` is ``"network"`` (a block such as 10.0.0.0/24: host bits set is a
    format error) or ``"address"`` (a single IP address).
    """

    value: str
    expect: str = "network"


@dataclass(frozen=True)
class TextSpec:
    """Accepted short-text answers; compared after `normalise_text`."""

    accepted: tuple[str, ...]


@dataclass(frozen=True)
class LabSpec:
    """A configuration to write: the syntax help, the starting text, and one
    reference configuration that the model accepts (never the only one)."""

    syntax: str
    starter: str
    reference: str


Spec = NumericSpec | NetworkSpec | TextSpec | LabSpec | None


@quick_init
@dataclass(frozen=True)
class Question:
    """A question instance, fully determined by its source and seed.

    For generated questions `source` is the generator id and `version` its
    version; for authored ones it is ``pack:<pack>/<question>``.
    `params` is the structured scenario: JSON-serialisable, and every value in
    it is shown in the prompt.  `note` is ``<topic>#<anchor>``, the note
    section the question exercises.
    """

    source: str
    version: int
    seed: int
    topic: str
    kind: AnswerKind
    prompt: str
    params: Mapping[str, JSONValue]
    explanation: str
    note: str
    choices: tuple[Choice, ...] = ()
    spec: Spec = None
    title: str = ""
    meta: Mapping[str, JSONValue] = field(default_factory=dict)

    @property
    def answer(self) -> JSONValue:
        """The correct answer, in the form a learner would submit it.

        Single choice: the key. Multiple response: the keys, sorted.
        Ordering: the keys in order. Numeric: the number as text. Network:
        the block or address. Text: the first accepted form. Lab: the
        reference configuration.
        """
        if self.kind is AnswerKind.SINGLE:
            return next(c.key for c in self.choices if c.correct)
        if self.kind is AnswerKind.MULTIPLE:
            return sorted(c.key for c in self.choices if c.correct)
        if self.kind is AnswerKind.ORDERING:
            return [c.key for c in self.choices]
        if isinstance(self.spec, NumericSpec):
            return format_decimal(self.spec.value)
        if isinstance(self.spec, NetworkSpec):
            return self.spec.value
        if isinstance(self.spec, TextSpec):
            return self.spec.accepted[0]
        if isinstance(self.spec, LabSpec):
            return self.spec.reference
        raise ValueError(f"question {self.source} of kind {self.kind} has no spec")

    @property
    def choose(self) -> int:
        """How many choices a multiple-response question asks for."""
        return sum(1 for c in self.choices if c.correct)

    @property
    def display_choices(self) -> tuple[Choice, ...]:
        """The choices in the order a learner sees them.

        Ordering questions store their choices in the correct order, so they
        are shown sorted by key (the keys are assigned in a shuffled order).
        """
        if self.kind is AnswerKind.ORDERING:
            return tuple(sorted(self.choices, key=lambda c: c.key))
        return self.choices

    def to_json(self) -> dict[str, JSONValue]:
        """The instance as a JSON-ready dict (the CLI's `--json` form)."""
        spec: dict[str, JSONValue] | None = None
        if isinstance(self.spec, NumericSpec):
            spec = {
                "type": "numeric",
                "value": format_decimal(self.spec.value),
                "tolerance": format_decimal(self.spec.tolerance),
                "unit": self.spec.unit,
            }
        elif isinstance(self.spec, NetworkSpec):
            spec = {"type": "network", "value": self.spec.value, "expect": self.spec.expect}
        elif isinstance(self.spec, TextSpec):
            spec = {"type": "text", "accepted": list(self.spec.accepted)}
        elif isinstance(self.spec, LabSpec):
            spec = {
                "type": "lab",
                "syntax": self.spec.syntax,
                "starter": self.spec.starter,
                "reference": self.spec.reference,
            }
        return {
            "id": self.source,
            "version": self.version,
            "seed": self.seed,
            "topic": self.topic,
            "kind": self.kind.value,
            "title": self.title,
            "prompt": self.prompt,
            "params": json.loads(json.dumps(self.params)),
            "choices": [c.to_json() for c in self.choices],
            "answer": self.answer,
            "spec": spec,
            "explanation": self.explanation,
            "note": self.note,
            "meta": json.loads(json.dumps(self.meta)),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, JSONValue]) -> Question:
        """Inverse of `to_json`."""
        raw = data.get("spec")
        spec: Spec = None
        if raw is not None:
            kind = raw["type"]
            if kind == "numeric":
                spec = NumericSpec(Decimal(raw["value"]), Decimal(raw["tolerance"]), raw["unit"])
            elif kind == "network":
                spec = NetworkSpec(raw["value"], raw["expect"])
            elif kind == "text":
                spec = TextSpec(tuple(raw["accepted"]))
            elif kind == "lab":
                spec = LabSpec(raw["syntax"], raw["starter"], raw["reference"])
            else:
                raise ValueError(f"unknown spec type {kind!r}")
        return cls(
            source=data["id"],
            version=int(data["version"]),
            seed=int(data["seed"]),
            topic=data["topic"],
            kind=AnswerKind(data["kind"]),
            title=data.get("title", ""),
            prompt=data["prompt"],
            params=data["params"],
            choices=tuple(Choice.from_json(c) for c in data.get("choices", [])),
            spec=spec,
            explanation=data["explanation"],
            note=data["note"],
            meta=data.get("meta", {}),
        )


@dataclass(frozen=True)
class LabCheck:
    """One required or forbidden outcome of a lab, and what decided it."""

    label: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class LabReport:
    """The model's verdict on a learner's configuration."""

    checks: tuple[LabCheck, ...]

    @property
    def passed(self) -> bool:
        """True when every check passed."""
        return all(c.passed for c in self.checks)


class LabSyntaxError(ValueError):
    """A lab configuration that cannot be parsed: a format error, not a wrong
    answer.  `line` is 1-based, or None when the error is not on one line."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}" if line is not None else message)


def format_decimal(value: Decimal | int | float) -> str:
    """A number as plain text without exponent or trailing zeros.

    >>> format_decimal(Decimal("251.000"))
    '251'
    >>> format_decimal(Decimal("0.0150"))
    '0.015'
    """
    d = Decimal(value) if not isinstance(value, Decimal) else value
    text = format(d.normalize(), "f")
    return text


def choice_keys(count: int) -> Sequence[str]:
    """Keys for `count` choices: a, b, c, ...

    >>> list(choice_keys(3))
    ['a', 'b', 'c']
    """
    if count > 26:
        raise ValueError("at most 26 choices")
    return list(ascii_lowercase[:count])
