"""Security groups and network ACLs: a pure rule model of how a VPC filters packets.

Facts encoded here (checked against AWS documentation):

- Security groups hold allow rules only; a packet is let through when any rule
  of any group attached to the network interface allows it, so several groups
  on one interface act as the union of their rules
  (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html,
  https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html).
- Security groups are stateful: the response to an allowed request is let
  back whatever the rules of the other direction say
  (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html).
- A rule's source or destination is a CIDR block, a prefix list, or another
  security group; a group reference matches traffic of the interfaces that
  group is attached to
  (https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html).
- A new security group has no inbound rules and one outbound rule allowing
  all traffic; the default security group of a VPC also allows inbound
  traffic from interfaces in that same group
  (https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html,
  https://docs.aws.amazon.com/vpc/latest/userguide/creating-security-groups.html).
- Network ACL rules are numbered 1 to 32766 and evaluated lowest number
  first; the first rule that matches decides, and a packet no rule matches
  hits the final ``*`` rule, which denies and cannot be removed
  (https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html).
- Network ACLs are stateless: the return traffic of a connection must be
  allowed by a rule of the other direction, on the client's ephemeral ports
  (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html).
- Ephemeral ports: many Linux kernels use 32768-61000, Windows Server 2008 and
  later use 49152-65535, and NAT gateways, Elastic Load Balancing and Lambda
  use 1024-65535
  (https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html).
- The default network ACL allows all inbound and outbound traffic (rule 100
  for IPv4, rule 101 for IPv6 when the VPC has an IPv6 block); a new custom
  network ACL denies everything until rules are added
  (https://docs.aws.amazon.com/vpc/latest/userguide/default-network-acl.html,
  https://docs.aws.amazon.com/vpc/latest/userguide/custom-network-acl.html).
- A subnet is associated with exactly one network ACL at a time
  (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html).
- An IPv4 rule never matches IPv6 traffic and an IPv6 rule never matches IPv4
  traffic: ``0.0.0.0/0`` does not cover ``::/0``
  (https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html).
- In both kinds of filter the port range of a rule is the packet's
  destination port: the server's port for requests, the client's ephemeral
  port for responses
  (https://docs.aws.amazon.com/vpc/latest/userguide/nacl-examples.html).

>>> web = SecurityGroup("sg-1", "web", (SgRule(Protocol.TCP, 443, 443, IPv4Network("0.0.0.0/0")),), ())
>>> evaluate_security_groups([web], Direction.INBOUND,
...     Packet(Protocol.TCP, IPv4Address("203.0.113.9"), IPv4Address("10.0.1.5"), 50000, 443)).allowed
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from enum import StrEnum
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

__all__ = [
    "ALL_IPV4",
    "ALL_IPV6",
    "EPHEMERAL_PORTS",
    "MAX_RULE_NUMBER",
    "Action",
    "Direction",
    "NaclDecision",
    "NaclReading",
    "NaclRule",
    "NetworkAcl",
    "Packet",
    "Protocol",
    "SecurityGroup",
    "SecurityModelError",
    "SgDecision",
    "SgRule",
    "custom_nacl",
    "default_nacl",
    "default_security_group",
    "ephemeral_ports",
    "evaluate_nacl",
    "evaluate_nacl_readings",
    "evaluate_security_groups",
    "new_security_group",
    "port_text",
]

Address = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network

ALL_IPV4 = IPv4Network("0.0.0.0/0")
"""Every IPv4 address (and no IPv6 address)."""
ALL_IPV6 = IPv6Network("::/0")
"""Every IPv6 address (and no IPv4 address)."""
MAX_RULE_NUMBER = 32766
"""The highest number a network ACL rule you write can have."""

EPHEMERAL_PORTS: dict[str, tuple[int, int]] = {
    "linux": (32768, 61000),
    "windows": (49152, 65535),
    "nat-gateway": (1024, 65535),
    "elb": (1024, 65535),
    "lambda": (1024, 65535),
}
"""The source-port range each kind of client picks its ports from."""


class SecurityModelError(ValueError):
    """A rule, group or ACL that AWS would refuse, and why."""


class Direction(StrEnum):
    """Which way a packet crosses the filter."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"

    @property
    def opposite(self) -> Direction:
        """The other direction.

        >>> Direction.INBOUND.opposite
        <Direction.OUTBOUND: 'outbound'>
        """
        return Direction.OUTBOUND if self is Direction.INBOUND else Direction.INBOUND


