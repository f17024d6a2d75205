"""Lab grading: correct, wrong, alternative correct and malformed configurations."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

import generators
from generators.base import LabGenerator
from quizapp.grading import grade
from quizapp.questions import JSONValue, Question

SEEDS = range(40)


def _lab(gen_id: str) -> LabGenerator:
    gen = generators.get(gen_id)
    assert isinstance(gen, LabGenerator)
    return gen


NACL = "security.lab-nacl-web-tier"
SG = "security.lab-sg-three-tier"


def _flows(q: Question) -> list[Mapping[str, JSONValue]]:
    flows = q.params["flows"]
    assert isinstance(flows, list)
    return flows


def _nacl_alternative(q: Question) -> str:
    """A different correct answer: other numbers, wide response ranges, explicit denies."""
    p = q.params
    lines = [
        f"inbound 5 allow tcp 22 {p['admin']}",
        "inbound 6 deny tcp 22 0.0.0.0/0   # everyone else",
        "inbound 50 allow tcp 443 0.0.0.0/0",
        "outbound 10 allow tcp 1024-65535 0.0.0.0/0",
    ]
    whats = {f["what"] for f in _flows(q) if f["must"] == "work"}
    if "HTTP" in whats:
        lines.append("inbound 60 allow tcp 80 0.0.0.0/0")
    if "metrics" in whats:
        lines.append(f"inbound 70 allow tcp 9100 {p['monitor']}")
    if "HTTPS updates" in whats:
        lines.append(f"inbound 80 allow tcp 1024-65535 {p['mirror']}/32")
        lines.append("outbound 20 allow tcp 443 0.0.0.0/0")
    return "\n".join(lines)


@pytest.mark.parametrize("seed", SEEDS)
def test_nacl_lab_reference_and_alternative_are_correct(seed: int) -> None:
    gen = _lab(NACL)
    q = gen.make(seed)
    assert grade(q, q.answer, lab_checker=gen.check).correct
    alternative = grade(q, _nacl_alternative(q), lab_checker=gen.check)
    assert alternative.correct, alternative.feedback


def test_nacl_lab_wrong_config_names_the_failing_flow_and_rule() -> None:
    gen = _lab(NACL)
    q = gen.make(3)
    # SSH open to the world and no rule for the responses.
    wrong = "inbound 100 allow tcp 443 0.0.0.0/0\ninbound 110 allow tcp 22 0.0.0.0/0\noutbound 100 allow tcp 443 0.0.0.0/0\n"
    result = grade(q, wrong, lab_checker=gen.check)
    assert not result.correct and result.format_error is None and 0 < result.score < 1
    ssh_forbidden = next(f for f in _flows(q) if f["what"] == "SSH" and f["must"] != "work")
    assert any(f"SSH from {ssh_forbidden['from']}" in label for label in result.details)
    assert "rule 110: allow tcp 22 from 0.0.0.0/0" in result.feedback
    assert "Response out of" in result.feedback and "final * rule denies it" in result.feedback


def test_nacl_lab_inbound_ephemeral_range_lets_forbidden_ports_in() -> None:
    gen = _lab(NACL)
    q = next(q for q in map(gen.make, range(200)) if any(f["what"] == "HTTPS updates" for f in _flows(q)))
    reference = q.answer
    assert isinstance(reference, str)
    # Opening 1024-65535 inbound from anywhere for the update responses also admits RDP.
    careless = reference + "inbound 300 allow tcp 1024-65535 0.0.0.0/0\n"
    result = grade(q, careless, lab_checker=gen.check)
    assert not result.correct
    assert any("RDP" in d for d in result.details)
    assert "rule 300: allow tcp 1024-65535 from 0.0.0.0/0" in result.feedback


@pytest.mark.parametrize(
    ("config", "line"),
    [
        ("inbound 100 allow tcp 443 0.0.0.0/0\ninbond 110 allow tcp 22 10.0.0.0/8", 2),
        ("# ok\ninbound 100 allow tcp 443 0.0.0.0/0\n\noutbound 100 allow tcp 443-80 0.0.0.0/0", 4),
        ("inbound 100 allow tcp 443 10.1.2.3/8", 1),
    ],
)
def test_nacl_lab_malformed_config_is_a_format_error(config: str, line: int) -> None:
    gen = _lab(NACL)
    q = gen.make(1)
    result = grade(q, config, lab_checker=gen.check)
    assert not result.correct and result.format_error is not None
    assert result.format_error.startswith(f"line {line}: ")


def _sg_alternative(q: Question) -> str:
    """A different correct answer: default outbound rules kept, CIDR for the web tier's subnet."""
    p = q.params
    subnets = p["subnets"]
    assert isinstance(subnets, dict)
    lines = [
        "web outbound all 0.0.0.0/0",
        "app outbound all 0.0.0.0/0",
        "db outbound all 0.0.0.0/0",
        "web inbound tcp 443 0.0.0.0/0",
        f"app inbound tcp {p['app_port']} {subnets['web']}",
        f"db inbound tcp {p['db_port']} sg:app",
    ]
    if "admin" in p:
        lines.append(f"web inbound tcp 22 {p['admin']}")
    return "\n".join(lines)


@pytest.mark.parametrize("seed", SEEDS)
def test_sg_lab_reference_and_alternative_are_correct(seed: int) -> None:
    gen = _lab(SG)
    q = gen.make(seed)
    assert grade(q, q.answer, lab_checker=gen.check).correct
    alternative = grade(q, _sg_alternative(q), lab_checker=gen.check)
    assert alternative.correct, alternative.feedback


def test_sg_lab_subnet_cidr_lets_the_reporting_instance_in() -> None:
    gen = _lab(SG)
    q = gen.make(5)
    subnets = q.params["subnets"]
    assert isinstance(subnets, dict)
    wrong = _sg_alternative(q).replace(f"db inbound tcp {q.params['db_port']} sg:app", f"db inbound tcp {q.params['db_port']} {subnets['app']}")
    result = grade(q, wrong, lab_checker=gen.check)
    assert not result.correct
    assert result.details == (f"reports-1 to db-1 on {q.params['db_port']} must fail",)
    assert f"it connects: Security group db (sg-db) allows it with its inbound rule tcp {q.params['db_port']} from {subnets['app']}" in result.feedback


def test_sg_lab_missing_outbound_rule_is_named() -> None:
    gen = _lab(SG)
    q = gen.make(5)
    no_app_outbound = "\n".join(line for line in _sg_alternative(q).splitlines() if not line.startswith("app outbound"))
    result = grade(q, no_app_outbound, lab_checker=gen.check)
    assert not result.correct
    assert result.details == (f"app-1 to db-1 on {q.params['db_port']} must work",)
    assert "Request out of app-1" in result.feedback and "No outbound rule of security group sg-app" in result.feedback


@pytest.mark.parametrize(
    ("config", "line"),
    [
        ("web inbound tcp 443 0.0.0.0/0\ndb inbound deny tcp 22 0.0.0.0/0", 2),
        ("web inbound tcp 443 0.0.0.0/0\n\napp inbound tcp 8080 sg:wbe", 3),
        ("cache inbound tcp 6379 sg:app", 1),
    ],
)
def test_sg_lab_malformed_config_is_a_format_error(config: str, line: int) -> None:
    gen = _lab(SG)
    q = gen.make(2)
    result = grade(q, config, lab_checker=gen.check)
    assert result.format_error is not None and result.format_error.startswith(f"line {line}: ")
