"""VPC route tables: a pure rule model of how the VPC router picks a route.

Facts encoded here (checked against AWS documentation):

- Every subnet uses exactly one route table: the one it is explicitly
  associated with, otherwise the VPC's main route table; one table can serve
  many subnets
  (https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html).
- Every route table has a `local` route for each VPC CIDR block; IPv4 and
  IPv6 routes are independent (0.0.0.0/0 does not cover IPv6, ::/0 does)
  (same page).
- A route more specific than the local route must have as destination the
  whole CIDR block of one of the VPC's subnets, and as target a NAT gateway, a
  network interface or a Gateway Load Balancer endpoint (same page, "Rules and
  considerations"). A less specific route never overrides the local route: the
  longest prefix wins.
- No route may point at a destination inside 169.254.168.0/22 (reserved for
  AWS services such as the instance metadata service) (same page).
- Route priority: the longest prefix first; between routes of the same length,
  a static CIDR route beats a prefix-list route, and a prefix-list route beats a
  propagated route; a more specific route always wins whatever its origin. Two
  prefix lists with the same CIDR to different targets: AWS picks one at random
  (we refuse to guess). Prefix-list entries that fall inside the VPC's own CIDR
  are ignored in a subnet route table
  (https://docs.aws.amazon.com/vpc/latest/userguide/route-tables-priority.html).
- A route whose target is gone (gateway detached, NAT gateway deleted, NAT
  instance terminated) stays in the table in the `blackhole` state; it is still
  selected by the longest prefix match and the packets are dropped
  (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Route.html).
- Subnet types: public (a direct route to an internet gateway), private (no
  such route; needs a NAT device for the internet), VPN-only (a route to a
  virtual private gateway and none to an internet gateway), isolated (no route
  leaves the VPC) (https://docs.aws.amazon.com/vpc/latest/userguide/configure-subnets.html).

>>> table = RouteTable("rtb-1", (
...     Route(parse_destination("10.0.0.0/16"), "local"),
...     Route(parse_destination("0.0.0.0/0"), "nat-0a1b"),
...     Route(parse_destination("10.1.0.0/16"), "pcx-77")))
>>> longest_prefix_match(table, IPv4Address("10.1.2.3")).target
'pcx-77'
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from generators.security.model import ALL_IPV4, VERSION_OF_TYPE, address_text
from quizapp.values import quick_init

IPv4Address = ipaddress.IPv4Address
IPv6Address = ipaddress.IPv6Address
IPv4Network = ipaddress.IPv4Network
IPv6Network = ipaddress.IPv6Network
IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network
Destination = IPv4Network | IPv6Network | str
"""A route's destination: a CIDR block, or a prefix-list id (``pl-...``)."""

PrefixLists = Mapping[str, Sequence[IPNetwork]]
"""The CIDR blocks of each prefix list the scenario uses, by prefix-list id."""

RESERVED_LINK_LOCAL = IPv4Network("169.254.168.0/22")
"""Link-local range reserved for AWS services: no route may target inside it."""


class RouteTableError(ValueError):
    """A route or route table that AWS would refuse, and why."""


class AmbiguousRouteError(ValueError):
    """Two routes tie and AWS would pick one arbitrarily (overlapping prefix
    lists to different targets): the model refuses to guess."""


class TargetKind(StrEnum):
    """What a route points at, read from the target id's prefix."""

    LOCAL = "local route"
    INTERNET_GATEWAY = "internet gateway"
    EGRESS_ONLY_INTERNET_GATEWAY = "egress-only internet gateway"
    NAT_GATEWAY = "NAT gateway"
    PEERING_CONNECTION = "VPC peering connection"
    TRANSIT_GATEWAY = "transit gateway"
    VIRTUAL_PRIVATE_GATEWAY = "virtual private gateway"
    VPC_ENDPOINT = "VPC endpoint"
    NETWORK_INTERFACE = "network interface"
    INSTANCE = "instance"


