"""Reachability: walk a flow through a VPC like VPC Reachability Analyzer.

Given a topology and a flow (source, destination, protocol, port), the walk
follows the request hop by hop (the source's security groups out, its
subnet's network ACL out, the route table, gateways, the destination subnet's
network ACL in, the destination's security groups in), then the response
back through the network ACLs on the client's ephemeral ports, and returns
either "reachable" or the first component that drops the packet with the rule
(or missing rule) responsible. Like Reachability Analyzer it reasons on the
configuration; it sends nothing.

Facts encoded here (checked against AWS documentation):

- Reachability Analyzer analyses the configuration, sends no packets, and
  names the blocking component
  (https://docs.aws.amazon.com/vpc/latest/reachability/how-reachability-analyzer-works.html).
- Internet access needs: an internet gateway attached to the VPC, a route to
  it in the subnet's route table, a public IPv4 or Elastic IP address (or an
  IPv6 address) on the instance, and security-group and network-ACL rules
  that let the traffic through both ways
  (https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html).
- Security groups are stateful, network ACLs are stateless; network ACLs are
  applied where traffic enters or leaves a subnet, so two instances of the
  same subnet talk without crossing it (inferred from "allowed in or out of a
  subnet") (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html).
- A public NAT gateway sits in a public subnet, has an Elastic IP address,
  takes the private subnets' 0.0.0.0/0 traffic and sends it out through the
  internet gateway; the internet cannot start connections through it; it
  picks source ports 1024-65535; no security group can be associated with it;
  it lives in one Availability Zone and resources elsewhere lose internet
  access if that zone goes down
  (https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-basics.html,
  https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html).
  AWS has since added *regional* NAT gateways that span zones
  (https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateways-regional.html);
  this model covers the zonal kind.
- A NAT instance must have its source/destination check turned off
  (https://docs.aws.amazon.com/vpc/latest/userguide/VPC_NAT_Instance.html).
- An egress-only internet gateway carries IPv6 only and lets instances start
  connections out while the internet cannot start connections in
  (https://docs.aws.amazon.com/vpc/latest/userguide/egress-only-internet-gateway.html).
- "Connection timed out" points at security groups, network ACLs or the
  route table, which drop packets silently; "connection refused" means the
  packet arrived and nothing listens on the port
  (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/TroubleshootingInstancesConnecting.html).

>>> from generators.routing.topology import example_vpc
>>> result = walk(example_vpc(), Flow("i-app", "93.184.216.34", Protocol.TCP, 443))
>>> result.reachable, [h.label for h in result.hops][:4]
(True, ['security group sg-app (outbound, request)', 'network ACL acl-default of subnet-app (outbound, request)', 'route table rtb-private', 'network ACL acl-default of subnet-web (inbound, request)'])
>>> walk(example_vpc(), Flow("198.51.100.77", "i-app", Protocol.TCP, 8080)).blocking.label
'internet gateway igw-1'
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Final
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache, partial
from socket import inet_aton, inet_ntoa

from quizapp.values import quick_init
from generators.routing.model import (
    IPAddress,
    RouteDecision,
    RouteMisconception,
    RouteState,
    TargetKind,
    longest_prefix_match,
)
from generators.routing.topology import Instance, NatGateway, Subnet, TopologyError, Vpc
from generators.security.model import (
    Action,
    Direction,
    NaclDecision,
    NaclReading,
    NaclRule,
    NetworkAcl,
    Packet,
    Protocol,
    SecurityGroup,
    SgRule,
    ephemeral_ports,
    nacl_deciding_rule,
    nacl_rule_over_ports,
    port_text,
    security_group_allowing,
)

__all__ = [
    "Flow",
    "Hop",
    "HopKind",
    "Leg",
    "Reachability",
    "Verdict",
    "WalkMisconception",
    "nacl_over_ports",
    "remembered_packet",
    "verdict_under",
    "walk",
    "walks",
]


class Verdict(StrEnum):
    """What the client sees."""

    REACHABLE = "the connection succeeds"
    TIMEOUT = "the connection times out"
    REFUSED = "the connection is refused"


class Leg(StrEnum):
    """Which way the packet travels."""

    REQUEST = "request"
    RESPONSE = "response"


class HopKind(StrEnum):
    """The kind of component a hop crosses."""

    SECURITY_GROUP = "security group"
    NETWORK_ACL = "network ACL"
    ROUTE_TABLE = "route table"
    INTERNET_GATEWAY = "internet gateway"
    NAT_GATEWAY = "NAT gateway"
    EGRESS_ONLY_GATEWAY = "egress-only internet gateway"
    GATEWAY_ENDPOINT = "gateway endpoint"
    INSTANCE = "instance"
    APPLICATION = "application"


class WalkMisconception(StrEnum):
    """Wrong beliefs about the path, for computing distractors. The values
    complete the sentence "That choice is what you get if you ___"."""

    STATEFUL_NACL = "treat the network ACL as stateful"
    RETURN_ON_SERVICE_PORT = "forget the ephemeral ports on the return path"
    STATELESS_SG = "treat the security group as stateless, so that responses need their own rule"
    IGNORE_SG_OUTBOUND = "assume security groups always let outbound traffic out"
    NACL_LISTED_ORDER = "read the network ACL rules in the order they are listed instead of by rule number"
    SG_REFERENCE_ANY = "assume a security-group reference matches every instance in the VPC"
    SKIP_BLACKHOLE = "expect the router to skip a blackhole route and use the next best route"
    FIRST_MATCH_ROUTE = "pick the first matching route in the table instead of the longest prefix"
    FIREWALL_REJECTS = "expect a security group or network ACL to reject the connection instead of dropping it"
    IGNORE_APPLICATION = "assume an open port means an application is listening on it"
    CLOSED_PORT_DROPS = "expect a port with no listener to drop packets silently, like a firewall"
    NAT_FAILS_OVER = "assume a NAT gateway fails over to another Availability Zone"


@quick_init
@dataclass(frozen=True)
class Flow:
    """A connection to analyse.

    `source` and `destination` are instance ids (``i-...``) or IP addresses
    outside the VPC. An instance destination reached from outside is
    addressed by its public IPv4 (or IPv6) address. `client` names the
    ephemeral port range of a source outside the VPC. `ipv6` uses the
    instances' IPv6 addresses.
    """

    source: str
    destination: str
    protocol: Protocol
    port: int | None
    ipv6: bool = False
    client: str = "linux"


Text = str | Callable[[], str]
"""A sentence, or a function that writes it when asked (explanations are
only written for the walks a question shows, not for every distractor)."""


class Hop:
    """One component on the path and what it did with the packet.

    A read-only value (hops are shared by the walks of a topology): two hops
    are equal when they name the same component, direction and leg and agree
    on `allowed`; how they explain it does not count.

    >>> hop = Hop(Leg.RESPONSE, HopKind.NETWORK_ACL, "acl-1", "outbound", False, "", subnet="subnet-a")
    >>> hop.label
    'network ACL acl-1 of subnet-a (outbound, response)'
    >>> hop == Hop(Leg.RESPONSE, HopKind.NETWORK_ACL, "acl-1", "outbound", False, "denied", "*", "subnet-a")
    True
    """

    # A plain class with slots, not a dataclass: a walk builds a dozen hops,
    # and a frozen dataclass costs several times as much to build.
    __slots__ = ("leg", "kind", "component", "direction", "allowed", "why", "deciding", "subnet", "_label")

    leg: Final[Leg]
    kind: Final[HopKind]
    component: Final[str]
    direction: Final[str]
    """``inbound`` or ``outbound`` for a filter, else empty."""
    allowed: Final[bool]
    why: Final[Text]
    deciding: Final[str | Callable[[], str | None] | None]
    subnet: Final[str]

    def __init__(
        self,
        leg: Leg,
        kind: HopKind,
        component: str,
        direction: str,
        allowed: bool,
        why: Text,
        deciding: str | Callable[[], str | None] | None = None,
        subnet: str = "",
    ) -> None:
        self.leg = leg
        self.kind = kind
        self.component = component
        self.direction = direction
        self.allowed = allowed
        self.why = why
        self.deciding = deciding
        self.subnet = subnet
        self._label: str | None = None

    @property
    def label(self) -> str:
        """The component as a learner would name it (derived from the fields,
        when first asked: the hops that only a distractor's walk crosses are
        never named)."""
        label = self._label
        if label is None:
            # Enum values read as plain strings (formatting an enum member
            # costs more than formatting its value).
            direction, subnet = self.direction, self.subnet
            if direction:
                leg = self.leg._value_
                where = f" of {subnet} ({direction}, {leg})" if subnet else f" ({direction}, {leg})"
            else:
                where = f" of {subnet}" if subnet else ""
            label = self._label = f"{self.kind._value_} {self.component}{where}"
        return label

    def _key(self) -> tuple[Leg, HopKind, str, str, bool, str]:
        return self.leg, self.kind, self.component, self.direction, self.allowed, self.subnet

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Hop:
            return NotImplemented
        assert isinstance(other, Hop)
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"Hop(leg={self.leg!r}, kind={self.kind!r}, component={self.component!r}, direction={self.direction!r}, "
                f"allowed={self.allowed!r}, subnet={self.subnet!r})")

    def dropping(self, why: Text) -> Hop:
        """This hop, but dropping the packet for the reason `why`.

        >>> hop = Hop(Leg.REQUEST, HopKind.ROUTE_TABLE, "rtb-1", "", True, "A route matches.")
        >>> hop.dropping("No route back.").allowed, hop.dropping("No route back.").detail
        (False, 'No route back.')
        """
        return Hop(self.leg, self.kind, self.component, self.direction, False, why, self.deciding, self.subnet)

    @property
    def detail(self) -> str:
        """One sentence saying what this component did and why."""
        why = self.why
        return why if isinstance(why, str) else why()

    @property
    def rule(self) -> str | None:
        """The rule or route that decided (``*`` for a network ACL's final
        rule), or None when no rule is involved."""
        deciding = self.deciding
        if deciding is None or isinstance(deciding, str):
            return deciding
        return deciding()


@quick_init
@dataclass(frozen=True)
class Reachability:
    """The outcome of a walk: the verdict and every hop crossed."""

    flow: Flow
    verdict: Verdict
    hops: tuple[Hop, ...]

    @property
    def blocking(self) -> Hop | None:
        """The first hop that stopped the flow, or None when it succeeds
        (a walk stops at the hop that drops the packet: it is the last)."""
        hops = self.hops
        if hops and not hops[-1].allowed:
            return hops[-1]
        return None

    @property
    def reachable(self) -> bool:
        """True when the connection succeeds."""
        return self.verdict is Verdict.REACHABLE

    def explain(self) -> str:
        """A markdown list of the hops, then the verdict."""
        rows = []
        for i, hop in enumerate(self.hops, 1):
            why = hop.why  # Hop.detail, read in place
            rows.append(f"{i}. **{hop.label}**: {why if isinstance(why, str) else why()}")
        return "\n".join(rows) + f"\n\nSo {self.verdict}."


_NO_GROUPS: frozenset[str] = frozenset()
_BLACKHOLE = RouteState.BLACKHOLE
_RULE_NUMBER = NaclReading.RULE_NUMBER
_ALLOW = Action.ALLOW
_INBOUND, _OUTBOUND = Direction.INBOUND, Direction.OUTBOUND
_REQUEST, _RESPONSE = Leg.REQUEST, Leg.RESPONSE
_DIRECTION_TEXT = {_INBOUND: "inbound", _OUTBOUND: "outbound"}


def nacl_over_ports(
    acl: NetworkAcl, direction: Direction, packet: Packet, low: int, high: int, reading: NaclReading = NaclReading.RULE_NUMBER
) -> tuple[NaclDecision, tuple[int, int] | None]:
    """Evaluate a network ACL for every destination port in `low`..`high`.

    Returns the decision for the first port range that is denied (and that
    range), or an allowing decision and None when every port passes. Only
    the rules' own port boundaries can change the answer, so one port per
    stretch between boundaries is enough.

    >>> from generators.security.model import Action, NaclRule, ALL_IPV4
    >>> acl = NetworkAcl("acl-1", (NaclRule(100, Action.ALLOW, Protocol.TCP, 1024, 49151, ALL_IPV4),), ())
    >>> pkt = Packet(Protocol.TCP, ipaddress.IPv4Address("1.2.3.4"), ipaddress.IPv4Address("10.0.0.5"), 443, 0)
    >>> decision, denied = nacl_over_ports(acl, Direction.INBOUND, pkt, 32768, 61000)
    >>> decision.rule_label, denied
    ('*', (49152, 61000))
    """
    rule, denied = nacl_rule_over_ports(acl, direction, packet, low, high, reading=reading)
    return NaclDecision(rule is not None and rule.action is _ALLOW, rule, direction, acl.id), denied


def remembered_packet(
    vpc: Vpc, protocol: Protocol, source: IPAddress, destination: IPAddress, source_port: int | None, destination_port: int | None
) -> Packet:
    """The packet with these fields, built once per topology: the walks and
    checklists of one question look at the same packets again and again.
    Remembered by the identity of its addresses (objects of the topology or
    of the question, which the remembered packet keeps alive).

    >>> from generators.routing.topology import example_vpc
    >>> vpc = example_vpc(); a, b = vpc.instances[0].private_ip, vpc.instances[1].private_ip
    >>> remembered_packet(vpc, Protocol.TCP, a, b, 40000, 8080) is remembered_packet(vpc, Protocol.TCP, a, b, 40000, 8080)
    True
    """
    key = ("packet", protocol, id(source), id(destination), source_port, destination_port)
    memo = vpc.scratch
    packet: Packet | None = memo.get(key)
    if packet is None:
        if protocol is Protocol.ICMP:
            packet = Packet(Protocol.ICMP, source, destination)
        else:
            packet = Packet(protocol, source, destination, source_port, destination_port)
        memo[key] = packet
    return packet


def _address(text: str) -> IPAddress | None:
    """The address a flow end names, or None for an instance id (parsed once
    per topology and flow: the walks remember the flow's ends)."""
    if text.startswith("i-"):
        return None
    # Canonical dotted IPv4 (what scenarios write) in C; anything else
    # (IPv6, leading zeros, junk) goes to ipaddress, which decides.
    packed = _packed(text)
    if packed is not None and inet_ntoa(packed) == text:
        return ipaddress.IPv4Address(packed)
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _packed(text: str) -> bytes | None:
    """The four bytes inet_aton reads from `text`, or None when it reads none."""
    try:
        return inet_aton(text)
    except OSError:
        return None


@quick_init
@dataclass(frozen=True)
class _End:
    """A resolved end of the flow: an instance, or a host outside the VPC."""

    address: IPAddress
    instance: Instance | None
    client: str




def _sg_detail(groups: tuple[SecurityGroup, ...], direction: Direction, found: tuple[SecurityGroup, SgRule] | None) -> str:
    """What the security groups of a hop decided, in one sentence (the
    sentence of `SgDecision.explain`, written directly)."""
    way = _DIRECTION_TEXT[direction]
    if found is not None:
        group, rule = found
        return f"Security group {group.name} ({group.id}) allows it with its {way} rule {rule.describe(direction)}."
    names = ", ".join([g.id for g in groups]) or "(none)"
    plural = "s" if len(groups) != 1 else ""
    return (f"No {way} rule of security group{plural} {names} allows it, so it is dropped "
            "(security groups have no deny rules; anything not allowed is denied).")


def _nacl_detail(
    acl_id: str, direction: Direction, rule: NaclRule | None, ports: tuple[int, int] | None, denied: tuple[int, int] | None
) -> str:
    """What a network ACL decided, in one sentence: for one port, or over
    the ephemeral range `ports` (`denied` is its first denied stretch). The
    sentence of `NaclDecision.explain`, written directly (its first letter
    apart: lower case after a lead-in)."""
    way = _DIRECTION_TEXT[direction]
    acl = f"network ACL {acl_id}" if acl_id else "the network ACL"
    if rule is None:
        opening, rest = "No", f" {way} rule of {acl} matches, so the final * rule denies it."
    else:
        verb = "allows" if rule.action is _ALLOW else "denies"
        opening, rest = "The first", f" {way} rule of {acl} that matches is {rule.describe(direction)}, which {verb} it."
    if ports is None:
        return opening + rest
    span = port_text(*ports)
    if denied is None:
        return f"Every port of the ephemeral range {span} passes: {opening.lower()}{rest}"
    part = f"The ephemeral ports {span}: " if denied == ports else f"Ports {port_text(*denied)} of the ephemeral range {span}: "
    return part + opening.lower() + rest


def _application_detail(instance: str, protocol: Protocol, port: int | None, listens: bool) -> str:
    """What the destination instance does with a packet that reached it."""
    what = f"{protocol} {port}" if port is not None else str(protocol)
    if listens:
        return f"An application on {instance} accepts {what}."
    return f"The packet reaches {instance}, but nothing listens on {what}, so the operating system answers with a reset."


class _Blocked(Exception):
    """Raised inside the walk when a hop drops the packet."""


@dataclass(frozen=True)
class _Beliefs:
    """What a set of misconceptions changes in the walk, read once per set."""

    reading: NaclReading
    route: RouteMisconception | None
    stateful_nacl: bool
    return_on_service_port: bool
    stateless_sg: bool
    ignore_sg_outbound: bool
    sg_reference_any: bool
    firewall_rejects: bool
    ignore_application: bool
    closed_port_drops: bool
    nat_fails_over: bool


@lru_cache(maxsize=256)
def _beliefs(mis: frozenset[WalkMisconception]) -> _Beliefs:
    M = WalkMisconception
    route = None
    if M.FIRST_MATCH_ROUTE in mis:
        route = RouteMisconception.FIRST_MATCH
    elif M.SKIP_BLACKHOLE in mis:
        route = RouteMisconception.SKIP_BLACKHOLE
    return _Beliefs(
        NaclReading.LISTED_ORDER if M.NACL_LISTED_ORDER in mis else NaclReading.RULE_NUMBER, route,
        M.STATEFUL_NACL in mis, M.RETURN_ON_SERVICE_PORT in mis, M.STATELESS_SG in mis, M.IGNORE_SG_OUTBOUND in mis,
        M.SG_REFERENCE_ANY in mis, M.FIREWALL_REJECTS in mis, M.IGNORE_APPLICATION in mis, M.CLOSED_PORT_DROPS in mis,
        M.NAT_FAILS_OVER in mis,
    )


_ephemeral_ports = lru_cache(maxsize=16)(ephemeral_ports)
"""`ephemeral_ports`, remembered (a walk asks for the same few ranges again and again)."""

_AWS = _beliefs(frozenset())
"""No misconception: the walk AWS does."""


class _Walker:
    """The walks of one flow, one per set of beliefs. Packets and the hops of
    filters and route tables are remembered in the topology's scratch space:
    the walks a question makes (the AWS one, then one per misconception)
    share most of their hops, and a hop is a pure function of the topology
    and what the key names."""

    def __init__(self, vpc: Vpc, flow: Flow) -> None:
        self.vpc = vpc
        self.flow = flow
        self.beliefs = _AWS
        self.ends: tuple[_End, _End] | None = None
        self.hops: list[Hop] = []
        self.memo = vpc.scratch
        # The topology's own indexes, read directly: every id the walk looks
        # up there (an instance's or NAT gateway's subnet, a subnet's network
        # ACL) was checked when the topology was built.
        index = vpc._index
        self.subnets: dict[str, Subnet] = index["subnet"]
        self.nacls: dict[str, NetworkAcl] = index["nacl"]
        self.group_lists: dict[tuple[str, ...], tuple[SecurityGroup, ...]] = index["groups_of"]
        self.icmp = flow.protocol is Protocol.ICMP
        # The packet with given addresses and ports (a partial: no frame of its own).
        self.packet: Callable[[IPAddress, IPAddress, int | None, int | None], Packet] = partial(
            remembered_packet, vpc, flow.protocol)

    def walk(self, beliefs: _Beliefs) -> Reachability:
        """One walk of the flow holding `beliefs` (a walker walks its flow
        as many times as asked, each walk with its own hops)."""
        self.beliefs = beliefs
        hops: list[Hop] = []
        self.hops = hops
        verdict = self.run()
        return Reachability(self.flow, verdict, tuple(hops))

    # -- recording ---------------------------------------------------------

    def add(self, hop: Hop) -> None:
        self.hops.append(hop)
        if not hop.allowed:
            raise _Blocked

    # -- filters -----------------------------------------------------------

    def sg(self, leg: Leg, inst: Instance, direction: Direction, packet: Packet, peer: Instance | None) -> None:
        beliefs = self.beliefs
        if direction is _OUTBOUND and beliefs.ignore_sg_outbound:
            return
        if peer is None:
            peer_key = ""
        elif beliefs.sg_reference_any and self.references_groups(inst, direction):
            peer_key = "*"
        else:
            # No rule names a group: every peer reads the same, and the
            # AWS walk's hop is the right one.
            peer_key = peer.id
        key = ("sg", leg is _RESPONSE, inst.id, direction is _INBOUND, id(packet), peer_key)
        hop = self.memo.get(key)
        if hop is None:
            # The hop, decided (inline: one call less per hop a walk decides).
            groups = self.group_lists.get(inst.groups) or self.vpc.groups_of(inst)
            if peer is None:
                peers: frozenset[str] = _NO_GROUPS
            elif peer_key == "*":
                peers = frozenset([g.id for g in self.vpc.security_groups])
            else:
                peers = frozenset(peer.groups)
            found = security_group_allowing(groups, direction, packet, peers)
            name = groups[0].id if len(groups) == 1 else ", ".join([g.id for g in groups])
            # Explanations as partials of module functions: cheaper to build
            # than closures, and only the shown hops are ever explained.
            rule = None if found is None else partial(found[1].describe, direction)
            hop = self.memo[key] = Hop(leg, HopKind.SECURITY_GROUP, name, _DIRECTION_TEXT[direction], found is not None,
                                       partial(_sg_detail, groups, direction, found), rule)
        self.hops.append(hop)
        if not hop.allowed:
            raise _Blocked

    def references_groups(self, inst: Instance, direction: Direction) -> bool:
        """True when a rule of the instance's groups in `direction` names a
        security group (only then can the peer change the decision)."""
        key = ("sg-refs", inst.groups, direction)
        found: bool | None = self.memo.get(key)
        if found is None:
            found = self.memo[key] = any(
                isinstance(rule.peer, str) for group in self.vpc.groups_of(inst) for rule in group.rules(direction))
        return found

    def nacl(self, leg: Leg, subnet: Subnet, direction: Direction, packet: Packet, ports: tuple[int, int] | None = None) -> None:
        response = leg is _RESPONSE
        if response and self.beliefs.stateful_nacl:
            return
        reading = self.beliefs.reading
        if reading is not _RULE_NUMBER:
            acl = self.nacls[subnet.nacl_id]
            if acl.rules(direction) is acl.ordered(direction):
                # Listed already in number order (then the rules are their
                # own sorted tuple): the reading changes nothing.
                reading = _RULE_NUMBER
        key = ("nacl", response, subnet.id, direction is _INBOUND, id(packet), ports, reading is _RULE_NUMBER)
        hop = self.memo.get(key)
        if hop is None:
            # The hop, decided (inline: one call less per hop a walk decides).
            acl = self.nacls[subnet.nacl_id]
            denied: tuple[int, int] | None = None
            if ports is None or ports[0] == ports[1]:
                rule = nacl_deciding_rule(acl, direction, packet, reading=reading)
                ports = None  # one port: the packet's own
            else:
                rule, denied = nacl_rule_over_ports(acl, direction, packet, ports[0], ports[1], reading=reading)
            hop = self.memo[key] = Hop(
                leg, HopKind.NETWORK_ACL, acl.id, _DIRECTION_TEXT[direction], rule is not None and rule.action is _ALLOW,
                partial(_nacl_detail, acl.id, direction, rule, ports, denied), "*" if rule is None else str(rule.number),
                subnet.id)
        self.hops.append(hop)
        if not hop.allowed:
            raise _Blocked

    def cross_subnets(self, leg: Leg, src: Subnet, dst: Subnet, packet: Packet, ports: tuple[int, int] | None) -> None:
        """The packet leaves `src` and enters `dst` (no crossing inside one subnet)."""
        if src.id == dst.id:
            return
        self.nacl(leg, src, _OUTBOUND, packet, ports)
        self.nacl(leg, dst, _INBOUND, packet, ports)

    def route(self, leg: Leg, subnet: Subnet, destination: IPAddress) -> RouteDecision:
        misconception = self.beliefs.route
        # Keyed by the subnet: its table is looked up only when deciding.
        key = ("route", leg is _RESPONSE, subnet.id, id(destination), misconception)
        found = self.memo.get(key)
        if found is None and misconception is RouteMisconception.SKIP_BLACKHOLE:
            # Skipping blackholes changes nothing when AWS's pick is no blackhole.
            aws = self.memo.get(("route", leg is _RESPONSE, subnet.id, id(destination), None))
            if aws is not None and not aws[0].blackhole:
                found = self.memo[key] = aws
        if found is None:
            table = self.vpc.effective_table_of(subnet.id)
            decision = longest_prefix_match(table, destination, self.vpc.prefix_lists, misconception)
            route = decision.route
            if route is None:
                rule, delivered = None, False
            else:
                rule, delivered = route.describe, route.state is not _BLACKHOLE  # RouteDecision.delivered
            # The key holds the address's id: keep the address alive with it.
            found = self.memo[key] = (decision, Hop(leg, HopKind.ROUTE_TABLE, table.id, "", delivered, decision.explain, rule),
                                      destination)
        hop = found[1]
        self.hops.append(hop)
        if not hop.allowed:
            raise _Blocked
        return found[0]

    # -- the walk ----------------------------------------------------------

    def resolve(self) -> tuple[_End, _End]:
        """The two ends of the flow (remembered by the walker and in the
        topology: every walk of the flow needs them)."""
        ends = self.ends
        if ends is None:
            flow = self.flow
            key = ("ends", flow.source, flow.destination, flow.ipv6, flow.client)
            ends = self.memo.get(key)
            if ends is None:
                ends = self.memo[key] = self._resolve()
            self.ends = ends
        return ends

    def _resolve(self) -> tuple[_End, _End]:
        flow = self.flow
        src_addr = _address(flow.source)
        dst_addr = _address(flow.destination)
        if src_addr is None and dst_addr is None:
            s, d = self.vpc.instance(flow.source), self.vpc.instance(flow.destination)
            return self._inst_end(s), self._inst_end(d)
        if src_addr is None:
            s = self.vpc.instance(flow.source)
            assert dst_addr is not None
            owner = self.vpc.owner_of(dst_addr)
            if owner is not None:
                return self._inst_end(s), _End(dst_addr, owner, owner.client)
            return self._inst_end(s), _End(dst_addr, None, flow.client)
        if dst_addr is None:
            d = self.vpc.instance(flow.destination)
            if self.vpc.inside(src_addr):
                raise TopologyError(f"{src_addr} is inside the VPC: name the instance instead")
            public = d.ipv6 if flow.ipv6 else d.public_ip
            if public is None:
                raise _NoPublicAddress(src_addr, d)
            return _End(src_addr, None, flow.client), _End(public, d, d.client)
        raise TopologyError("name at least one end of the flow by its instance id")

    def _inst_end(self, inst: Instance) -> _End:
        address = inst.ipv6 if self.flow.ipv6 else inst.private_ip
        if address is None:
            raise TopologyError(f"{inst.id} has no IPv6 address")
        return _End(address, inst, inst.client)

    def ephemeral(self, client: str) -> tuple[int, int] | None:
        if self.icmp:
            return None
        port = self.flow.port
        if self.beliefs.return_on_service_port and port is not None:
            return (port, port)
        return _ephemeral_ports(client)

    def run(self) -> Verdict:
        try:
            src, dst = self.resolve()
        except _NoPublicAddress as exc:
            igw = self.vpc.internet_gateway or "(none)"
            # The sentence is written later, after `exc` is gone: keep what it needs.
            why = f"{exc.instance.id} has no public IPv4 address, so nothing on the internet can address it."
            self.hops.append(Hop(_REQUEST, HopKind.INTERNET_GATEWAY, igw, "", False, why))
            return self.failed()
        try:
            if src.instance is not None and dst.instance is not None:
                self.inside_vpc(src, dst)
            elif src.instance is not None:
                self.outbound(src, dst)
            else:
                self.inbound(src, dst)
        except _Blocked:
            return self.failed()
        return self.finish(dst)

    def failed(self) -> Verdict:
        if self.beliefs.firewall_rejects:
            blocking = self.hops[-1]
            if blocking.kind in (HopKind.SECURITY_GROUP, HopKind.NETWORK_ACL):
                return Verdict.REFUSED
        return Verdict.TIMEOUT

    def finish(self, dst: _End) -> Verdict:
        inst = dst.instance
        if inst is None:
            return Verdict.REACHABLE
        flow = self.flow
        ignore = self.beliefs.ignore_application
        key = ("app", inst.id, flow.protocol, flow.port, ignore)
        hop = self.memo.get(key)
        if hop is None:
            listens = ignore or inst.listens(flow.protocol, flow.port)
            hop = self.memo[key] = Hop(_REQUEST, HopKind.APPLICATION, inst.id, "", listens,
                                       partial(_application_detail, inst.id, flow.protocol, flow.port, listens))
        self.hops.append(hop)
        if hop.allowed:
            return Verdict.REACHABLE
        return Verdict.TIMEOUT if self.beliefs.closed_port_drops else Verdict.REFUSED

    def stateless_sg_return(self, server: Instance | None, client: Instance | None, reply: Packet) -> None:
        """Security groups checked again on the response (a misconception)."""
        if not self.beliefs.stateless_sg:
            return
        if server is not None:
            self.sg(_RESPONSE, server, _OUTBOUND, reply, client)
        if client is not None:
            self.sg(_RESPONSE, client, _INBOUND, reply, server)

    def inside_vpc(self, src: _End, dst: _End) -> None:
        s, d = src.instance, dst.instance
        assert s is not None and d is not None
        s_sub, d_sub = self.subnets[s.subnet_id], self.subnets[d.subnet_id]
        eph = self.ephemeral(src.client)
        request = self.packet(src.address, dst.address, eph[0] if eph else None, self.flow.port)
        self.sg(_REQUEST, s, _OUTBOUND, request, d)
        crosses = s_sub.id != d_sub.id
        if crosses:
            self.nacl(_REQUEST, s_sub, _OUTBOUND, request)
        decision = self.route(_REQUEST, s_sub, dst.address)
        if decision.route is not None and decision.route.kind is not TargetKind.LOCAL:
            raise TopologyError(f"{decision.explain()} The model does not follow middlebox routes inside a VPC.")
        if crosses:
            self.nacl(_REQUEST, d_sub, _INBOUND, request)
        self.sg(_REQUEST, d, _INBOUND, request, s)
        reply = self.packet(dst.address, src.address, self.flow.port, eph[0] if eph else None)
        if self.beliefs.stateless_sg:
            self.stateless_sg_return(d, s, reply)
        if crosses:
            self.nacl(_RESPONSE, d_sub, _OUTBOUND, reply, eph)
            self.nacl(_RESPONSE, s_sub, _INBOUND, reply, eph)

    def outbound(self, src: _End, dst: _End) -> None:
        s = src.instance
        assert s is not None
        s_sub = self.subnets[s.subnet_id]
        eph = self.ephemeral(src.client)
        request = self.packet(src.address, dst.address, eph[0] if eph else None, self.flow.port)
        self.sg(_REQUEST, s, _OUTBOUND, request, None)
        self.nacl(_REQUEST, s_sub, _OUTBOUND, request)
        decision = self.route(_REQUEST, s_sub, dst.address)
        assert decision.route is not None
        kind = decision.route.kind
        target = decision.route.target
        if kind is TargetKind.INTERNET_GATEWAY:
            self.through_igw(s, src.address, target)
        elif kind is TargetKind.NAT_GATEWAY:
            self.through_nat_gateway(s, s_sub, src, dst, target, eph, request)
            return
        elif kind is TargetKind.INSTANCE:
            self.through_nat_instance(s, s_sub, src, dst, self.vpc.instance(target), eph, request)
            return
        elif kind is TargetKind.EGRESS_ONLY_INTERNET_GATEWAY:
            self.add(Hop(_REQUEST, HopKind.EGRESS_ONLY_GATEWAY, target, "", True,
                         lambda: f"{target} forwards IPv6 traffic started inside the VPC and lets its responses back in."))
        elif kind is TargetKind.VPC_ENDPOINT:
            self.add(Hop(_REQUEST, HopKind.GATEWAY_ENDPOINT, target, "", True,
                         lambda: f"{target} delivers the packet to the service over the AWS network, without the internet gateway or a NAT device."))
        else:
            raise TopologyError(f"{decision.explain()} The model does not follow {kind} targets.")
        reply = self.packet(dst.address, src.address, self.flow.port, eph[0] if eph else None)
        self.stateless_sg_return(None, s, reply)
        self.nacl(_RESPONSE, s_sub, _INBOUND, reply, eph)

    def through_igw(self, inst: Instance, address: IPAddress, igw: str) -> None:
        if self.flow.ipv6:
            self.add(Hop(_REQUEST, HopKind.INTERNET_GATEWAY, igw, "", True,
                         lambda: f"{igw} forwards the packet from the IPv6 address {address}."))
        elif inst.public_ip is None:
            self.add(Hop(_REQUEST, HopKind.INTERNET_GATEWAY, igw, "", False,
                         lambda: f"{inst.id} has no public IPv4 or Elastic IP address, so {igw} has no public address to "
                         "translate its private address to, and the packet goes nowhere."))
        else:
            self.add(Hop(_REQUEST, HopKind.INTERNET_GATEWAY, igw, "", True,
                         lambda: f"{igw} translates {inst.private_ip} to its public address {inst.public_ip}."))

    def nat_zone(self, device: str, subnet: Subnet) -> None:
        if subnet.az in self.vpc.failed_azs and not self.beliefs.nat_fails_over:
            raise_hop = Hop(_REQUEST, HopKind.NAT_GATEWAY if device.startswith("nat-") else HopKind.INSTANCE,
                            device, "", False,
                            lambda: f"{device} lives in {subnet.az}, which is down; a zonal NAT device does not move to another zone.")
            self.add(raise_hop)

    def through_nat_gateway(
        self, s: Instance, s_sub: Subnet, src: _End, dst: _End, nat_id: str, eph: tuple[int, int] | None, request: Packet
    ) -> None:
        nat = self.vpc.nat_gateway(nat_id)
        if nat is None:
            raise TopologyError(f"no NAT gateway {nat_id}")
        n_sub = self.subnets[nat.subnet_id]
        self.nat_zone(nat.id, n_sub)
        if self.flow.ipv6:
            self.add(Hop(_REQUEST, HopKind.NAT_GATEWAY, nat.id, "", False,
                         lambda: f"{nat.id} translates IPv4 (and NAT64), not native IPv6 traffic."))
        if n_sub.id != s_sub.id:
            self.nacl(_REQUEST, n_sub, _INBOUND, request)
        igw = self.nat_onward(nat, n_sub, dst.address)
        nat_eph = self.ephemeral("nat-gateway")
        out = self.packet(nat.private_ip, dst.address, nat_eph[0] if nat_eph else None, self.flow.port)
        self.nacl(_REQUEST, n_sub, _OUTBOUND, out)
        self.add(Hop(_REQUEST, HopKind.INTERNET_GATEWAY, igw, "", True,
                     lambda: f"The internet gateway translates {nat.private_ip} to the NAT gateway's Elastic IP address {nat.elastic_ip}."))
        back = self.packet(dst.address, nat.private_ip, self.flow.port, nat_eph[0] if nat_eph else None)
        self.nacl(_RESPONSE, n_sub, _INBOUND, back, nat_eph)
        reply = self.packet(dst.address, src.address, self.flow.port, eph[0] if eph else None)
        self.stateless_sg_return(None, s, reply)
        self.cross_subnets(_RESPONSE, n_sub, s_sub, reply, eph)

    def nat_onward(self, nat: NatGateway, n_sub: Subnet, destination: IPAddress) -> str:
        """The NAT gateway forwards the packet to the host at `destination`
        outside the VPC; returns the internet gateway it uses."""
        if nat.elastic_ip is None:
            self.add(Hop(_REQUEST, HopKind.NAT_GATEWAY, nat.id, "", False,
                         lambda: f"{nat.id} is a private NAT gateway (no Elastic IP address): it cannot send traffic to the internet."))
        self.add(Hop(_REQUEST, HopKind.NAT_GATEWAY, nat.id, "", True,
                     lambda: f"{nat.id} (in {n_sub.id}, {n_sub.az}) replaces the source address with its own {nat.private_ip}."))
        onward = self.route(_REQUEST, n_sub, destination)
        assert onward.route is not None
        if onward.route.kind is not TargetKind.INTERNET_GATEWAY:
            self.hops[-1] = self.hops[-1].dropping(
                lambda: onward.explain().rstrip(".") + f", not to an internet gateway: {n_sub.id} is not a public subnet, "
                "so the NAT gateway cannot reach the internet.")
            raise _Blocked
        return onward.route.target

    def through_nat_instance(
        self, s: Instance, s_sub: Subnet, src: _End, dst: _End, nat: Instance, eph: tuple[int, int] | None, request: Packet
    ) -> None:
        n_sub = self.subnets[nat.subnet_id]
        self.nat_zone(nat.id, n_sub)
        if n_sub.id != s_sub.id:
            self.nacl(_REQUEST, n_sub, _INBOUND, request)
        self.sg(_REQUEST, nat, _INBOUND, request, s)
        if nat.source_dest_check:
            self.add(Hop(_REQUEST, HopKind.INSTANCE, nat.id, "", False,
                         lambda: f"{nat.id} has its source/destination check on, so it drops packets not addressed to itself; "
                         "a NAT instance needs the check turned off."))
        self.add(Hop(_REQUEST, HopKind.INSTANCE, nat.id, "", True,
                     lambda: f"{nat.id} has its source/destination check off and forwards the packet with its own source address."))
        nat_eph = self.ephemeral(nat.client)
        out = self.packet(nat.private_ip, dst.address, nat_eph[0] if nat_eph else None, self.flow.port)
        onward = self.route(_REQUEST, n_sub, dst.address)
        assert onward.route is not None
        if onward.route.kind is not TargetKind.INTERNET_GATEWAY:
            raise TopologyError(f"{onward.explain()} The model follows NAT instances to an internet gateway only.")
        self.sg(_REQUEST, nat, _OUTBOUND, out, None)
        self.nacl(_REQUEST, n_sub, _OUTBOUND, out)
        self.through_igw(nat, nat.private_ip, onward.route.target)
        back = self.packet(dst.address, nat.private_ip, self.flow.port, nat_eph[0] if nat_eph else None)
        self.nacl(_RESPONSE, n_sub, _INBOUND, back, nat_eph)
        reply = self.packet(dst.address, src.address, self.flow.port, eph[0] if eph else None)
        self.stateless_sg_return(None, s, reply)
        self.cross_subnets(_RESPONSE, n_sub, s_sub, reply, eph)

    def inbound(self, src: _End, dst: _End) -> None:
        d = dst.instance
        assert d is not None
        d_sub = self.subnets[d.subnet_id]
        igw = self.vpc.internet_gateway
        if igw is None:
            self.add(Hop(_REQUEST, HopKind.INTERNET_GATEWAY, "(none)", "", False,
                         lambda: f"No internet gateway is attached to {self.vpc.id}, so traffic from the internet cannot enter it."))
        assert igw is not None
        private = d.address(self.flow.ipv6)
        assert private is not None
        ipv6 = self.flow.ipv6

        def receives() -> str:
            how = "" if ipv6 else f" and translates {dst.address} to {private}"
            return f"{igw} receives the packet{how}."

        self.add(Hop(_REQUEST, HopKind.INTERNET_GATEWAY, igw, "", True, receives))
        eph = self.ephemeral(src.client)
        request = self.packet(src.address, private, eph[0] if eph else None, self.flow.port)
        self.nacl(_REQUEST, d_sub, _INBOUND, request)
        self.sg(_REQUEST, d, _INBOUND, request, None)
        reply = self.packet(private, src.address, self.flow.port, eph[0] if eph else None)
        self.stateless_sg_return(d, None, reply)
        self.nacl(_RESPONSE, d_sub, _OUTBOUND, reply, eph)
        back = self.route(_RESPONSE, d_sub, src.address)
        assert back.route is not None
        if back.route.target != igw:
            self.hops[-1] = self.hops[-1].dropping(
                lambda: back.explain().rstrip(".") + f", not back to {igw} where the request came in, so the client never gets the response.")
            raise _Blocked


class _NoPublicAddress(Exception):
    def __init__(self, source: IPAddress, instance: Instance) -> None:
        super().__init__(f"{instance.id} has no public address")
        self.source = source
        self.instance = instance


VERDICT_ONLY = frozenset({WalkMisconception.FIREWALL_REJECTS, WalkMisconception.IGNORE_APPLICATION,
                          WalkMisconception.CLOSED_PORT_DROPS})
"""Misconceptions that change what the client sees but not which hops pass."""


def verdict_under(result: Reachability, misconception: WalkMisconception) -> Verdict:
    """What a learner holding a verdict-only misconception expects, read off
    a walk done the AWS way (no need to walk again).

    >>> from generators.routing.topology import example_vpc
    >>> r = walk(example_vpc(), Flow("i-web", "i-app", Protocol.TCP, 9000))
    >>> verdict_under(r, WalkMisconception.FIREWALL_REJECTS).value
    'the connection is refused'
    """
    if misconception not in VERDICT_ONLY:
        raise ValueError(f"{misconception.name} changes the path: walk again with it")
    hop = result.blocking
    if misconception is WalkMisconception.FIREWALL_REJECTS:
        if hop is not None and hop.kind in (HopKind.SECURITY_GROUP, HopKind.NETWORK_ACL):
            return Verdict.REFUSED
        return result.verdict
    if result.verdict is Verdict.REFUSED:
        return Verdict.REACHABLE if misconception is WalkMisconception.IGNORE_APPLICATION else Verdict.TIMEOUT
    return result.verdict


def walk(vpc: Vpc, flow: Flow, misconceptions: Iterable[WalkMisconception] = ()) -> Reachability:
    """Follow `flow` through `vpc` and say whether it works, hop by hop.

    `misconceptions` make the walk reason the way a learner holding them
    would (for distractors); leave them out for AWS behaviour. Routes whose
    target no longer exists (an unattached internet gateway, a deleted NAT
    gateway) are treated as blackholes. Raises TopologyError for a path the
    model does not follow (peering, transit gateway, VPN, middlebox routes).

    >>> from generators.routing.topology import example_vpc
    >>> vpc = example_vpc()
    >>> walk(vpc, Flow("i-web", "i-app", Protocol.TCP, 8080)).reachable
    True
    >>> r = walk(vpc, Flow("i-web", "i-app", Protocol.TCP, 9000))
    >>> r.verdict.value, r.blocking.label
    ('the connection times out', 'security group sg-app (inbound, request)')
    """
    return _Walker(vpc, flow).walk(_AWS if misconceptions == () else _beliefs(frozenset(misconceptions)))


def walks(vpc: Vpc, flow: Flow, beliefs: Iterable[Iterable[WalkMisconception]]) -> list[Reachability]:
    """`walk` of one flow once per set of misconceptions in `beliefs` (an
    empty set for AWS behaviour), in order: the walks share the work of
    setting up the flow.

    >>> from generators.routing.topology import example_vpc
    >>> flow = Flow("i-web", "i-app", Protocol.TCP, 9000)
    >>> [r.verdict.value for r in walks(example_vpc(), flow, [(), [WalkMisconception.FIREWALL_REJECTS]])]
    ['the connection times out', 'the connection is refused']
    """
    walker = _Walker(vpc, flow)
    return [walker.walk(_AWS if ms == () else _beliefs(frozenset(ms))) for ms in beliefs]
