"""Subnet planning: give each subnet a block that holds the addresses it
needs, and place the blocks inside one VPC block.

The sizes come from `model` (a /16 to /28 block, five addresses reserved in
each; AWS's facts and their sources are listed there).  The plan itself is
ours, not AWS's: each subnet gets the smallest block that holds its hosts,
the largest blocks are allocated first (ties in the order given), each at
the lowest free aligned address of the VPC block.  Blocks are powers of
two, so largest-first packs without gaps and the plan fits exactly when the
blocks add up to no more than the VPC block.

Misconceptions are parameters (`reservation`, `largest_first`), so a
distractor is a plan made under a named mistake.

>>> plan = plan_subnets(IPv4Network("10.0.0.0/24"), requests_per_zone([("web", 50)], ["a", "b"]))
>>> [str(a.block) for a in plan.allocations]
['10.0.0.0/26', '10.0.0.64/26']
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter

from generators.vpc.model import (
    MAX_PREFIX,
    MIN_PREFIX,
    AddressingError,
    IPv4Network,
    Reservation,
    Trace,
    check_block_size,
    cidr_text,
    smallest_prefix_for,
    zone_label,
)


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
        return zone_label(self.name, self.zone)


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

    >>> plan = plan_subnets(IPv4Network("10.0.0.0/24"), [SubnetRequest("a", 100), SubnetRequest("b", 50)])
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
        for step in self.steps:
            if step.start is None:
                return False
        return True

    @property
    def free_addresses(self) -> int:
        """Addresses of the VPC block that no allocated subnet uses."""
        free = 1 << (32 - self.vpc_block.prefixlen)
        for step in self.steps:
            if step.start is not None and step.prefix is not None:
                free -= 1 << (32 - step.prefix)
        return free

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
        vpc_text = str(vpc)
        count = self.reservation.reserved_count
        lines = [f"VPC block `{vpc_text}`: {vpc.num_addresses:,} addresses."]
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
            label = zone_label(step.request.name, step.request.zone)
            if step.start is not None and step.prefix is not None:
                lines.append(f"**{label}** gets `{cidr_text(step.start, step.prefix)}`.")
            elif step.prefix is not None:
                lines.append(f"No free /{step.prefix} is left for **{label}**: it does not fit.")
        if self.fits:
            lines.append(f"Every subnet fits; {self.free_addresses:,} addresses of `{vpc_text}` stay free.")
        else:
            lines.append(f"The plan does not fit in `{vpc_text}`.")
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

    >>> plan = plan_subnets(IPv4Network("10.0.0.0/26"), [SubnetRequest("a", 20), SubnetRequest("b", 40)])
    >>> plan.fits, [r.label for r in plan.unplaced]
    (False, ['a'])
    >>> plan.trace[-2:]
    ('No free /27 is left for **a**: it does not fit.', 'The plan does not fit in `10.0.0.0/26`.')
    """
    vpc_prefix = vpc_block.prefixlen
    if not MIN_PREFIX <= vpc_prefix <= MAX_PREFIX:
        check_block_size(vpc_block)  # raises, naming the limit broken
    steps: list[PlanStep] = []
    sized: list[tuple[int, SubnetRequest]] = []
    for request in requests:
        try:
            sized.append((smallest_prefix_for(request.hosts, reservation), request))
        except AddressingError:
            steps.append(PlanStep(request, None, None))
    if largest_first:
        sized.sort(key=itemgetter(0))  # stable: ties keep their order
    start = int(vpc_block.network_address)
    end = start + (1 << (32 - vpc_prefix))
    taken: list[tuple[int, int]] = []  # only the first-fit order needs it
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
        if not largest_first:
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
