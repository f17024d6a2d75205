"""A VPC's layout: its subnets, whether a new subnet fits, where an address
falls and whether it can be assigned, and where Amazon DNS answers.

Facts encoded here, each checked against AWS documentation (our wording):

- A subnet's block is /16 to /28, lies inside one of its VPC's blocks and
  does not overlap another subnet of the VPC.
  https://docs.aws.amazon.com/vpc/latest/userguide/configure-subnets.html
  https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html
- Only an address of a subnet's range can be assigned, and not one of the
  five AWS reserves there (see `model`).
  https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html
- The Amazon DNS server answers at the base of the VPC's primary block plus
  two (in the primary block even when the VPC has several) and at
  169.254.169.253.
  https://docs.aws.amazon.com/vpc/latest/userguide/vpc-dns.html
  https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html

A `Vpc` is a plain value that checks nothing, so a misconception run can
describe a VPC as a learner wrongly sees it; `build_vpc` checks it the way
AWS does.

>>> vpc = Vpc((IPv4Network("10.0.0.0/16"),), (Subnet("web", IPv4Network("10.0.1.0/24")),))
>>> locate_address(vpc, IPv4Address("10.0.1.4")).assignable
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from generators.vpc.association import DEFAULT_IPV4_BLOCKS_PER_VPC, check_association
from generators.vpc.model import (
    MAX_PREFIX,
    MIN_PREFIX,
    AddressingError,
    IPv4Address,
    IPv4Network,
    Reservation,
    ReservedRole,
    Span,
    Trace,
    address_text,
    block_span,
    block_text,
    check_block_size,
    first_usable,
    last_usable,
    reserved_role,
    span_within,
    spans_meet,
    zone_label,
)

AMAZON_DNS_LINK_LOCAL = IPv4Address("169.254.169.253")
"""The Amazon DNS server's link-local address, the same in every VPC."""


@dataclass(frozen=True)
class Subnet:
    """A named subnet block, optionally in a named Availability Zone.

    >>> Subnet("web", IPv4Network("10.0.0.0/24"), "a").label
    'web (a)'
    """

    name: str
    block: IPv4Network
    zone: str = ""

    @property
    def label(self) -> str:
        """The name, with the zone when there is one."""
        return zone_label(self.name, self.zone)


@dataclass(frozen=True)
class Vpc:
    """A VPC's IPv4 blocks (the primary first) and its subnets.

    Building one checks nothing, so that misconception runs can describe a
    VPC as a learner wrongly sees it; `build_vpc` validates.

    >>> Vpc((IPv4Network("10.0.0.0/16"),)).primary
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
        span = block_span(network)
        return next((b for b, b_span in self.block_spans if span_within(span, b_span)), None)

    @cached_property
    def block_spans(self) -> tuple[tuple[IPv4Network, Span], ...]:
        """Each block with its span, worked out once (a Vpc never changes)."""
        return tuple([(b, block_span(b)) for b in self.blocks])

    @cached_property
    def subnet_spans(self) -> tuple[tuple[Subnet, Span], ...]:
        """Each subnet with the span of its block, worked out once."""
        return tuple([(s, block_span(s.block)) for s in self.subnets])


# ---------------------------------------------------- subnets in a VPC


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

    >>> vpc = Vpc((IPv4Network("10.0.0.0/24"),), (Subnet("a", IPv4Network("10.0.0.0/26")),))
    >>> check_subnet(vpc, IPv4Network("10.0.0.32/27")).problems
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
        text = block_text(c)
        lines: list[str] = []
        if p < MIN_PREFIX and SubnetProblem.TOO_LARGE in self.problems:
            lines.append(f"`{text}` is a /{p}: larger than /{MIN_PREFIX}.")
        elif p > MAX_PREFIX and SubnetProblem.TOO_SMALL in self.problems:
            lines.append(f"`{text}` is a /{p}: smaller than /{MAX_PREFIX}.")
        else:
            lines.append(f"`{text}` is a /{p}: within /{MIN_PREFIX} to /{MAX_PREFIX}.")
        if self.block is not None:
            lines.append(f"It lies inside the VPC block `{block_text(self.block)}`.")
        elif SubnetProblem.STRADDLES in self.problems:
            touched = next(b for b in self.vpc.blocks if b.overlaps(c))
            lines.append(
                f"It runs from `{c.network_address!s}` to `{c.broadcast_address!s}`: beyond the VPC block `{touched!s}`."
            )
        elif SubnetProblem.OUTSIDE_VPC in self.problems:
            blocks = ", ".join(f"`{block_text(b)}`" for b in self.vpc.blocks)
            lines.append(f"It lies outside every VPC block ({blocks}).")
        if SubnetProblem.OVERLAPS_SUBNET in self.problems:
            names = ", ".join(f"**{s.label}** (`{block_text(s.block)}`)" for s in self.conflicts)
            lines.append(f"It overlaps the existing subnet {names}.")
        elif self.vpc.subnets and not self.conflicts:
            lines.append("It overlaps none of the existing subnets.")
        return tuple(lines)


def check_subnet(
    vpc: Vpc, candidate: IPv4Network, *, ignore: frozenset[SubnetProblem] = frozenset()
) -> SubnetCheck:
    """Can `candidate` be created as a subnet of `vpc`?

    >>> vpc = Vpc((IPv4Network("10.0.0.0/24"),))
    >>> check_subnet(vpc, IPv4Network("10.0.0.128/25")).ok
    True
    >>> check_subnet(vpc, IPv4Network("10.0.1.0/25")).problems[0].name
    'OUTSIDE_VPC'
    >>> check_subnet(vpc, IPv4Network("10.0.0.0/29"), ignore=frozenset({SubnetProblem.TOO_SMALL})).ok
    True
    """
    problems: list[SubnetProblem] = []
    prefix = candidate.prefixlen
    if prefix < MIN_PREFIX:
        problems.append(SubnetProblem.TOO_LARGE)
    elif prefix > MAX_PREFIX:
        problems.append(SubnetProblem.TOO_SMALL)
    span = block_span(candidate)
    block: IPv4Network | None = None
    touches = False
    for b, b_span in vpc.block_spans:
        if span_within(span, b_span):
            block = b
            break
        touches = touches or spans_meet(span, b_span)
    if block is None:
        problems.append(SubnetProblem.STRADDLES if touches else SubnetProblem.OUTSIDE_VPC)
    conflicts = tuple([s for s, s_span in vpc.subnet_spans if spans_meet(span, s_span)])
    if conflicts:
        problems.append(SubnetProblem.OVERLAPS_SUBNET)
    kept = tuple([p for p in problems if p not in ignore]) if ignore else tuple(problems)
    return SubnetCheck(candidate, vpc, kept, block, conflicts)


def build_vpc(
    blocks: Sequence[IPv4Network],
    subnets: Sequence[Subnet] = (),
    *,
    quota: int = DEFAULT_IPV4_BLOCKS_PER_VPC,
) -> Vpc:
    """A VPC checked the way AWS checks it: blocks added one by one, then
    subnets created one by one.  Raises AddressingError on the first refusal.

    >>> build_vpc([IPv4Network("10.0.0.0/16")], [Subnet("a", IPv4Network("10.0.0.0/24"))]).subnets[0].name
    'a'
    >>> build_vpc([IPv4Network("10.0.0.0/16")], [Subnet("a", IPv4Network("10.1.0.0/24"))])
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


