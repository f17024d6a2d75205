"""VPC addressing: a pure rule model of IPv4 blocks as AWS sizes and numbers
them, and of the addresses it holds back in every subnet.  The other
modules of this package build on it: `association` (a VPC's own blocks),
`layout` (subnets in a VPC, where an address falls, Amazon DNS),
`default_vpc` and `planning` (subnet plans).

Facts encoded here, each checked against AWS documentation (our wording):

- Every IPv4 block of a VPC (primary or secondary) and every subnet block is
  between /16 (65,536 addresses) and /28 (16 addresses).
  https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html
  https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html
- AWS reserves five addresses of every subnet: the network address (base),
  base + 1 for the VPC router, base + 2 for Amazon DNS, base + 3 for future
  use, and the last address (a VPC does not support broadcast, so the
  broadcast address is held back).
  https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html

Misconceptions are modelled as parameters (`Reservation`), so a distractor
is this model run under a named mistake.

>>> usable_addresses(parse_block("10.0.0.0/24"))
251
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

IPv4Network = ipaddress.IPv4Network
IPv4Address = ipaddress.IPv4Address

MIN_PREFIX = 16
"""The largest block AWS allows (a /16, 65,536 addresses)."""
MAX_PREFIX = 28
"""The smallest block AWS allows (a /28, 16 addresses)."""
RESERVED_PER_SUBNET = 5
"""Addresses AWS holds back in every subnet."""

Trace = tuple[str, ...]
"""Steps of the model's reasoning, markdown, in the order it took them."""


# ---------------------------------------------------------- integer spans

Span = tuple[int, int]
"""A block as its first and last address, as integers: cheap to compare."""


def block_span(block: IPv4Network) -> Span:
    """The first and last address of `block`, as integers.

    >>> block_span(IPv4Network("0.0.1.0/24"))
    (256, 511)
    """
    first = int(block.network_address)
    return first, first + (1 << (32 - block.prefixlen)) - 1


def span_within(inner: Span, outer: Span) -> bool:
    """`inner` lies wholly in `outer` (`subnet_of`, without its overhead).

    >>> span_within((256, 511), (0, 65_535)), span_within((0, 65_535), (256, 511))
    (True, False)
    """
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def spans_meet(a: Span, b: Span) -> bool:
    """The two spans share at least one address (`overlaps`, without its
    overhead).

    >>> spans_meet((0, 255), (255, 511)), spans_meet((0, 255), (256, 511))
    (True, False)
    """
    return a[0] <= b[1] and b[0] <= a[1]


# ------------------------------------------------------- text in traces


def cidr_text(first: int, prefix: int) -> str:
    """`str(IPv4Network((first, prefix)))` without building the network.

    >>> cidr_text(int(IPv4Address("10.0.4.0")), 22)
    '10.0.4.0/22'
    """
    return "%d.%d.%d.%d/%d" % (first >> 24, (first >> 16) & 255, (first >> 8) & 255, first & 255, prefix)


def block_text(block: IPv4Network) -> str:
    """`str(block)` at about half the cost (ipaddress formats each octet
    through several calls, and a question shows many blocks).

    >>> block_text(IPv4Network("10.0.4.0/22"))
    '10.0.4.0/22'
    """
    first = int(block.network_address)
    return "%d.%d.%d.%d/%d" % (first >> 24, (first >> 16) & 255, (first >> 8) & 255, first & 255, block.prefixlen)


def address_text(address: IPv4Address) -> str:
    """`str(address)` at about half the cost.

    >>> address_text(IPv4Address("10.0.4.1"))
    '10.0.4.1'
    """
    value = int(address)
    return "%d.%d.%d.%d" % (value >> 24, (value >> 16) & 255, (value >> 8) & 255, value & 255)


def zone_label(name: str, zone: str) -> str:
    """How a trace names a subnet: its name, with its zone when it has one.

    >>> zone_label("web", "b"), zone_label("web", "")
    ('web (b)', 'web')
    """
    return f"{name} ({zone})" if zone else name


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
    prefix = block.prefixlen
    if prefix < MIN_PREFIX:
        raise AddressingError(f"{block} is too large: VPC and subnet blocks are /{MIN_PREFIX} to /{MAX_PREFIX}")
    if prefix > MAX_PREFIX:
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
    prefix = subnet.prefixlen
    if not MIN_PREFIX <= prefix <= MAX_PREFIX:
        check_block_size(subnet)  # raises, naming the limit broken
    size = 1 << (32 - prefix)
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


@lru_cache(maxsize=4096)  # plans size the same requests again under each misconception
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