_TARGET_PREFIXES: tuple[tuple[str, TargetKind], ...] = (
    ("eigw-", TargetKind.EGRESS_ONLY_INTERNET_GATEWAY),
    ("igw-", TargetKind.INTERNET_GATEWAY),
    ("nat-", TargetKind.NAT_GATEWAY),
    ("pcx-", TargetKind.PEERING_CONNECTION),
    ("tgw-", TargetKind.TRANSIT_GATEWAY),
    ("vgw-", TargetKind.VIRTUAL_PRIVATE_GATEWAY),
    ("vpce-", TargetKind.VPC_ENDPOINT),
    ("eni-", TargetKind.NETWORK_INTERFACE),
    ("i-", TargetKind.INSTANCE),
)

_KIND_BY_HEAD = {prefix[:-1]: kind for prefix, kind in _TARGET_PREFIXES}
"""The same, by the part of the id before its first dash (no prefix above
contains a dash of its own)."""

_EVERY_V4 = (4, 0, 0)
"""The `Route.match` of 0.0.0.0/0."""
_LOCAL = TargetKind.LOCAL
_EGRESS_ONLY = TargetKind.EGRESS_ONLY_INTERNET_GATEWAY

MORE_SPECIFIC_THAN_LOCAL_TARGETS = frozenset(
    {TargetKind.NAT_GATEWAY, TargetKind.NETWORK_INTERFACE, TargetKind.VPC_ENDPOINT}
)
"""Targets allowed for a route more specific than the local route (a VPC
endpoint here must be a Gateway Load Balancer endpoint; both use ``vpce-``)."""


def target_kind(target: str) -> TargetKind:
    """The kind of a route target, from its id.

    >>> target_kind("local")
    <TargetKind.LOCAL: 'local route'>
    >>> target_kind("eigw-0abc").value
    'egress-only internet gateway'
    >>> target_kind("lb-1")
    Traceback (most recent call last):
    ...
    generators.routing.model.RouteTableError: 'lb-1' is not a route target (expected local, igw-, eigw-, nat-, pcx-, tgw-, vgw-, vpce-, eni- or i-)
    """
    if target == "local":
        return TargetKind.LOCAL
    head, _, rest = target.partition("-")
    kind = _KIND_BY_HEAD.get(head)
    if kind is not None and rest:
        return kind
    raise RouteTableError(
        f"{target!r} is not a route target (expected local, igw-, eigw-, nat-, pcx-, tgw-, vgw-, vpce-, eni- or i-)"
    )


def parse_destination(text: str) -> Destination:
    """A route destination: a CIDR block (strict) or a prefix-list id.

    >>> parse_destination("pl-63a5400a")
    'pl-63a5400a'
    >>> parse_destination("::/0")
    IPv6Network('::/0')
    >>> parse_destination("10.0.1.7/24")
    Traceback (most recent call last):
    ...
    generators.routing.model.RouteTableError: 10.0.1.7/24 has host bits set; did you mean 10.0.1.0/24?
    """
    raw = text.strip()
    if raw.startswith("pl-"):
        if len(raw) == 3 or not raw[3:].isalnum():
            raise RouteTableError(f"{raw!r} is not a prefix-list id")
        return raw
    if "/" not in raw:
        raise RouteTableError(f"{raw!r} is not a CIDR block or a prefix-list id (pl-...)")
    try:
        return ipaddress.ip_network(raw)
    except ValueError:
        try:
            loose = ipaddress.ip_network(raw, strict=False)
        except ValueError:
            raise RouteTableError(f"{raw!r} is not a CIDR block or a prefix-list id (pl-...)") from None
        raise RouteTableError(f"{raw} has host bits set; did you mean {loose}?") from None


class RouteOrigin(StrEnum):
    """How a route got into the table; decides ties between equal prefixes."""

    STATIC = "static"
    PROPAGATED = "propagated"


class RouteState(StrEnum):
    """Whether the route's target still exists."""

    ACTIVE = "active"
    BLACKHOLE = "blackhole"


