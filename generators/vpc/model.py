"""VPC addressing: a pure rule model of how AWS sizes, numbers and checks the
IPv4 blocks of VPCs and subnets.

Facts encoded here, each checked against AWS documentation (our wording):

- Every IPv4 block of a VPC (primary or secondary) and every subnet block is
  between /16 (65,536 addresses) and /28 (16 addresses).
  https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html
  https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html
- A VPC holds at most 5 IPv4 blocks by default, the primary included; the
  quota can be raised to 50.  (Older study notes say 6: that is wrong.)
  https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html
- A block added to a VPC must not overlap a block the VPC already has, must
  not be equal to or larger than the destination of a route in one of the
  VPC's route tables, and must respect the association restrictions, which
  depend on the range the primary block is in:
  primary in 10.0.0.0/8: no block from 172.16.0.0/12 or 192.168.0.0/16, none
  from 198.19.0.0/16, and none from 10.0.0.0/16 once any block of the VPC
  lies in 10.0.0.0/15; primary in 172.16.0.0/12: no block from 10.0.0.0/8 or
  192.168.0.0/16, none from 172.31.0.0/16, none from 198.19.0.0/16; primary
  in 192.168.0.0/16: no block from 10.0.0.0/8 or 172.16.0.0/12, none from
  198.19.0.0/16; primary in 198.19.0.0/16: no RFC 1918 block; primary public
  or in 100.64.0.0/10: no RFC 1918 block and none from 198.19.0.0/16.
  Everything else (same RFC 1918 range, publicly routable space,
  100.64.0.0/10) is permitted.
  https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html#add-cidr-block-restrictions
- A subnet's block lies inside one of its VPC's blocks and does not overlap
  another subnet of the VPC.
  https://docs.aws.amazon.com/vpc/latest/userguide/configure-subnets.html
- AWS reserves five addresses of every subnet: the network address (base),
  base + 1 for the VPC router, base + 2 for Amazon DNS, base + 3 for future
  use, and the last address (a VPC does not support broadcast, so the
  broadcast address is held back).
  https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html
- The Amazon DNS server answers at the base of the VPC's primary block plus
  two (in the primary block even when the VPC has several) and at
  169.254.169.253.
  https://docs.aws.amazon.com/vpc/latest/userguide/vpc-dns.html
  https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html
- The default VPC is 172.31.0.0/16 with a /20 default subnet per
  Availability Zone; a new default subnet takes a /20 in the next available
  contiguous space of the default VPC.  AWS does not promise which zone gets
  which /20.
  https://docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html

Modelling choices that are ours, not AWS's:

- The association table is read as a list of restrictions: a block that no
  row restricts is permitted.
- "Next available contiguous space" is the lowest free, aligned /20.
- Subnet planning gives each subnet the smallest block that holds its hosts,
  allocates the largest blocks first (ties in the order given), each at the
  lowest free aligned address of the VPC block.  Blocks are powers of two,
  so largest-first packs without gaps and the plan fits exactly when the
  blocks add up to no more than the VPC block.

Misconceptions are modelled as parameters (`Reservation`, `ignore`,
`largest_first`), so a distractor is this model run under a named mistake.

>>> usable_addresses(parse_block("10.0.0.0/24"))
251
"""

from __future__ import annotations

import ipaddress
from bisect import insort
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

IPv4Network = ipaddress.IPv4Network
IPv4Address = ipaddress.IPv4Address

MIN_PREFIX = 16
"""The largest block AWS allows (a /16, 65,536 addresses)."""
MAX_PREFIX = 28
"""The smallest block AWS allows (a /28, 16 addresses)."""
DEFAULT_IPV4_BLOCKS_PER_VPC = 5
"""IPv4 CIDR blocks per VPC, primary included: the default quota."""
MAX_IPV4_BLOCKS_PER_VPC = 50
"""The highest the IPv4 blocks-per-VPC quota can be raised."""
RESERVED_PER_SUBNET = 5
"""Addresses AWS holds back in every subnet."""
AMAZON_DNS_LINK_LOCAL = IPv4Address("169.254.169.253")
"""The Amazon DNS server's link-local address, the same in every VPC."""
DEFAULT_VPC = IPv4Network("172.31.0.0/16")
"""The block of every default VPC."""
DEFAULT_SUBNET_PREFIX = 20
"""The size of a default subnet (4,096 addresses)."""
RFC1918_RANGES = (IPv4Network("10.0.0.0/8"), IPv4Network("172.16.0.0/12"), IPv4Network("192.168.0.0/16"))
"""The private ranges of RFC 1918."""
SHARED_ADDRESS_SPACE = IPv4Network("100.64.0.0/10")
"""RFC 6598 space, which AWS permits next to any primary block."""
BENCHMARK_198_19 = IPv4Network("198.19.0.0/16")
"""Restricted next to RFC 1918 and public primaries."""
DEFAULT_VPC_RANGE_172_31 = IPv4Network("172.31.0.0/16")
"""Restricted as a secondary block when the primary is in 172.16.0.0/12."""
TEN_ZERO_16 = IPv4Network("10.0.0.0/16")
"""Restricted once any block of the VPC lies in 10.0.0.0/15."""
TEN_ZERO_15 = IPv4Network("10.0.0.0/15")
"""See `TEN_ZERO_16`."""

Trace = tuple[str, ...]
"""Steps of the model's reasoning, markdown, in the order it took them."""


_Span = tuple[int, int]
"""A block as its first and last address, as integers: cheap to compare."""


def _span(block: IPv4Network) -> _Span:
    first = int(block.network_address)
    return first, first + (1 << (32 - block.prefixlen)) - 1


def _within(inner: _Span, outer: _Span) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def _meets(a: _Span, b: _Span) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def _cidr(first: int, prefix: int) -> str:
    """`str(IPv4Network((first, prefix)))` without building the network."""
    return "%d.%d.%d.%d/%d" % (first >> 24, (first >> 16) & 255, (first >> 8) & 255, first & 255, prefix)


def _inside(inner: IPv4Network, outer: IPv4Network) -> bool:
    """`inner` lies wholly in `outer` (`subnet_of`, without its overhead)."""
    return _within(_span(inner), _span(outer))


def _overlap(a: IPv4Network, b: IPv4Network) -> bool:
    """The two blocks share at least one address."""
    return _meets(_span(a), _span(b))


class AddressingError(ValueError):
    """A CIDR block or address that AWS would refuse, and why."""


