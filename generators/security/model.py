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

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from itertools import pairwise
from struct import Struct
from typing import NoReturn

from quizapp.values import quick_init

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
    "address_text",
    "custom_nacl",
    "default_nacl",
    "default_security_group",
    "ephemeral_ports",
    "evaluate_nacl",
    "evaluate_nacl_readings",
    "evaluate_security_groups",
    "nacl_allows",
    "nacl_deciding_rule",
    "nacl_rule_over_ports",
    "new_security_group",
    "port_text",
    "security_group_allowing",
    "security_groups_allow",
]

Address = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network

ALL_IPV4 = IPv4Network("0.0.0.0/0")
"""Every IPv4 address (and no IPv6 address)."""
ALL_IPV6 = IPv6Network("::/0")
"""Every IPv6 address (and no IPv4 address)."""
VERSION_OF_TYPE: dict[type, int] = {IPv4Address: 4, IPv4Network: 4, IPv6Address: 6, IPv6Network: 6}
"""The IP version of an `ipaddress` value by its exact type: a dict lookup,
where the `version` property is a Python-level call (the models read the
version of every block and packet they build). Other types (subclasses) fall
back to the property: ``VERSION_OF_TYPE.get(type(x)) or x.version``."""
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
_TCP = Protocol.TCP
_UDP = Protocol.UDP
_INBOUND = Direction.INBOUND
_OUTBOUND = Direction.OUTBOUND


class Action(StrEnum):
    """What a network ACL rule does with the packets it matches."""

    ALLOW = "allow"
    DENY = "deny"


_ALLOW = Action.ALLOW
_DENY = Action.DENY


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


def address_text(value: IPv4Network | IPv6Network | IPv4Address | IPv6Address) -> str:
    """`str(value)`, faster: IPv4 values are formatted from their integer (half
    the time of `str`), IPv6 ones with a quicker formatter and remembered (the
    same blocks and hosts are shown again and again).

    >>> address_text(IPv6Network("2001:db8::/32")), address_text(IPv4Address("10.0.0.1")), address_text(ALL_IPV4)
    ('2001:db8::/32', '10.0.0.1', '0.0.0.0/0')
    """
    if type(value) is IPv4Address:
        n = int(value)
        return f"{n >> 24}.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
    if type(value) is IPv4Network:
        n = int(value.network_address)
        return f"{n >> 24}.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}/{value.prefixlen}"
    return _ipv6_or_other_text(value)


@lru_cache(maxsize=4096)
def _ipv6_or_other_text(value: IPv4Network | IPv6Network | IPv4Address | IPv6Address) -> str:
    if isinstance(value, IPv6Network):
        return f"{_ipv6_text(int(value.network_address))}/{value.prefixlen}"
    if isinstance(value, IPv6Address) and value.scope_id is None:
        return _ipv6_text(int(value))
    return str(value)


_text = address_text
_HEXTETS = Struct(">8H").unpack


def _zero_run_formats() -> tuple[tuple[str, int, int], ...]:
    """For each set of zero hextets (bit i set: hextet i is zero), the format of
    the address and the hextets it leaves out: the longest run of two or more
    zero hextets (the first, on a tie) becomes ``::``, as `ipaddress` writes it."""
    formats = []
    for mask in range(256):
        best_start, best_length, start, length = 8, 1, 0, 0
        for index in range(8):
            if mask >> index & 1:
                if not length:
                    start = index
                length += 1
                if length > best_length:
                    best_start, best_length = start, length
            else:
                length = 0
        if best_start == 8:
            formats.append((":".join(["%x"] * 8), 8, 8))
        else:
            end = best_start + best_length
            formats.append((":".join(["%x"] * best_start) + "::" + ":".join(["%x"] * (8 - end)), best_start, end))
    return tuple(formats)


_ZERO_RUNS = _zero_run_formats()