@quick_init
@dataclass(frozen=True)
class Route:
    """One route: where packets for `destination` go."""

    destination: Destination
    target: str
    origin: RouteOrigin = RouteOrigin.STATIC
    state: RouteState = RouteState.ACTIVE

    kind: TargetKind = field(init=False, repr=False, compare=False)
    """The kind of the target (derived from its id)."""
    match: tuple[int, int, int] = field(init=False, repr=False, compare=False)
    """(IP version, netmask, network address) of a CIDR destination as
    integers, (0, 0, 0) for a prefix list: every lookup tests every route,
    and masking integers is many times faster than ``address in network``."""

    def __post_init__(self) -> None:
        target, dest = self.target, self.destination
        # target_kind, inlined: every scenario builds its routes afresh.
        if target == "local":
            kind = _LOCAL
        else:
            head, _, rest = target.partition("-")
            found = _KIND_BY_HEAD.get(head) if rest else None
            kind = target_kind(target) if found is None else found  # target_kind raises the error
        derived = self.__dict__  # derived fields of a frozen value, set once (as quick_init does)
        derived["kind"] = kind
        if isinstance(dest, str):
            if kind is _LOCAL:
                raise RouteTableError("the local route's destination is a VPC CIDR block, not a prefix list")
            derived["match"] = (0, 0, 0)
        elif dest is ALL_IPV4:
            derived["match"] = _EVERY_V4  # the most common block, known in advance
        else:
            version = VERSION_OF_TYPE.get(type(dest)) or dest.version
            derived["match"] = (version, int(dest.netmask), int(dest.network_address))
        if kind is _EGRESS_ONLY and not self._is_ipv6():
            raise RouteTableError(f"{target} is an egress-only internet gateway: it takes IPv6 destinations only")

    def _is_ipv6(self) -> bool:
        return isinstance(self.destination, IPv6Network)

    @property
    def is_prefix_list(self) -> bool:
        """True when the destination is a prefix list."""
        return isinstance(self.destination, str)

    def describe(self) -> str:
        """The route as a table row would show it.

        >>> Route(IPv4Network("0.0.0.0/0"), "igw-1").describe()
        '0.0.0.0/0 -> igw-1'
        >>> Route(IPv4Network("0.0.0.0/0"), "nat-1", state=RouteState.BLACKHOLE).describe()
        '0.0.0.0/0 -> nat-1 (blackhole)'
        """
        suffix = ""
        if self.origin is not RouteOrigin.STATIC or self.state is not RouteState.ACTIVE:
            extra = []
            if self.origin is RouteOrigin.PROPAGATED:
                extra.append("propagated")
            if self.state is RouteState.BLACKHOLE:
                extra.append("blackhole")
            suffix = f" ({', '.join(extra)})" if extra else ""
        dest = self.destination
        return f"{dest if isinstance(dest, str) else address_text(dest)} -> {self.target}{suffix}"


@quick_init
@dataclass(frozen=True)
class RouteTable:
    """A route table; `main` marks the VPC's main route table."""

    id: str
    routes: tuple[Route, ...]
    main: bool = False

    def __post_init__(self) -> None:
        routes = self.routes
        # Routes with different match integers have different blocks: only
        # when two share them (prefix lists all have (0, 0, 0)) is a closer
        # look needed. (Hashing ipaddress networks or enum members costs a
        # Python call each; the integers hash in C.)
        if len(routes) > 1 and len({r.match for r in routes}) < len(routes):
            seen: set[tuple[object, bool]] = set()
            for route in routes:
                if _slot(route) in seen:
                    raise RouteTableError(
                        f"{self.id} has two {route.origin} routes for {route.destination}; a destination appears once per table"
                    )
                seen.add(_slot(route))

    @property
    def local_blocks(self) -> tuple[IPNetwork, ...]:
        """The VPC CIDR blocks, read from the local routes."""
        return tuple(
            r.destination for r in self.routes if r.kind is TargetKind.LOCAL and not isinstance(r.destination, str)
        )

    def with_routes(self, routes: Iterable[Route]) -> RouteTable:
        """A copy of the table with `routes` instead of its routes."""
        return RouteTable(self.id, tuple(routes), self.main)