class ReservedRole(StrEnum):
    """Why AWS holds back each of a subnet's five reserved addresses.

    >>> ReservedRole.DNS.position
    'base + 2'
    """

    NETWORK = "network address"
    ROUTER = "VPC router"
    DNS = "Amazon DNS server"
    FUTURE = "future use"
    BROADCAST = "broadcast address (a VPC has no broadcast)"

    @property
    def position(self) -> str:
        """Where in the subnet AWS puts this address."""
        return _POSITIONS[self]


_POSITIONS = {
    ReservedRole.NETWORK: "base",
    ReservedRole.ROUTER: "base + 1",
    ReservedRole.DNS: "base + 2",
    ReservedRole.FUTURE: "base + 3",
    ReservedRole.BROADCAST: "last address",
}


class Reservation(StrEnum):
    """Which addresses of a subnet are held back: AWS's rule, or one of the
    rules learners mistake for it (the model run under a misconception).

    >>> Reservation.ON_PREMISES.reserved_count
    2
    """

    AWS = "aws"
    """First four and last: five addresses."""
    ON_PREMISES = "on-premises"
    """Network and broadcast only, as on a classic LAN."""
    NONE = "none"
    """Nothing reserved."""
    FIRST_FIVE = "first-five"
    """The first five addresses, none at the end."""

    @property
    def reserved_count(self) -> int:
        """How many addresses this rule holds back."""
        return len(_OFFSETS[self])


# Offsets from the base; -1 is the last address.
_OFFSETS: dict[Reservation, tuple[tuple[int, ReservedRole], ...]] = {
    Reservation.AWS: (
        (0, ReservedRole.NETWORK),
        (1, ReservedRole.ROUTER),
        (2, ReservedRole.DNS),
        (3, ReservedRole.FUTURE),
        (-1, ReservedRole.BROADCAST),
    ),
    Reservation.ON_PREMISES: ((0, ReservedRole.NETWORK), (-1, ReservedRole.BROADCAST)),
    Reservation.NONE: (),
    Reservation.FIRST_FIVE: (
        (0, ReservedRole.NETWORK),
        (1, ReservedRole.ROUTER),
        (2, ReservedRole.DNS),
        (3, ReservedRole.FUTURE),
        (4, ReservedRole.FUTURE),
    ),
}


@dataclass(frozen=True)
class Reserved:
    """One reserved address of a subnet and its role.

    >>> reserved_addresses(parse_block("10.0.0.0/28"))[1]
    Reserved(address=IPv4Address('10.0.0.1'), role=<ReservedRole.ROUTER: 'VPC router'>)
    """

    address: IPv4Address
    role: ReservedRole


# ---------------------------------------------------------------- parsing


def parse_block(text: str) -> IPv4Network:
    """Parse an IPv4 CIDR block strictly: host bits set is an error.

    >>> parse_block("10.1.0.0/16")
    IPv4Network('10.1.0.0/16')
    >>> parse_block("10.1.0.9/16")
    Traceback (most recent call last):
    ...
    generators.vpc.model.AddressingError: 10.1.0.9/16 has host bits set; did you mean 10.1.0.0/16?
    >>> parse_block("10.1.0.0")
    Traceback (most recent call last):
    ...
    generators.vpc.model.AddressingError: '10.1.0.0' is not a CIDR block: write it as address/prefix
    """
    raw = text.strip()
    if "/" not in raw:
        raise AddressingError(f"{raw!r} is not a CIDR block: write it as address/prefix")
    try:
        return IPv4Network(raw)
    except ipaddress.NetmaskValueError as exc:
        raise AddressingError(f"{raw}: {exc}") from None
    except ValueError:
        try:
            loose = IPv4Network(raw, strict=False)
        except ValueError:
            raise AddressingError(f"{raw!r} is not an IPv4 CIDR block") from None
        raise AddressingError(f"{raw} has host bits set; did you mean {loose}?") from None


def parse_address(text: str) -> IPv4Address:
    """Parse one IPv4 address.

    >>> parse_address(" 10.0.0.2 ")
    IPv4Address('10.0.0.2')
    >>> parse_address("10.0.0.256")
    Traceback (most recent call last):
    ...
    generators.vpc.model.AddressingError: '10.0.0.256' is not an IPv4 address
    """
    raw = text.strip()
    try:
        return IPv4Address(raw)
    except ValueError:
        raise AddressingError(f"{raw!r} is not an IPv4 address") from None


def check_block_size(block: IPv4Network) -> None:
    """Raise AddressingError unless `block` is /16 to /28.

    >>> check_block_size(parse_block("10.0.0.0/8"))
    Traceback (most recent call last):
    ...
    generators.vpc.model.AddressingError: 10.0.0.0/8 is too large: VPC and subnet blocks are /16 to /28
    """
    if block.prefixlen < MIN_PREFIX:
        raise AddressingError(f"{block} is too large: VPC and subnet blocks are /{MIN_PREFIX} to /{MAX_PREFIX}")
    if block.prefixlen > MAX_PREFIX:
        raise AddressingError(f"{block} is too small: VPC and subnet blocks are /{MIN_PREFIX} to /{MAX_PREFIX}")


# ------------------------------------------------------- sizes and reserved


def total_addresses(block: IPv4Network) -> int:
    """Every address in the block, reserved or not.

    >>> total_addresses(parse_block("10.0.0.0/20"))
    4096
    """
    return block.num_addresses


def usable_addresses(block: IPv4Network, reservation: Reservation = Reservation.AWS) -> int:
    """Addresses you can assign in a subnet of this size: all but five.

    >>> usable_addresses(parse_block("10.0.0.0/28"))
    11
    >>> usable_addresses(parse_block("10.0.0.0/28"), Reservation.ON_PREMISES)
    14
    """
    check_block_size(block)
    return block.num_addresses - reservation.reserved_count


@lru_cache(maxsize=None)
def _roles_at(reservation: Reservation, size: int) -> dict[int, ReservedRole]:
    """Offset from the base -> role, for a subnet of `size` addresses."""
    return {size - 1 if offset < 0 else offset: role for offset, role in _OFFSETS[reservation]}


def reserved_addresses(subnet: IPv4Network, reservation: Reservation = Reservation.AWS) -> tuple[Reserved, ...]:
    """The addresses held back in `subnet`, lowest first, with their roles.

    >>> [str(r.address) for r in reserved_addresses(parse_block("10.0.0.0/24"))]
    ['10.0.0.0', '10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.255']
    """
    check_block_size(subnet)
    base = int(subnet.network_address)
    roles = _roles_at(reservation, 1 << (32 - subnet.prefixlen))
    return tuple(Reserved(IPv4Address(base + offset), role) for offset, role in roles.items())