# ------------------------------------------------ where an address falls


class AddressStatus(StrEnum):
    """What an address of a VPC is, from the point of view of assigning it."""

    ASSIGNABLE = "assignable"
    RESERVED = "reserved"
    NO_SUBNET = "in no subnet"
    OUTSIDE_VPC = "outside the VPC"


@dataclass(frozen=True)
class AddressLookup:
    """Where an address falls in a VPC and whether it can be assigned.

    >>> vpc = Vpc((IPv4Network("10.0.0.0/16"),), (Subnet("web", IPv4Network("10.0.1.0/24")),))
    >>> found = locate_address(vpc, IPv4Address("10.0.1.255"))
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
                f"`{address_text(address)}` lies in **{subnet.label}** (`{block_text(b)}`, "
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
                f"`{address_text(address)}` is in the VPC block `{block_text(block)}` but in none of its subnets.",
                "An address can only be assigned from a subnet's range.",
            )
        blocks = ", ".join(f"`{block_text(b)}`" for b in self.vpc.blocks)
        return (f"`{address_text(address)}` is outside every block of the VPC ({blocks}).",)


def locate_address(vpc: Vpc, address: IPv4Address, reservation: Reservation = Reservation.AWS) -> AddressLookup:
    """Which subnet of `vpc` holds `address`, and can it be assigned there?

    Subnets are searched in order, so a misconception run that widens a
    subnet over its neighbour still gets one deterministic answer.

    >>> vpc = Vpc((IPv4Network("10.0.0.0/16"),), (Subnet("web", IPv4Network("10.0.1.0/24")),))
    >>> locate_address(vpc, IPv4Address("10.0.1.3")).status.name
    'RESERVED'
    >>> locate_address(vpc, IPv4Address("10.0.1.3"), Reservation.ON_PREMISES).status.name
    'ASSIGNABLE'
    >>> locate_address(vpc, IPv4Address("10.0.2.9")).status.name
    'NO_SUBNET'
    """
    for subnet in vpc.subnets:
        if address in subnet.block:
            role = reserved_role(subnet.block, address, reservation)
            status = AddressStatus.ASSIGNABLE if role is None else AddressStatus.RESERVED
            return AddressLookup(address, vpc, reservation, status, subnet, role)
    for block in vpc.blocks:
        if address in block:
            return AddressLookup(address, vpc, reservation, AddressStatus.NO_SUBNET, None, None)
    return AddressLookup(address, vpc, reservation, AddressStatus.OUTSIDE_VPC, None, None)


# ------------------------------------------------------------ Amazon DNS


@dataclass(frozen=True)
class DnsServers:
    """Where the Amazon DNS server answers for a VPC.

    >>> dns = amazon_dns(Vpc((IPv4Network("10.20.0.0/16"), IPv4Network("10.21.0.0/16"))))
    >>> str(dns.in_vpc), str(dns.link_local)
    ('10.20.0.2', '169.254.169.253')
    """

    in_vpc: IPv4Address
    link_local: IPv4Address
    trace: Trace


def amazon_dns(vpc: Vpc) -> DnsServers:
    """The Amazon DNS addresses of `vpc`: primary base + 2 and the link-local one.

    >>> amazon_dns(Vpc((IPv4Network("192.168.4.0/22"),))).trace[0]
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

    >>> amazon_dns_address(IPv4Network("10.20.0.0/16"))
    IPv4Address('10.20.0.2')
    """
    check_block_size(vpc_primary)
    return vpc_primary.network_address + 2
