"""Hypothesis strategies for rules and packets in a small address and port space,
so that random rules and packets match often enough to exercise every branch."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from hypothesis import strategies as st

from generators.security.model import (
    Action,
    NaclRule,
    NetworkAcl,
    Packet,
    Protocol,
    SecurityGroup,
    SgRule,
)

V4_BASE = int(IPv4Address("10.0.0.0"))
V6_BASE = int(IPv6Address("2001:db8::"))
PORTS = st.integers(min_value=0, max_value=12)


@st.composite
def v4_networks(draw: st.DrawFn) -> IPv4Network:
    prefix = draw(st.integers(min_value=24, max_value=32))
    offset = draw(st.integers(min_value=0, max_value=255))
    mask = (0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF
    return IPv4Network(((V4_BASE + offset) & mask, prefix))


@st.composite
def v6_networks(draw: st.DrawFn) -> IPv6Network:
    prefix = draw(st.integers(min_value=120, max_value=128))
    offset = draw(st.integers(min_value=0, max_value=255))
    mask = ((1 << 128) - 1) ^ ((1 << (128 - prefix)) - 1)
    return IPv6Network(((V6_BASE + offset) & mask, prefix))


networks = st.one_of(
    v4_networks(), v6_networks(), st.just(IPv4Network("0.0.0.0/0")), st.just(IPv6Network("::/0"))
)
protocols = st.sampled_from([Protocol.TCP, Protocol.UDP, Protocol.ICMP, Protocol.ALL])


@st.composite
def port_ranges(draw: st.DrawFn, protocol: Protocol) -> tuple[int | None, int | None]:
    if protocol not in (Protocol.TCP, Protocol.UDP):
        return None, None
    low, high = sorted((draw(PORTS), draw(PORTS)))
    return low, high


@st.composite
def nacl_rules(draw: st.DrawFn, number: int) -> NaclRule:
    protocol = draw(protocols)
    low, high = draw(port_ranges(protocol))
    return NaclRule(number, draw(st.sampled_from(list(Action))), protocol, low, high, draw(networks))


@st.composite
def nacl_rule_lists(draw: st.DrawFn) -> tuple[NaclRule, ...]:
    numbers = draw(st.lists(st.integers(min_value=1, max_value=60), unique=True, max_size=8))
    return tuple(draw(nacl_rules(n)) for n in numbers)


@st.composite
def acls(draw: st.DrawFn) -> NetworkAcl:
    return NetworkAcl("acl-test", draw(nacl_rule_lists()), draw(nacl_rule_lists()))


GROUP_IDS = ("sg-a", "sg-b", "sg-c")


@st.composite
def sg_rules(draw: st.DrawFn) -> SgRule:
    protocol = draw(protocols)
    low, high = draw(port_ranges(protocol))
    peer = draw(st.one_of(networks, st.sampled_from(GROUP_IDS)))
    return SgRule(protocol, low, high, peer)


@st.composite
def groups(draw: st.DrawFn, group_id: str = "sg-a") -> SecurityGroup:
    return SecurityGroup(group_id, group_id, tuple(draw(st.lists(sg_rules(), max_size=4))), tuple(draw(st.lists(sg_rules(), max_size=4))))


@st.composite
def addresses(draw: st.DrawFn, version: int) -> IPv4Address | IPv6Address:
    offset = draw(st.integers(min_value=0, max_value=255))
    return IPv4Address(V4_BASE + offset) if version == 4 else IPv6Address(V6_BASE + offset)


@st.composite
def packets(draw: st.DrawFn) -> Packet:
    version = draw(st.sampled_from([4, 6]))
    protocol = draw(st.sampled_from([Protocol.TCP, Protocol.UDP, Protocol.ICMP]))
    ports = (None, None) if protocol is Protocol.ICMP else (draw(PORTS), draw(PORTS))
    return Packet(protocol, draw(addresses(version)), draw(addresses(version)), *ports)