def reserved_role(
    subnet: IPv4Network, address: IPv4Address, reservation: Reservation = Reservation.AWS
) -> ReservedRole | None:
    """The role of `address` if it is reserved in `subnet`, else None.

    >>> reserved_role(parse_block("10.0.0.0/24"), parse_address("10.0.0.2"))
    <ReservedRole.DNS: 'Amazon DNS server'>
    >>> reserved_role(parse_block("10.0.0.0/24"), parse_address("10.0.0.4")) is None
    True
    """
    check_block_size(subnet)
    size = 1 << (32 - subnet.prefixlen)
    offset = int(address) - int(subnet.network_address)
    if not 0 <= offset < size:
        raise AddressingError(f"{address} is not in {subnet}")
    return _roles_at(reservation, size).get(offset)


def first_usable(subnet: IPv4Network, reservation: Reservation = Reservation.AWS) -> IPv4Address:
    """The lowest address an instance can get (base + 4 under AWS's rule).

    >>> first_usable(parse_block("10.0.1.0/24"))
    IPv4Address('10.0.1.4')
    """
    check_block_size(subnet)
    roles = _roles_at(reservation, 1 << (32 - subnet.prefixlen))
    offset = 0
    while offset in roles:
        offset += 1
    return IPv4Address(int(subnet.network_address) + offset)


def last_usable(subnet: IPv4Network, reservation: Reservation = Reservation.AWS) -> IPv4Address:
    """The highest address an instance can get (one below the last).

    >>> last_usable(parse_block("10.0.1.0/24"))
    IPv4Address('10.0.1.254')
    """
    check_block_size(subnet)
    size = 1 << (32 - subnet.prefixlen)
    roles = _roles_at(reservation, size)
    offset = size - 1
    while offset in roles:
        offset -= 1
    return IPv4Address(int(subnet.network_address) + offset)


@dataclass(frozen=True)
class SubnetSize:
    """How many addresses a subnet has, which are held back, and why.

    >>> size = size_subnet(parse_block("10.0.0.0/26"))
    >>> size.total, size.usable
    (64, 59)
    >>> size.trace[0]
    'A /26 holds 2^(32-26) = 64 addresses.'
    """

    block: IPv4Network
    reservation: Reservation
    total: int
    reserved: tuple[Reserved, ...]
    usable: int

    @property
    def trace(self) -> Trace:
        """The arithmetic, one reserved address per step."""
        prefix = self.block.prefixlen
        return (
            f"A /{prefix} holds 2^(32-{prefix}) = {self.total:,} addresses.",
            *(f"`{r.address!s}` ({r.role.position}) is reserved: {r.role}." for r in self.reserved),
            f"{self.total:,} - {len(self.reserved)} = {self.usable:,} addresses can be assigned.",
        )


def size_subnet(block: IPv4Network, reservation: Reservation = Reservation.AWS) -> SubnetSize:
    """Total and usable addresses of `block`, with the reserved ones listed.

    >>> size_subnet(parse_block("10.0.0.0/28")).usable
    11
    """
    reserved = reserved_addresses(block, reservation)
    total = 1 << (32 - block.prefixlen)
    return SubnetSize(block, reservation, total, reserved, total - len(reserved))


def smallest_prefix_for(hosts: int, reservation: Reservation = Reservation.AWS) -> int:
    """The longest prefix (smallest subnet) with at least `hosts` usable addresses.

    >>> smallest_prefix_for(11)
    28
    >>> smallest_prefix_for(12)
    27
    >>> smallest_prefix_for(251)
    24
    >>> smallest_prefix_for(256, Reservation.NONE)
    24
    >>> smallest_prefix_for(65_532)
    Traceback (most recent call last):
    ...
    generators.vpc.model.AddressingError: 65,532 addresses do not fit in one subnet: a /16 holds at most 65,531
    """
    if hosts < 1:
        raise AddressingError("a subnet must hold at least one address")
    # the smallest power of two that covers the hosts plus the reserved addresses
    prefix = min(MAX_PREFIX, 32 - (hosts + reservation.reserved_count - 1).bit_length())
    if prefix < MIN_PREFIX:
        most = 2 ** (32 - MIN_PREFIX) - reservation.reserved_count
        raise AddressingError(f"{hosts:,} addresses do not fit in one subnet: a /{MIN_PREFIX} holds at most {most:,}")
    return prefix


@dataclass(frozen=True)
class HostSizing:
    """The smallest subnet for a number of addresses, and why.

    >>> sizing = size_for_hosts(28)
    >>> sizing.prefix, sizing.trace[0]
    (26, '28 addresses + 5 reserved = 33 needed.')
    """

    hosts: int
    reservation: Reservation
    prefix: int

    @property
    def trace(self) -> Trace:
        """Add the reserved addresses, round up to a power of two, check the next size down."""
        count = self.reservation.reserved_count
        need = self.hosts + count
        size = 1 << (32 - self.prefix)
        lines = [
            f"{self.hosts:,} addresses + {count} reserved = {need:,} needed.",
            f"A /{self.prefix} holds {size:,}, so it gives {size - count:,}.",
        ]
        if self.prefix < MAX_PREFIX:
            lines.append(f"A /{self.prefix + 1} would give only {size // 2 - count:,}.")
        else:
            lines.append(f"No subnet can be smaller than /{MAX_PREFIX}.")
        return tuple(lines)


def size_for_hosts(hosts: int, reservation: Reservation = Reservation.AWS) -> HostSizing:
    """`smallest_prefix_for` with its reasoning.

    >>> size_for_hosts(3).trace[-1]
    'No subnet can be smaller than /28.'
    """
    return HostSizing(hosts, reservation, smallest_prefix_for(hosts, reservation))


# ------------------------------------------------------------- the VPC


@dataclass(frozen=True)
class Subnet:
    """A named subnet block, optionally in a named Availability Zone.

    >>> Subnet("web", parse_block("10.0.0.0/24"), "a").label
    'web (a)'
    """

    name: str
    block: IPv4Network
    zone: str = ""

    @property
    def label(self) -> str:
        """The name, with the zone when there is one."""
        return f"{self.name} ({self.zone})" if self.zone else self.name


