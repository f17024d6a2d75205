"""VPC peering: a pure rule model of which peered VPCs can reach each other.

Facts encoded here (checked against AWS documentation):

- A peering connection joins exactly two VPCs, in the same or different
  accounts and Regions
  (https://docs.aws.amazon.com/vpc/latest/peering/create-vpc-peering-connection.html).
- It cannot be created when any IPv4 block of one VPC overlaps any block of
  the other, even if only the other blocks would be used (the request goes
  straight to ``failed``)
  (https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-basics.html#vpc-peering-limitations,
  https://docs.aws.amazon.com/vpc/latest/peering/invalid-peering-configurations.html).
- Each owner must add a route to the other VPC's range, targeting the
  peering connection, in the route tables of the subnets that talk
  (https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-routing.html).
- Peering is not transitive: a VPC reaches only the VPCs it is directly
  peered with (https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-basics.html).
- No edge-to-edge routing: a VPC cannot use its peer's internet gateway, NAT
  device, VPN or Direct Connect connection, or gateway endpoint
  (https://docs.aws.amazon.com/vpc/latest/peering/invalid-peering-configurations.html#edge-to-edge-vgw).
- Security group rules can reference a peer VPC's groups only when both VPCs
  are in the same Region
  (https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-basics.html#vpc-peering-limitations).
- IPv4 and IPv6 both work over peering, inside a Region and across Regions
  (https://docs.aws.amazon.com/whitepapers/latest/aws-vpc-connectivity-options/vpc-peering.html);
  older study material says inter-Region peering has no IPv6, which is out of date.
- A full mesh of n VPCs needs n(n-1)/2 peering connections; a VPC has at most
  50 active peerings by default, adjustable to 125
  (https://docs.aws.amazon.com/whitepapers/latest/building-scalable-secure-multi-vpc-network-infrastructure/vpc-peering.html,
  https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html).
- Inside a VPC the local route wins; otherwise the most specific route
  (longest prefix) decides
  (https://docs.aws.amazon.com/vpc/latest/userguide/route-tables-priority.html).

>>> a = Vpc("alpha", (net("10.1.0.0/16"),), (Route(net("10.2.0.0/16"), "pcx-1"),))
>>> b = Vpc("beta", (net("10.2.0.0/16"),), (Route(net("10.1.0.0/16"), "pcx-1"),))
>>> topo = Topology((a, b), (Peering("pcx-1", "alpha", "beta"),))
>>> check_reachability(topo, addr("10.1.0.10"), addr("10.2.0.20")).reachable
True
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

IPv4Network = ipaddress.IPv4Network
IPv4Address = ipaddress.IPv4Address

LOCAL = "local"
"""The target of a VPC's implicit local route."""
DEFAULT_PEERINGS_PER_VPC = 50
"""Active peering connections per VPC, default quota."""
MAX_PEERINGS_PER_VPC = 125
"""The highest the per-VPC peering quota can be raised."""


class PeeringError(ValueError):
    """A topology the model cannot evaluate (unknown VPC, duplicate name...)."""


def _span(block: IPv4Network) -> tuple[int, int]:
    low = int(block.network_address)
    return (low, low | (0xFFFFFFFF >> block.prefixlen))


def net(text: str) -> IPv4Network:
    """An IPv4 block from text (strict: host bits set is an error).

    >>> net("10.0.0.0/16")
    IPv4Network('10.0.0.0/16')
    """
    try:
        return IPv4Network(text)
    except ValueError as exc:
        raise PeeringError(f"{text!r} is not an IPv4 CIDR block: {exc}") from None


def addr(text: str) -> IPv4Address:
    """An IPv4 address from text.

    >>> addr("10.0.0.5")
    IPv4Address('10.0.0.5')
    """
    try:
        return IPv4Address(text)
    except ValueError as exc:
        raise PeeringError(f"{text!r} is not an IPv4 address: {exc}") from None


