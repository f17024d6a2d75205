"""Subnet planning: every allocation inside the VPC block, pairwise disjoint,
big enough and minimal; largest first; fits exactly when the blocks add up."""

from __future__ import annotations

from ipaddress import IPv4Network

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generators.vpc import planning
from generators.vpc.model import AddressingError, Reservation
from generators.vpc.planning import SubnetRequest
from tests.generators.vpc.strategies import blocks

N = IPv4Network


def needed(hosts: int) -> int:
    """Oracle: the smallest 2^k >= hosts + 5, at least 16."""
    size = 16
    while size - 5 < hosts:
        size *= 2
    return size


requests_lists = st.lists(st.integers(1, 5000), min_size=1, max_size=9).map(
    lambda hosts: [SubnetRequest(f"t{i}", h) for i, h in enumerate(hosts)]
)


@settings(max_examples=300, deadline=None)
@given(blocks(16, 24), requests_lists, st.booleans())
def test_plan_is_valid(vpc: IPv4Network, requests: list[SubnetRequest], largest_first: bool) -> None:
    plan = planning.plan_subnets(vpc, requests, largest_first=largest_first)
    placed = plan.allocations
    for a in placed:
        assert a.block.subnet_of(vpc)
        assert a.block.num_addresses == needed(a.request.hosts)  # big enough and minimal
        assert a.block.num_addresses - 5 >= a.request.hosts
    for i, a in enumerate(placed):
        for b in placed[i + 1 :]:
            assert not a.block.overlaps(b.block)
    assert {id(r) for r in requests} == {id(a.request) for a in placed} | {id(r) for r in plan.unplaced}
    assert plan.fits == (not plan.unplaced)
    assert plan.free_addresses == vpc.num_addresses - sum(a.block.num_addresses for a in placed)


@settings(max_examples=300, deadline=None)
@given(blocks(16, 24), requests_lists)
def test_largest_first_fits_exactly_when_the_blocks_add_up(vpc: IPv4Network, requests: list[SubnetRequest]) -> None:
    plan = planning.plan_subnets(vpc, requests)
    total = sum(needed(r.hosts) for r in requests)
    assert plan.fits == (total <= vpc.num_addresses)
    sizes = [a.block.prefixlen for a in plan.allocations]
    assert sizes == sorted(sizes)  # largest block first
    if plan.fits:  # packed from the start of the block without holes
        cursor = int(vpc.network_address)
        for a in plan.allocations:
            assert int(a.block.network_address) == cursor
            cursor += a.block.num_addresses


@settings(max_examples=200, deadline=None)
@given(blocks(20, 24), requests_lists)
def test_every_unplaced_request_really_found_no_room(vpc: IPv4Network, requests: list[SubnetRequest]) -> None:
    plan = planning.plan_subnets(vpc, requests, largest_first=False)
    taken = [(int(a.block.network_address), int(a.block.broadcast_address)) for a in plan.allocations]
    first, last = int(vpc.network_address), int(vpc.broadcast_address)
    for request in plan.unplaced:
        size = needed(request.hosts)
        for start in range(first, last + 1, size):  # every aligned slot of that size
            if start + size - 1 > last:
                break
            assert any(lo <= start + size - 1 and start <= hi for lo, hi in taken)


def test_worked_example_from_the_note() -> None:
    requests = planning.requests_per_zone([("web", 50), ("db", 20)], ["a", "b"])
    plan = planning.plan_subnets(N("10.0.0.0/24"), requests)
    assert [(a.request.label, str(a.block)) for a in plan.allocations] == [
        ("web (a)", "10.0.0.0/26"),
        ("web (b)", "10.0.0.64/26"),
        ("db (a)", "10.0.0.128/27"),
        ("db (b)", "10.0.0.160/27"),
    ]
    assert plan.free_addresses == 64
    assert plan.block_for("db", "b") == N("10.0.0.160/27")
    assert plan.block_for("cache", "a") is None
    assert plan.trace[1].startswith("Each of the 2 **web** subnets needs 50 addresses: a /26")


def test_listed_order_can_fail_where_largest_first_fits() -> None:
    requests = [SubnetRequest("small", 10), SubnetRequest("big", 100)]
    vpc = N("10.0.0.0/24")
    assert planning.plan_subnets(vpc, requests).fits
    listed = planning.plan_subnets(vpc, requests, largest_first=False)
    # the /28 at .0 pushes the /25 to .128; it still fits, but a second /25 would not
    assert listed.block_for("big") == N("10.0.0.128/25")
    more = [*requests, SubnetRequest("big2", 100)]
    assert planning.plan_subnets(vpc, more).fits is False
    assert planning.plan_subnets(N("10.0.0.0/23"), more, largest_first=False).block_for("big2") == N("10.0.1.0/25")


def test_forgetting_the_reserved_five_changes_the_plan() -> None:
    requests = [SubnetRequest("a", 16), SubnetRequest("b", 16)]
    aws = planning.plan_subnets(N("10.0.0.0/26"), requests)
    naive = planning.plan_subnets(N("10.0.0.0/26"), requests, reservation=Reservation.NONE)
    assert [str(a.block) for a in aws.allocations] == ["10.0.0.0/27", "10.0.0.32/27"]
    assert [str(a.block) for a in naive.allocations] == ["10.0.0.0/28", "10.0.0.16/28"]


def test_a_plan_that_does_not_fit_names_what_is_left_out() -> None:
    plan = planning.plan_subnets(N("10.0.0.0/26"), [SubnetRequest("a", 20), SubnetRequest("b", 40)])
    assert not plan.fits
    assert [r.label for r in plan.unplaced] == ["a"]
    assert plan.trace[-1] == "The plan does not fit in `10.0.0.0/26`."


def test_requests_too_large_for_any_subnet_are_unplaced_not_raised() -> None:
    plan = planning.plan_subnets(N("10.0.0.0/16"), [SubnetRequest("huge", 70_000), SubnetRequest("ok", 10)])
    assert [r.name for r in plan.unplaced] == ["huge"]
    assert plan.block_for("ok") == N("10.0.0.0/28")
    assert "more than any subnet holds" in plan.trace[1]


def test_plan_needs_a_valid_vpc_block() -> None:
    with pytest.raises(AddressingError, match="too small"):
        planning.plan_subnets(N("10.0.0.0/29"), [SubnetRequest("a", 1)])


@settings(max_examples=300, deadline=None)
@given(blocks(16, 24), requests_lists)
def test_largest_first_equals_first_fit_on_the_sorted_requests(vpc: IPv4Network, requests: list[SubnetRequest]) -> None:
    by_size = sorted(requests, key=lambda r: -needed(r.hosts))  # stable, like the model
    fast = planning.plan_subnets(vpc, requests)
    general = planning.plan_subnets(vpc, by_size, largest_first=False)
    assert [(a.request.name, a.block) for a in fast.allocations] == [(a.request.name, a.block) for a in general.allocations]