@dataclass(frozen=True)
class Vpc:
    """A VPC's IPv4 blocks (the primary first) and its subnets.

    Building one checks nothing, so that misconception runs can describe a
    VPC as a learner wrongly sees it; `build_vpc` validates.

    >>> Vpc((parse_block("10.0.0.0/16"),)).primary
    IPv4Network('10.0.0.0/16')
    """

    blocks: tuple[IPv4Network, ...]
    subnets: tuple[Subnet, ...] = ()

    @property
    def primary(self) -> IPv4Network:
        """The block the VPC was created with."""
        if not self.blocks:
            raise AddressingError("a VPC has at least one IPv4 block")
        return self.blocks[0]

    def block_holding(self, network: IPv4Network) -> IPv4Network | None:
        """The VPC block that contains all of `network`, if any."""
        return next((b for b in self.blocks if _inside(network, b)), None)


@dataclass(frozen=True)
class DnsServers:
    """Where the Amazon DNS server answers for a VPC.

    >>> dns = amazon_dns(Vpc((parse_block("10.20.0.0/16"), parse_block("10.21.0.0/16"))))
    >>> str(dns.in_vpc), str(dns.link_local)
    ('10.20.0.2', '169.254.169.253')
    """

    in_vpc: IPv4Address
    link_local: IPv4Address
    trace: Trace


def amazon_dns(vpc: Vpc) -> DnsServers:
    """The Amazon DNS addresses of `vpc`: primary base + 2 and the link-local one.

    >>> amazon_dns(Vpc((parse_block("192.168.4.0/22"),))).trace[0]
    'The primary block is `192.168.4.0/22`; its base is `192.168.4.0`.'
    """
    primary = vpc.primary
    address = amazon_dns_address(primary)
    trace = (
        f"The primary block is `{primary}`; its base is `{primary.network_address}`.",
        f"Amazon DNS answers at the primary block's base + 2: `{address}`, whatever block the asking subnet is in.",
        f"It also answers at the link-local address `{AMAZON_DNS_LINK_LOCAL}`.",
    )
    return DnsServers(address, AMAZON_DNS_LINK_LOCAL, trace)


def amazon_dns_address(vpc_primary: IPv4Network) -> IPv4Address:
    """The Amazon DNS server inside the VPC: primary block base + 2.

    >>> amazon_dns_address(parse_block("10.20.0.0/16"))
    IPv4Address('10.20.0.2')
    """
    check_block_size(vpc_primary)
    return vpc_primary.network_address + 2


# -------------------------------------------------- adding a VPC block


class AssociationRule(StrEnum):
    """The rules a new IPv4 block of a VPC must pass."""

    BLOCK_SIZE = "block size"
    QUOTA = "blocks-per-VPC quota"
    OVERLAP = "no overlap with the VPC's blocks"
    RESTRICTED_RANGE = "association restrictions"
    ROUTE_CONFLICT = "no block covering a route destination"


@dataclass(frozen=True)
class Refusal:
    """One rule a block breaks, and how."""

    rule: AssociationRule
    detail: str


@dataclass(frozen=True)
class AssociationCheck:
    """The verdict on adding `block` to a VPC that has `blocks`, with every
    rule it breaks.

    >>> check = check_association([parse_block("10.0.0.0/16")], parse_block("192.168.0.0/16"))
    >>> check.allowed, check.refusals[0].rule.name
    (False, 'RESTRICTED_RANGE')
    """

    block: IPv4Network
    blocks: tuple[IPv4Network, ...]
    quota: int
    refusals: tuple[Refusal, ...]

    @property
    def allowed(self) -> bool:
        """True when no rule refuses the block."""
        return not self.refusals

    @property
    def trace(self) -> Trace:
        """The proposed block, then each refusal, or why it is allowed."""
        new = self.block
        head = f"Proposed block: `{new!s}` (a /{new.prefixlen}); the primary block is `{self.blocks[0]!s}`."
        if self.refusals:
            return (head, *(f"Refused ({r.rule}): {r.detail}." for r in self.refusals))
        return (
            head,
            f"Allowed: a /{new.prefixlen} within /{MIN_PREFIX} to /{MAX_PREFIX}, no overlap, "
            f"block {len(self.blocks) + 1} of at most {self.quota}, and no range restriction applies.",
        )


def rfc1918_range(block: IPv4Network) -> IPv4Network | None:
    """The RFC 1918 range that contains `block`, or None.

    >>> rfc1918_range(parse_block("172.20.0.0/16"))
    IPv4Network('172.16.0.0/12')
    >>> rfc1918_range(parse_block("100.64.0.0/16")) is None
    True
    """
    return _rfc1918_of(_span(block))


_RFC1918_SPANS = tuple((r, _span(r)) for r in RFC1918_RANGES)
_SPAN_198_19 = _span(BENCHMARK_198_19)
_SPAN_172_31 = _span(DEFAULT_VPC_RANGE_172_31)
_SPAN_10_0_16 = _span(TEN_ZERO_16)
_SPAN_10_0_15 = _span(TEN_ZERO_15)


_TEXT = {
    r: str(r)
    for r in (*RFC1918_RANGES, BENCHMARK_198_19, DEFAULT_VPC_RANGE_172_31, TEN_ZERO_15, TEN_ZERO_16)
}


def _rfc1918_of(span: _Span) -> IPv4Network | None:
    return next((r for r, rs in _RFC1918_SPANS if _within(span, rs)), None)