def _slot(route: Route) -> tuple[object, bool]:
    """What may appear once per table: a destination (its match integers for
    a block) with an origin (static or not)."""
    match = route.match
    return match if match[0] else route.destination, route.origin is _STATIC


_STATIC = RouteOrigin.STATIC


def mark_blackholes(table: RouteTable, gone: Iterable[str]) -> RouteTable:
    """The table after the targets in `gone` were deleted or detached: their
    routes stay, in the blackhole state.

    >>> t = RouteTable("rtb-1", (Route(IPv4Network("0.0.0.0/0"), "nat-9"),))
    >>> mark_blackholes(t, {"nat-9"}).routes[0].state
    <RouteState.BLACKHOLE: 'blackhole'>
    """
    deleted = set(gone)
    if not any(r.target in deleted for r in table.routes):
        return table
    return table.with_routes(
        [Route(r.destination, r.target, r.origin, RouteState.BLACKHOLE) if r.target in deleted else r for r in table.routes]
    )


def check_route_table(table: RouteTable, subnet_blocks: Sequence[IPNetwork]) -> None:
    """Raise RouteTableError for a route AWS would refuse in a subnet route
    table of a VPC whose subnets have `subnet_blocks`.

    >>> vpc = Route(IPv4Network("10.0.0.0/16"), "local")
    >>> check_route_table(RouteTable("rtb-1", (vpc, Route(IPv4Network("10.0.1.0/24"), "eni-1"))), [IPv4Network("10.0.1.0/24")])
    >>> check_route_table(RouteTable("rtb-1", (vpc, Route(IPv4Network("10.0.1.0/25"), "eni-1"))), [IPv4Network("10.0.1.0/24")])
    Traceback (most recent call last):
    ...
    generators.routing.model.RouteTableError: 10.0.1.0/25 is more specific than the local route 10.0.0.0/16: it must be the whole CIDR block of a subnet
    >>> check_route_table(RouteTable("rtb-1", (vpc, Route(IPv4Network("10.0.1.0/24"), "igw-1"))), [IPv4Network("10.0.1.0/24")])
    Traceback (most recent call last):
    ...
    generators.routing.model.RouteTableError: 10.0.1.0/24 -> igw-1 is more specific than the local route: its target must be a NAT gateway, a network interface or a Gateway Load Balancer endpoint
    """
    locals_ = table.local_blocks
    for route in table.routes:
        dest = route.destination
        if isinstance(dest, str) or route.kind is TargetKind.LOCAL:
            continue
        if isinstance(dest, IPv4Network) and dest.subnet_of(RESERVED_LINK_LOCAL):
            raise RouteTableError(f"{dest} is inside {RESERVED_LINK_LOCAL}, which AWS reserves for its own services")
        for block in locals_:
            if dest.version == block.version and dest != block and _inside(dest, block):
                if dest not in subnet_blocks:
                    raise RouteTableError(
                        f"{dest} is more specific than the local route {block}: it must be the whole CIDR block of a subnet"
                    )
                if route.kind not in MORE_SPECIFIC_THAN_LOCAL_TARGETS:
                    raise RouteTableError(
                        f"{route.describe()} is more specific than the local route: its target must be a NAT gateway, "
                        "a network interface or a Gateway Load Balancer endpoint"
                    )
            if dest == block:
                raise RouteTableError(f"{dest} is the local route's destination; it cannot be added again")


def _inside(inner: IPNetwork, outer: IPNetwork) -> bool:
    if isinstance(inner, IPv4Network) and isinstance(outer, IPv4Network):
        return inner.subnet_of(outer)
    if isinstance(inner, IPv6Network) and isinstance(outer, IPv6Network):
        return inner.subnet_of(outer)
    return False


