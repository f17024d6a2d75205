"""A VPC's own IPv4 blocks: which block may be added next to the ones it
has (the association rules), and how many it may have (the quota).

Facts encoded here, each checked against AWS documentation (our wording):

- A VPC holds at most 5 IPv4 blocks by default, the primary included; the
  quota can be raised to 50.  (Older study notes say 6: that is wrong.)
  https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html
- Every block of a VPC is between /16 and /28 (see `model`).
  https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html
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

Modelling choices that are ours, not AWS's: the association table is read
as a list of restrictions, so a block that no row restricts is permitted;
a misconception is a run with some rules ignored (`ignore`).

>>> check_association([IPv4Network("10.0.0.0/16")], IPv4Network("10.1.0.0/16")).allowed
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from generators.vpc.model import (
    MAX_PREFIX,
    MIN_PREFIX,
    AddressingError,
    IPv4Network,
    Span,
    Trace,
    block_span,
    block_text,
    span_within,
    spans_meet,
)

DEFAULT_IPV4_BLOCKS_PER_VPC = 5
"""IPv4 CIDR blocks per VPC, primary included: the default quota."""
MAX_IPV4_BLOCKS_PER_VPC = 50
"""The highest the IPv4 blocks-per-VPC quota can be raised."""
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

    >>> check = check_association([IPv4Network("10.0.0.0/16")], IPv4Network("192.168.0.0/16"))
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
        head = f"Proposed block: `{block_text(new)}` (a /{new.prefixlen}); the primary block is `{block_text(self.blocks[0])}`."
        if self.refusals:
            return (head, *(f"Refused ({r.rule}): {r.detail}." for r in self.refusals))
        return (
            head,
            f"Allowed: a /{new.prefixlen} within /{MIN_PREFIX} to /{MAX_PREFIX}, no overlap, "
            f"block {len(self.blocks) + 1} of at most {self.quota}, and no range restriction applies.",
        )


def rfc1918_range(block: IPv4Network) -> IPv4Network | None:
    """The RFC 1918 range that contains `block`, or None.

    >>> rfc1918_range(IPv4Network("172.20.0.0/16"))
    IPv4Network('172.16.0.0/12')
    >>> rfc1918_range(IPv4Network("100.64.0.0/16")) is None
    True
    """
    return _rfc1918_of(block_span(block))


_RFC1918_SPANS = tuple((r, block_span(r)) for r in RFC1918_RANGES)
_SPAN_198_19 = block_span(BENCHMARK_198_19)
_SPAN_172_31 = block_span(DEFAULT_VPC_RANGE_172_31)
_SPAN_10_0_16 = block_span(TEN_ZERO_16)
_SPAN_10_0_15 = block_span(TEN_ZERO_15)


_TEXT = {
    r: str(r)
    for r in (*RFC1918_RANGES, BENCHMARK_198_19, DEFAULT_VPC_RANGE_172_31, TEN_ZERO_15, TEN_ZERO_16)
}


def _rfc1918_of(span: Span) -> IPv4Network | None:
    for r, r_span in _RFC1918_SPANS:
        if span_within(span, r_span):
            return r
    return None


def association_restriction(
    primary: IPv4Network, existing: Sequence[IPv4Network], new: IPv4Network
) -> str | None:
    """Why AWS's association table forbids `new` next to `primary`, or None.

    `existing` is every block the VPC has (the 10.0.0.0/16 rule looks at all
    of them).  `new` is /16 or smaller, so it lies wholly inside or wholly
    outside each range the table names.

    >>> p = IPv4Network("10.1.0.0/16")
    >>> association_restriction(p, [p], IPv4Network("10.0.4.0/24"))
    'a block of the VPC lies in 10.0.0.0/15, so no block from 10.0.0.0/16 may be added'
    >>> association_restriction(p, [p], IPv4Network("100.64.0.0/16")) is None
    True
    """
    return _restriction(block_span(primary), block_span(new), existing)


def _restriction(primary_span: Span, new_span: Span, existing: Sequence[IPv4Network]) -> str | None:
    home = _rfc1918_of(primary_span)
    new_home = _rfc1918_of(new_span)
    in_198_19 = span_within(new_span, _SPAN_198_19)
    if span_within(primary_span, _SPAN_198_19):
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
    if home is RFC1918_RANGES[1] and span_within(new_span, _SPAN_172_31):
        return f"the primary block is in {_TEXT[home]}, so no block from {_TEXT[DEFAULT_VPC_RANGE_172_31]} may be added"
    if span_within(new_span, _SPAN_10_0_16) and any(span_within(block_span(b), _SPAN_10_0_15) for b in existing):
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

    >>> vpc = [IPv4Network("10.0.0.0/16"), IPv4Network("10.1.0.0/16")]
    >>> check_association(vpc, IPv4Network("10.2.0.0/16")).allowed
    True
    >>> [r.rule.name for r in check_association(vpc, IPv4Network("10.1.128.0/17")).refusals]
    ['OVERLAP']
    >>> check_association(vpc, IPv4Network("10.2.0.0/16"), quota=2).refusals[0].detail
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
    new_span = block_span(new)
    for block in blocks:
        if spans_meet(new_span, block_span(block)):
            refuse(AssociationRule.OVERLAP, f"it overlaps `{block_text(block)}`, which the VPC already has")
    if AssociationRule.RESTRICTED_RANGE not in ignore:
        restriction = _restriction(block_span(primary), new_span, blocks)
        if restriction is not None:
            refuse(AssociationRule.RESTRICTED_RANGE, restriction)
    for destination in route_destinations:
        if span_within(block_span(destination), new_span):
            refuse(
                AssociationRule.ROUTE_CONFLICT,
                f"it is equal to or larger than the route destination `{block_text(destination)}`",
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