class Protocol(StrEnum):
    """The IP protocol a rule or packet is about; ALL matches every protocol."""

    TCP = "tcp"
    UDP = "udp"
    ICMP = "icmp"
    ALL = "all"

    @property
    def has_ports(self) -> bool:
        """True for the protocols whose rules name a port range.

        >>> Protocol.TCP.has_ports, Protocol.ICMP.has_ports
        (True, False)
        """
        return self is Protocol.TCP or self is Protocol.UDP


_ALL = Protocol.ALL
_INBOUND = Direction.INBOUND


class Action(StrEnum):
    """What a network ACL rule does with the packets it matches."""

    ALLOW = "allow"
    DENY = "deny"


class NaclReading(StrEnum):
    """How a network ACL's rules are read.

    Only RULE_NUMBER is how AWS works; the others are common misreadings,
    kept in the model so that a question can show what each would conclude.
    """

    RULE_NUMBER = "rule-number"
    """Lowest number first, first match decides (AWS)."""
    LISTED_ORDER = "listed-order"
    """In the order the rules are written, first match decides."""
    LAST_MATCH = "last-match"
    """Lowest number first, but a later matching rule overrides an earlier one."""
    DENY_WINS = "deny-wins"
    """Any matching deny rule wins over every allow rule."""


@lru_cache(maxsize=4096)
def _text(value: IPv4Network | IPv6Network | IPv4Address | IPv6Address) -> str:
    # str() of an IPv6 value costs tens of microseconds; rules are described often.
    return str(value)


def port_text(port_from: int | None, port_to: int | None) -> str:
    """A port range as people write it.

    >>> port_text(443, 443), port_text(1024, 65535), port_text(None, None)
    ('443', '1024-65535', 'all ports')
    """
    if port_from is None or port_to is None:
        return "all ports"
    return str(port_from) if port_from == port_to else f"{port_from}-{port_to}"


def _check_ports(protocol: Protocol, port_from: int | None, port_to: int | None, what: str) -> None:
    if protocol.has_ports:
        if port_from is None or port_to is None:
            raise SecurityModelError(f"{what}: a {protocol} rule needs a port range")
        if not 0 <= port_from <= port_to <= 65535:
            raise SecurityModelError(f"{what}: port range {port_from}-{port_to} must satisfy 0 <= from <= to <= 65535")
    elif port_from is not None or port_to is not None:
        raise SecurityModelError(f"{what}: a rule for protocol {protocol} takes no port range")


@dataclass(frozen=True)
class Packet:
    """One direction of a flow, as a filter sees it.

    Ports are None for ICMP.

    >>> Packet(Protocol.TCP, IPv4Address("10.0.0.5"), IPv4Address("10.0.1.7"), 40000, 5432).reply().destination_port
    40000
    """

    protocol: Protocol
    source: Address
    destination: Address
    source_port: int | None = None
    destination_port: int | None = None

    def __post_init__(self) -> None:
        if self.protocol is Protocol.ALL:
            raise SecurityModelError("a packet has one protocol, not 'all'")
        if self.source.version != self.destination.version:
            raise SecurityModelError(f"{self.source} and {self.destination} are not the same IP version")

    def reply(self) -> Packet:
        """The packet going back: addresses and ports swapped."""
        return Packet(self.protocol, self.destination, self.source, self.destination_port, self.source_port)


def _port_matches(protocol: Protocol, port_from: int | None, port_to: int | None, packet: Packet) -> bool:
    # Hot path of every evaluation: rules for ALL and ICMP carry no ports (the
    # constructors refuse them), so a missing range means "any port".
    if protocol is not _ALL and protocol is not packet.protocol:
        return False
    if port_from is None or port_to is None:
        return True
    port = packet.destination_port
    return port is not None and port_from <= port <= port_to