def association_restriction(
    primary: IPv4Network, existing: Sequence[IPv4Network], new: IPv4Network
) -> str | None:
    """Why AWS's association table forbids `new` next to `primary`, or None.

    `existing` is every block the VPC has (the 10.0.0.0/16 rule looks at all
    of them).  `new` is /16 or smaller, so it lies wholly inside or wholly
    outside each range the table names.

    >>> p = parse_block("10.1.0.0/16")
    >>> association_restriction(p, [p], parse_block("10.0.4.0/24"))
    'a block of the VPC lies in 10.0.0.0/15, so no block from 10.0.0.0/16 may be added'
    >>> association_restriction(p, [p], parse_block("100.64.0.0/16")) is None
    True
    """
    primary_span, new_span = _span(primary), _span(new)
    home = _rfc1918_of(primary_span)
    new_home = _rfc1918_of(new_span)
    in_198_19 = _within(new_span, _SPAN_198_19)
    if _within(primary_span, _SPAN_198_19):
        if new_home is not None:
            return f"the primary block is in {_TEXT[BENCHMARK_198_19]}, so no RFC 1918 block ({_TEXT[new_home]}) may be added"
        return None
    if home is None:
        if new_home is not None:
            return f"the primary block is not RFC 1918 space, so no RFC 1918 block ({_TEXT[new_home]}) may be added"
        if in_198_19:
            return f"blocks from {_TEXT[BENCHMARK_198_19]} may not be added"
        return None
    if new_home is not None and new_home is not home:
        return (
            f"the primary block is in {_TEXT[home]}, so no block from another RFC 1918 range "
            f"({_TEXT[new_home]}) may be added"
        )
    if in_198_19:
        return f"blocks from {_TEXT[BENCHMARK_198_19]} may not be added to a VPC whose primary block is RFC 1918 space"
    if home is RFC1918_RANGES[1] and _within(new_span, _SPAN_172_31):
        return f"the primary block is in {_TEXT[home]}, so no block from {_TEXT[DEFAULT_VPC_RANGE_172_31]} may be added"
    if _within(new_span, _SPAN_10_0_16) and any(_within(_span(b), _SPAN_10_0_15) for b in existing):
        return f"a block of the VPC lies in {_TEXT[TEN_ZERO_15]}, so no block from {_TEXT[TEN_ZERO_16]} may be added"
    return None


def check_association(
    blocks: Sequence[IPv4Network],
    new: IPv4Network,
    *,
    quota: int = DEFAULT_IPV4_BLOCKS_PER_VPC,
    route_destinations: Iterable[IPv4Network] = (),
    ignore: frozenset[AssociationRule] = frozenset(),
) -> AssociationCheck:
    """Can `new` be added to a VPC that has `blocks` (the primary first)?

    `route_destinations` are the non-local route destinations in the VPC's
    route tables.  `ignore` drops rules, which is how a misconception runs.

    >>> vpc = [parse_block("10.0.0.0/16"), parse_block("10.1.0.0/16")]
    >>> check_association(vpc, parse_block("10.2.0.0/16")).allowed
    True
    >>> [r.rule.name for r in check_association(vpc, parse_block("10.1.128.0/17")).refusals]
    ['OVERLAP']
    >>> check_association(vpc, parse_block("10.2.0.0/16"), quota=2).refusals[0].detail
    'the VPC already has 2 IPv4 blocks and its quota is 2'
    """
    if not blocks:
        raise AddressingError("a VPC has at least one IPv4 block")
    primary = blocks[0]
    refusals: list[Refusal] = []

    def refuse(rule: AssociationRule, detail: str) -> None:
        if rule not in ignore:
            refusals.append(Refusal(rule, detail))

    if not MIN_PREFIX <= new.prefixlen <= MAX_PREFIX:
        refuse(AssociationRule.BLOCK_SIZE, f"a /{new.prefixlen} is outside /{MIN_PREFIX} to /{MAX_PREFIX}")
    if len(blocks) >= quota:
        refuse(AssociationRule.QUOTA, f"the VPC already has {len(blocks)} IPv4 blocks and its quota is {quota}")
    new_span = _span(new)
    for block in blocks:
        if _meets(new_span, _span(block)):
            refuse(AssociationRule.OVERLAP, f"it overlaps `{block!s}`, which the VPC already has")
    if AssociationRule.RESTRICTED_RANGE not in ignore:
        restriction = association_restriction(primary, blocks, new)
        if restriction is not None:
            refuse(AssociationRule.RESTRICTED_RANGE, restriction)
    for destination in route_destinations:
        if _within(_span(destination), new_span):
            refuse(
                AssociationRule.ROUTE_CONFLICT,
                f"it is equal to or larger than the route destination `{destination!s}`",
            )
    return AssociationCheck(new, tuple(blocks), quota, tuple(refusals))


@dataclass(frozen=True)
class QuotaHeadroom:
    """How many more IPv4 blocks a VPC can take under its quota.

    >>> quota_headroom(2).left
    3
    """

    in_use: int
    quota: int
    left: int
    trace: Trace


def quota_headroom(blocks_in_use: int, quota: int = DEFAULT_IPV4_BLOCKS_PER_VPC) -> QuotaHeadroom:
    """Blocks still addable when a VPC has `blocks_in_use` (primary included).

    >>> quota_headroom(1, 50).left
    49
    >>> quota_headroom(1, 51)
    Traceback (most recent call last):
    ...
    generators.vpc.model.AddressingError: the IPv4 blocks-per-VPC quota is 5 by default and can be raised to 50, not 51
    """
    if not DEFAULT_IPV4_BLOCKS_PER_VPC <= quota <= MAX_IPV4_BLOCKS_PER_VPC:
        raise AddressingError(
            f"the IPv4 blocks-per-VPC quota is {DEFAULT_IPV4_BLOCKS_PER_VPC} by default "
            f"and can be raised to {MAX_IPV4_BLOCKS_PER_VPC}, not {quota}"
        )
    if not 1 <= blocks_in_use <= quota:
        raise AddressingError(f"a VPC has between 1 and {quota} IPv4 blocks, not {blocks_in_use}")
    left = quota - blocks_in_use
    trace = (
        f"The quota counts the primary block and every secondary block: {blocks_in_use} in use.",
        f"The quota is {quota} (default {DEFAULT_IPV4_BLOCKS_PER_VPC}, adjustable up to {MAX_IPV4_BLOCKS_PER_VPC}).",
        f"{quota} - {blocks_in_use} = {left} more block{'s' if left != 1 else ''} can be added.",
    )
    return QuotaHeadroom(blocks_in_use, quota, left, trace)


# ------------------------------------------------------------- subnets


class SubnetProblem(StrEnum):
    """Why a subnet block cannot be created in a VPC."""

    TOO_LARGE = "larger than /16"
    TOO_SMALL = "smaller than /28"
    OUTSIDE_VPC = "outside every VPC block"
    STRADDLES = "not wholly inside one VPC block"
    OVERLAPS_SUBNET = "overlaps an existing subnet"