@quick_init
@dataclass(frozen=True)
class Association:
    """Which route table a subnet uses, and whether by explicit association."""

    subnet_id: str
    table: RouteTable
    explicit: bool


def associated_table(subnet_id: str, tables: Sequence[RouteTable], explicit: Mapping[str, str]) -> Association:
    """The route table a subnet uses: its explicit association (`explicit`
    maps subnet id to table id), else the main route table.

    >>> main = RouteTable("rtb-main", (), main=True)
    >>> custom = RouteTable("rtb-web", ())
    >>> associated_table("subnet-a", [main, custom], {"subnet-b": "rtb-web"}).table.id
    'rtb-main'
    >>> associated_table("subnet-b", [main, custom], {"subnet-b": "rtb-web"}).explicit
    True
    """
    main, mains = None, 0
    for table in tables:
        if table.main:
            main, mains = table, mains + 1
    if main is None or mains != 1:
        raise RouteTableError(f"a VPC has exactly one main route table, not {mains}")
    table_id = explicit.get(subnet_id)
    if table_id is None:
        return Association(subnet_id, main, explicit=False)
    for table in tables:
        if table.id == table_id:
            return Association(subnet_id, table, explicit=True)
    raise RouteTableError(f"{subnet_id} is associated with {table_id}, which is not a route table of this VPC")


class SubnetType(StrEnum):
    """AWS's names for a subnet, decided by its route table."""

    PUBLIC = "public"
    PRIVATE = "private"
    VPN_ONLY = "VPN-only"
    ISOLATED = "isolated"


def classify_subnet(table: RouteTable) -> SubnetType:
    """Public, private, VPN-only or isolated, from the subnet's route table.

    >>> local = Route(IPv4Network("10.0.0.0/16"), "local")
    >>> classify_subnet(RouteTable("r", (local, Route(IPv4Network("0.0.0.0/0"), "igw-1")))).value
    'public'
    >>> classify_subnet(RouteTable("r", (local, Route(IPv4Network("0.0.0.0/0"), "nat-1")))).value
    'private'
    >>> classify_subnet(RouteTable("r", (local,))).value
    'isolated'
    """
    kinds = {r.kind for r in table.routes if r.kind is not TargetKind.LOCAL}
    if TargetKind.INTERNET_GATEWAY in kinds:
        return SubnetType.PUBLIC
    if not kinds:
        return SubnetType.ISOLATED
    if kinds == {TargetKind.VIRTUAL_PRIVATE_GATEWAY}:
        return SubnetType.VPN_ONLY
    return SubnetType.PRIVATE


class RouteMisconception(StrEnum):
    """Wrong ways to pick a route, for computing distractors."""

    FIRST_MATCH = "pick the first matching route in the table instead of the longest prefix"
    ORIGIN_BEFORE_LENGTH = "let a static route beat a more specific prefix-list or propagated route"
    SKIP_BLACKHOLE = "expect the router to skip a blackhole route and use the next best route"
    PREFIX_LIST_WINS_TIE = "let a prefix-list route win a tie with a static route of the same length"
    PROPAGATED_WINS_TIE = "let a propagated route win a tie with a static route to the same destination"


@quick_init
@dataclass(frozen=True)
class Candidate:
    """One route of the table as seen by one packet: does it match, and with
    which CIDR (for a prefix list, the most specific matching entry)."""

    route: Route
    matched: IPNetwork | None
    destination: IPAddress

    @property
    def matches(self) -> bool:
        """True when the route covers the packet's destination."""
        return self.matched is not None

    @property
    def note(self) -> str:
        """Why the route does or does not match, in a few words."""
        dest, packet = self.route.destination, address_text(self.destination)
        if isinstance(dest, str):
            if self.matched is not None:
                return f"{dest} contains {packet} in its entry {address_text(self.matched)}"
            return f"no entry of {dest} contains {packet}"
        if dest.version != self.destination.version:
            return f"{address_text(dest)} is an IPv{dest.version} route and {packet} is IPv{self.destination.version}"
        return f"{address_text(dest)} contains {packet}" if self.matched is not None else f"{address_text(dest)} does not contain {packet}"


