"""A connection through security groups and network ACLs, leg by leg.

A TCP (or UDP) connection crosses up to four filters twice: the request
leaves the client (its security groups, then its subnet's network ACL),
arrives at the server (the server subnet's network ACL, then the server's
security groups); the response goes back the same way reversed.  Security
groups are stateful, so the response passes them because the request did;
network ACLs are stateless, so the response needs its own rule, on the
client's ephemeral port
(https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html,
https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html).
Traffic between two interfaces of the same subnet does not cross the subnet's
network ACL (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html).

>>> from generators.security.model import ALL_IPV4, SgRule, default_nacl, new_security_group
>>> web = SecurityGroup("sg-web", "web", (SgRule(Protocol.TCP, 443, 443, ALL_IPV4),), ())
>>> client = Endpoint("laptop", IPv4Address("198.51.100.7"))
>>> server = Endpoint("web-1", IPv4Address("10.0.1.5"), default_nacl("acl-1"), (web,), "subnet-a")
>>> evaluate_connection(client, server, Protocol.TCP, 443, 50000).works
True
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from ipaddress import IPv4Address, IPv6Address

from quizapp.values import quick_init
from generators.security.model import (
    Direction,
    NaclDecision,
    NaclReading,
    NetworkAcl,
    Packet,
    Protocol,
    SecurityGroup,
    SgDecision,
    address_text,
    evaluate_nacl,
    evaluate_security_groups,
    nacl_allows,
    security_groups_allow,
)

__all__ = [
    "Component",
    "Endpoint",
    "FlowResult",
    "Leg",
    "Step",
    "blocking_step",
    "connection_works",
    "evaluate_connection",
    "failing_steps",
]


class Leg(StrEnum):
    """The four places a connection's packets are filtered, in path order."""

    REQUEST_OUT = "request out"
    """The request leaving the client."""
    REQUEST_IN = "request in"
    """The request arriving at the server."""
    RESPONSE_OUT = "response out"
    """The response leaving the server."""
    RESPONSE_IN = "response in"
    """The response arriving back at the client."""


class Component(StrEnum):
    """The kind of filter a step is."""

    SECURITY_GROUP = "security group"
    NETWORK_ACL = "network ACL"


_NO_GROUPS: frozenset[str] = frozenset()


@quick_init
@dataclass(frozen=True)
class Endpoint:
    """One end of a connection.

    `nacl` is the network ACL of its subnet and `groups` the security groups
    of its interface; None for both means a host outside the VPC (the
    internet, on premises), which AWS does not filter.  Two endpoints with
    the same non-empty `subnet` talk without crossing the network ACL.
    """

    name: str
    address: IPv4Address | IPv6Address
    nacl: NetworkAcl | None = None
    groups: tuple[SecurityGroup, ...] | None = None
    subnet: str = ""

    def __post_init__(self) -> None:
        # Derived once: rules that reference groups look these ids up on every packet.
        groups = self.groups
        self.__dict__["_group_ids"] = frozenset([g.id for g in groups]) if groups else _NO_GROUPS

    @property
    def group_ids(self) -> frozenset[str]:
        """The ids of the groups attached to this endpoint."""
        ids: frozenset[str] = self.__dict__["_group_ids"]
        return ids


@quick_init
@dataclass(frozen=True)
class Step:
    """One filter on the path and what it did with the packet.

    Exactly one of `nacl` and `sg` is set, except on a stateful pass of a
    security group, where `sg` is None: the group let the response through
    because it let the request through.
    """

    leg: Leg
    component: Component
    endpoint: str
    direction: Direction
    packet: Packet
    allowed: bool
    nacl: NaclDecision | None = None
    sg: SgDecision | None = None

    @property
    def stateful(self) -> bool:
        """True when the step passed only because the filter tracks connections."""
        return self.nacl is None and self.sg is None

    @property
    def rule_label(self) -> str:
        """The deciding network ACL rule number (or ``*``); empty for security groups."""
        return self.nacl.rule_label if self.nacl is not None else ""

    def explain(self) -> str:
        """One sentence: where, which packet, and what decided.

        >>> from generators.security.model import NaclDecision
        >>> pkt = Packet(Protocol.TCP, IPv4Address("10.0.1.5"), IPv4Address("198.51.100.7"), 443, 50000)
        >>> Step(Leg.RESPONSE_OUT, Component.NETWORK_ACL, "web-1", Direction.OUTBOUND, pkt, False,
        ...      nacl=NaclDecision(False, None, Direction.OUTBOUND, "acl-1")).explain()
        'Response out of web-1 (tcp 10.0.1.5:443 -> 198.51.100.7:50000): No outbound rule of network ACL acl-1 matches, so the final * rule denies it.'
        """
        where = f"{_LEG_HEADS[self.leg]} {self.endpoint} ({_packet_text(self.packet)}): "
        if self.nacl is not None:
            return where + self.nacl.explain()
        if self.sg is not None:
            return where + self.sg.explain()
        if self.component is Component.NETWORK_ACL:
            return where + "the network ACL is taken to remember the request (a misconception: network ACLs are stateless)."
        return where + "the security group lets it through because it is the response to a request it allowed (security groups are stateful)."


