"""Subnets in a VPC, where an address falls, and Amazon DNS: containment
and overlap against `ipaddress`, and AWS's documented examples."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generators.vpc import layout, model
from generators.vpc.layout import AddressStatus, Subnet, SubnetProblem, Vpc
from generators.vpc.model import AddressingError, Reservation
from tests.generators.vpc.strategies import addresses_near, blocks, blocks_in

N = IPv4Network
A = IPv4Address


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
    check = layout.check_subnet(vpc, candidate)
    assert check.ok == oracle_subnet_ok(vpc, candidate)
    assert set(check.conflicts) == {s for s in vpc.subnets if s.block.overlaps(candidate)}
    assert (SubnetProblem.STRADDLES in check.problems) == (
        not candidate.subnet_of(vpc.primary) and candidate.overlaps(vpc.primary)
    )
    assert check.trace


def test_subnet_problems_by_name() -> None:
    vpc = layout.build_vpc([N("10.0.0.0/22")], [Subnet("a", N("10.0.0.0/24")), Subnet("b", N("10.0.2.0/25"))])
    assert layout.check_subnet(vpc, N("10.0.1.0/24")).ok
    assert layout.check_subnet(vpc, N("10.0.2.64/26")).problems == (SubnetProblem.OVERLAPS_SUBNET,)
    assert layout.check_subnet(vpc, N("10.0.3.240/29")).problems == (SubnetProblem.TOO_SMALL,)
    assert layout.check_subnet(vpc, N("10.0.4.0/24")).problems == (SubnetProblem.OUTSIDE_VPC,)
    assert SubnetProblem.STRADDLES in layout.check_subnet(vpc, N("10.0.0.0/21")).problems
    assert layout.check_subnet(vpc, N("10.0.0.0/15")).problems[0] is SubnetProblem.TOO_LARGE


def test_a_subnet_may_come_from_a_secondary_block() -> None:
    vpc = layout.build_vpc([N("172.20.0.0/24"), N("172.20.1.0/24")], [Subnet("a", N("172.20.1.0/25"))])
    assert layout.check_subnet(vpc, N("172.20.1.128/25")).ok
    # one subnet cannot span two adjacent VPC blocks
    assert layout.check_subnet(vpc, N("172.20.0.0/23")).problems[0] is SubnetProblem.STRADDLES


def test_build_vpc_errors() -> None:
    with pytest.raises(AddressingError, match="at least one IPv4 block"):
        layout.build_vpc([])
    with pytest.raises(AddressingError, match="too large"):
        layout.build_vpc([N("10.0.0.0/8")])
    with pytest.raises(AddressingError, match="block 192.168.0.0/16: the primary block is in 10.0.0.0/8"):
        layout.build_vpc([N("10.0.0.0/16"), N("192.168.0.0/16")])
    with pytest.raises(AddressingError, match="subnet b .*overlaps an existing subnet"):
        layout.build_vpc([N("10.0.0.0/16")], [Subnet("a", N("10.0.0.0/24")), Subnet("b", N("10.0.0.128/25"))])
    with pytest.raises(AddressingError, match="quota is 5"):
        layout.build_vpc([N(f"10.{i}.0.0/16") for i in range(2, 8)])


def test_aws_example_split_of_a_24_into_two_25s() -> None:
    vpc = layout.build_vpc([N("10.0.0.0/24")], [layout.Subnet("a", N("10.0.0.0/25"))])
    assert layout.check_subnet(vpc, N("10.0.0.128/25")).ok
    assert model.total_addresses(N("10.0.0.128/25")) == 128


# --- where an address falls ------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(vpcs(), st.data())
def test_locate_address_matches_ipaddress(vpc: Vpc, data: st.DataObject) -> None:
    target = data.draw(st.sampled_from([vpc.primary, *(s.block for s in vpc.subnets)]))
    address = data.draw(addresses_near(target))
    found = layout.locate_address(vpc, address)
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
    assert layout.locate_address(vpc, A("10.1.4.3")).status is AddressStatus.RESERVED
    assert layout.locate_address(vpc, A("10.1.4.3"), Reservation.ON_PREMISES).assignable
    assert layout.locate_address(vpc, A("10.1.5.255"), Reservation.ON_PREMISES).status is AddressStatus.RESERVED
    assert layout.locate_address(vpc, A("10.1.6.1")).status is AddressStatus.NO_SUBNET
    widened = Vpc(vpc.blocks, (Subnet("app", N("10.1.4.0/22")),))
    assert layout.locate_address(widened, A("10.1.6.1")).assignable  # reading /23 as /22


def test_vpc_needs_a_block() -> None:
    with pytest.raises(AddressingError):
        _ = Vpc(()).primary


# --- Amazon DNS ----------------------------------------------------------------


def test_amazon_dns_is_primary_base_plus_two_even_for_secondary_subnets() -> None:
    vpc = layout.Vpc((N("10.20.0.0/16"), N("10.21.0.0/16")), (layout.Subnet("s", N("10.21.8.0/24")),))
    dns = layout.amazon_dns(vpc)
    assert dns.in_vpc == A("10.20.0.2")
    assert dns.link_local == A("169.254.169.253")
    assert any("10.20.0.2" in line for line in dns.trace)
