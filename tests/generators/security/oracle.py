"""Brute-force reference evaluators, written independently of the model.

They read rules the plainest way possible: sort by number, test each field,
and check address containment with `ipaddress.ip_network(...).subnet_of`
instead of the model's `in` test.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from generators.security.model import (
    Action,
    Direction,
    NaclRule,
    Packet,
    Protocol,
    SecurityGroup,
    SgRule,
)


def contains(network: ipaddress.IPv4Network | ipaddress.IPv6Network, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True when `address` lies in `network` (never across IP versions)."""
    host = ipaddress.ip_network(f"{address}/{address.max_prefixlen}")
    if host.version != network.version:
        return False
    return host.subnet_of(network)  # type: ignore[arg-type]


def _fields_match(protocol: Protocol, low: int | None, high: int | None, packet: Packet) -> bool:
    if protocol == Protocol.ALL:
        return True
    if protocol != packet.protocol:
        return False
    if protocol in (Protocol.TCP, Protocol.UDP):
        assert low is not None and high is not None and packet.destination_port is not None
        return low <= packet.destination_port <= high
    return True


def reference_nacl(rules: Iterable[NaclRule], direction: Direction, packet: Packet) -> tuple[bool, int | None]:
    """(allowed, deciding rule number or None for `*`)."""
    other = packet.source if direction == Direction.INBOUND else packet.destination
    for rule in sorted(rules, key=lambda r: r.number):
        if _fields_match(rule.protocol, rule.port_from, rule.port_to, packet) and contains(rule.cidr, other):
            return rule.action == Action.ALLOW, rule.number
    return False, None


def reference_sg_rule(rule: SgRule, direction: Direction, packet: Packet, peer_groups: frozenset[str]) -> bool:
    """True when this one rule allows the packet."""
    if not _fields_match(rule.protocol, rule.port_from, rule.port_to, packet):
        return False
    if isinstance(rule.peer, str):
        return rule.peer in peer_groups
    other = packet.source if direction == Direction.INBOUND else packet.destination
    return contains(rule.peer, other)


def reference_sg(groups: Sequence[SecurityGroup], direction: Direction, packet: Packet, peer_groups: frozenset[str]) -> bool:
    """True when any rule of any group allows the packet."""
    return any(
        reference_sg_rule(rule, direction, packet, peer_groups)
        for group in groups
        for rule in (group.inbound if direction == Direction.INBOUND else group.outbound)
    )