_LEG_HEADS = {
    Leg.REQUEST_OUT: "Request out of",
    Leg.REQUEST_IN: "Request in to",
    Leg.RESPONSE_OUT: "Response out of",
    Leg.RESPONSE_IN: "Response in to",
}
"""How `Step.explain` opens for each leg."""


def _end_text(address: IPv4Address | IPv6Address, port: int | None) -> str:
    text = address_text(address)
    if port is None:
        return text
    return f"[{text}]:{port}" if address.version == 6 else f"{text}:{port}"


def _packet_text(packet: Packet) -> str:
    # Remembered on the packet (derived, like the rules' compiled forms): a
    # walk's steps show the same request or response again and again.
    text: str | None = packet.__dict__.get("_text")
    if text is None:
        text = f"{packet.protocol.value} {_end_text(packet.source, packet.source_port)} -> {_end_text(packet.destination, packet.destination_port)}"
        packet.__dict__["_text"] = text
    return text


@quick_init
@dataclass(frozen=True)
class FlowResult:
    """Every filter step of a connection, in path order."""

    request: Packet
    steps: tuple[Step, ...]

    @property
    def works(self) -> bool:
        """True when every step lets its packet through."""
        return all(s.allowed for s in self.steps)

    @property
    def blocking(self) -> Step | None:
        """The first step on the path that drops its packet, or None."""
        return next((s for s in self.steps if not s.allowed), None)

    def leg(self, leg: Leg) -> tuple[Step, ...]:
        """The steps of one leg, in path order."""
        return tuple(s for s in self.steps if s.leg is leg)

    def step(self, leg: Leg, component: Component) -> Step | None:
        """The step of `component` on `leg`, if that leg crosses one."""
        return next((s for s in self.steps if s.leg is leg and s.component is component), None)


def evaluate_connection(
    client: Endpoint,
    server: Endpoint,
    protocol: Protocol,
    server_port: int | None,
    client_port: int | None,
    *,
    nacl_stateful: bool = False,
    sg_stateless: bool = False,
    nacl_reading: NaclReading = NaclReading.RULE_NUMBER,
    until_blocked: bool = False,
) -> FlowResult:
    """Walk a connection from `client` to `server` and back through every filter.

    All four legs are evaluated even when an early one blocks, so a
    question can name every fault, unless `until_blocked` asks to stop at
    the first step that drops its packet.  The other keyword flags answer
    as a misconception would, for distractors: `nacl_stateful` lets a
    network ACL pass the response when it passed the request;
    `sg_stateless` evaluates security-group rules on the response too.

    >>> from generators.security.model import ALL_IPV4, Action, NaclRule, SgRule
    >>> acl = NetworkAcl("acl-1", (NaclRule(100, Action.ALLOW, Protocol.TCP, 22, 22, ALL_IPV4),), ())
    >>> ssh = SecurityGroup("sg-1", "bastion", (SgRule(Protocol.TCP, 22, 22, ALL_IPV4),), ())
    >>> server = Endpoint("bastion", IPv4Address("10.0.0.9"), acl, (ssh,), "subnet-p")
    >>> result = evaluate_connection(Endpoint("admin", IPv4Address("192.0.2.4")), server, Protocol.TCP, 22, 49200)
    >>> result.works, result.blocking.leg.value, result.blocking.rule_label
    (False, 'response out', '*')
    >>> evaluate_connection(Endpoint("admin", IPv4Address("192.0.2.4")), server, Protocol.TCP, 22, 49200, nacl_stateful=True).works
    True
    """
    request = Packet(protocol, client.address, server.address, client_port, server_port)
    response = request.reply()
    crosses_nacl = not (client.subnet and client.subnet == server.subnet)
    steps: list[Step] = []
    nacl_passed: dict[str, bool] = {}
    for leg, component, at_client, direction, tracked in _PLAN:
        end, other = (client, server) if at_client else (server, client)
        packet = response if tracked else request
        if component is _SG:
            if end.groups is None:
                continue
            if tracked and not sg_stateless:
                step = Step(leg, component, end.name, direction, packet, True)
            else:
                sg = evaluate_security_groups(end.groups, direction, packet, other.__dict__["_group_ids"])
                step = Step(leg, component, end.name, direction, packet, sg.allowed, None, sg)
        else:
            if end.nacl is None or not crosses_nacl:
                continue
            nacl = evaluate_nacl(end.nacl, direction, packet, reading=nacl_reading)
            if tracked and nacl_stateful and not nacl.allowed and nacl_passed.get(end.name, False):
                step = Step(leg, component, end.name, direction, packet, True)
            else:
                step = Step(leg, component, end.name, direction, packet, nacl.allowed, nacl)
            if not tracked:
                nacl_passed[end.name] = step.allowed
        steps.append(step)
        if until_blocked and not step.allowed:
            break
    return FlowResult(request, tuple(steps))