@dataclass(frozen=True)
class Route:
    """One route of a VPC route table: destination block and target id.

    The target is a peering connection id (``pcx-...``), an internet gateway
    (``igw-...``) or any other gateway id.  The local route is implicit.
    """

    destination: IPv4Network
    target: str
    span: tuple[int, int] = field(init=False, repr=False, compare=False)
    """The first and last address of the destination, as integers."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "span", _span(self.destination))

    @property
    def is_peering(self) -> bool:
        """True when the route sends traffic to a peering connection.

        >>> Route(net("0.0.0.0/0"), "igw-1").is_peering
        False
        """
        return self.target.startswith("pcx-")


@dataclass(frozen=True)
class Vpc:
    """A VPC: its name, IPv4 blocks, route table, Region and owner account.

    One route table per VPC is enough here: it is the table of the subnets
    that take part in the flow.
    """

    name: str
    cidrs: tuple[IPv4Network, ...]
    routes: tuple[Route, ...] = ()
    region: str = "us-east-1"
    account: str = "111122223333"

    spans: tuple[tuple[int, int], ...] = field(init=False, repr=False, compare=False)
    """First and last address of each block, as integers."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "spans", tuple(_span(b) for b in self.cidrs))

    def owns(self, address: IPv4Address) -> bool:
        """True when `address` falls in one of the VPC's blocks.

        >>> Vpc("a", (net("10.0.0.0/16"),)).owns(addr("10.0.9.9"))
        True
        """
        value = int(address)
        for low, high in self.spans:
            if low <= value <= high:
                return True
        return False


@dataclass(frozen=True)
class Peering:
    """A peering connection between two VPCs, by name."""

    pcx_id: str
    requester: str
    accepter: str

    def joins(self, vpc_name: str) -> bool:
        """True when the peering has `vpc_name` at one end."""
        return vpc_name in (self.requester, self.accepter)

    def other_end(self, vpc_name: str) -> str:
        """The VPC at the other end from `vpc_name`.

        >>> Peering("pcx-1", "a", "b").other_end("b")
        'a'
        """
        if vpc_name == self.requester:
            return self.accepter
        if vpc_name == self.accepter:
            return self.requester
        raise PeeringError(f"{self.pcx_id} does not join {vpc_name}")


@dataclass(frozen=True)
class Topology:
    """VPCs and the peering connections requested between them."""

    vpcs: tuple[Vpc, ...]
    peerings: tuple[Peering, ...] = ()

    def __post_init__(self) -> None:
        names = [v.name for v in self.vpcs]
        if len(names) != len(set(names)):
            raise PeeringError(f"VPC names repeat: {names}")
        for p in self.peerings:
            for end in (p.requester, p.accepter):
                if end not in names:
                    raise PeeringError(f"{p.pcx_id} names unknown VPC {end!r}")

    def vpc(self, name: str) -> Vpc:
        """The VPC called `name`."""
        for v in self.vpcs:
            if v.name == name:
                return v
        raise PeeringError(f"no VPC named {name!r}")

    def owner_of(self, address: IPv4Address) -> Vpc | None:
        """The first VPC whose blocks hold `address` (None if none does)."""
        return next((v for v in self.vpcs if v.owns(address)), None)

    def peering(self, pcx_id: str) -> Peering | None:
        """The peering connection with this id, if it exists."""
        return next((p for p in self.peerings if p.pcx_id == pcx_id), None)


def overlapping_blocks(a: Vpc, b: Vpc) -> tuple[tuple[IPv4Network, IPv4Network], ...]:
    """Every pair of blocks, one from each VPC, that overlap.

    >>> x = Vpc("x", (net("10.0.0.0/16"), net("10.9.0.0/16")))
    >>> y = Vpc("y", (net("10.1.0.0/16"), net("10.9.128.0/17")))
    >>> overlapping_blocks(x, y)
    ((IPv4Network('10.9.0.0/16'), IPv4Network('10.9.128.0/17')),)
    """
    return tuple(
        (p, q)
        for p, (p_low, p_high) in zip(a.cidrs, a.spans, strict=True)
        for q, (q_low, q_high) in zip(b.cidrs, b.spans, strict=True)
        if p_low <= q_high and q_low <= p_high
    )