@quick_init
@dataclass(frozen=True)
class RouteDecision:
    """The route the VPC router picks for one destination, with the trace of
    every candidate route."""

    destination: IPAddress
    table_id: str
    route: Route | None
    matched: IPNetwork | None
    matches: tuple[Match, ...]
    """Every route of the table with the block of it that covers the
    destination (None when it does not), in table order."""
    rule: str = "longest"
    """How the route was picked: "longest" (AWS), or the name of a misconception."""

    @property
    def candidates(self) -> tuple[Candidate, ...]:
        """The trace: every route of the table and whether it matches."""
        destination = self.destination
        return tuple([Candidate(route, matched, destination) for route, matched in self.matches])

    @property
    def why(self) -> str:
        """Why this route won, in a few words."""
        if self.route is None or self.matched is None:
            return "no route matches"
        if self.rule == "first":
            return "the first matching route"
        chosen = self.route
        others = [(route, matched) for route, matched in self.matches if matched is not None and route is not chosen]
        return _why(chosen, self.matched, others)

    @property
    def target(self) -> str | None:
        """The chosen route's target, or None when no route matches."""
        return self.route.target if self.route else None

    @property
    def blackhole(self) -> bool:
        """True when the chosen route is a blackhole: the packet is dropped."""
        return self.route is not None and self.route.state is RouteState.BLACKHOLE

    @property
    def delivered(self) -> bool:
        """True when a route matched and its target exists."""
        return self.route is not None and not self.blackhole

    def explain(self) -> str:
        """One plain sentence, for explanations.

        >>> t = RouteTable("rtb-1", (Route(IPv4Network("10.0.0.0/16"), "local"),))
        >>> longest_prefix_match(t, IPv4Address("8.8.8.8")).explain()
        'No route in rtb-1 matches 8.8.8.8, so the packet is dropped.'
        """
        destination = address_text(self.destination)
        if self.route is None:
            return f"No route in {self.table_id} matches {destination}, so the packet is dropped."
        if self.route.kind is TargetKind.LOCAL:
            assert not isinstance(self.route.destination, str)
            head = f"{self.table_id} keeps {destination} inside the VPC by the local route {address_text(self.route.destination)}"
        else:
            head = f"{self.table_id} sends {destination} to {self.route.target} by the route {self.route.describe()}"
        if self.blackhole:
            return head + f"; the target {self.route.target} no longer exists (blackhole), so the packet is dropped."
        return head + f" ({self.why})."


Match = tuple[Route, IPNetwork | None]
"""A route and the block of it that covers a destination, or None."""


def candidates(table: RouteTable, destination: IPAddress, prefix_lists: PrefixLists | None = None) -> tuple[Candidate, ...]:
    """Every route of `table`, with whether and how it matches `destination`.

    >>> t = RouteTable("r", (Route(IPv4Network("10.0.0.0/16"), "local"), Route("pl-1", "vpce-1")))
    >>> [c.note for c in candidates(t, IPv4Address("52.216.4.9"), {"pl-1": [IPv4Network("52.216.0.0/15")]})]
    ['10.0.0.0/16 does not contain 52.216.4.9', 'pl-1 contains 52.216.4.9 in its entry 52.216.0.0/15']
    """
    return tuple([Candidate(route, matched, destination) for route, matched in _matches(table, destination, prefix_lists)])


