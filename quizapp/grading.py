"""Grading a learner's response to a question.

`grade` never raises on bad input: a response it cannot read comes back as a
`GradeResult` with `format_error` set, which is not a wrong answer and costs
the learner nothing.  Lab questions are checked by a callable that the caller
supplies (the engine knows nothing about what a configuration means).
"""

from __future__ import annotations

import ipaddress
import json
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from quizapp.questions import (
    AnswerKind,
    JSONValue,
    LabReport,
    LabSpec,
    LabSyntaxError,
    NetworkSpec,
    NumericSpec,
    Question,
    TextSpec,
    format_decimal,
)

Response = str | Sequence[str]
LabChecker = Callable[[Mapping[str, JSONValue], str], LabReport]


@dataclass(frozen=True)
class GradeResult:
    """The outcome of grading one response.

    `score` is between 0 and 1; `feedback` is markdown; `misconceptions` are
    the named misconceptions behind the distractors the learner picked.
    `response` is the response as graded, in canonical form, for the log.
    """

    correct: bool
    score: float
    feedback: str
    format_error: str | None = None
    misconceptions: tuple[str, ...] = ()
    response: JSONValue = None
    details: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, JSONValue]:
        """The result as a JSON-ready dict."""
        return {
            "correct": self.correct,
            "score": self.score,
            "feedback": self.feedback,
            "format_error": self.format_error,
            "misconceptions": list(self.misconceptions),
            "response": self.response,
        }


class AnswerFormatError(ValueError):
    """A response that cannot be read as an answer of the question's kind."""


def format_error(message: str) -> GradeResult:
    """A result for a response that could not be read."""
    return GradeResult(correct=False, score=0.0, feedback="", format_error=message)


def grade(question: Question, response: Response, *, lab_checker: LabChecker | None = None) -> GradeResult:
    """Grade `response` against `question`.

    Lab questions need `lab_checker`, which runs the rule model on the
    configuration; every other kind is graded here.
    """
    try:
        if question.kind is AnswerKind.SINGLE:
            return _grade_single(question, response)
        if question.kind is AnswerKind.MULTIPLE:
            return _grade_multiple(question, response)
        if question.kind is AnswerKind.ORDERING:
            return _grade_ordering(question, response)
        if question.kind is AnswerKind.NUMERIC:
            return _grade_numeric(question, _one(response))
        if question.kind is AnswerKind.NETWORK:
            return _grade_network(question, _one(response))
        if question.kind is AnswerKind.TEXT:
            return _grade_text(question, _one(response))
        if question.kind is AnswerKind.LAB:
            if lab_checker is None:
                raise ValueError(f"lab question {question.source} graded without a lab checker")
            return _grade_lab(question, _one(response), lab_checker)
    except AnswerFormatError as exc:
        return format_error(str(exc))
    raise ValueError(f"unknown answer kind {question.kind!r}")


def _one(response: Response) -> str:
    if isinstance(response, str):
        return response
    if len(response) == 1:
        return response[0]
    raise AnswerFormatError("expected a single answer")


def _keys(response: Response) -> list[str]:
    """Choice keys from a list, a JSON list, or text like "a, c"."""
    if isinstance(response, str):
        text = response.strip()
        if text.startswith("["):
            try:
                loaded = json.loads(text)
            except json.JSONDecodeError as exc:
                raise AnswerFormatError(f"could not read the list of choices: {exc.msg}") from None
            if not isinstance(loaded, list) or not all(isinstance(k, str) for k in loaded):
                raise AnswerFormatError("expected a list of choice letters")
            items: Sequence[str] = loaded
        else:
            items = [k for k in re.split(r"[\s,]+", text) if k]
    else:
        items = response
    return [k.strip().lower() for k in items if k.strip()]


def _check_known(question: Question, keys: Sequence[str]) -> None:
    known = [c.key for c in question.choices]
    for key in keys:
        if key not in known:
            raise AnswerFormatError(f"there is no choice {key!r}; the choices are {', '.join(known)}")


def _grade_single(question: Question, response: Response) -> GradeResult:
    keys = _keys(response)
    if len(keys) != 1:
        raise AnswerFormatError("pick exactly one choice" if keys else "no choice was picked")
    _check_known(question, keys)
    picked = next(c for c in question.choices if c.key == keys[0])
    right = next(c for c in question.choices if c.correct)
    if picked.correct:
        return GradeResult(True, 1.0, f"Correct: **{right.key}**. {right.text}", response=picked.key)
    lines = [f"Not quite. You picked **{picked.key}** ({picked.text}); the answer is **{right.key}** ({right.text})."]
    misconceptions: tuple[str, ...] = ()
    if picked.misconception:
        lines.append(f"That choice is what you get if you {picked.misconception}.")
        misconceptions = (picked.misconception,)
    return GradeResult(False, 0.0, "\n\n".join(lines), misconceptions=misconceptions, response=picked.key)


