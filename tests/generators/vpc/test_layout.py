"""VPC blocks, their quota, subnets and address lookup: containment and
overlap against `ipaddress`, and every row of AWS's association table."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generators.vpc import model
from generators.vpc.model import (
    AddressingError,
    AddressStatus,
    AssociationRule,
    Reservation,
    Subnet,
    SubnetProblem,
    Vpc,
)
from tests.generators.vpc.strategies import addresses_near, blocks, blocks_in

N = IPv4Network
A = IPv4Address


def rules(blocks_: list[str], new: str, **kwargs: object) -> list[AssociationRule]:
    check = model.check_association([N(b) for b in blocks_], N(new), **kwargs)  # type: ignore[arg-type]
    return [r.rule for r in check.refusals]


# --- the association table, row by row ---------------------------------------


@pytest.mark.parametrize(
    ("primary", "new", "allowed"),
    [
        # primary in 10.0.0.0/8
        ("10.5.0.0/16", "10.6.0.0/16", True),
        ("10.5.0.0/16", "172.16.0.0/16", False),
        ("10.5.0.0/16", "192.168.0.0/16", False),
        ("10.5.0.0/16", "198.19.0.0/16", False),
        ("10.5.0.0/16", "100.64.0.0/16", True),
        ("10.5.0.0/16", "52.94.0.0/22", True),
        ("10.1.0.0/16", "10.0.4.0/24", False),  # a block in 10.0.0.0/15 rules out 10.0.0.0/16
        ("10.2.0.0/16", "10.0.4.0/24", True),
        # primary in 172.16.0.0/12
        ("172.20.0.0/16", "172.21.0.0/16", True),
        ("172.20.0.0/16", "172.31.0.0/16", False),
        ("172.20.0.0/16", "10.0.0.0/16", False),
        ("172.20.0.0/16", "192.168.0.0/16", False),
        ("172.20.0.0/16", "198.19.0.0/24", False),
        ("172.20.0.0/16", "100.64.0.0/16", True),
        # primary in 192.168.0.0/16
        ("192.168.0.0/20", "192.168.16.0/20", True),
        ("192.168.0.0/20", "10.0.0.0/16", False),
        ("192.168.0.0/20", "172.16.0.0/16", False),
        ("192.168.0.0/20", "198.19.0.0/16", False),
        ("192.168.0.0/20", "100.64.0.0/16", True),
        # primary in 198.19.0.0/16
        ("198.19.0.0/20", "10.0.0.0/16", False),
        ("198.19.0.0/20", "100.64.0.0/16", True),
        ("198.19.0.0/20", "52.94.0.0/22", True),
        # primary public or in 100.64.0.0/10
        ("100.64.0.0/16", "10.0.0.0/16", False),
        ("100.64.0.0/16", "198.19.0.0/16", False),
        ("100.64.0.0/16", "100.65.0.0/16", True),
        ("52.94.0.0/22", "52.95.0.0/22", True),
        ("52.94.0.0/22", "192.168.0.0/24", False),
    ],
)
def test_association_table(primary: str, new: str, allowed: bool) -> None:
    found = rules([primary], new)
    assert (found == []) == allowed
    if not allowed:
        assert found == [AssociationRule.RESTRICTED_RANGE]


def test_the_10_0_rule_looks_at_secondary_blocks_too() -> None:
    assert rules(["10.5.0.0/16", "10.1.0.0/16"], "10.0.0.0/20") == [AssociationRule.RESTRICTED_RANGE]


def test_route_destination_example_from_the_docs() -> None:
    # primary 10.2.0.0/16 with a route to 10.0.0.0/24: not that block or larger, /25 is fine
    routes = [N("10.0.0.0/24")]
    assert rules(["10.2.0.0/16"], "10.0.0.0/24", route_destinations=routes) == [AssociationRule.ROUTE_CONFLICT]
    assert rules(["10.2.0.0/16"], "10.0.0.0/16", route_destinations=routes) == [AssociationRule.ROUTE_CONFLICT]
    assert rules(["10.2.0.0/16"], "10.0.0.0/25", route_destinations=routes) == []


def test_size_overlap_and_quota_rules() -> None:
    assert rules(["10.0.0.0/16"], "10.2.0.0/15") == [AssociationRule.BLOCK_SIZE]
    assert rules(["10.0.0.0/16"], "10.2.0.0/29") == [AssociationRule.BLOCK_SIZE]
    assert rules(["10.5.0.0/16"], "10.5.128.0/17") == [AssociationRule.OVERLAP]
    # inside 10.0.0.0/16 next to a primary in 10.0.0.0/15, two rules refuse it
    assert rules(["10.0.0.0/16"], "10.0.128.0/17") == [AssociationRule.OVERLAP, AssociationRule.RESTRICTED_RANGE]
    five = ["10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16", "10.4.0.0/16"]
    assert rules(five, "10.5.0.0/16") == [AssociationRule.QUOTA]
    assert rules(five, "10.5.0.0/16", quota=6) == []  # what the old study notes' "6" would allow
    assert rules(five[:4], "10.5.0.0/16") == []


def test_ignoring_a_rule_is_how_a_misconception_runs() -> None:
    check = model.check_association(
        [N("10.0.0.0/16")], N("192.168.0.0/16"), ignore=frozenset({AssociationRule.RESTRICTED_RANGE})
    )
    assert check.allowed
    assert "Allowed" in check.trace[-1]


@settings(max_examples=300, deadline=None)
@given(st.lists(blocks(), min_size=1, max_size=4), blocks(12, 30))
def test_overlap_rule_matches_ipaddress(existing: list[IPv4Network], new: IPv4Network) -> None:
    check = model.check_association(existing, new, quota=50)
    found = {r.rule for r in check.refusals}
    assert (AssociationRule.OVERLAP in found) == any(new.overlaps(b) for b in existing)
    assert (AssociationRule.BLOCK_SIZE in found) == (not 16 <= new.prefixlen <= 28)


def test_quota_headroom() -> None:
    assert model.quota_headroom(1).left == 4
    assert model.quota_headroom(5).left == 0
    assert model.quota_headroom(3, 50).left == 47
    for bad in (4, 51):
        with pytest.raises(AddressingError, match="can be raised to 50"):
            model.quota_headroom(1, bad)
    with pytest.raises(AddressingError, match="between 1 and 5"):
        model.quota_headroom(6)


# --- subnets -------------------------------------------------------------------


def oracle_subnet_ok(vpc: Vpc, candidate: IPv4Network) -> bool:
    return (
        16 <= candidate.prefixlen <= 28
        and any(candidate.subnet_of(b) for b in vpc.blocks)
        and not any(candidate.overlaps(s.block) for s in vpc.subnets)
    )


@st.composite
def vpcs(draw: st.DrawFn) -> Vpc:
    primary = draw(blocks(16, 24))
    chosen: list[IPv4Network] = []
    for _ in range(draw(st.integers(0, 4))):
        candidate = draw(blocks_in(primary, primary.prefixlen + 1, 28))
        if not any(candidate.overlaps(c) for c in chosen):
            chosen.append(candidate)
    return Vpc((primary,), tuple(Subnet(f"s{i}", b) for i, b in enumerate(chosen)))


@settings(max_examples=300, deadline=None)
@given(vpcs(), st.data())
def test_check_subnet_matches_ipaddress(vpc: Vpc, data: st.DataObject) -> None:
    outer = vpc.primary.supernet(data.draw(st.integers(0, 2)))
    candidate = data.draw(blocks_in(outer, max(outer.prefixlen, 14), 30))
    check = model.check_subnet(vpc, candidate)
    assert check.ok == oracle_subnet_ok(vpc, candidate)
    assert set(check.conflicts) == {s for s in vpc.subnets if s.block.overlaps(candidate)}
    assert (SubnetProblem.STRADDLES in check.problems) == (
        not candidate.subnet_of(vpc.primary) and candidate.overlaps(vpc.primary)
    )
    assert check.trace


def test_subnet_problems_by_name() -> None:
    vpc = model.build_vpc([N("10.0.0.0/22")], [Subnet("a", N("10.0.0.0/24")), Subnet("b", N("10.0.2.0/25"))])
    assert model.check_subnet(vpc, N("10.0.1.0/24")).ok
    assert model.check_subnet(vpc, N("10.0.2.64/26")).problems == (SubnetProblem.OVERLAPS_SUBNET,)
    assert model.check_subnet(vpc, N("10.0.3.240/29")).problems == (SubnetProblem.TOO_SMALL,)
    assert model.check_subnet(vpc, N("10.0.4.0/24")).problems == (SubnetProblem.OUTSIDE_VPC,)
    assert SubnetProblem.STRADDLES in model.check_subnet(vpc, N("10.0.0.0/21")).problems
    assert model.check_subnet(vpc, N("10.0.0.0/15")).problems[0] is SubnetProblem.TOO_LARGE


def test_a_subnet_may_come_from_a_secondary_block() -> None:
    vpc = model.build_vpc([N("172.20.0.0/24"), N("172.20.1.0/24")], [Subnet("a", N("172.20.1.0/25"))])
    assert model.check_subnet(vpc, N("172.20.1.128/25")).ok
    # one subnet cannot span two adjacent VPC blocks
    assert model.check_subnet(vpc, N("172.20.0.0/23")).problems[0] is SubnetProblem.STRADDLES


def test_build_vpc_errors() -> None:
    with pytest.raises(AddressingError, match="at least one IPv4 block"):
        model.build_vpc([])
    with pytest.raises(AddressingError, match="too large"):
        model.build_vpc([N("10.0.0.0/8")])
    with pytest.raises(AddressingError, match="block 192.168.0.0/16: the primary block is in 10.0.0.0/8"):
        model.build_vpc([N("10.0.0.0/16"), N("192.168.0.0/16")])
    with pytest.raises(AddressingError, match="subnet b .*overlaps an existing subnet"):
        model.build_vpc([N("10.0.0.0/16")], [Subnet("a", N("10.0.0.0/24")), Subnet("b", N("10.0.0.128/25"))])
    with pytest.raises(AddressingError, match="quota is 5"):
        model.build_vpc([N(f"10.{i}.0.0/16") for i in range(2, 8)])


# --- where an address falls ------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(vpcs(), st.data())
def test_locate_address_matches_ipaddress(vpc: Vpc, data: st.DataObject) -> None:
    target = data.draw(st.sampled_from([vpc.primary, *(s.block for s in vpc.subnets)]))
    address = data.draw(addresses_near(target))
    found = model.locate_address(vpc, address)
    holders = [s for s in vpc.subnets if address in s.block]
    if holders:
        subnet = holders[0]
        reserved = {subnet.block.network_address + i for i in range(4)} | {subnet.block.broadcast_address}
        assert found.subnet == subnet
        assert found.status is (AddressStatus.RESERVED if address in reserved else AddressStatus.ASSIGNABLE)
        assert found.assignable == (address not in reserved)
    elif address in vpc.primary:
        assert found.status is AddressStatus.NO_SUBNET and not found.assignable
    else:
        assert found.status is AddressStatus.OUTSIDE_VPC
    assert found.trace and str(address) in found.trace[0]


def test_locate_address_under_the_on_premises_misconception() -> None:
    vpc = Vpc((N("10.1.0.0/20"),), (Subnet("app", N("10.1.4.0/23")),))
    assert model.locate_address(vpc, A("10.1.4.3")).status is AddressStatus.RESERVED
    assert model.locate_address(vpc, A("10.1.4.3"), Reservation.ON_PREMISES).assignable
    assert model.locate_address(vpc, A("10.1.5.255"), Reservation.ON_PREMISES).status is AddressStatus.RESERVED
    assert model.locate_address(vpc, A("10.1.6.1")).status is AddressStatus.NO_SUBNET
    widened = Vpc(vpc.blocks, (Subnet("app", N("10.1.4.0/22")),))
    assert model.locate_address(widened, A("10.1.6.1")).assignable  # reading /23 as /22


def test_vpc_needs_a_block() -> None:
    with pytest.raises(AddressingError):
        _ = Vpc(()).primary