def peering_is_active(topology: Topology, peering: Peering) -> bool:
    """A peering becomes active only if no block of one VPC overlaps the other's.

    >>> x = Vpc("x", (net("10.0.0.0/16"),)); y = Vpc("y", (net("10.0.0.0/20"),))
    >>> peering_is_active(Topology((x, y)), Peering("pcx-9", "x", "y"))
    False
    """
    return not overlapping_blocks(topology.vpc(peering.requester), topology.vpc(peering.accepter))


def lookup_route(vpc: Vpc, destination: IPv4Address, *, least_specific: bool = False) -> Route | None:
    """The route `vpc` uses for `destination`: local first, then longest prefix.

    `least_specific=True` is the misconception "let the broadest matching
    route win".

    >>> v = Vpc("v", (net("10.0.0.0/16"),), (Route(net("0.0.0.0/0"), "igw-1"), Route(net("10.8.0.0/16"), "pcx-2")))
    >>> lookup_route(v, addr("10.8.1.1")).target
    'pcx-2'
    >>> lookup_route(v, addr("10.8.1.1"), least_specific=True).target
    'igw-1'
    >>> lookup_route(v, addr("10.0.1.1")).target
    'local'
    """
    value = int(destination)
    for block, (low, high) in zip(vpc.cidrs, vpc.spans, strict=True):
        if low <= value <= high:
            return Route(block, LOCAL)
    best: Route | None = None
    for route in vpc.routes:
        low, high = route.span
        if not low <= value <= high:
            continue
        if best is None:
            best = route
        elif least_specific and route.destination.prefixlen < best.destination.prefixlen:
            best = route
        elif not least_specific and route.destination.prefixlen > best.destination.prefixlen:
            best = route
    return best


class Blocker(StrEnum):
    """What stops a packet between peered VPCs (NONE when nothing does)."""

    NONE = "nothing"
    NO_ROUTE = "no route to the destination"
    NOT_A_PEERING = "best route does not lead to a peering connection"
    UNKNOWN_PEERING = "route targets a peering connection that does not exist"
    PEERING_FAILED = "peering connection cannot be active: CIDR blocks overlap"
    NOT_TRANSITIVE = "peering is not transitive"
    NO_OWNER = "no VPC owns the destination"
    LOOP = "routing loop"


@dataclass(frozen=True)
class Hop:
    """One routing decision: in `vpc`, the packet for `destination` took `route`."""

    vpc: str
    destination: IPv4Address
    route: Route | None


@dataclass(frozen=True)
class Walk:
    """A one-way trip: the hops taken and what, if anything, stopped it."""

    source_vpc: str
    destination: IPv4Address
    hops: tuple[Hop, ...]
    blocker: Blocker
    at_vpc: str
    """Where the packet was when it stopped (or arrived)."""
    pcx_id: str | None = None
    """The peering connection involved in the blocker or last hop, if any."""
    overlap: tuple[IPv4Network, IPv4Network] | None = None

    @property
    def delivered(self) -> bool:
        """True when the packet reached the VPC that owns its destination."""
        return self.blocker is Blocker.NONE