def _grade_multiple(question: Question, response: Response) -> GradeResult:
    keys = list(dict.fromkeys(_keys(response)))
    _check_known(question, keys)
    want = question.choose
    if len(keys) != want:
        raise AnswerFormatError(f"choose exactly {want} (you picked {len(keys)})")
    by_key = {c.key: c for c in question.choices}
    rows = []
    misconceptions = []
    for key in sorted(keys):
        choice = by_key[key]
        if choice.correct:
            rows.append(f"- **{key}** is right: {choice.text}")
        else:
            why = f" (this is what you get if you {choice.misconception})" if choice.misconception else ""
            rows.append(f"- **{key}** is wrong: {choice.text}{why}")
            if choice.misconception:
                misconceptions.append(choice.misconception)
    for choice in question.choices:
        if choice.correct and choice.key not in keys:
            rows.append(f"- **{choice.key}** was missed: {choice.text}")
    correct = all(by_key[k].correct for k in keys)
    head = "Correct: all your picks are right." if correct else "Not quite: all picks must be right to score."
    return GradeResult(
        correct,
        1.0 if correct else 0.0,
        head + "\n\n" + "\n".join(rows),
        misconceptions=tuple(misconceptions),
        response=sorted(keys),
    )


def _grade_ordering(question: Question, response: Response) -> GradeResult:
    keys = _keys(response)
    expected = [c.key for c in question.choices]
    if sorted(keys) != sorted(expected):
        raise AnswerFormatError(f"put every choice ({', '.join(sorted(expected))}) in order, each once")
    by_key = {c.key: c for c in question.choices}
    right_places = sum(1 for a, b in zip(keys, expected, strict=True) if a == b)
    correct = keys == expected
    rows = [f"{i}. **{k}** {by_key[k].text}" for i, k in enumerate(expected, 1)]
    head = "Correct order." if correct else f"Not quite: {right_places} of {len(expected)} in the right place. The order is:"
    return GradeResult(correct, 1.0 if correct else 0.0, head + "\n\n" + "\n".join(rows), response=keys)


_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$|^[+-]?\.\d+$")


def parse_number(text: str, unit: str = "") -> Decimal:
    """Read a number a learner typed: thousands separators and the unit are
    allowed, anything else is a format error.

    >>> parse_number("65,536")
    Decimal('65536')
    >>> parse_number("$0.02", unit="USD")
    Decimal('0.02')
    >>> parse_number("251 addresses", unit="addresses")
    Decimal('251')
    >>> parse_number("twelve")
    Traceback (most recent call last):
    ...
    quizapp.grading.AnswerFormatError: 'twelve' is not a number
    """
    raw = text.strip()
    cleaned = raw
    if unit and cleaned.lower().endswith(unit.lower()):
        cleaned = cleaned[: -len(unit)].strip()
    if unit.upper() == "USD" or cleaned.startswith("$"):
        cleaned = cleaned.removeprefix("$").strip()
    if cleaned.endswith("%") and unit == "%":
        cleaned = cleaned[:-1].strip()
    if not cleaned:
        raise AnswerFormatError("no number was given")
    if not _NUMBER.match(cleaned):
        raise AnswerFormatError(f"{raw!r} is not a number")
    try:
        return Decimal(cleaned.replace(",", ""))
    except InvalidOperation:
        raise AnswerFormatError(f"{raw!r} is not a number") from None


def _grade_numeric(question: Question, text: str) -> GradeResult:
    spec = question.spec
    if not isinstance(spec, NumericSpec):
        raise ValueError(f"numeric question {question.source} has no numeric spec")
    value = parse_number(text, spec.unit)
    unit = f" {spec.unit}" if spec.unit else ""
    expected = format_decimal(spec.value)
    correct = abs(value - spec.value) <= spec.tolerance
    given = format_decimal(value)
    within = f" (within {format_decimal(spec.tolerance)})" if spec.tolerance else ""
    if correct:
        feedback = f"Correct: {expected}{unit}{within}."
    else:
        feedback = f"Not quite. You answered {given}{unit}; the answer is {expected}{unit}{within}."
    misconceptions = tuple(
        str(m["misconception"])
        for m in question.meta.get("numeric_misconceptions", [])
        if not correct and abs(Decimal(str(m["value"])) - value) <= spec.tolerance
    )
    if misconceptions:
        feedback += f"\n\n{given} is what you get if you {misconceptions[0]}."
    return GradeResult(correct, 1.0 if correct else 0.0, feedback, misconceptions=misconceptions, response=given)


