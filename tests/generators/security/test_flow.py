"""The connection walk: stateful groups, stateless ACLs, and its fast check."""

from __future__ import annotations

from ipaddress import IPv4Address

from hypothesis import given, settings
from hypothesis import strategies as st

from generators.security.flow import (
    Component,
    Endpoint,
    Leg,
    blocking_step,
    connection_works,
    evaluate_connection,
    failing_steps,
)
from generators.security.model import (
    ALL_IPV4,
    Action,
    Direction,
    NaclRule,
    NetworkAcl,
    Packet,
    Protocol,
    SecurityGroup,
    SgRule,
    default_nacl,
)
from tests.generators.security.oracle import reference_nacl, reference_sg
from tests.generators.security.strategies import PORTS, acls, addresses, groups


@st.composite
def endpoints(draw: st.DrawFn, name: str, group_id: str) -> Endpoint:
    outside = draw(st.booleans())
    address = draw(addresses(4))
    if outside:
        return Endpoint(name, address)
    return Endpoint(name, address, draw(acls()), (draw(groups(group_id)),), draw(st.sampled_from(["s1", "s2"])))


def _reference_works(client: Endpoint, server: Endpoint, port: int, cport: int) -> bool:
    """The same walk written out by hand with the brute-force evaluators."""
    request = Packet(Protocol.TCP, client.address, server.address, cport, port)
    response = Packet(Protocol.TCP, server.address, client.address, port, cport)
    crosses = not (client.subnet and client.subnet == server.subnet)
    ok = True
    if client.groups is not None:
        ok &= reference_sg(client.groups, Direction.OUTBOUND, request, server.group_ids)
    if server.groups is not None:
        ok &= reference_sg(server.groups, Direction.INBOUND, request, client.group_ids)
    if crosses and client.nacl is not None:
        ok &= reference_nacl(client.nacl.outbound, Direction.OUTBOUND, request)[0]
        ok &= reference_nacl(client.nacl.inbound, Direction.INBOUND, response)[0]
    if crosses and server.nacl is not None:
        ok &= reference_nacl(server.nacl.inbound, Direction.INBOUND, request)[0]
        ok &= reference_nacl(server.nacl.outbound, Direction.OUTBOUND, response)[0]
    return ok


@settings(max_examples=250)
@given(endpoints("a", "sg-a"), endpoints("b", "sg-b"), PORTS, PORTS)
def test_walk_agrees_with_reference_and_fast_check(client: Endpoint, server: Endpoint, port: int, cport: int) -> None:
    full = evaluate_connection(client, server, Protocol.TCP, port, cport)
    assert full.works == _reference_works(client, server, port, cport)
    assert connection_works(client, server, Protocol.TCP, port, cport) == full.works
    short = evaluate_connection(client, server, Protocol.TCP, port, cport, until_blocked=True)
    assert short.works == full.works and short.blocking == full.blocking
    # Path order never changes: legs appear in order, security groups are stateful.
    legs = [s.leg for s in full.steps]
    assert legs == sorted(legs, key=list(Leg).index)
    for step in full.steps:
        if step.leg in (Leg.RESPONSE_OUT, Leg.RESPONSE_IN) and step.component is Component.SECURITY_GROUP:
            assert step.allowed and step.stateful


@settings(max_examples=300)
@given(endpoints("a", "sg-a"), endpoints("b", "sg-b"), PORTS, PORTS, st.booleans(), st.booleans())
def test_blocking_and_failing_steps_are_the_walks_drops(
    client: Endpoint, server: Endpoint, port: int, cport: int, nacl_stateful: bool, sg_stateless: bool
) -> None:
    walk = evaluate_connection(
        client, server, Protocol.TCP, port, cport, nacl_stateful=nacl_stateful, sg_stateless=sg_stateless, until_blocked=True
    )
    step = blocking_step(client, server, Protocol.TCP, port, cport, nacl_stateful=nacl_stateful, sg_stateless=sg_stateless)
    assert step == walk.blocking
    if step is not None:
        assert step.explain() == walk.steps[-1].explain()
    full = evaluate_connection(client, server, Protocol.TCP, port, cport, nacl_stateful=nacl_stateful, sg_stateless=sg_stateless)
    failing = failing_steps(client, server, Protocol.TCP, port, cport, nacl_stateful=nacl_stateful, sg_stateless=sg_stateless)
    assert failing == tuple(s for s in full.steps if not s.allowed)