def _matches(table: RouteTable, destination: IPAddress, prefix_lists: PrefixLists | None) -> tuple[Match, ...]:
    """Each route of `table` with the block of it that covers `destination`
    (for a prefix list, its most specific covering entry), or None."""
    version, value = VERSION_OF_TYPE.get(type(destination)) or destination.version, int(destination)
    out: list[Match] = []
    for route in table.routes:
        route_version, mask, base = route.match
        if route_version == 0:
            dest = route.destination
            assert isinstance(dest, str)
            lists = prefix_lists or {}
            if dest not in lists:
                raise RouteTableError(f"the scenario does not say which CIDR blocks {dest} holds")
            vpc_blocks = table.local_blocks
            hits = [
                e for e in lists[dest]
                if e.version == version and destination in e
                and not any(e.version == b.version and _inside(e, b) for b in vpc_blocks)
            ]
            out.append((route, max(hits, key=lambda e: e.prefixlen) if hits else None))
        elif route_version == version and value & mask == base:
            out.append((route, route.destination))  # type: ignore[arg-type]
        else:
            out.append((route, None))
    return tuple(out)


def _tie_rank(route: Route, prefix_list_first: bool = False, propagated_first: bool = False) -> int:
    """Higher wins between equal prefixes: static CIDR, prefix list, propagated."""
    if route.origin is RouteOrigin.PROPAGATED:
        return 3 if propagated_first else 0
    if prefix_list_first:
        return 2 if route.is_prefix_list else 1
    return 1 if route.is_prefix_list else 2


def longest_prefix_match(
    table: RouteTable,
    destination: IPAddress,
    prefix_lists: PrefixLists | None = None,
    misconception: RouteMisconception | None = None,
) -> RouteDecision:
    """The route the VPC router uses for a packet to `destination`.

    The longest matching prefix wins; between equal prefixes a static CIDR
    route beats a prefix-list route, which beats a propagated route. A
    blackhole route is still selected (and drops the packet). `misconception`
    picks the route the way a learner with that misconception would.

    >>> t = RouteTable("rtb-1", (
    ...     Route(IPv4Network("10.0.0.0/16"), "local"),
    ...     Route(IPv4Network("0.0.0.0/0"), "igw-1"),
    ...     Route("pl-s3", "vpce-9")))
    >>> s3 = {"pl-s3": [IPv4Network("52.216.0.0/15")]}
    >>> longest_prefix_match(t, IPv4Address("52.217.1.1"), s3).target
    'vpce-9'
    >>> longest_prefix_match(t, IPv4Address("52.217.1.1"), s3, RouteMisconception.FIRST_MATCH).target
    'igw-1'
    >>> longest_prefix_match(t, IPv6Address("2001:db8::1"), s3).route is None
    True
    """
    return _decide(table, destination, _matches(table, destination, prefix_lists), misconception)


def route_decisions(
    table: RouteTable,
    destination: IPAddress,
    misconceptions: Iterable[RouteMisconception | None],
    prefix_lists: PrefixLists | None = None,
) -> dict[RouteMisconception | None, RouteDecision]:
    """`longest_prefix_match` for one packet under several misconceptions
    (None for AWS's way), matching each route against the packet only once.

    >>> t = RouteTable("rtb-1", (Route(IPv4Network("0.0.0.0/0"), "igw-1"), Route(IPv4Network("10.1.0.0/16"), "pcx-1")))
    >>> {str(m): d.target for m, d in route_decisions(t, IPv4Address("10.1.2.3"), [None, RouteMisconception.FIRST_MATCH]).items()}
    {'None': 'pcx-1', 'pick the first matching route in the table instead of the longest prefix': 'igw-1'}
    """
    matches = _matches(table, destination, prefix_lists)
    return {m: _decide(table, destination, matches, m) for m in misconceptions}