@dataclass(frozen=True)
class SubnetCheck:
    """The verdict on creating subnet `candidate` in `vpc`.

    >>> vpc = Vpc((parse_block("10.0.0.0/24"),), (Subnet("a", parse_block("10.0.0.0/26")),))
    >>> check_subnet(vpc, parse_block("10.0.0.32/27")).problems
    (<SubnetProblem.OVERLAPS_SUBNET: 'overlaps an existing subnet'>,)
    """

    candidate: IPv4Network
    vpc: Vpc
    problems: tuple[SubnetProblem, ...]
    block: IPv4Network | None
    conflicts: tuple[Subnet, ...]

    @property
    def ok(self) -> bool:
        """True when the subnet can be created."""
        return not self.problems

    @property
    def trace(self) -> Trace:
        """Size, then containment, then overlap: what passed and what did not."""
        c = self.candidate
        p = c.prefixlen
        lines: list[str] = []
        if p < MIN_PREFIX and SubnetProblem.TOO_LARGE in self.problems:
            lines.append(f"`{c!s}` is a /{p}: larger than /{MIN_PREFIX}.")
        elif p > MAX_PREFIX and SubnetProblem.TOO_SMALL in self.problems:
            lines.append(f"`{c!s}` is a /{p}: smaller than /{MAX_PREFIX}.")
        else:
            lines.append(f"`{c!s}` is a /{p}: within /{MIN_PREFIX} to /{MAX_PREFIX}.")
        if self.block is not None:
            lines.append(f"It lies inside the VPC block `{self.block!s}`.")
        elif SubnetProblem.STRADDLES in self.problems:
            touched = next(b for b in self.vpc.blocks if b.overlaps(c))
            lines.append(
                f"It runs from `{c.network_address!s}` to `{c.broadcast_address!s}`: beyond the VPC block `{touched!s}`."
            )
        elif SubnetProblem.OUTSIDE_VPC in self.problems:
            blocks = ", ".join(f"`{b!s}`" for b in self.vpc.blocks)
            lines.append(f"It lies outside every VPC block ({blocks}).")
        if SubnetProblem.OVERLAPS_SUBNET in self.problems:
            names = ", ".join(f"**{s.label}** (`{s.block!s}`)" for s in self.conflicts)
            lines.append(f"It overlaps the existing subnet {names}.")
        elif self.vpc.subnets and not self.conflicts:
            lines.append("It overlaps none of the existing subnets.")
        return tuple(lines)


def check_subnet(
    vpc: Vpc, candidate: IPv4Network, *, ignore: frozenset[SubnetProblem] = frozenset()
) -> SubnetCheck:
    """Can `candidate` be created as a subnet of `vpc`?

    >>> vpc = Vpc((parse_block("10.0.0.0/24"),))
    >>> check_subnet(vpc, parse_block("10.0.0.128/25")).ok
    True
    >>> check_subnet(vpc, parse_block("10.0.1.0/25")).problems[0].name
    'OUTSIDE_VPC'
    >>> check_subnet(vpc, parse_block("10.0.0.0/29"), ignore=frozenset({SubnetProblem.TOO_SMALL})).ok
    True
    """
    problems: list[SubnetProblem] = []
    prefix = candidate.prefixlen
    if prefix < MIN_PREFIX:
        problems.append(SubnetProblem.TOO_LARGE)
    elif prefix > MAX_PREFIX:
        problems.append(SubnetProblem.TOO_SMALL)
    span = _span(candidate)
    spans = [(b, _span(b)) for b in vpc.blocks]
    block = next((b for b, bs in spans if _within(span, bs)), None)
    if block is None:
        if any(_meets(bs, span) for _, bs in spans):
            problems.append(SubnetProblem.STRADDLES)
        else:
            problems.append(SubnetProblem.OUTSIDE_VPC)
    conflicts = tuple(s for s in vpc.subnets if _meets(_span(s.block), span))
    if conflicts:
        problems.append(SubnetProblem.OVERLAPS_SUBNET)
    kept = tuple(p for p in problems if p not in ignore)
    return SubnetCheck(candidate, vpc, kept, block, conflicts)


def build_vpc(
    blocks: Sequence[IPv4Network],
    subnets: Sequence[Subnet] = (),
    *,
    quota: int = DEFAULT_IPV4_BLOCKS_PER_VPC,
) -> Vpc:
    """A VPC checked the way AWS checks it: blocks added one by one, then
    subnets created one by one.  Raises AddressingError on the first refusal.

    >>> build_vpc([parse_block("10.0.0.0/16")], [Subnet("a", parse_block("10.0.0.0/24"))]).subnets[0].name
    'a'
    >>> build_vpc([parse_block("10.0.0.0/16")], [Subnet("a", parse_block("10.1.0.0/24"))])
    Traceback (most recent call last):
    ...
    generators.vpc.model.AddressingError: subnet a (10.1.0.0/24): outside every VPC block
    """
    if not blocks:
        raise AddressingError("a VPC has at least one IPv4 block")
    check_block_size(blocks[0])
    for i in range(1, len(blocks)):
        check = check_association(blocks[:i], blocks[i], quota=quota)
        if not check.allowed:
            raise AddressingError(f"block {blocks[i]}: {check.refusals[0].detail}")
    vpc = Vpc(tuple(blocks))
    for subnet in subnets:
        verdict = check_subnet(vpc, subnet.block)
        if not verdict.ok:
            raise AddressingError(f"subnet {subnet.label} ({subnet.block}): {verdict.problems[0]}")
        vpc = Vpc(vpc.blocks, (*vpc.subnets, subnet))
    return vpc


class AddressStatus(StrEnum):
    """What an address of a VPC is, from the point of view of assigning it."""

    ASSIGNABLE = "assignable"
    RESERVED = "reserved"
    NO_SUBNET = "in no subnet"
    OUTSIDE_VPC = "outside the VPC"


@dataclass(frozen=True)
class AddressLookup:
    """Where an address falls in a VPC and whether it can be assigned.

    >>> vpc = Vpc((parse_block("10.0.0.0/16"),), (Subnet("web", parse_block("10.0.1.0/24")),))
    >>> found = locate_address(vpc, parse_address("10.0.1.255"))
    >>> found.status.name, found.subnet.name if found.subnet else None, found.role
    ('RESERVED', 'web', <ReservedRole.BROADCAST: 'broadcast address (a VPC has no broadcast)'>)
    """

    address: IPv4Address
    vpc: Vpc
    reservation: Reservation
    status: AddressStatus
    subnet: Subnet | None
    role: ReservedRole | None

    @property
    def assignable(self) -> bool:
        """True when a network interface can be given this address."""
        return self.status is AddressStatus.ASSIGNABLE

    @property
    def trace(self) -> Trace:
        """Which subnet (or none) holds the address, and what it is there."""
        address = self.address
        subnet = self.subnet
        if subnet is not None:
            b = subnet.block
            head = (
                f"`{address!s}` lies in **{subnet.label}** (`{b!s}`, "
                f"`{b.network_address!s}` to `{b.broadcast_address!s}`)."
            )
            if self.role is not None:
                return head, f"It is the subnet's {self.role.position}, which AWS reserves ({self.role})."
            return head, (
                f"It is neither one of the first four addresses nor the last, so it can be assigned "
                f"(assignable range `{first_usable(b, self.reservation)!s}` to "
                f"`{last_usable(b, self.reservation)!s}`)."
            )
        if self.status is AddressStatus.NO_SUBNET:
            block = next(b for b in self.vpc.blocks if address in b)
            return (
                f"`{address!s}` is in the VPC block `{block!s}` but in none of its subnets.",
                "An address can only be assigned from a subnet's range.",
            )
        blocks = ", ".join(f"`{b!s}`" for b in self.vpc.blocks)
        return (f"`{address!s}` is outside every block of the VPC ({blocks}).",)