def _mismatch(
    protocol: Protocol,
    port_from: int | None,
    port_to: int | None,
    network: Network | None,
    direction: Direction,
    packet: Packet,
) -> str | None:
    """Why a rule with these fields does not match `packet`, or None if it does."""
    if protocol is not Protocol.ALL and protocol is not packet.protocol:
        return f"the packet is {packet.protocol}, the rule is for {protocol}"
    if protocol.has_ports and port_from is not None and port_to is not None:
        port = packet.destination_port
        if port is None or not port_from <= port <= port_to:
            return f"destination port {port} is outside {port_text(port_from, port_to)}"
    if network is not None:
        role = "source" if direction is Direction.INBOUND else "destination"
        other = packet.source if direction is Direction.INBOUND else packet.destination
        if other.version != network.version:
            return f"an IPv{network.version} rule never matches IPv{other.version} traffic"
        if other not in network:
            return f"{role} {other} is outside {network}"
    return None


def _network_key(network: Network) -> tuple[int, int, int]:
    """(IP version, netmask, network address) as integers, for fast containment tests."""
    return network.version, int(network.netmask), int(network.network_address)


def _key_matches(key: tuple[int, int, int], address: Address) -> bool:
    # The version test is a rule of the model, not an accident: IPv4 rules
    # never match IPv6 traffic (and the reverse).
    version, mask, base = key
    return address.version == version and int(address) & mask == base


# --- Security groups -------------------------------------------------------


@dataclass(frozen=True)
class SgRule:
    """One allow rule of a security group.

    `peer` is the source (inbound rules) or destination (outbound rules): a
    CIDR block, or the id of a security group (``"sg-..."``) that matches the
    interfaces that group is attached to.  Ports are None for ALL and ICMP.

    >>> SgRule(Protocol.TCP, 8080, 8080, "sg-web").describe(Direction.INBOUND)
    'tcp 8080 from sg-web'
    """

    protocol: Protocol
    port_from: int | None
    port_to: int | None
    peer: IPv4Network | IPv6Network | str
    description: str = ""
    _key: tuple[int, int, int] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_ports(self.protocol, self.port_from, self.port_to, "security group rule")
        if isinstance(self.peer, str) and not self.peer.startswith("sg-"):
            raise SecurityModelError(f"security group rule: peer {self.peer!r} is neither a CIDR block nor an sg- id")
        # Derived from `peer` once: containment is tested on every packet.
        object.__setattr__(self, "_key", None if isinstance(self.peer, str) else _network_key(self.peer))

    def describe(self, direction: Direction) -> str:
        """The rule in one short phrase."""
        ports = "" if self.protocol is Protocol.ALL or self.port_from is None else f" {port_text(self.port_from, self.port_to)}"
        what = "all traffic" if self.protocol is Protocol.ALL else f"{self.protocol}{ports}"
        peer = self.peer if isinstance(self.peer, str) else _text(self.peer)
        return f"{what} {'from' if direction is Direction.INBOUND else 'to'} {peer}"

    def mismatch(self, direction: Direction, packet: Packet, peer_groups: frozenset[str] = frozenset()) -> str | None:
        """Why this rule does not allow `packet`, or None when it does.

        >>> SgRule(Protocol.TCP, 5432, 5432, "sg-app").mismatch(Direction.INBOUND,
        ...     Packet(Protocol.TCP, IPv4Address("10.0.1.5"), IPv4Address("10.0.2.5"), 40000, 5432), frozenset({"sg-web"}))
        'the other end is not in sg-app'
        """
        if isinstance(self.peer, str):
            reason = _mismatch(self.protocol, self.port_from, self.port_to, None, direction, packet)
            if reason is None and self.peer not in peer_groups:
                return f"the other end is not in {self.peer}"
            return reason
        return _mismatch(self.protocol, self.port_from, self.port_to, self.peer, direction, packet)

    def matches(self, direction: Direction, packet: Packet, peer_groups: frozenset[str] = frozenset()) -> bool:
        """True when this rule allows `packet` crossing in `direction`.

        >>> rule = SgRule(Protocol.TCP, 22, 22, IPv4Network("198.51.100.0/24"))
        >>> rule.matches(Direction.INBOUND, Packet(Protocol.TCP, IPv4Address("198.51.100.7"), IPv4Address("10.0.0.4"), 50000, 22))
        True
        """
        if not _port_matches(self.protocol, self.port_from, self.port_to, packet):
            return False
        if self._key is None:
            return self.peer in peer_groups
        return _key_matches(self._key, packet.source if direction is _INBOUND else packet.destination)


