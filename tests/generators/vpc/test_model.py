"""Sizes and reserved addresses of a block, checked against an independent
computation with `ipaddress` and against AWS's documented examples."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generators.vpc import model
from generators.vpc.model import AddressingError, Reservation, ReservedRole
from tests.generators.vpc.strategies import blocks

N = IPv4Network
A = IPv4Address


def oracle_reserved(subnet: IPv4Network) -> set[IPv4Address]:
    """AWS's five, computed from ipaddress's own view of the block."""
    base = subnet.network_address
    return {base, base + 1, base + 2, base + 3, subnet.broadcast_address}


# --- AWS's worked example ---------------------------------------------------


def test_aws_worked_example_10_0_0_0_24() -> None:
    subnet = N("10.0.0.0/24")
    reserved = model.reserved_addresses(subnet)
    assert [(str(r.address), r.role) for r in reserved] == [
        ("10.0.0.0", ReservedRole.NETWORK),
        ("10.0.0.1", ReservedRole.ROUTER),
        ("10.0.0.2", ReservedRole.DNS),
        ("10.0.0.3", ReservedRole.FUTURE),
        ("10.0.0.255", ReservedRole.BROADCAST),
    ]
    assert model.usable_addresses(subnet) == 251
    assert model.first_usable(subnet) == A("10.0.0.4")
    assert model.last_usable(subnet) == A("10.0.0.254")
    size = model.size_subnet(subnet)
    assert (size.total, size.usable) == (256, 251)
    assert size.trace[-1] == "256 - 5 = 251 addresses can be assigned."


@pytest.mark.parametrize(("prefix", "usable"), [(16, 65_531), (20, 4_091), (24, 251), (28, 11)])
def test_usable_for_documented_sizes(prefix: int, usable: int) -> None:
    assert model.usable_addresses(N((0x0A000000, prefix))) == usable


# --- properties against ipaddress ------------------------------------------


@settings(max_examples=300, deadline=None)
@given(blocks())
def test_usable_and_reserved_match_ipaddress(subnet: IPv4Network) -> None:
    expected = oracle_reserved(subnet)
    assert {r.address for r in model.reserved_addresses(subnet)} == expected
    assert model.usable_addresses(subnet) == subnet.num_addresses - len(expected)
    assert model.total_addresses(subnet) == subnet.num_addresses
    # ipaddress's hosts() drops only the network and broadcast addresses (the on-premises rule)
    assert model.usable_addresses(subnet, Reservation.ON_PREMISES) == subnet.num_addresses - 2
    assert model.usable_addresses(subnet, Reservation.NONE) == subnet.num_addresses


@settings(max_examples=200, deadline=None)
@given(blocks(22, 28))
def test_first_and_last_usable_match_hosts(subnet: IPv4Network) -> None:
    hosts = list(subnet.hosts())  # base + 1 .. last - 1
    assert model.first_usable(subnet) == hosts[3]
    assert model.last_usable(subnet) == hosts[-1]
    assert model.first_usable(subnet, Reservation.ON_PREMISES) == hosts[0]
    assert model.first_usable(subnet, Reservation.FIRST_FIVE) == hosts[4]
    assert model.last_usable(subnet, Reservation.FIRST_FIVE) == subnet.broadcast_address


@settings(max_examples=300, deadline=None)
@given(blocks(), st.integers(0, 2**16 - 1))
def test_reserved_role_agrees_with_the_reserved_set(subnet: IPv4Network, offset: int) -> None:
    address = subnet.network_address + offset % subnet.num_addresses
    role = model.reserved_role(subnet, address)
    assert (role is not None) == (address in oracle_reserved(subnet))
    if address == subnet.broadcast_address:
        assert role is ReservedRole.BROADCAST


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 2**16))
def test_smallest_prefix_is_minimal(hosts: int) -> None:
    fitting = [p for p in range(16, 29) if 2 ** (32 - p) - 5 >= hosts]
    if not fitting:
        with pytest.raises(AddressingError):
            model.smallest_prefix_for(hosts)
        return
    assert model.smallest_prefix_for(hosts) == max(fitting)


def test_smallest_prefix_edges() -> None:
    assert model.smallest_prefix_for(1) == 28
    assert model.smallest_prefix_for(11) == 28
    assert model.smallest_prefix_for(12) == 27
    assert model.smallest_prefix_for(27) == 27
    assert model.smallest_prefix_for(28) == 26
    assert model.smallest_prefix_for(28, Reservation.NONE) == 27
    assert model.smallest_prefix_for(65_531) == 16


# --- error cases -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("10.0.0.1/24", "host bits set; did you mean 10.0.0.0/24"),
        ("10.0.0.0", "not a CIDR block"),
        ("10.0.0.0/33", "10.0.0.0/33"),
        ("ten/8", "not an IPv4 CIDR block"),
        ("2001:db8::/32", "not an IPv4 CIDR block"),
    ],
)
def test_parse_block_errors(text: str, message: str) -> None:
    with pytest.raises(AddressingError, match=message):
        model.parse_block(text)


def test_parse_address_error() -> None:
    with pytest.raises(AddressingError, match="not an IPv4 address"):
        model.parse_address("10.0.0")


@pytest.mark.parametrize("block", ["10.0.0.0/15", "10.0.0.0/8", "10.0.0.0/29", "10.0.0.0/32"])
def test_block_sizes_outside_16_to_28_are_refused(block: str) -> None:
    with pytest.raises(AddressingError, match="VPC and subnet blocks are /16 to /28"):
        model.usable_addresses(N(block))


def test_reserved_role_of_an_outside_address() -> None:
    with pytest.raises(AddressingError, match="is not in"):
        model.reserved_role(N("10.0.0.0/28"), A("10.0.0.16"))


@pytest.mark.parametrize("hosts", [0, -3])
def test_smallest_prefix_needs_a_host(hosts: int) -> None:
    with pytest.raises(AddressingError, match="at least one address"):
        model.smallest_prefix_for(hosts)


# --- text and spans against ipaddress ------------------------------------------


@settings(max_examples=300, deadline=None)
@given(blocks(0, 32))
def test_block_text_and_span_match_ipaddress(block: IPv4Network) -> None:
    assert model.block_text(block) == str(block)
    assert model.address_text(block.network_address) == str(block.network_address)
    assert model.block_span(block) == (int(block.network_address), int(block.broadcast_address))
    assert model.cidr_text(int(block.network_address), block.prefixlen) == str(block)
