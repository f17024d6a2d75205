"""Hypothesis strategies for VPC addressing: aligned IPv4 blocks."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network

from hypothesis import strategies as st


@st.composite
def blocks(draw: st.DrawFn, low: int = 16, high: int = 28) -> IPv4Network:
    """Any aligned IPv4 block with a prefix from `low` to `high`."""
    prefix = draw(st.integers(low, high))
    address = draw(st.integers(0, 2**32 - 1))
    return IPv4Network((address >> (32 - prefix) << (32 - prefix), prefix))


@st.composite
def blocks_in(draw: st.DrawFn, outer: IPv4Network, low: int, high: int) -> IPv4Network:
    """An aligned block inside `outer` with a prefix from `low` to `high`
    (never larger than `outer`)."""
    prefix = draw(st.integers(max(low, outer.prefixlen), high))
    slot = draw(st.integers(0, 2 ** (prefix - outer.prefixlen) - 1))
    return IPv4Network((int(outer.network_address) + (slot << (32 - prefix)), prefix))


@st.composite
def addresses_near(draw: st.DrawFn, block: IPv4Network) -> IPv4Address:
    """An address in `block` or just around it, often at its edges."""
    base = int(block.network_address)
    last = int(block.broadcast_address)
    edge = [base, base + 1, base + 2, base + 3, base + 4, last - 1, last, last + 1, base - 1]
    value = draw(st.one_of(st.sampled_from(edge), st.integers(base - 64, last + 64)))
    return IPv4Address(min(max(value, 0), 2**32 - 1))