@dataclass(frozen=True)
class SecurityGroup:
    """A security group: its id, name and allow rules in each direction."""

    id: str
    name: str
    inbound: tuple[SgRule, ...]
    outbound: tuple[SgRule, ...]

    def rules(self, direction: Direction) -> tuple[SgRule, ...]:
        """The rules of one direction."""
        return self.inbound if direction is Direction.INBOUND else self.outbound


def new_security_group(group_id: str, name: str) -> SecurityGroup:
    """A security group as AWS creates it: no inbound rule, all outbound traffic allowed.

    >>> sg = new_security_group("sg-1", "app")
    >>> len(sg.inbound), sg.outbound[0].describe(Direction.OUTBOUND)
    (0, 'all traffic to 0.0.0.0/0')
    """
    return SecurityGroup(group_id, name, (), (SgRule(Protocol.ALL, None, None, ALL_IPV4),))


def default_security_group(group_id: str, *, ipv6: bool = False) -> SecurityGroup:
    """A VPC's default security group: inbound from its own members, all outbound.

    >>> sg = default_security_group("sg-d")
    >>> [r.describe(Direction.INBOUND) for r in sg.inbound]
    ['all traffic from sg-d']
    """
    outbound = [SgRule(Protocol.ALL, None, None, ALL_IPV4)]
    if ipv6:
        outbound.append(SgRule(Protocol.ALL, None, None, ALL_IPV6))
    return SecurityGroup(group_id, "default", (SgRule(Protocol.ALL, None, None, group_id),), tuple(outbound))


@dataclass(frozen=True)
class SgDecision:
    """What the security groups of an interface decided about a packet.

    `group` and `rule` name the first rule found that allows it (any allowing
    rule would do: the rules form a union); both are None when it is denied.
    """

    allowed: bool
    group: SecurityGroup | None
    rule: SgRule | None
    direction: Direction = Direction.INBOUND
    checked: tuple[str, ...] = ()

    def explain(self) -> str:
        """One plain sentence saying what decided.

        >>> SgDecision(False, None, None, Direction.OUTBOUND, ("sg-1",)).explain()
        'No outbound rule of security group sg-1 allows it, so it is dropped (security groups have no deny rules; anything not allowed is denied).'
        """
        if self.allowed and self.group is not None and self.rule is not None:
            return (
                f"Security group {self.group.name} ({self.group.id}) allows it with its "
                f"{self.direction} rule {self.rule.describe(self.direction)}."
            )
        groups = ", ".join(self.checked) or "(none)"
        plural = "s" if len(self.checked) != 1 else ""
        return (
            f"No {self.direction} rule of security group{plural} {groups} allows it, so it is dropped "
            "(security groups have no deny rules; anything not allowed is denied)."
        )