def locate_address(vpc: Vpc, address: IPv4Address, reservation: Reservation = Reservation.AWS) -> AddressLookup:
    """Which subnet of `vpc` holds `address`, and can it be assigned there?

    Subnets are searched in order, so a misconception run that widens a
    subnet over its neighbour still gets one deterministic answer.

    >>> vpc = Vpc((parse_block("10.0.0.0/16"),), (Subnet("web", parse_block("10.0.1.0/24")),))
    >>> locate_address(vpc, parse_address("10.0.1.3")).status.name
    'RESERVED'
    >>> locate_address(vpc, parse_address("10.0.1.3"), Reservation.ON_PREMISES).status.name
    'ASSIGNABLE'
    >>> locate_address(vpc, parse_address("10.0.2.9")).status.name
    'NO_SUBNET'
    """
    for subnet in vpc.subnets:
        if address in subnet.block:
            role = reserved_role(subnet.block, address, reservation)
            status = AddressStatus.ASSIGNABLE if role is None else AddressStatus.RESERVED
            return AddressLookup(address, vpc, reservation, status, subnet, role)
    status = AddressStatus.NO_SUBNET if any(address in b for b in vpc.blocks) else AddressStatus.OUTSIDE_VPC
    return AddressLookup(address, vpc, reservation, status, None, None)


# ---------------------------------------------------------- default VPC


@dataclass(frozen=True)
class DefaultSubnet:
    """A default subnet of the default VPC: its /20 and its place in order.
    `after` is how many default subnets already existed when it was made
    (None when it is simply the `position`-th /20).

    >>> default_subnet(3).block
    IPv4Network('172.31.32.0/20')
    """

    position: int
    block: IPv4Network
    taken: int | None = None

    @property
    def trace(self) -> Trace:
        """The arithmetic: /20 steps of 16 in the third octet."""
        step = (1 << (32 - DEFAULT_SUBNET_PREFIX)) // 256
        lines = (
            f"The default VPC is `{DEFAULT_VPC!s}`; each default subnet is a /{DEFAULT_SUBNET_PREFIX} "
            f"of {step * 256:,} addresses, so consecutive ones step by {step} in the third octet.",
            f"Default subnet {self.position} starts {self.position - 1} × {step} = "
            f"{(self.position - 1) * step} into the third octet: `{self.block!s}`.",
        )
        if self.taken is None:
            return lines
        return (
            f"{self.taken} existing default subnet{'s' if self.taken != 1 else ''} already use "
            f"/{DEFAULT_SUBNET_PREFIX} blocks of the default VPC.",
            *lines,
            f"It is the lowest /{DEFAULT_SUBNET_PREFIX} that no existing subnet uses.",
        )


_DEFAULT_SLOTS = 2 ** (DEFAULT_SUBNET_PREFIX - DEFAULT_VPC.prefixlen)


def default_subnet(position: int) -> DefaultSubnet:
    """The `position`-th /20 of 172.31.0.0/16 (1-based): the default subnet
    created `position`-th when the default subnets are carved in order.

    >>> str(default_subnet(1).block), str(default_subnet(16).block)
    ('172.31.0.0/20', '172.31.240.0/20')
    >>> default_subnet(17)
    Traceback (most recent call last):
    ...
    generators.vpc.model.AddressingError: 172.31.0.0/16 holds 16 /20 default subnets, not 17
    """
    if not 1 <= position <= _DEFAULT_SLOTS:
        raise AddressingError(f"{DEFAULT_VPC} holds {_DEFAULT_SLOTS} /{DEFAULT_SUBNET_PREFIX} default subnets, not {position}")
    size = 1 << (32 - DEFAULT_SUBNET_PREFIX)
    return DefaultSubnet(
        position, IPv4Network((int(DEFAULT_VPC.network_address) + (position - 1) * size, DEFAULT_SUBNET_PREFIX))
    )


def next_default_subnet(existing: Iterable[IPv4Network]) -> DefaultSubnet:
    """The /20 a new default subnet gets: the lowest free one in 172.31.0.0/16.

    >>> found = next_default_subnet([parse_block("172.31.0.0/20"), parse_block("172.31.16.0/20")])
    >>> found.block, found.trace[-1]
    (IPv4Network('172.31.32.0/20'), 'It is the lowest /20 that no existing subnet uses.')
    """
    taken = list(existing)
    for position in range(1, _DEFAULT_SLOTS + 1):
        candidate = default_subnet(position)
        if not any(_overlap(candidate.block, t) for t in taken):
            return DefaultSubnet(position, candidate.block, len(taken))
    raise AddressingError(f"no free /{DEFAULT_SUBNET_PREFIX} is left in {DEFAULT_VPC}")


# ------------------------------------------------------------ planning


@dataclass(frozen=True)
class SubnetRequest:
    """A subnet a plan needs: a name, a zone, and how many addresses to assign.

    >>> SubnetRequest("app", 100, "b").label
    'app (b)'
    """

    name: str
    hosts: int
    zone: str = ""

    @property
    def label(self) -> str:
        """The name, with the zone when there is one."""
        return f"{self.name} ({self.zone})" if self.zone else self.name


def requests_per_zone(tiers: Sequence[tuple[str, int]], zones: Sequence[str]) -> tuple[SubnetRequest, ...]:
    """One request per tier and zone, tier by tier, zones in order.

    >>> [r.label for r in requests_per_zone([("web", 20), ("db", 5)], ["a", "b"])]
    ['web (a)', 'web (b)', 'db (a)', 'db (b)']
    """
    return tuple(SubnetRequest(name, hosts, zone) for name, hosts in tiers for zone in zones)