def walk(
    topology: Topology,
    source_vpc: str,
    destination: IPv4Address,
    *,
    transitive: bool = False,
    ignore_overlap: bool = False,
    least_specific: bool = False,
) -> Walk:
    """Follow a packet from `source_vpc` toward `destination`, one VPC at a time.

    With `transitive=True` the packet may continue from the peer VPC on the
    peer's own routes (the misconception "assume peering is transitive");
    with `ignore_overlap=True` a peering between overlapping VPCs counts as
    active (the misconception "think only the blocks you route between must
    not overlap"); `least_specific=True` picks the broadest matching route.

    >>> a = Vpc("a", (net("10.1.0.0/16"),), (Route(net("10.3.0.0/16"), "pcx-ab"),))
    >>> b = Vpc("b", (net("10.2.0.0/16"),), (Route(net("10.3.0.0/16"), "pcx-bc"),))
    >>> c = Vpc("c", (net("10.3.0.0/16"),))
    >>> t = Topology((a, b, c), (Peering("pcx-ab", "a", "b"), Peering("pcx-bc", "b", "c")))
    >>> walk(t, "a", addr("10.3.0.5")).blocker
    <Blocker.NOT_TRANSITIVE: 'peering is not transitive'>
    >>> walk(t, "a", addr("10.3.0.5"), transitive=True).delivered
    True
    """
    current = topology.vpc(source_vpc)
    hops: list[Hop] = []
    visited = {current.name}
    last_pcx: str | None = None
    while True:
        if current.owns(destination):
            hops.append(Hop(current.name, destination, lookup_route(current, destination)))
            return Walk(source_vpc, destination, tuple(hops), Blocker.NONE, current.name, last_pcx)
        if hops and not transitive:
            # The packet crossed a peering into a VPC that does not own the
            # destination: a peering only delivers to its peer's addresses.
            return Walk(source_vpc, destination, tuple(hops), Blocker.NOT_TRANSITIVE, current.name, last_pcx)
        route = lookup_route(current, destination, least_specific=least_specific)
        hops.append(Hop(current.name, destination, route))
        if route is None:
            blocker = Blocker.NO_ROUTE if topology.owner_of(destination) is not None else Blocker.NO_OWNER
            return Walk(source_vpc, destination, tuple(hops), blocker, current.name)
        if not route.is_peering:
            return Walk(source_vpc, destination, tuple(hops), Blocker.NOT_A_PEERING, current.name)
        peering = topology.peering(route.target)
        if peering is None or not peering.joins(current.name):
            return Walk(source_vpc, destination, tuple(hops), Blocker.UNKNOWN_PEERING, current.name, route.target)
        peer = topology.vpc(peering.other_end(current.name))
        overlaps = overlapping_blocks(current, peer)
        if overlaps and not ignore_overlap:
            return Walk(
                source_vpc, destination, tuple(hops), Blocker.PEERING_FAILED, current.name, peering.pcx_id, overlaps[0]
            )
        if peer.name in visited:
            return Walk(source_vpc, destination, tuple(hops), Blocker.LOOP, peer.name, peering.pcx_id)
        visited.add(peer.name)
        last_pcx = peering.pcx_id
        current = peer


@dataclass(frozen=True)
class Reachability:
    """A request and its reply between two addresses, and the verdict."""

    request: Walk
    reply: Walk | None
    """None when the request never arrived (or when replies were not checked)."""

    @property
    def reachable(self) -> bool:
        """True when the request arrives and the reply comes back."""
        return self.request.delivered and (self.reply is None or self.reply.delivered)

    @property
    def failing(self) -> Walk | None:
        """The walk that failed (request first), or None when reachable."""
        if not self.request.delivered:
            return self.request
        if self.reply is not None and not self.reply.delivered:
            return self.reply
        return None


def check_reachability(
    topology: Topology,
    source: IPv4Address,
    destination: IPv4Address,
    *,
    transitive: bool = False,
    ignore_overlap: bool = False,
    least_specific: bool = False,
    check_reply: bool = True,
) -> Reachability:
    """Can `source` reach `destination` and get a reply, over peering alone?

    Security groups and network ACLs are assumed to allow the flow.  With
    `check_reply=False` only the request is followed (the misconception
    "forget the route on the other side").

    >>> a = Vpc("a", (net("10.1.0.0/16"),), (Route(net("10.2.0.0/16"), "pcx-1"),))
    >>> b = Vpc("b", (net("10.2.0.0/16"),))
    >>> t = Topology((a, b), (Peering("pcx-1", "a", "b"),))
    >>> r = check_reachability(t, addr("10.1.0.4"), addr("10.2.0.4"))
    >>> r.reachable, r.failing.source_vpc, r.failing.blocker.name
    (False, 'b', 'NO_ROUTE')
    >>> check_reachability(t, addr("10.1.0.4"), addr("10.2.0.4"), check_reply=False).reachable
    True
    """
    origin = topology.owner_of(source)
    if origin is None:
        raise PeeringError(f"no VPC owns the source address {source}")
    options = {"transitive": transitive, "ignore_overlap": ignore_overlap, "least_specific": least_specific}
    request = walk(topology, origin.name, destination, **options)
    if not request.delivered or not check_reply:
        return Reachability(request, None)
    reply = walk(topology, request.at_vpc, source, **options)
    return Reachability(request, reply)