def evaluate_security_groups(
    groups: Sequence[SecurityGroup],
    direction: Direction,
    packet: Packet,
    peer_groups: frozenset[str] = frozenset(),
) -> SgDecision:
    """Whether the security groups of one interface let `packet` through.

    The rules of all `groups` in `direction` are pooled; the packet passes if
    any rule allows it.  `peer_groups` holds the ids of the groups attached to
    the other end of the packet (its source when inbound, its destination
    when outbound), for rules whose peer is a group.  Return traffic of an
    allowed flow is not evaluated here: security groups are stateful.

    >>> app = SecurityGroup("sg-app", "app", (SgRule(Protocol.TCP, 8080, 8080, "sg-web"),), ())
    >>> pkt = Packet(Protocol.TCP, IPv4Address("10.0.1.5"), IPv4Address("10.0.2.5"), 40000, 8080)
    >>> evaluate_security_groups([app], Direction.INBOUND, pkt, frozenset({"sg-web"})).allowed
    True
    >>> evaluate_security_groups([app], Direction.INBOUND, pkt).allowed
    False
    """
    for group in groups:
        for rule in group.rules(direction):
            if rule.matches(direction, packet, peer_groups):
                return SgDecision(True, group, rule, direction, tuple(g.id for g in groups))
    return SgDecision(False, None, None, direction, tuple(g.id for g in groups))


# --- Network ACLs ----------------------------------------------------------