def _server(acl: NetworkAcl, group: SecurityGroup) -> Endpoint:
    return Endpoint("web-1", IPv4Address("10.0.1.10"), acl, (group,), "web")


CLIENT = Endpoint("client", IPv4Address("198.51.100.7"))
HTTPS_SG = SecurityGroup("sg-web", "web", (SgRule(Protocol.TCP, 443, 443, ALL_IPV4),), ())
INBOUND_ONLY = NetworkAcl("acl-1", (NaclRule(100, Action.ALLOW, Protocol.TCP, 443, 443, ALL_IPV4),), ())


def test_stateless_acl_blocks_the_response_and_names_the_star_rule() -> None:
    result = evaluate_connection(CLIENT, _server(INBOUND_ONLY, HTTPS_SG), Protocol.TCP, 443, 50000)
    assert not result.works
    step = result.blocking
    assert step is not None and step.leg is Leg.RESPONSE_OUT and step.component is Component.NETWORK_ACL
    assert step.rule_label == "*" and "final * rule" in step.explain()
    # The security group needs no outbound rule: it is stateful.
    assert result.step(Leg.RESPONSE_OUT, Component.SECURITY_GROUP) is not None
    # Treating the ACL as stateful (a misconception) would let it through.
    assert evaluate_connection(CLIENT, _server(INBOUND_ONLY, HTTPS_SG), Protocol.TCP, 443, 50000, nacl_stateful=True).works


def test_ephemeral_rule_fixes_it_for_the_whole_range_only() -> None:
    linux_only = NetworkAcl("acl-1", INBOUND_ONLY.inbound, (NaclRule(100, Action.ALLOW, Protocol.TCP, 32768, 61000, ALL_IPV4),))
    server = _server(linux_only, HTTPS_SG)
    assert connection_works(CLIENT, server, Protocol.TCP, 443, 32768)
    assert connection_works(CLIENT, server, Protocol.TCP, 443, 61000)
    # A Windows client's port above 61000 is not covered.
    assert not connection_works(CLIENT, server, Protocol.TCP, 443, 65000)


def test_stateless_security_group_misconception() -> None:
    server = _server(default_nacl("acl-d"), HTTPS_SG)
    assert evaluate_connection(CLIENT, server, Protocol.TCP, 443, 50000).works
    blocked = evaluate_connection(CLIENT, server, Protocol.TCP, 443, 50000, sg_stateless=True).blocking
    assert blocked is not None and blocked.leg is Leg.RESPONSE_OUT and blocked.component is Component.SECURITY_GROUP


def test_same_subnet_traffic_skips_the_acl() -> None:
    closed = NetworkAcl("acl-closed", (), ())
    group = SecurityGroup("sg-x", "x", (SgRule(Protocol.ALL, None, None, "sg-x"),), (SgRule(Protocol.ALL, None, None, ALL_IPV4),))
    a = Endpoint("a", IPv4Address("10.0.1.5"), closed, (group,), "app")
    b = Endpoint("b", IPv4Address("10.0.1.6"), closed, (group,), "app")
    result = evaluate_connection(a, b, Protocol.TCP, 8080, 40000)
    assert result.works and all(s.component is Component.SECURITY_GROUP for s in result.steps)
    c = Endpoint("c", IPv4Address("10.0.2.6"), closed, (group,), "other")
    assert evaluate_connection(a, c, Protocol.TCP, 8080, 40000).blocking.rule_label == "*"  # type: ignore[union-attr]