def _decide(
    table: RouteTable, destination: IPAddress, matches: tuple[Match, ...], misconception: RouteMisconception | None
) -> RouteDecision:
    """The route picked among `matches` (the table's routes matched against `destination`)."""
    if misconception is None:
        # AWS's way, the common case, in one pass: longest prefix, then
        # static CIDR over prefix list over propagated (see _tie_rank).
        best: list[tuple[Route, IPNetwork]] = []
        best_key = (-1, -1)
        for route, block in matches:
            if block is None:
                continue
            version, mask, _ = route.match
            # A CIDR route's prefix length is its netmask's bit count (read
            # off the integers, not through the network's property); a
            # prefix-list route's is that of the entry that matched.
            if version:
                key = (mask.bit_count(), 0 if route.origin is _PROPAGATED else 2)
            else:
                key = (block.prefixlen, 0 if route.origin is _PROPAGATED else 1)
            if key > best_key:
                best, best_key = [(route, block)], key
            elif key == best_key:
                best.append((route, block))
        if len(best) == 1:
            route, block = best[0]
            return RouteDecision(destination, table.id, route, block, matches)
        return _chosen(table, destination, matches, best)
    matching = [(route, block) for route, block in matches if block is not None]
    if misconception is RouteMisconception.SKIP_BLACKHOLE:
        matching = [m for m in matching if m[0].state is RouteState.ACTIVE]
    if not matching:
        return RouteDecision(destination, table.id, None, None, matches)
    if misconception is RouteMisconception.FIRST_MATCH:
        route, block = matching[0]
        return RouteDecision(destination, table.id, route, block, matches, "first")

    origin_first = misconception is RouteMisconception.ORIGIN_BEFORE_LENGTH
    lists_first = misconception is RouteMisconception.PREFIX_LIST_WINS_TIE
    propagated_first = misconception is RouteMisconception.PROPAGATED_WINS_TIE

    ranked: list[tuple[Route, IPNetwork]] = []
    best_key = (-1, -1)
    for route, block in matching:
        assert block is not None
        length = block.prefixlen
        rank = _tie_rank(route, lists_first, propagated_first)
        key = (rank, length) if origin_first else (length, rank)
        if key > best_key:
            ranked, best_key = [(route, block)], key
        elif key == best_key:
            ranked.append((route, block))
    return _chosen(table, destination, matches, ranked)


_PROPAGATED = RouteOrigin.PROPAGATED


def _chosen(table: RouteTable, destination: IPAddress, matches: tuple[Match, ...],
            best: list[tuple[Route, IPNetwork]]) -> RouteDecision:
    """The decision for the best-ranked routes `best` (none: no route
    matches; several to different targets: AWS would pick arbitrarily)."""
    if not best:
        return RouteDecision(destination, table.id, None, None, matches)
    if len(best) > 1 and len({route.target for route, _ in best}) > 1:
        names = ", ".join(route.describe() for route, _ in best)
        raise AmbiguousRouteError(f"routes tie for {destination} ({names}); AWS would pick one arbitrarily")
    route, block = best[0]
    return RouteDecision(destination, table.id, route, block, matches)


def _why(chosen: Route, block: IPNetwork, others: Sequence[Match]) -> str:
    if not others:
        return "the only matching route"
    same = [route for route, matched in others if matched is not None and matched.prefixlen == block.prefixlen]
    if same:
        kind = {2: "a static CIDR route", 1: "a prefix-list route"}.get(_tie_rank(chosen), "this route")
        beaten = {2: "prefix-list and propagated routes", 1: "propagated routes"}.get(_tie_rank(chosen), "the others")
        return f"/{block.prefixlen} ties with {same[0].describe()}, and {kind} beats {beaten}"
    return f"/{block.prefixlen} is the longest matching prefix"


__all__ = [
    "AmbiguousRouteError",
    "Association",
    "Candidate",
    "Destination",
    "IPAddress",
    "IPNetwork",
    "PrefixLists",
    "Route",
    "RouteDecision",
    "RouteMisconception",
    "RouteOrigin",
    "RouteState",
    "RouteTable",
    "RouteTableError",
    "SubnetType",
    "TargetKind",
    "associated_table",
    "candidates",
    "check_route_table",
    "classify_subnet",
    "longest_prefix_match",
    "mark_blackholes",
    "route_decisions",
    "parse_destination",
    "target_kind",
]