@dataclass(frozen=True)
class NaclRule:
    """One numbered rule of a network ACL.

    `cidr` is the source for inbound rules and the destination for outbound
    rules; the port range is always the packet's destination port.

    >>> NaclRule(100, Action.ALLOW, Protocol.TCP, 443, 443, ALL_IPV4).describe(Direction.INBOUND)
    'rule 100: allow tcp 443 from 0.0.0.0/0'
    """

    number: int
    action: Action
    protocol: Protocol
    port_from: int | None
    port_to: int | None
    cidr: IPv4Network | IPv6Network
    _key: tuple[int, int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 1 <= self.number <= MAX_RULE_NUMBER:
            raise SecurityModelError(f"rule number {self.number} is outside 1-{MAX_RULE_NUMBER}")
        _check_ports(self.protocol, self.port_from, self.port_to, f"rule {self.number}")
        # Derived from `cidr` once: containment is tested on every packet.
        object.__setattr__(self, "_key", _network_key(self.cidr))

    def describe(self, direction: Direction) -> str:
        """The rule in one short phrase."""
        ports = "" if self.protocol is Protocol.ALL or self.port_from is None else f" {port_text(self.port_from, self.port_to)}"
        what = "all traffic" if self.protocol is Protocol.ALL else f"{self.protocol}{ports}"
        return f"rule {self.number}: {self.action} {what} {'from' if direction is Direction.INBOUND else 'to'} {_text(self.cidr)}"

    def mismatch(self, direction: Direction, packet: Packet) -> str | None:
        """Why this rule does not apply to `packet`, or None when it does.

        >>> rule = NaclRule(100, Action.ALLOW, Protocol.ALL, None, None, ALL_IPV4)
        >>> rule.mismatch(Direction.INBOUND, Packet(Protocol.TCP, IPv6Address("2001:db8::1"), IPv6Address("2001:db8:1::5"), 50000, 443))
        'an IPv4 rule never matches IPv6 traffic'
        """
        return _mismatch(self.protocol, self.port_from, self.port_to, self.cidr, direction, packet)

    def matches(self, direction: Direction, packet: Packet) -> bool:
        """True when this rule applies to `packet` crossing in `direction`.

        >>> rule = NaclRule(100, Action.ALLOW, Protocol.TCP, 1024, 65535, ALL_IPV4)
        >>> rule.matches(Direction.OUTBOUND, Packet(Protocol.TCP, IPv4Address("10.0.0.4"), IPv4Address("198.51.100.7"), 443, 50000))
        True
        """
        if not _port_matches(self.protocol, self.port_from, self.port_to, packet):
            return False
        return _key_matches(self._key, packet.source if direction is _INBOUND else packet.destination)


@dataclass(frozen=True)
class NetworkAcl:
    """A network ACL: numbered rules in each direction.

    Every direction ends with the implicit ``*`` rule, which denies whatever
    no numbered rule matched; it is not stored.  Rule numbers are unique per
    direction.
    """

    id: str
    inbound: tuple[NaclRule, ...]
    outbound: tuple[NaclRule, ...]

    def __post_init__(self) -> None:
        for direction, rules in ((Direction.INBOUND, self.inbound), (Direction.OUTBOUND, self.outbound)):
            if len({r.number for r in rules}) != len(rules):
                numbers = [r.number for r in rules]
                dup = next(n for n in numbers if numbers.count(n) > 1)
                raise SecurityModelError(f"{self.id}: two {direction} rules are numbered {dup}")

    def rules(self, direction: Direction) -> tuple[NaclRule, ...]:
        """The rules of one direction, as stored."""
        return self.inbound if direction is _INBOUND else self.outbound

    def ordered(self, direction: Direction) -> tuple[NaclRule, ...]:
        """The rules of one direction in evaluation order (lowest number first)."""
        # Sorted on first use and remembered (derived data, not a field):
        # evaluation reads the rules in number order on every packet.
        key = "_sorted_in" if direction is _INBOUND else "_sorted_out"
        cached: tuple[NaclRule, ...] | None = self.__dict__.get(key)
        if cached is None:
            cached = tuple(sorted(self.rules(direction), key=_rule_number))
            object.__setattr__(self, key, cached)
        return cached


def _rule_number(rule: NaclRule) -> int:
    return rule.number


@dataclass(frozen=True)
class NaclDecision:
    """What a network ACL decided about a packet: the rule that matched
    first, or None when the ``*`` rule denied it."""

    allowed: bool
    rule: NaclRule | None
    direction: Direction = Direction.INBOUND
    acl_id: str = ""

    @property
    def rule_label(self) -> str:
        """The deciding rule's number, or ``*``.

        >>> NaclDecision(False, None).rule_label
        '*'
        """
        return "*" if self.rule is None else str(self.rule.number)

    def explain(self) -> str:
        """One plain sentence saying what decided.

        >>> NaclDecision(False, None, Direction.OUTBOUND, "acl-1").explain()
        'No outbound rule of network ACL acl-1 matches, so the final * rule denies it.'
        """
        acl = f"network ACL {self.acl_id}" if self.acl_id else "the network ACL"
        if self.rule is None:
            return f"No {self.direction} rule of {acl} matches, so the final * rule denies it."
        verb = "allows" if self.allowed else "denies"
        return f"The first {self.direction} rule of {acl} that matches is {self.rule.describe(self.direction)}, which {verb} it."


def evaluate_nacl(
    acl: NetworkAcl,
    direction: Direction,
    packet: Packet,
    *,
    reading: NaclReading = NaclReading.RULE_NUMBER,
) -> NaclDecision:
    """Whether a network ACL lets `packet` cross in `direction`, and which rule decided.

    Rules are tried lowest number first and the first match decides; if none
    matches, the ``*`` rule denies.  `reading` other than RULE_NUMBER answers
    as a common misreading would (for distractors), not as AWS does.

    >>> acl = NetworkAcl("acl-1", (NaclRule(100, Action.ALLOW, Protocol.TCP, 443, 443, ALL_IPV4),
    ...                            NaclRule(90, Action.DENY, Protocol.ALL, None, None, IPv4Network("203.0.113.0/24"))), ())
    >>> pkt = Packet(Protocol.TCP, IPv4Address("203.0.113.9"), IPv4Address("10.0.1.5"), 50000, 443)
    >>> evaluate_nacl(acl, Direction.INBOUND, pkt).rule_label
    '90'
    >>> evaluate_nacl(acl, Direction.INBOUND, pkt, reading=NaclReading.LISTED_ORDER).rule_label
    '100'
    >>> evaluate_nacl(acl, Direction.OUTBOUND, pkt.reply()).explain()
    'No outbound rule of network ACL acl-1 matches, so the final * rule denies it.'
    """
    if reading is NaclReading.RULE_NUMBER:
        for rule in acl.ordered(direction):
            if rule.matches(direction, packet):
                return NaclDecision(rule.action is Action.ALLOW, rule, direction, acl.id)
        return NaclDecision(False, None, direction, acl.id)
    rules: Iterable[NaclRule]
    if reading is NaclReading.LISTED_ORDER:
        rules = acl.rules(direction)
    else:
        rules = acl.ordered(direction)
    matching = [r for r in rules if r.matches(direction, packet)]
    if not matching:
        return NaclDecision(False, None, direction, acl.id)
    chosen = matching[0]
    if reading is NaclReading.LAST_MATCH:
        chosen = matching[-1]
    elif reading is NaclReading.DENY_WINS:
        chosen = next((r for r in matching if r.action is Action.DENY), matching[0])
    return NaclDecision(chosen.action is Action.ALLOW, chosen, direction, acl.id)


def evaluate_nacl_readings(acl: NetworkAcl, direction: Direction, packet: Packet) -> dict[NaclReading, NaclDecision]:
    """`evaluate_nacl` under every reading at once, matching each rule only once.

    >>> acl = NetworkAcl("acl-1", (NaclRule(200, Action.DENY, Protocol.ALL, None, None, ALL_IPV4),
    ...                            NaclRule(100, Action.ALLOW, Protocol.TCP, 443, 443, ALL_IPV4)), ())
    >>> pkt = Packet(Protocol.TCP, IPv4Address("203.0.113.9"), IPv4Address("10.0.1.5"), 50000, 443)
    >>> {r.value: d.rule_label for r, d in evaluate_nacl_readings(acl, Direction.INBOUND, pkt).items()}
    {'rule-number': '100', 'listed-order': '200', 'last-match': '200', 'deny-wins': '200'}
    """
    listed = [r for r in acl.rules(direction) if r.matches(direction, packet)]
    if not listed:
        star = NaclDecision(False, None, direction, acl.id)
        return {reading: star for reading in NaclReading}
    ordered = sorted(listed, key=_rule_number)
    chosen = {
        NaclReading.RULE_NUMBER: ordered[0],
        NaclReading.LISTED_ORDER: listed[0],
        NaclReading.LAST_MATCH: ordered[-1],
        NaclReading.DENY_WINS: next((r for r in ordered if r.action is Action.DENY), ordered[0]),
    }
    return {reading: NaclDecision(rule.action is Action.ALLOW, rule, direction, acl.id) for reading, rule in chosen.items()}


_DEFAULT_RULES = (
    NaclRule(100, Action.ALLOW, Protocol.ALL, None, None, ALL_IPV4),
    NaclRule(101, Action.ALLOW, Protocol.ALL, None, None, ALL_IPV6),
)


def default_nacl(acl_id: str) -> NetworkAcl:
    """A VPC's default network ACL: everything allowed in and out, IPv4 and IPv6.

    >>> acl = default_nacl("acl-d")
    >>> [r.describe(Direction.INBOUND) for r in acl.inbound]
    ['rule 100: allow all traffic from 0.0.0.0/0', 'rule 101: allow all traffic from ::/0']
    """
    return NetworkAcl(acl_id, _DEFAULT_RULES, _DEFAULT_RULES)


def custom_nacl(acl_id: str) -> NetworkAcl:
    """A network ACL just created: no numbered rules, so ``*`` denies everything.

    >>> acl = custom_nacl("acl-c")
    >>> evaluate_nacl(acl, Direction.INBOUND, Packet(Protocol.ICMP, IPv4Address("10.0.0.1"), IPv4Address("10.0.0.2"))).allowed
    False
    """
    return NetworkAcl(acl_id, (), ())


def ephemeral_ports(client: str) -> tuple[int, int]:
    """The port range a client of this kind takes its source port from.

    `client` is ``linux``, ``windows``, ``nat-gateway``, ``elb`` or ``lambda``.

    >>> ephemeral_ports("linux"), ephemeral_ports("windows"), ephemeral_ports("nat-gateway")
    ((32768, 61000), (49152, 65535), (1024, 65535))
    >>> ephemeral_ports("solaris")
    Traceback (most recent call last):
    ...
    generators.security.model.SecurityModelError: unknown client 'solaris': expected one of linux, windows, nat-gateway, elb, lambda
    """
    try:
        return EPHEMERAL_PORTS[client]
    except KeyError:
        raise SecurityModelError(f"unknown client {client!r}: expected one of {', '.join(EPHEMERAL_PORTS)}") from None