def blocking_step(
    client: Endpoint,
    server: Endpoint,
    protocol: Protocol,
    server_port: int | None,
    client_port: int | None,
    *,
    nacl_stateful: bool = False,
    sg_stateless: bool = False,
) -> Step | None:
    """The first step that drops the connection, or None when it works: the
    same step as ``evaluate_connection(..., until_blocked=True).blocking``,
    found with the yes/no evaluators, so that only the dropping step is built
    with its decision.

    >>> from generators.security.model import ALL_IPV4, Action, NaclRule, SgRule
    >>> acl = NetworkAcl("acl-1", (NaclRule(100, Action.ALLOW, Protocol.TCP, 22, 22, ALL_IPV4),), ())
    >>> ssh = SecurityGroup("sg-1", "bastion", (SgRule(Protocol.TCP, 22, 22, ALL_IPV4),), ())
    >>> server = Endpoint("bastion", IPv4Address("10.0.0.9"), acl, (ssh,), "subnet-p")
    >>> blocking_step(Endpoint("admin", IPv4Address("192.0.2.4")), server, Protocol.TCP, 22, 49200).explain()
    'Response out of bastion (tcp 10.0.0.9:22 -> 192.0.2.4:49200): No outbound rule of network ACL acl-1 matches, so the final * rule denies it.'
    >>> blocking_step(Endpoint("admin", IPv4Address("192.0.2.4")), server, Protocol.TCP, 22, 49200, nacl_stateful=True) is None
    True
    """
    drops = _drops(client, server, protocol, server_port, client_port, nacl_stateful, sg_stateless)
    return next(drops, None)


def failing_steps(
    client: Endpoint,
    server: Endpoint,
    protocol: Protocol,
    server_port: int | None,
    client_port: int | None,
    *,
    nacl_stateful: bool = False,
    sg_stateless: bool = False,
) -> tuple[Step, ...]:
    """Every step of the walk that drops its packet, in path order: the same
    steps as ``[s for s in evaluate_connection(...).steps if not s.allowed]``,
    found with the yes/no evaluators, so that only those steps are built.

    >>> from generators.security.model import ALL_IPV4, Action, NaclRule
    >>> acl = NetworkAcl("acl-1", (NaclRule(100, Action.ALLOW, Protocol.TCP, 22, 22, ALL_IPV4),), ())
    >>> server = Endpoint("bastion", IPv4Address("10.0.0.9"), acl, (), "subnet-p")
    >>> [(s.leg.value, s.component.value) for s in failing_steps(Endpoint("admin", IPv4Address("192.0.2.4")), server, Protocol.TCP, 22, 49200)]
    [('request in', 'security group'), ('response out', 'network ACL')]
    """
    return tuple(_drops(client, server, protocol, server_port, client_port, nacl_stateful, sg_stateless))