def full_mesh_peerings(vpcs: int) -> int:
    """Peering connections needed so that every pair of `vpcs` VPCs is joined.

    >>> full_mesh_peerings(100)
    4950
    """
    if vpcs < 0:
        raise PeeringError("the number of VPCs cannot be negative")
    return vpcs * (vpcs - 1) // 2


def peerings_per_vpc_in_mesh(vpcs: int) -> int:
    """Peerings each VPC of a full mesh holds (checked against the quota).

    >>> peerings_per_vpc_in_mesh(51)
    50
    """
    return max(vpcs - 1, 0)


class PeerResource(StrEnum):
    """Something in a peer VPC that a packet might try to reach or use."""

    INSTANCE = "an instance in the peer VPC"
    INTERFACE_ENDPOINT = "an interface endpoint (network interface) in the peer VPC"
    INTERNAL_LOAD_BALANCER = "an internal load balancer in the peer VPC"
    INTERNET_GATEWAY = "the peer VPC's internet gateway"
    NAT_GATEWAY = "the peer VPC's NAT gateway"
    VPN_CONNECTION = "the peer VPC's Site-to-Site VPN connection"
    DIRECT_CONNECT = "the peer VPC's Direct Connect connection"
    GATEWAY_ENDPOINT = "the peer VPC's gateway endpoint"


EDGE_RESOURCES: frozenset[PeerResource] = frozenset(
    {
        PeerResource.INTERNET_GATEWAY,
        PeerResource.NAT_GATEWAY,
        PeerResource.VPN_CONNECTION,
        PeerResource.DIRECT_CONNECT,
        PeerResource.GATEWAY_ENDPOINT,
    }
)
"""Gateways and private connections at the edge of a VPC: never shared with a peer."""


def usable_over_peering(resource: PeerResource, *, edge_to_edge: bool = False) -> bool:
    """Whether traffic from a peered VPC can reach or use `resource`.

    Addresses inside the peer VPC (instances, endpoint and load balancer
    network interfaces) are reachable; the peer's edge gateways are not.
    `edge_to_edge=True` is the misconception "expect to use the peer VPC's
    gateways".

    >>> usable_over_peering(PeerResource.NAT_GATEWAY)
    False
    >>> usable_over_peering(PeerResource.INTERFACE_ENDPOINT)
    True
    """
    return edge_to_edge or resource not in EDGE_RESOURCES


def security_group_reference_allowed(region_a: str, region_b: str) -> bool:
    """A rule may reference a peer VPC's security group only within one Region.

    >>> security_group_reference_allowed("us-east-1", "eu-west-1")
    False
    """
    return region_a == region_b


def all_overlaps(vpcs: Iterable[Vpc]) -> tuple[tuple[str, str], ...]:
    """Every pair of VPCs (by name) that could not be peered because of overlap.

    >>> all_overlaps([Vpc("a", (net("10.0.0.0/16"),)), Vpc("b", (net("10.0.0.0/24"),)), Vpc("c", (net("10.1.0.0/16"),))])
    (('a', 'b'),)
    """
    items = list(vpcs)
    return tuple(
        (x.name, y.name) for i, x in enumerate(items) for y in items[i + 1 :] if overlapping_blocks(x, y)
    )