def parse_network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """Read a CIDR block; a block with host bits set is a format error.

    >>> parse_network(" 10.0.0.0/024 ")
    IPv4Network('10.0.0.0/24')
    >>> parse_network("10.0.0.7/24")
    Traceback (most recent call last):
    ...
    quizapp.grading.AnswerFormatError: 10.0.0.7/24 has host bits set: the network is 10.0.0.0/24
    """
    raw = text.strip()
    if "/" not in raw:
        raise AnswerFormatError(f"{raw!r} is not a CIDR block: write it as address/prefix, like 10.0.0.0/24")
    address, _, prefix = raw.partition("/")
    if not prefix.isdigit():
        raise AnswerFormatError(f"{raw!r}: the prefix length must be a number")
    try:
        addr = ipaddress.ip_address(address.strip())
    except ValueError:
        raise AnswerFormatError(f"{address.strip()!r} is not an IP address") from None
    length = int(prefix)
    if length > addr.max_prefixlen:
        raise AnswerFormatError(f"{raw!r}: the prefix length must be at most {addr.max_prefixlen}")
    loose = ipaddress.ip_network(f"{addr}/{length}", strict=False)
    if loose.network_address != addr:
        raise AnswerFormatError(f"{raw} has host bits set: the network is {loose}")
    return loose


def parse_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """Read a single IP address.

    >>> parse_address("10.0.0.2")
    IPv4Address('10.0.0.2')
    """
    raw = text.strip()
    if raw.endswith("/32") or raw.endswith("/128"):
        raw = raw.rsplit("/", 1)[0]
    try:
        return ipaddress.ip_address(raw)
    except ValueError:
        raise AnswerFormatError(f"{text.strip()!r} is not an IP address") from None


def _grade_network(question: Question, text: str) -> GradeResult:
    spec = question.spec
    if not isinstance(spec, NetworkSpec):
        raise ValueError(f"network question {question.source} has no network spec")
    given: object
    if spec.expect == "address":
        given = parse_address(text)
        expected: object = ipaddress.ip_address(spec.value)
    else:
        given = parse_network(text)
        expected = ipaddress.ip_network(spec.value)
    correct = given == expected
    feedback = f"Correct: {expected}." if correct else f"Not quite. You answered {given}; the answer is {expected}."
    misconceptions = tuple(
        str(m["misconception"])
        for m in question.meta.get("network_misconceptions", [])
        if not correct and str(m["value"]) == str(given)
    )
    if misconceptions:
        feedback += f"\n\n{given} is what you get if you {misconceptions[0]}."
    return GradeResult(correct, 1.0 if correct else 0.0, feedback, misconceptions=misconceptions, response=str(given))


def normalise_text(text: str) -> str:
    """Case, accents, surrounding punctuation and spacing do not matter.

    >>> normalise_text("  Longest-Prefix   match. ")
    'longest-prefix match'
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    collapsed = " ".join(folded.split())
    return collapsed.strip(" .,;:!?\"'`")


def _grade_text(question: Question, text: str) -> GradeResult:
    spec = question.spec
    if not isinstance(spec, TextSpec):
        raise ValueError(f"text question {question.source} has no text spec")
    given = normalise_text(text)
    if not given:
        raise AnswerFormatError("no answer was given")
    correct = any(given == normalise_text(a) for a in spec.accepted)
    feedback = f"Correct: {spec.accepted[0]}." if correct else f"Not quite. The answer is {spec.accepted[0]}."
    return GradeResult(correct, 1.0 if correct else 0.0, feedback, response=given)


def _grade_lab(question: Question, text: str, checker: LabChecker) -> GradeResult:
    if not isinstance(question.spec, LabSpec):
        raise ValueError(f"lab question {question.source} has no lab spec")
    if not text.strip():
        raise AnswerFormatError("the configuration is empty")
    try:
        report = checker(question.params, text)
    except LabSyntaxError as exc:
        raise AnswerFormatError(str(exc)) from None
    passed = sum(1 for c in report.checks if c.passed)
    total = len(report.checks)
    rows = [f"- {'✓' if c.passed else '✗'} {c.label}: {c.detail}" for c in report.checks]
    head = (
        f"Correct: your configuration meets all {total} requirements."
        if report.passed
        else f"Not yet: {total - passed} of {total} requirements fail."
    )
    return GradeResult(
        report.passed,
        1.0 if report.passed else (passed / total if total else 0.0),
        head + "\n\n" + "\n".join(rows),
        response=text,
        details=tuple(c.label for c in report.checks if not c.passed),
    )