@dataclass(frozen=True)
class Allocation:
    """A request and the block the plan gave it."""

    request: SubnetRequest
    block: IPv4Network


@dataclass(frozen=True)
class PlanStep:
    """One request as the plan took it up: its prefix (None when no subnet
    can hold it) and the first address of its block (None when no room was
    left)."""

    request: SubnetRequest
    prefix: int | None
    start: int | None

    @property
    def block(self) -> IPv4Network | None:
        """The block the request got, if any."""
        if self.start is None or self.prefix is None:
            return None
        return IPv4Network((self.start, self.prefix))


@dataclass(frozen=True)
class SubnetPlan:
    """A subnet plan inside one VPC block: what was placed, what was not.

    `steps` follow the order the plan took the requests up in: those no
    subnet can hold first, then largest block first.

    >>> plan = plan_subnets(parse_block("10.0.0.0/24"), [SubnetRequest("a", 100), SubnetRequest("b", 50)])
    >>> [str(a.block) for a in plan.allocations], plan.fits, plan.free_addresses
    (['10.0.0.0/25', '10.0.0.128/26'], True, 64)
    """

    vpc_block: IPv4Network
    reservation: Reservation
    steps: tuple[PlanStep, ...]

    @property
    def allocations(self) -> tuple[Allocation, ...]:
        """The requests that got a block, in allocation order."""
        return tuple(Allocation(s.request, IPv4Network((s.start, s.prefix))) for s in self.steps if s.start is not None)

    @property
    def unplaced(self) -> tuple[SubnetRequest, ...]:
        """The requests left without a block, in the order they failed."""
        return tuple(s.request for s in self.steps if s.start is None)

    @property
    def fits(self) -> bool:
        """True when every request got a block."""
        return all(s.start is not None for s in self.steps)

    @property
    def free_addresses(self) -> int:
        """Addresses of the VPC block that no allocated subnet uses."""
        used = sum(1 << (32 - s.prefix) for s in self.steps if s.start is not None and s.prefix is not None)
        return (1 << (32 - self.vpc_block.prefixlen)) - used

    def block_for(self, name: str, zone: str = "") -> IPv4Network | None:
        """The block allocated to the request with this name and zone."""
        for step in self.steps:
            if step.request.name == name and step.request.zone == zone:
                return step.block
        return None

    @property
    def trace(self) -> Trace:
        """Each request's size, then each placement, then the verdict."""
        vpc = self.vpc_block
        count = self.reservation.reserved_count
        lines = [f"VPC block `{vpc!s}`: {vpc.num_addresses:,} addresses."]
        alike: dict[tuple[str, int, int | None], list[SubnetRequest]] = {}
        for step in self.steps:
            alike.setdefault((step.request.name, step.request.hosts, step.prefix), []).append(step.request)
        for (name, hosts, prefix), same in alike.items():
            who = f"**{same[0].label}**" if len(same) == 1 else f"Each of the {len(same)} **{name}** subnets"
            if prefix is None:
                lines.append(f"{who} needs {hosts:,} addresses: more than any subnet holds.")
            else:
                size = 1 << (32 - prefix)
                lines.append(
                    f"{who} needs {hosts:,} addresses: a /{prefix} ({size:,} - {count} = {size - count:,} usable)."
                )
        for step in self.steps:
            if step.start is not None and step.prefix is not None:
                lines.append(f"**{step.request.label}** gets `{_cidr(step.start, step.prefix)}`.")
            elif step.prefix is not None:
                lines.append(f"No free /{step.prefix} is left for **{step.request.label}**: it does not fit.")
        if self.fits:
            lines.append(f"Every subnet fits; {self.free_addresses:,} addresses of `{vpc!s}` stay free.")
        else:
            lines.append(f"The plan does not fit in `{vpc!s}`.")
        return tuple(lines)


def plan_subnets(
    vpc_block: IPv4Network,
    requests: Sequence[SubnetRequest],
    *,
    reservation: Reservation = Reservation.AWS,
    largest_first: bool = True,
) -> SubnetPlan:
    """Give each request the smallest block that fits and place the blocks,
    largest first (ties in the order given), at the lowest free aligned
    address of `vpc_block`.  Requests that find no room are reported, not
    raised: the plan then does not fit.

    >>> plan = plan_subnets(parse_block("10.0.0.0/26"), [SubnetRequest("a", 20), SubnetRequest("b", 40)])
    >>> plan.fits, [r.label for r in plan.unplaced]
    (False, ['a'])
    >>> plan.trace[-2:]
    ('No free /27 is left for **a**: it does not fit.', 'The plan does not fit in `10.0.0.0/26`.')
    """
    check_block_size(vpc_block)
    steps: list[PlanStep] = []
    sized: list[tuple[int, SubnetRequest]] = []
    for request in requests:
        try:
            sized.append((smallest_prefix_for(request.hosts, reservation), request))
        except AddressingError:
            steps.append(PlanStep(request, None, None))
    if largest_first:
        sized.sort(key=lambda item: item[0])  # stable: ties keep their order
    start = int(vpc_block.network_address)
    end = start + (1 << (32 - vpc_block.prefixlen))
    taken: list[tuple[int, int]] = []
    cursor = start
    for prefix, request in sized:
        size = 1 << (32 - prefix)
        if largest_first:
            # every block placed so far is a multiple of this one, so the
            # first free address is aligned and nothing above it is taken
            spot: int | None = cursor if cursor + size <= end else None
        else:
            spot = _lowest_free(start, end, size, taken)
        if spot is None:
            steps.append(PlanStep(request, prefix, None))
            continue
        cursor = spot + size
        insort(taken, (spot, spot + size))
        steps.append(PlanStep(request, prefix, spot))
    return SubnetPlan(vpc_block, reservation, tuple(steps))


def _lowest_free(start: int, end: int, size: int, taken: Sequence[tuple[int, int]]) -> int | None:
    """The lowest address in [start, end) aligned to `size` where `size`
    addresses are free; `taken` is sorted and its intervals do not overlap."""
    spot = start
    for lo, hi in taken:
        aligned = -(-spot // size) * size  # round up to the alignment
        if aligned + size <= lo:
            break
        spot = max(spot, hi)
    aligned = -(-spot // size) * size
    return aligned if aligned + size <= end else None
