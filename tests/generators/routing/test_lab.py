"""The route-table lab graded through quizapp.grading.grade: correct, wrong,
alternative-correct and malformed configurations."""

from __future__ import annotations

import pytest

from generators.routing.lab import RouteTableLab
from quizapp.grading import grade
from quizapp.questions import Question

GEN = RouteTableLab()


def lab(forbid_igw: bool, forbid_nat_s3: bool, peer: bool) -> Question:
    for seed in range(400):
        q = GEN.make(seed)
        p = q.params
        if p["forbid_igw"] == forbid_igw and p["forbid_nat_s3"] == forbid_nat_s3 and bool(p.get("peer")) == peer:
            return q
    raise AssertionError("no seed with that scenario")


def ids(q: Question) -> dict[str, str]:
    p = q.params
    return {"nat": p["nat"]["id"], "igw": p["vpc"]["igw"], "vpce": p["endpoint"]["id"], "pl": p["prefix_list"]["id"],
            "vpc": p["vpc"]["cidr"]}


def run(q: Question, config: str):  # type: ignore[no-untyped-def]
    return grade(q, config, lab_checker=GEN.check)


@pytest.mark.parametrize("forbid", [(True, False), (False, True), (True, True)])
def test_reference_and_alternatives_are_correct(forbid: tuple[bool, bool]) -> None:
    q = lab(*forbid, peer=False)
    i = ids(q)
    assert run(q, q.answer).correct
    alternatives = [
        f"0.0.0.0/1 {i['nat']}\n128.0.0.0/1 {i['nat']}\n{i['pl']} {i['vpce']}",
        f"# with the local route written out\n{i['vpc']} local\n\n{i['pl']}   {i['vpce']}  # S3\n0.0.0.0/0 {i['nat']}\n",
    ]
    for config in alternatives:
        result = run(q, config)
        assert result.correct, result.feedback


def test_peering_route_is_required_when_the_scenario_has_a_peer() -> None:
    q = lab(True, False, peer=True)
    i, peer = ids(q), q.params["peer"]
    without = run(q, f"0.0.0.0/0 {i['nat']}\n{i['pl']} {i['vpce']}")
    assert not without.correct and without.format_error is None
    assert any(peer["pcx"] in d for d in without.details)
    assert run(q, f"0.0.0.0/0 {i['nat']}\n{i['pl']} {i['vpce']}\n{peer['cidr']} {peer['pcx']}").correct


def test_missing_endpoint_route_sends_s3_through_the_nat_gateway() -> None:
    q = lab(False, True, peer=False)
    i = ids(q)
    result = run(q, f"0.0.0.0/0 {i['nat']}")
    assert not result.correct and result.format_error is None
    failing = result.details
    assert any("S3" in d and i["vpce"] in d for d in failing)
    assert any("Forbidden: S3 traffic" in d for d in failing)
    assert 0 < result.score < 1
    assert i["nat"] in result.feedback


def test_default_route_to_the_internet_gateway_is_forbidden() -> None:
    q = lab(True, False, peer=False)
    i = ids(q)
    result = run(q, f"0.0.0.0/0 {i['igw']}\n{i['pl']} {i['vpce']}")
    assert not result.correct
    # The instance has a public address, so the flow works, but not through the NAT gateway.
    assert any("through " + i["nat"] in d for d in result.details)
    assert any(d.startswith("Forbidden") for d in result.details)
    assert "but not through" in result.feedback


def test_no_routes_at_all() -> None:
    q = lab(True, True, peer=False)
    result = run(q, "# nothing yet\n")
    assert not result.correct and result.format_error is None
    assert "No route" in result.feedback


@pytest.mark.parametrize(
    ("config", "line", "message"),
    [
        ("0.0.0.0/0", 1, "expected '<destination> <target>'"),
        ("# ok\n0.0.0.0/0 {nat} extra", 2, "expected"),
        ("10.0.0.1/8 {nat}", 1, "host bits"),
        ("0.0.0.0/0 {nat}\n0.0.0.0/0 {nat}", 2, "already has a route"),
        ("0.0.0.0/0 nat-0deadbee", 1, "there is no nat-0deadbee"),
        ("0.0.0.0/0 gw-1", 1, "not a route target"),
        ("pl-0nothere {vpce}", 1, "no prefix list"),
        ("52.216.0.0/15 {vpce}", 1, "prefix list as destination"),
        ("0.0.0.0/0 local", 1, "local route's destination"),
        ("banana {nat}", 1, "not a CIDR block"),
    ],
)
def test_malformed_configurations_are_format_errors_with_line_numbers(config: str, line: int, message: str) -> None:
    q = lab(True, True, peer=False)
    i = ids(q)
    result = run(q, config.format(**i))
    assert not result.correct
    assert result.format_error is not None
    assert f"line {line}:" in result.format_error and message in result.format_error


def test_route_more_specific_than_local_is_refused() -> None:
    q = lab(True, True, peer=False)
    i = ids(q)
    private = q.params["subnets"][1]["cidr"]
    half = private.replace("/24", "/25")
    result = run(q, f"{half} {i['nat']}")
    assert result.format_error is not None and "whole CIDR block of a subnet" in result.format_error
    # The whole subnet block to a NAT gateway is allowed (a middlebox route), if useless here.
    ok = run(q, f"{private} {i['nat']}\n0.0.0.0/0 {i['nat']}\n{i['pl']} {i['vpce']}")
    assert ok.format_error is None


def test_empty_configuration_is_a_format_error() -> None:
    q = lab(True, True, peer=False)
    assert run(q, "   ").format_error is not None
