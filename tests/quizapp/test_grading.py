"""Grading of every answer kind, independent of any generator."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from quizapp.grading import grade, normalise_text, parse_network
from quizapp.questions import (
    AnswerKind,
    Choice,
    JSONValue,
    LabCheck,
    LabReport,
    LabSpec,
    LabSyntaxError,
    NetworkSpec,
    NumericSpec,
    Question,
    TextSpec,
)


def make(kind: AnswerKind, **kw: object) -> Question:
    base: dict[str, object] = dict(source="t.q", version=1, seed=1, topic="t", kind=kind, prompt="?", params={},
                                   explanation="because", note="t#a")
    base.update(kw)
    return Question(**base)  # type: ignore[arg-type]


CHOICES = (
    Choice("a", "one", misconception="count from one"),
    Choice("b", "two", correct=True),
    Choice("c", "three", misconception="add one"),
    Choice("d", "four", correct=True),
)


def test_single_choice() -> None:
    q = make(AnswerKind.SINGLE, choices=CHOICES[:3])
    assert grade(q, "b").correct
    wrong = grade(q, "c")
    assert not wrong.correct and wrong.misconceptions == ("add one",) and "add one" in wrong.feedback
    assert grade(q, "B").correct
    assert grade(q, "z").format_error == "there is no choice 'z'; the choices are a, b, c"
    assert grade(q, "").format_error == "no choice was picked"
    assert grade(q, ["a", "b"]).format_error == "pick exactly one choice"


def test_multiple_response_is_all_or_nothing_with_per_pick_feedback() -> None:
    q = make(AnswerKind.MULTIPLE, choices=CHOICES)
    assert q.choose == 2 and q.answer == ["b", "d"]
    ok = grade(q, ["d", "b"])
    assert ok.correct and ok.score == 1.0
    half = grade(q, '["b", "c"]')
    assert not half.correct and half.score == 0.0
    assert "**b** is right" in half.feedback and "**c** is wrong" in half.feedback
    assert "**d** was missed" in half.feedback and half.misconceptions == ("add one",)
    assert grade(q, "b, d").correct
    assert grade(q, ["b"]).format_error == "choose exactly 2 (you picked 1)"
    assert grade(q, "[b").format_error is not None


def test_numeric_tolerance_unit_and_format_errors() -> None:
    q = make(AnswerKind.NUMERIC, spec=NumericSpec(Decimal("0.09"), Decimal("0.005"), "USD"),
             meta={"numeric_misconceptions": [{"value": "0.9", "misconception": "slip a decimal place"}]})
    assert grade(q, "0.09").correct and grade(q, "$0.094").correct and grade(q, "0.0850").correct
    assert not grade(q, "0.1").correct
    slip = grade(q, "0.9")
    assert not slip.correct and slip.misconceptions == ("slip a decimal place",)
    for bad in ("abc", "1e5", "0.0.9", "", "12 apples", "--1"):
        result = grade(q, bad)
        assert result.format_error is not None and not result.correct and result.score == 0, bad
    big = make(AnswerKind.NUMERIC, spec=NumericSpec(Decimal(65536), unit="addresses"))
    assert grade(big, "65,536").correct and grade(big, "65536 addresses").correct
    assert grade(big, "65,53,6").format_error is not None


def test_network_answers_compare_as_networks() -> None:
    q = make(AnswerKind.NETWORK, spec=NetworkSpec("10.0.0.0/24"))
    assert grade(q, "10.0.0.0/24").correct
    assert grade(q, "10.0.0.0/024").correct
    assert grade(q, " 10.0.0.0/24 ").correct
    assert not grade(q, "10.0.1.0/24").correct and grade(q, "10.0.1.0/24").format_error is None
    host_bits = grade(q, "10.0.0.5/24")
    assert host_bits.format_error is not None and "host bits" in host_bits.format_error
    for bad in ("10.0.0.0", "10.0.0.0/33", "10.0.0/24", "banana/24", "10.0.0.0/x"):
        assert grade(q, bad).format_error is not None, bad
    v6 = make(AnswerKind.NETWORK, spec=NetworkSpec("2001:db8::/56"))
    assert grade(v6, "2001:DB8:0::/56").correct


def test_address_answers() -> None:
    q = make(AnswerKind.NETWORK, spec=NetworkSpec("10.0.0.2", expect="address"))
    assert grade(q, "10.0.0.2").correct and grade(q, "10.0.0.2/32").correct
    assert not grade(q, "10.0.0.3").correct
    assert grade(q, "10.0.0.256").format_error is not None


@given(st.ip_addresses(v=4), st.integers(0, 32))
def test_parse_network_agrees_with_ipaddress(address: ipaddress.IPv4Address, prefix: int) -> None:
    text = f"{address}/{prefix}"
    expected = ipaddress.ip_network(text, strict=False)
    if expected.network_address == address:
        assert parse_network(text) == expected
        assert parse_network(f"{address}/{prefix:03d}") == expected
    else:
        q = make(AnswerKind.NETWORK, spec=NetworkSpec(str(expected)))
        assert "host bits" in (grade(q, text).format_error or "")


def test_text_is_normalised() -> None:
    q = make(AnswerKind.TEXT, spec=TextSpec(("us-east-1", "N. Virginia")))
    assert grade(q, "  US-EAST-1 ").correct and grade(q, "n. virginia").correct
    assert not grade(q, "us-west-2").correct
    assert grade(q, "   ").format_error == "no answer was given"
    assert normalise_text("Longest  Prefix\tMatch!") == "longest prefix match"


def test_ordering() -> None:
    q = make(AnswerKind.ORDERING, choices=(Choice("c", "first", True), Choice("a", "second", True), Choice("b", "third", True)))
    assert [c.key for c in q.display_choices] == ["a", "b", "c"]
    assert grade(q, ["c", "a", "b"]).correct
    wrong = grade(q, ["a", "c", "b"])
    assert not wrong.correct and "1 of 3 in the right place" in wrong.feedback
    assert grade(q, ["c", "a"]).format_error is not None
    assert grade(q, ["c", "c", "a"]).format_error is not None


def _lab_checker(params: Mapping[str, JSONValue], config: str) -> LabReport:
    lines = [line.strip() for line in config.splitlines() if line.strip()]
    for number, line in enumerate(lines, 1):
        if not line.startswith("allow "):
            raise LabSyntaxError(f"expected 'allow PORT', got {line!r}", number)
    ports = {line.split()[1] for line in lines}
    return LabReport((
        LabCheck("HTTPS reaches the web tier", "443" in ports, "rule 'allow 443'" if "443" in ports else "no rule allows 443"),
        LabCheck("Telnet is blocked", "23" not in ports, "no rule allows 23" if "23" not in ports else "'allow 23' lets it in"),
    ))


def test_lab_is_graded_by_the_checker() -> None:
    q = make(AnswerKind.LAB, spec=LabSpec("allow PORT", "", "allow 443"))
    assert grade(q, "allow 443", lab_checker=_lab_checker).correct
    wrong = grade(q, "allow 443\nallow 23", lab_checker=_lab_checker)
    assert not wrong.correct and wrong.score == 0.5 and "'allow 23' lets it in" in wrong.feedback
    broken = grade(q, "allow 443\ndeny 80", lab_checker=_lab_checker)
    assert broken.format_error == "line 2: expected 'allow PORT', got 'deny 80'"
    assert grade(q, "  ", lab_checker=_lab_checker).format_error == "the configuration is empty"