def _ipv6_text(value: int) -> str:
    """An IPv6 address (as an integer) the way `ipaddress` writes it, several
    times faster: hextets in lowercase hex without leading zeros, and the
    longest run of two or more zero hextets (the first, on a tie) as ``::``.

    >>> _ipv6_text(0x20010DB8000000000000000000000001), _ipv6_text(0), _ipv6_text(0x20010DB8000000010000000000000000)
    ('2001:db8::1', '::', '2001:db8:0:1::')
    """
    h = _HEXTETS(value.to_bytes(16, "big"))
    mask = (
        (h[0] == 0) | (h[1] == 0) << 1 | (h[2] == 0) << 2 | (h[3] == 0) << 3
        | (h[4] == 0) << 4 | (h[5] == 0) << 5 | (h[6] == 0) << 6 | (h[7] == 0) << 7
    )
    shape, start, end = _ZERO_RUNS[mask]
    text: str = shape % (h[:start] + h[end:])
    return text


def port_text(port_from: int | None, port_to: int | None) -> str:
    """A port range as people write it.

    >>> port_text(443, 443), port_text(1024, 65535), port_text(None, None)
    ('443', '1024-65535', 'all ports')
    """
    if port_from is None or port_to is None:
        return "all ports"
    return str(port_from) if port_from == port_to else f"{port_from}-{port_to}"


def _what_text(protocol: Protocol, port_from: int | None, port_to: int | None) -> str:
    """A rule's protocol and ports as `describe` writes them: ``tcp 443``, ``icmp``, ``all traffic``."""
    if protocol is _ALL:
        return "all traffic"
    if port_from is None:
        return protocol._value_
    return f"{protocol._value_} {port_text(port_from, port_to)}"


def _check_ports(protocol: Protocol, port_from: int | None, port_to: int | None, what: str) -> None:
    if protocol.has_ports:
        if port_from is None or port_to is None:
            raise SecurityModelError(f"{what}: a {protocol} rule needs a port range")
        if not 0 <= port_from <= port_to <= 65535:
            raise SecurityModelError(f"{what}: port range {port_from}-{port_to} must satisfy 0 <= from <= to <= 65535")
    elif port_from is not None or port_to is not None:
        raise SecurityModelError(f"{what}: a rule for protocol {protocol} takes no port range")


_ANY_PORT = (-1, 65536)
"""The bounds of a rule without ports: every port, and also no port at all (-1)."""

_Match = tuple[Protocol, int, int, int, int, int]
"""A rule compiled for matching: (protocol, lowest port, highest port, IP version,
netmask, network address), all integers but the protocol.  A packet without a
destination port counts as port -1, which only a rule without ports covers;
IP version 0 stands for a security-group peer, which no address matches."""


def _compile(protocol: Protocol, port_from: int | None, port_to: int | None, network: Network | None, what: str | int) -> _Match:
    """A rule's fields as a `_Match`; SecurityModelError (from `_check_ports`) when
    its ports are invalid.  `what` names the rule in the error (an int is a
    network ACL rule number)."""
    if protocol is _TCP or protocol is _UDP:
        if port_from is None or port_to is None or not 0 <= port_from <= port_to <= 65535:
            _refuse_ports(protocol, port_from, port_to, what)
        low, high = port_from, port_to
    elif port_from is not None or port_to is not None:
        _refuse_ports(protocol, port_from, port_to, what)
    else:
        low, high = _ANY_PORT
    if network is None:
        return protocol, low, high, 0, 0, 0
    if network is ALL_IPV4:
        return protocol, low, high, 4, 0, 0  # the most common block, known in advance
    version = VERSION_OF_TYPE.get(type(network)) or network.version
    return protocol, low, high, version, int(network.netmask), int(network.network_address)


def _refuse_ports(protocol: Protocol, port_from: int | None, port_to: int | None, what: str | int) -> NoReturn:
    _check_ports(protocol, port_from, port_to, f"rule {what}" if isinstance(what, int) else what)
    raise AssertionError("unreachable: _check_ports refuses every range _compile refuses")


