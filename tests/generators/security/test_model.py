"""The NACL and security-group evaluators against a brute-force reference and AWS's examples."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generators.security.model import (
    ALL_IPV4,
    ALL_IPV6,
    Action,
    Direction,
    NaclReading,
    NaclRule,
    NetworkAcl,
    Packet,
    Protocol,
    SecurityGroup,
    SecurityModelError,
    SgRule,
    address_text,
    custom_nacl,
    default_nacl,
    default_security_group,
    ephemeral_ports,
    evaluate_nacl,
    evaluate_nacl_readings,
    evaluate_security_groups,
    nacl_allows,
    new_security_group,
    security_groups_allow,
)
from tests.generators.security.oracle import (
    reference_nacl,
    reference_sg,
    reference_sg_rule,
)
from tests.generators.security.strategies import GROUP_IDS, acls, groups, packets

directions = st.sampled_from(list(Direction))
peer_sets = st.frozensets(st.sampled_from(GROUP_IDS))


@settings(max_examples=250)
@given(acls(), directions, packets())
def test_nacl_agrees_with_brute_force(acl: NetworkAcl, direction: Direction, packet: Packet) -> None:
    decision = evaluate_nacl(acl, direction, packet)
    allowed, number = reference_nacl(acl.rules(direction), direction, packet)
    assert decision.allowed == allowed
    assert (decision.rule.number if decision.rule else None) == number
    assert decision.rule_label == (str(number) if number is not None else "*")


@settings(max_examples=200)
@given(acls(), directions, packets())
def test_mismatch_reason_is_none_exactly_when_a_rule_matches(acl: NetworkAcl, direction: Direction, packet: Packet) -> None:
    for rule in acl.rules(direction):
        assert (rule.mismatch(direction, packet) is None) == rule.matches(direction, packet)


@settings(max_examples=200)
@given(acls(), directions, packets())
def test_listed_order_reading_takes_the_first_listed_match(acl: NetworkAcl, direction: Direction, packet: Packet) -> None:
    rules = acl.rules(direction)
    listed = evaluate_nacl(acl, direction, packet, reading=NaclReading.LISTED_ORDER)
    renumbered = [NaclRule(i, r.action, r.protocol, r.port_from, r.port_to, r.cidr) for i, r in enumerate(rules, 1)]
    allowed, number = reference_nacl(renumbered, direction, packet)
    assert listed.allowed == allowed
    assert (rules[number - 1] if number else None) == listed.rule


@settings(max_examples=200)
@given(acls(), directions, packets())
def test_last_match_reading_takes_the_highest_numbered_match(acl: NetworkAcl, direction: Direction, packet: Packet) -> None:
    last = evaluate_nacl(acl, direction, packet, reading=NaclReading.LAST_MATCH)
    # Reversing the numbers makes "first match" of the reference the last match of the original.
    flipped = [NaclRule(61 - r.number, r.action, r.protocol, r.port_from, r.port_to, r.cidr) for r in acl.rules(direction)]
    allowed, number = reference_nacl(flipped, direction, packet)
    assert last.allowed == allowed
    assert (last.rule.number if last.rule else None) == (61 - number if number else None)


@settings(max_examples=200)
@given(acls(), directions, packets())
def test_all_readings_at_once_agree_with_each_reading(acl: NetworkAcl, direction: Direction, packet: Packet) -> None:
    at_once = evaluate_nacl_readings(acl, direction, packet)
    for reading in NaclReading:
        assert at_once[reading] == evaluate_nacl(acl, direction, packet, reading=reading)


@settings(max_examples=250)
@given(st.lists(groups(), min_size=1, max_size=3), directions, packets(), peer_sets)
def test_security_groups_are_a_union_of_allow_rules(
    group_list: list[SecurityGroup], direction: Direction, packet: Packet, peers: frozenset[str]
) -> None:
    decision = evaluate_security_groups(group_list, direction, packet, peers)
    assert decision.allowed == reference_sg(group_list, direction, packet, peers)
    if decision.allowed:
        assert decision.rule is not None and decision.group is not None
        assert decision.rule in decision.group.rules(direction)
        assert reference_sg_rule(decision.rule, direction, packet, peers)
    else:
        assert decision.rule is None and decision.group is None
    # Order of the groups never changes the verdict.
    assert evaluate_security_groups(list(reversed(group_list)), direction, packet, peers).allowed == decision.allowed


def _tcp(src: str, dst: str, sport: int, dport: int) -> Packet:
    return Packet(Protocol.TCP, IPv4Address(src), IPv4Address(dst), sport, dport)


def _rule(n: int, action: str, ports: tuple[int, int] | None, cidr: str) -> NaclRule:
    protocol = Protocol.TCP if ports else Protocol.ALL
    low, high = ports if ports else (None, None)
    return NaclRule(n, Action(action), protocol, low, high, IPv4Network(cidr))


# AWS's custom network ACL for a web subnet of an IPv4-only VPC
# (https://docs.aws.amazon.com/vpc/latest/userguide/custom-network-acl.html).
AWS_EXAMPLE = NetworkAcl(
    "acl-example",
    (
        _rule(100, "allow", (80, 80), "0.0.0.0/0"),
        _rule(110, "allow", (443, 443), "0.0.0.0/0"),
        _rule(120, "allow", (22, 22), "192.0.2.0/24"),
        _rule(130, "allow", (3389, 3389), "192.0.2.0/24"),
        _rule(140, "allow", (32768, 65535), "0.0.0.0/0"),
    ),
    (
        _rule(100, "allow", (80, 80), "0.0.0.0/0"),
        _rule(110, "allow", (443, 443), "0.0.0.0/0"),
        _rule(120, "allow", (1024, 65535), "192.0.2.0/24"),
        _rule(140, "allow", (32768, 65535), "0.0.0.0/0"),
    ),
)
WEB = "10.0.0.10"


@pytest.mark.parametrize(
    ("direction", "packet", "allowed", "label"),
    [
        # AWS's walk-through: a packet for 443 skips 100 and matches 110; one for 139 falls to *.
        (Direction.INBOUND, _tcp("198.51.100.7", WEB, 50000, 443), True, "110"),
        (Direction.INBOUND, _tcp("198.51.100.7", WEB, 50000, 139), False, "*"),
        (Direction.INBOUND, _tcp("198.51.100.7", WEB, 50000, 80), True, "100"),
        # SSH and RDP only from the home network.
        (Direction.INBOUND, _tcp("192.0.2.44", WEB, 50000, 22), True, "120"),
        (Direction.INBOUND, _tcp("203.0.113.9", WEB, 50000, 22), False, "*"),
        (Direction.INBOUND, _tcp("192.0.2.44", WEB, 50000, 3389), True, "130"),
        # Responses to web clients leave by outbound 140; to the home network by 120.
        (Direction.OUTBOUND, _tcp(WEB, "198.51.100.7", 443, 50000), True, "140"),
        (Direction.OUTBOUND, _tcp(WEB, "192.0.2.44", 22, 2000), True, "120"),
        (Direction.OUTBOUND, _tcp(WEB, "198.51.100.7", 443, 2000), False, "*"),
        # The subnet's own HTTPS requests go out by 110 and their responses come in by 140.
        (Direction.OUTBOUND, _tcp(WEB, "198.51.100.7", 40000, 443), True, "110"),
        (Direction.INBOUND, _tcp("198.51.100.7", WEB, 443, 40000), True, "140"),
    ],
)
def test_aws_custom_nacl_example(direction: Direction, packet: Packet, allowed: bool, label: str) -> None:
    decision = evaluate_nacl(AWS_EXAMPLE, direction, packet)
    assert (decision.allowed, decision.rule_label) == (allowed, label)


def test_aws_ipv6_example_rules_are_evaluated_separately() -> None:
    # AWS's dual-stack variant puts IPv6 rule 105 (::/0) between IPv4 rules 100 and 110.
    acl = NetworkAcl(
        "acl-dual",
        (
            _rule(100, "allow", (80, 80), "0.0.0.0/0"),
            NaclRule(105, Action.ALLOW, Protocol.TCP, 80, 80, ALL_IPV6),
            _rule(110, "allow", (443, 443), "0.0.0.0/0"),
        ),
        (),
    )
    v6 = Packet(Protocol.TCP, IPv6Address("2001:db8::7"), IPv6Address("2600:1f18::10"), 50000, 443)
    assert evaluate_nacl(acl, Direction.INBOUND, v6).rule_label == "*"
    v6_http = Packet(Protocol.TCP, IPv6Address("2001:db8::7"), IPv6Address("2600:1f18::10"), 50000, 80)
    assert evaluate_nacl(acl, Direction.INBOUND, v6_http).rule_label == "105"
    assert evaluate_nacl(acl, Direction.INBOUND, _tcp("198.51.100.7", WEB, 50000, 443)).rule_label == "110"


def test_default_and_custom_nacl() -> None:
    anything = _tcp("198.51.100.7", WEB, 50000, 8443)
    v6 = Packet(Protocol.UDP, IPv6Address("2001:db8::7"), IPv6Address("2600:1f18::10"), 5353, 53)
    for direction in Direction:
        assert evaluate_nacl(default_nacl("acl-d"), direction, anything).allowed
        assert evaluate_nacl(default_nacl("acl-d"), direction, v6).rule_label == "101"
        assert evaluate_nacl(custom_nacl("acl-c"), direction, anything).rule_label == "*"


def test_default_and_new_security_groups() -> None:
    default = default_security_group("sg-d")
    fresh = new_security_group("sg-n", "fresh")
    request = _tcp("10.0.1.5", WEB, 40000, 5432)
    assert evaluate_security_groups([default], Direction.INBOUND, request, frozenset({"sg-d"})).allowed
    assert not evaluate_security_groups([default], Direction.INBOUND, request, frozenset({"sg-n"})).allowed
    assert not evaluate_security_groups([fresh], Direction.INBOUND, request, frozenset({"sg-n"})).allowed
    assert evaluate_security_groups([fresh], Direction.OUTBOUND, request).allowed
    # A union: adding the new group to the default one takes nothing away.
    assert evaluate_security_groups([fresh, default], Direction.INBOUND, request, frozenset({"sg-d"})).allowed


def test_ephemeral_ports() -> None:
    assert ephemeral_ports("linux") == (32768, 61000)
    assert ephemeral_ports("windows") == (49152, 65535)
    for client in ("nat-gateway", "elb", "lambda"):
        assert ephemeral_ports(client) == (1024, 65535)
    with pytest.raises(SecurityModelError, match="unknown client"):
        ephemeral_ports("macos")


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: NaclRule(0, Action.ALLOW, Protocol.ALL, None, None, ALL_IPV4), "outside 1-32766"),
        (lambda: NaclRule(32767, Action.ALLOW, Protocol.ALL, None, None, ALL_IPV4), "outside 1-32766"),
        (lambda: NaclRule(1, Action.ALLOW, Protocol.TCP, None, None, ALL_IPV4), "needs a port range"),
        (lambda: NaclRule(1, Action.ALLOW, Protocol.ICMP, 1, 2, ALL_IPV4), "takes no port range"),
        (lambda: NaclRule(1, Action.ALLOW, Protocol.TCP, 90, 80, ALL_IPV4), "0 <= from <= to"),
        (lambda: SgRule(Protocol.TCP, 22, 22, "web"), "neither a CIDR block nor an sg- id"),
        (lambda: NetworkAcl("acl-x", (_rule(100, "allow", None, "0.0.0.0/0"), _rule(100, "deny", None, "0.0.0.0/0")), ()), "two inbound rules are numbered 100"),
        (lambda: Packet(Protocol.TCP, IPv4Address("10.0.0.1"), IPv6Address("2001:db8::1"), 1, 2), "not the same IP version"),
    ],
)
def test_invalid_values_are_refused(build, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SecurityModelError, match=message):
        build()


@settings(max_examples=250)
@given(acls(), directions, packets())
def test_nacl_allows_is_the_decisions_verdict(acl: NetworkAcl, direction: Direction, packet: Packet) -> None:
    assert nacl_allows(acl, direction, packet) == evaluate_nacl(acl, direction, packet).allowed


@settings(max_examples=250)
@given(st.lists(groups(), max_size=3), directions, packets(), peer_sets)
def test_security_groups_allow_is_the_decisions_verdict(
    group_list: list[SecurityGroup], direction: Direction, packet: Packet, peers: frozenset[str]
) -> None:
    assert security_groups_allow(group_list, direction, packet, peers) == evaluate_security_groups(group_list, direction, packet, peers).allowed


@given(st.integers(min_value=0, max_value=2**32 - 1), st.integers(min_value=0, max_value=32))
def test_address_text_writes_ipv4_like_ipaddress(value: int, prefix: int) -> None:
    network = IPv4Network((value >> (32 - prefix) << (32 - prefix) if prefix else 0, prefix))
    assert address_text(IPv4Address(value)) == str(IPv4Address(value))
    assert address_text(network) == str(network)


# Hextets that are mostly zero or small, so that every shape of zero run (and tie) comes up.
hextets = st.lists(st.one_of(st.just(0), st.integers(min_value=0, max_value=15), st.integers(min_value=0, max_value=0xFFFF)), min_size=8, max_size=8)


@settings(max_examples=500)
@given(hextets, st.integers(min_value=0, max_value=128))
def test_address_text_writes_ipv6_like_ipaddress(parts: list[int], prefix: int) -> None:
    value = 0
    for part in parts:
        value = value << 16 | part
    network = IPv6Network((value >> (128 - prefix) << (128 - prefix) if prefix else 0, prefix))
    assert address_text(IPv6Address(value)) == str(IPv6Address(value))
    assert address_text(network) == str(network)


def test_rules_and_packets_stay_frozen_and_replaceable() -> None:
    rule = NaclRule(100, Action.ALLOW, Protocol.TCP, 443, 443, ALL_IPV4)
    with pytest.raises(FrozenInstanceError):
        rule.number = 90  # type: ignore[misc]
    # Derived fields (compiled matches, cached texts) are neither compared nor shown.
    rule.describe(Direction.INBOUND)
    assert rule == NaclRule(100, Action.ALLOW, Protocol.TCP, 443, 443, ALL_IPV4)
    assert repr(rule) == "NaclRule(number=100, action=<Action.ALLOW: 'allow'>, protocol=<Protocol.TCP: 'tcp'>, port_from=443, port_to=443, cidr=IPv4Network('0.0.0.0/0'))"
    packet = Packet(Protocol.TCP, IPv4Address("198.51.100.7"), IPv4Address("10.0.0.5"), 50000, 443)
    moved = replace(packet, destination_port=22)
    assert moved.destination_port == 22 and not rule.matches(Direction.INBOUND, moved) and rule.matches(Direction.INBOUND, packet)
    acl = NetworkAcl("acl-1", (NaclRule(200, Action.DENY, Protocol.ALL, None, None, ALL_IPV4), rule), ())
    assert [r.number for r in acl.ordered(Direction.INBOUND)] == [100, 200]
    assert [r.number for r in replace(acl, inbound=acl.inbound[:1]).ordered(Direction.INBOUND)] == [200]