def _drops(
    client: Endpoint,
    server: Endpoint,
    protocol: Protocol,
    server_port: int | None,
    client_port: int | None,
    nacl_stateful: bool,
    sg_stateless: bool,
) -> Iterator[Step]:
    """The steps of `evaluate_connection`'s walk that drop their packet, built lazily."""
    request = Packet(protocol, client.address, server.address, client_port, server_port)
    response: Packet | None = None
    crosses_nacl = not (client.subnet and client.subnet == server.subnet)
    nacl_passed: dict[str, bool] = {}
    for leg, component, at_client, direction, tracked in _PLAN:
        end, other = (client, server) if at_client else (server, client)
        if tracked:
            if response is None:
                response = request.reply()
            packet = response
        else:
            packet = request
        if component is _SG:
            if end.groups is None or (tracked and not sg_stateless):
                continue  # no group, or a stateful pass of the response
            peers: frozenset[str] = other.__dict__["_group_ids"]
            if not security_groups_allow(end.groups, direction, packet, peers):
                sg = evaluate_security_groups(end.groups, direction, packet, peers)
                yield Step(leg, component, end.name, direction, packet, False, None, sg)
        else:
            if end.nacl is None or not crosses_nacl:
                continue
            allowed = nacl_allows(end.nacl, direction, packet)
            passed = allowed or (tracked and nacl_stateful and nacl_passed.get(end.name, False))
            if not passed:
                yield Step(leg, component, end.name, direction, packet, False, evaluate_nacl(end.nacl, direction, packet))
            if not tracked:
                nacl_passed[end.name] = passed


_INBOUND, _OUTBOUND = Direction.INBOUND, Direction.OUTBOUND
_SG = Component.SECURITY_GROUP
_NACL = Component.NETWORK_ACL
_PLAN: tuple[tuple[Leg, Component, bool, Direction, bool], ...] = (
    (Leg.REQUEST_OUT, _SG, True, Direction.OUTBOUND, False),
    (Leg.REQUEST_OUT, _NACL, True, Direction.OUTBOUND, False),
    (Leg.REQUEST_IN, _NACL, False, Direction.INBOUND, False),
    (Leg.REQUEST_IN, _SG, False, Direction.INBOUND, False),
    (Leg.RESPONSE_OUT, _SG, False, Direction.OUTBOUND, True),
    (Leg.RESPONSE_OUT, _NACL, False, Direction.OUTBOUND, True),
    (Leg.RESPONSE_IN, _NACL, True, Direction.INBOUND, True),
    (Leg.RESPONSE_IN, _SG, True, Direction.INBOUND, True),
)
"""The filters of a connection in path order: (leg, component, at the client?,
direction, on the response?)."""


def connection_works(
    client: Endpoint,
    server: Endpoint,
    protocol: Protocol,
    server_port: int | None,
    client_port: int | None,
    *,
    nacl_stateful: bool = False,
) -> bool:
    """Whether `evaluate_connection(...)` would say the connection works,
    stopping at the first filter that drops it and building no trace.

    >>> from generators.security.model import default_nacl
    >>> server = Endpoint("web-1", IPv4Address("10.0.1.5"), default_nacl("acl-1"), (), "subnet-a")
    >>> connection_works(Endpoint("laptop", IPv4Address("198.51.100.7")), server, Protocol.TCP, 443, 50000)
    False
    """
    outbound, inbound = _OUTBOUND, _INBOUND
    request = Packet(protocol, client.address, server.address, client_port, server_port)
    crosses = not (client.subnet and client.subnet == server.subnet)
    client_nacl, server_nacl = (client.nacl, server.nacl) if crosses else (None, None)
    if client.groups is not None and not security_groups_allow(client.groups, outbound, request, server.__dict__["_group_ids"]):
        return False
    if client_nacl is not None and not nacl_allows(client_nacl, outbound, request):
        return False
    if server_nacl is not None and not nacl_allows(server_nacl, inbound, request):
        return False
    if server.groups is not None and not security_groups_allow(server.groups, inbound, request, client.__dict__["_group_ids"]):
        return False
    if nacl_stateful or (server_nacl is None and client_nacl is None):
        # The request crossed every network ACL on its way; a (mistakenly)
        # stateful ACL would let the response back, and security groups do.
        return True
    response = request.reply()
    if server_nacl is not None and not nacl_allows(server_nacl, outbound, response):
        return False
    return client_nacl is None or nacl_allows(client_nacl, inbound, response)