@quick_init
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
    _ends: tuple[int, int, int, Protocol, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        protocol = self.protocol
        if protocol is _ALL:
            raise SecurityModelError("a packet has one protocol, not 'all'")
        source, destination = self.source, self.destination
        # Same class means same version; only compare versions when they differ.
        if type(source) is not type(destination) and source.version != destination.version:
            raise SecurityModelError(f"{source} and {destination} are not the same IP version")
        # Derived once, what every rule is compared with: (IP version, source and
        # destination as integers, protocol, destination port or -1 for none).
        port = self.destination_port
        version = VERSION_OF_TYPE.get(type(source)) or source.version
        self.__dict__["_ends"] = (version, int(source), int(destination), protocol, -1 if port is None else port)

    def reply(self) -> Packet:
        """The packet going back: addresses and ports swapped."""
        return Packet(self.protocol, self.destination, self.source, self.destination_port, self.source_port)


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
        other = packet.source if direction is _INBOUND else packet.destination
        if other.version != network.version:
            return f"an IPv{network.version} rule never matches IPv{other.version} traffic"
        if int(other) & int(network.netmask) != int(network.network_address):
            role = "source" if direction is _INBOUND else "destination"
            return f"{role} {address_text(other)} is outside {address_text(network)}"
    return None


def _address_key(direction: Direction, packet: Packet) -> tuple[int, int, Protocol, int]:
    """What a rule is compared with: (IP version, the other end's address as an
    integer, protocol, destination port or -1)."""
    version, source, destination, protocol, port = packet._ends
    return version, source if direction is _INBOUND else destination, protocol, port


def _hits(match: _Match, version: int, value: int, protocol: Protocol, port: int) -> bool:
    """True when a compiled rule covers a packet's (version, address, protocol, port).

    The version test is a rule of the model, not an accident: IPv4 rules never
    match IPv6 traffic (and the reverse).
    """
    p, low, high, v, mask, base = match
    return (p is protocol or p is _ALL) and low <= port <= high and v == version and value & mask == base


_RULE_NUMBER = NaclReading.RULE_NUMBER
_LISTED_ORDER = NaclReading.LISTED_ORDER
_LAST_MATCH = NaclReading.LAST_MATCH
_DENY_WINS = NaclReading.DENY_WINS


# --- Security groups -------------------------------------------------------


@quick_init
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
    _match: _Match = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        peer = self.peer
        if isinstance(peer, str):
            match = _compile(self.protocol, self.port_from, self.port_to, None, "security group rule")
            if not peer.startswith("sg-"):
                raise SecurityModelError(f"security group rule: peer {peer!r} is neither a CIDR block nor an sg- id")
            key = None
        else:
            match = _compile(self.protocol, self.port_from, self.port_to, peer, "security group rule")
            key = match[3:]
        # Derived once: every packet is compared with these integers.  (Written
        # to the instance dict directly: the class is frozen to its users.)
        derived = self.__dict__
        derived["_key"] = key
        derived["_match"] = match

    def describe(self, direction: Direction) -> str:
        """The rule in one short phrase (remembered per direction: explanations repeat it)."""
        key = "_describe_in" if direction is _INBOUND else "_describe_out"
        text: str | None = self.__dict__.get(key)
        if text is None:
            peer = self.peer if isinstance(self.peer, str) else address_text(self.peer)
            text = f"{_what_text(self.protocol, self.port_from, self.port_to)} {'from' if direction is _INBOUND else 'to'} {peer}"
            self.__dict__[key] = text
        return text

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
        version, value, protocol, port = _address_key(direction, packet)
        return _sg_rule_hits(self, version, value, protocol, port, peer_groups)


def _sg_rule_hits(rule: SgRule, version: int, value: int, protocol: Protocol, port: int, peer_groups: frozenset[str]) -> bool:
    """`SgRule.matches` on a packet already reduced by `_address_key`."""
    p, low, high, v, mask, base = rule._match
    if not ((p is protocol or p is _ALL) and low <= port <= high):
        return False
    if v == 0:
        return rule.peer in peer_groups
    return v == version and value & mask == base


@quick_init
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
    return SecurityGroup(group_id, name, (), _ALL_OUT_V4)


def default_security_group(group_id: str, *, ipv6: bool = False) -> SecurityGroup:
    """A VPC's default security group: inbound from its own members, all outbound.

    >>> sg = default_security_group("sg-d")
    >>> [r.describe(Direction.INBOUND) for r in sg.inbound]
    ['all traffic from sg-d']
    """
    outbound = _ALL_OUT_V4 + _ALL_OUT_V6 if ipv6 else _ALL_OUT_V4
    return SecurityGroup(group_id, "default", (SgRule(Protocol.ALL, None, None, group_id),), outbound)


_ALL_OUT_V4 = (SgRule(Protocol.ALL, None, None, ALL_IPV4),)
_ALL_OUT_V6 = (SgRule(Protocol.ALL, None, None, ALL_IPV6),)


@quick_init
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
    found = security_group_allowing(groups, direction, packet, peer_groups)
    checked = tuple([g.id for g in groups])
    if found is None:
        return SgDecision(False, None, None, direction, checked)
    return SgDecision(True, found[0], found[1], direction, checked)


def security_groups_allow(
    groups: Sequence[SecurityGroup],
    direction: Direction,
    packet: Packet,
    peer_groups: frozenset[str] = frozenset(),
) -> bool:
    """`evaluate_security_groups(...).allowed`, without building the decision.

    >>> app = SecurityGroup("sg-app", "app", (SgRule(Protocol.TCP, 8080, 8080, "sg-web"),), ())
    >>> pkt = Packet(Protocol.TCP, IPv4Address("10.0.1.5"), IPv4Address("10.0.2.5"), 40000, 8080)
    >>> security_groups_allow([app], Direction.INBOUND, pkt, frozenset({"sg-web"})), security_groups_allow([app], Direction.INBOUND, pkt)
    (True, False)
    """
    return security_group_allowing(groups, direction, packet, peer_groups) is not None


def security_group_allowing(
    groups: Sequence[SecurityGroup],
    direction: Direction,
    packet: Packet,
    peer_groups: frozenset[str] = frozenset(),
) -> tuple[SecurityGroup, SgRule] | None:
    """The (group, rule) `evaluate_security_groups` names, or None when the
    packet is denied, without building the decision.

    >>> app = SecurityGroup("sg-app", "app", (SgRule(Protocol.TCP, 8080, 8080, "sg-web"),), ())
    >>> pkt = Packet(Protocol.TCP, IPv4Address("10.0.1.5"), IPv4Address("10.0.2.5"), 40000, 8080)
    >>> security_group_allowing([app], Direction.INBOUND, pkt, frozenset({"sg-web"}))[1].describe(Direction.INBOUND)
    'tcp 8080 from sg-web'
    """
    # The first (group, rule) that allows `packet`, in the order given.
    version, source, destination, protocol, port = packet._ends
    inbound = direction is _INBOUND
    value = source if inbound else destination
    for group in groups:
        for rule in group.inbound if inbound else group.outbound:
            p, low, high, v, mask, base = rule._match
            if (p is protocol or p is _ALL) and low <= port <= high:
                if v == 0:
                    if rule.peer in peer_groups:
                        return group, rule
                elif v == version and value & mask == base:
                    return group, rule
    return None


# --- Network ACLs ----------------------------------------------------------


@quick_init
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
    _match: _Match = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        number = self.number
        if not 1 <= number <= MAX_RULE_NUMBER:
            raise SecurityModelError(f"rule number {number} is outside 1-{MAX_RULE_NUMBER}")
        match = _compile(self.protocol, self.port_from, self.port_to, self.cidr, number)
        # Derived once: every packet is compared with these integers.  (Written
        # to the instance dict directly: the class is frozen to its users.)
        derived = self.__dict__
        derived["_key"] = match[3:]
        derived["_match"] = match

    @property
    def cidr_text(self) -> str:
        """The rule's block as written, like ``0.0.0.0/0`` (remembered: tables and traces repeat it).

        >>> NaclRule(100, Action.ALLOW, Protocol.ALL, None, None, IPv4Network("198.51.100.0/24")).cidr_text
        '198.51.100.0/24'
        """
        text: str | None = self.__dict__.get("_cidr_text")
        if text is None:
            text = self.__dict__["_cidr_text"] = address_text(self.cidr)
        return text

    def describe(self, direction: Direction) -> str:
        """The rule in one short phrase (remembered per direction: explanations repeat it)."""
        key = "_describe_in" if direction is _INBOUND else "_describe_out"
        text: str | None = self.__dict__.get(key)
        if text is None:
            what = _what_text(self.protocol, self.port_from, self.port_to)
            text = f"rule {self.number}: {self.action._value_} {what} {'from' if direction is _INBOUND else 'to'} {self.cidr_text}"
            self.__dict__[key] = text
        return text

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
        return _hits(self._match, *_address_key(direction, packet))


@quick_init
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
        # Sorted once here (derived data, not fields): evaluation reads the
        # rules in number order on every packet, and sorting also finds
        # duplicate numbers, which sit next to each other.
        derived = self.__dict__
        derived["_sorted_in"] = _in_number_order(self.id, _INBOUND, self.inbound)
        derived["_sorted_out"] = _in_number_order(self.id, _OUTBOUND, self.outbound)

    def rules(self, direction: Direction) -> tuple[NaclRule, ...]:
        """The rules of one direction, as stored."""
        return self.inbound if direction is _INBOUND else self.outbound

    def ordered(self, direction: Direction) -> tuple[NaclRule, ...]:
        """The rules of one direction in evaluation order (lowest number first).

        >>> acl = NetworkAcl("acl-1", (NaclRule(200, Action.DENY, Protocol.ALL, None, None, ALL_IPV4),
        ...                            NaclRule(100, Action.ALLOW, Protocol.TCP, 443, 443, ALL_IPV4)), ())
        >>> [r.number for r in acl.ordered(Direction.INBOUND)]
        [100, 200]
        """
        ordered: tuple[NaclRule, ...] = self.__dict__["_sorted_in" if direction is _INBOUND else "_sorted_out"]
        return ordered


    def port_bounds(self, direction: Direction) -> tuple[int, ...]:
        """The destination ports where the rules of one direction can start
        deciding differently: each rule's first port and the port after its
        last, in increasing order (remembered: the ACL is immutable).

        >>> acl = NetworkAcl("acl-1", (NaclRule(100, Action.ALLOW, Protocol.TCP, 1024, 65535, ALL_IPV4),
        ...                            NaclRule(90, Action.DENY, Protocol.TCP, 443, 443, ALL_IPV4),
        ...                            NaclRule(80, Action.DENY, Protocol.ALL, None, None, ALL_IPV4)), ())
        >>> acl.port_bounds(Direction.INBOUND), acl.port_bounds(Direction.OUTBOUND)
        ((443, 444, 1024, 65536), ())
        """
        key = "_bounds_in" if direction is _INBOUND else "_bounds_out"
        bounds: tuple[int, ...] | None = self.__dict__.get(key)
        if bounds is None:
            found = set()
            for rule in self.inbound if direction is _INBOUND else self.outbound:
                if rule.port_from is not None:
                    found.add(rule.port_from)
                if rule.port_to is not None:
                    found.add(rule.port_to + 1)
            bounds = self.__dict__[key] = tuple(sorted(found))
        return bounds


def _rule_number(rule: NaclRule) -> int:
    return rule.number


def _in_number_order(acl_id: str, direction: Direction, rules: tuple[NaclRule, ...]) -> tuple[NaclRule, ...]:
    """`rules` sorted by number (the same tuple when it already is), or
    SecurityModelError when two share a number."""
    previous = 0
    for rule in rules:
        if rule.number <= previous:
            break
        previous = rule.number
    else:
        return rules  # strictly increasing: sorted, and no duplicates
    ordered = tuple(sorted(rules, key=_rule_number))
    for before, after in pairwise(ordered):
        if before.number == after.number:
            numbers = [r.number for r in rules]
            dup = next(n for n in numbers if numbers.count(n) > 1)
            raise SecurityModelError(f"{acl_id}: two {direction} rules are numbered {dup}")
    return ordered


@quick_init
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
    if reading is _RULE_NUMBER:
        rule = _first_match(acl.__dict__["_sorted_in" if direction is _INBOUND else "_sorted_out"], direction, packet)
        if rule is None:
            return NaclDecision(False, None, direction, acl.id)
        return NaclDecision(rule.action is _ALLOW, rule, direction, acl.id)
    rules = acl.rules(direction) if reading is NaclReading.LISTED_ORDER else acl.ordered(direction)
    matching = _all_matches(rules, direction, packet)
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
    inbound = direction is _INBOUND
    stored = acl.inbound if inbound else acl.outbound
    listed = _all_matches(stored, direction, packet)
    acl_id = acl.id
    if not listed:
        star = NaclDecision(False, None, direction, acl_id)
        return {_RULE_NUMBER: star, _LISTED_ORDER: star, _LAST_MATCH: star, _DENY_WINS: star}
    first_listed = listed[0]
    listed_decision = NaclDecision(first_listed.action is _ALLOW, first_listed, direction, acl_id)
    if len(listed) == 1:
        return {_RULE_NUMBER: listed_decision, _LISTED_ORDER: listed_decision, _LAST_MATCH: listed_decision, _DENY_WINS: listed_decision}
    # Stored already in number order (then it is its own sorted tuple): so are the matches.
    if acl.__dict__["_sorted_in" if inbound else "_sorted_out"] is stored:
        ordered = listed
    elif len(listed) == 2:
        ordered = listed if first_listed.number < listed[1].number else [listed[1], first_listed]
    else:
        ordered = sorted(listed, key=_rule_number)
    first, last = ordered[0], ordered[-1]
    deny = first
    for rule in ordered:
        if rule.action is _DENY:
            deny = rule
            break
    # One decision per rule chosen: the readings often agree.
    made = {id(first_listed): listed_decision}
    for rule in (first, last, deny):
        if id(rule) not in made:
            made[id(rule)] = NaclDecision(rule.action is _ALLOW, rule, direction, acl_id)
    return {_RULE_NUMBER: made[id(first)], _LISTED_ORDER: listed_decision, _LAST_MATCH: made[id(last)], _DENY_WINS: made[id(deny)]}


def nacl_allows(acl: NetworkAcl, direction: Direction, packet: Packet) -> bool:
    """`evaluate_nacl(acl, direction, packet).allowed`, without building the decision.

    >>> acl = NetworkAcl("acl-1", (NaclRule(100, Action.ALLOW, Protocol.TCP, 443, 443, ALL_IPV4),), ())
    >>> pkt = Packet(Protocol.TCP, IPv4Address("203.0.113.9"), IPv4Address("10.0.1.5"), 50000, 443)
    >>> nacl_allows(acl, Direction.INBOUND, pkt), nacl_allows(acl, Direction.OUTBOUND, pkt.reply())
    (True, False)
    """
    rule = _first_match(acl.__dict__["_sorted_in" if direction is _INBOUND else "_sorted_out"], direction, packet)
    return rule is not None and rule.action is _ALLOW


def nacl_deciding_rule(
    acl: NetworkAcl,
    direction: Direction,
    packet: Packet,
    *,
    reading: NaclReading = NaclReading.RULE_NUMBER,
    port: int | None = None,
) -> NaclRule | None:
    """The rule `evaluate_nacl` names (None when the ``*`` rule denies),
    without building the decision.  `port`, when given, stands for the
    packet's destination port (no other packet is built).

    >>> acl = NetworkAcl("acl-1", (NaclRule(100, Action.ALLOW, Protocol.TCP, 443, 443, ALL_IPV4),
    ...                            NaclRule(90, Action.DENY, Protocol.ALL, None, None, IPv4Network("203.0.113.0/24"))), ())
    >>> pkt = Packet(Protocol.TCP, IPv4Address("203.0.113.9"), IPv4Address("10.0.1.5"), 50000, 443)
    >>> nacl_deciding_rule(acl, Direction.INBOUND, pkt).number, nacl_deciding_rule(acl, Direction.INBOUND, pkt, reading=NaclReading.LISTED_ORDER).number
    (90, 100)
    >>> nacl_deciding_rule(acl, Direction.INBOUND, pkt, reading=NaclReading.LISTED_ORDER, port=80).number
    90
    """
    inbound = direction is _INBOUND
    if reading is _RULE_NUMBER:
        rules: tuple[NaclRule, ...] = acl.__dict__["_sorted_in" if inbound else "_sorted_out"]
    elif reading is _LISTED_ORDER:
        rules = acl.inbound if inbound else acl.outbound
    else:
        if port is not None:
            packet = Packet(packet.protocol, packet.source, packet.destination, packet.source_port, port)
        return evaluate_nacl(acl, direction, packet, reading=reading).rule
    return _first_match(rules, direction, packet, port)


def nacl_rule_over_ports(
    acl: NetworkAcl,
    direction: Direction,
    packet: Packet,
    low: int,
    high: int,
    *,
    reading: NaclReading = NaclReading.RULE_NUMBER,
) -> tuple[NaclRule | None, tuple[int, int] | None]:
    """`packet` sent to every destination port in `low`..`high`: the rule
    deciding the first stretch of ports that is denied (None for ``*``) and
    that stretch, or the rule allowing `low` and None when every port passes.

    >>> acl = NetworkAcl("acl-1", (NaclRule(100, Action.ALLOW, Protocol.TCP, 1024, 49151, ALL_IPV4),), ())
    >>> pkt = Packet(Protocol.TCP, IPv4Address("1.2.3.4"), IPv4Address("10.0.0.5"), 443, 0)
    >>> nacl_rule_over_ports(acl, Direction.INBOUND, pkt, 32768, 40000)[0].number
    100
    >>> nacl_rule_over_ports(acl, Direction.INBOUND, pkt, 32768, 61000)
    (None, (49152, 61000))
    """
    inbound = direction is _INBOUND
    if reading is _RULE_NUMBER or reading is _LISTED_ORDER:
        # Usually the first rule that matches any port of the range covers
        # all of it (or none matches): then it decides every port.
        if reading is _RULE_NUMBER:
            rules: tuple[NaclRule, ...] = acl.__dict__["_sorted_in" if inbound else "_sorted_out"]
        else:
            rules = acl.inbound if inbound else acl.outbound
        version, source, destination, protocol, _ = packet._ends
        value = source if inbound else destination
        for rule in rules:
            p, rule_low, rule_high, v, mask, base = rule._match
            if (p is protocol or p is _ALL) and rule_low <= high and low <= rule_high and v == version and value & mask == base:
                if rule_low <= low and high <= rule_high:
                    return rule, None if rule.action is _ALLOW else (low, high)
                break
        else:
            return None, (low, high)
    # Stretches between the rules' port boundaries: one port decides each.
    bounds = acl.port_bounds(direction)
    starts = (low, *bounds[bisect_right(bounds, low):bisect_right(bounds, high)])
    first_allow: NaclRule | None = None
    for i, start in enumerate(starts):
        decided = nacl_deciding_rule(acl, direction, packet, reading=reading, port=start)
        if decided is None or decided.action is not _ALLOW:
            # Merge with following stretches denied by the same rule.
            j = i + 1
            while j < len(starts) and nacl_deciding_rule(acl, direction, packet, reading=reading, port=starts[j]) is decided:
                j += 1
            return decided, (start, starts[j] - 1 if j < len(starts) else high)
        if first_allow is None:
            first_allow = decided
    return first_allow, None


def _first_match(rules: tuple[NaclRule, ...], direction: Direction, packet: Packet, port: int | None = None) -> NaclRule | None:
    """The first of `rules` (in the order given) that matches `packet`, or
    None; `port`, when given, stands for the packet's destination port.  The
    innermost loop of every connection check."""
    version, source, destination, protocol, own_port = packet._ends
    if port is None:
        port = own_port
    value = source if direction is _INBOUND else destination
    for rule in rules:
        p, low, high, v, mask, base = rule._match
        if (p is protocol or p is _ALL) and low <= port <= high and v == version and value & mask == base:
            return rule
    return None


def _all_matches(rules: tuple[NaclRule, ...], direction: Direction, packet: Packet) -> list[NaclRule]:
    """Every one of `rules` that matches `packet`, in the order given."""
    version, value, protocol, port = _address_key(direction, packet)
    found = []
    for rule in rules:
        p, low, high, v, mask, base = rule._match
        if (p is protocol or p is _ALL) and low <= port <= high and v == version and value & mask == base:
            found.append(rule)
    return found


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
