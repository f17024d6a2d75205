"""Transit gateway: a pure rule model of route tables, association and propagation.

Facts encoded here (checked against AWS documentation):

- A transit gateway is a Regional router; VPCs, Site-to-Site VPN
  connections, Direct Connect gateways, Connect attachments and peering
  attachments (to another transit gateway) attach to it
  (https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html,
  https://docs.aws.amazon.com/vpc/latest/tgw/tgw-route-tables.html).
- Each attachment is associated with exactly one transit gateway route
  table; the table associated with the attachment a packet arrives on is the
  one used to forward it.  An attachment may propagate its routes into one or
  more route tables (a VPC propagates its CIDR blocks, a VPN or Direct Connect
  gateway the prefixes learned over BGP)
  (https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html).
- Static routes can be added; a blackhole route drops matching traffic;
  peering attachments support static routes only (same page).
- Route evaluation: the most specific route first; for the same destination
  a static route beats a propagated one, and among propagated routes VPC
  beats Direct Connect gateway beats Connect beats Site-to-Site VPN
  (https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html#tgw-route-evaluation-overview).
- A VPC attached to a transit gateway still needs a route in its subnet
  route table that sends the traffic to the transit gateway; the transit
  gateway does not write routes into VPC route tables
  (https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html).
- A transit gateway is transitive: any attachment can reach any other the
  route tables allow, so n VPCs need n attachments instead of n(n-1)/2
  peerings (https://docs.aws.amazon.com/whitepapers/latest/building-scalable-secure-multi-vpc-network-infrastructure/transit-gateway.html).

>>> table = RouteTable("rt-1", (TgwRoute(net("10.0.0.0/8"), "att-a"), TgwRoute(net("10.2.0.0/16"), None)))
>>> lookup(table, addr("10.2.3.4")).blackhole
True
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

IPv4Network = ipaddress.IPv4Network
IPv4Address = ipaddress.IPv4Address

TGW = "tgw"
"""The target name VPC route tables use for the transit gateway in this model."""


class TransitError(ValueError):
    """A transit gateway configuration the model cannot evaluate."""


def net(text: str) -> IPv4Network:
    """An IPv4 block from text.

    >>> net("10.1.0.0/16").prefixlen
    16
    """
    try:
        return IPv4Network(text)
    except ValueError as exc:
        raise TransitError(f"{text!r} is not an IPv4 CIDR block: {exc}") from None


def addr(text: str) -> IPv4Address:
    """An IPv4 address from text."""
    try:
        return IPv4Address(text)
    except ValueError as exc:
        raise TransitError(f"{text!r} is not an IPv4 address: {exc}") from None


class AttachmentKind(StrEnum):
    """What is attached to the transit gateway."""

    VPC = "VPC"
    VPN = "Site-to-Site VPN"
    DX_GATEWAY = "Direct Connect gateway"
    CONNECT = "Connect"
    PEERING = "transit gateway peering"


class Origin(IntEnum):
    """How a route got into a transit gateway route table, best first.

    The value is the tie-break rank for routes with the same destination.
    """

    STATIC = 1
    VPC_PROPAGATED = 2
    DX_PROPAGATED = 3
    CONNECT_PROPAGATED = 4
    VPN_PROPAGATED = 5

    @property
    def label(self) -> str:
        """How the origin is written in a route table listing.

        >>> Origin.DX_PROPAGATED.label
        'propagated from a Direct Connect gateway'
        """
        return _ORIGIN_LABELS[self]


_ORIGIN_LABELS = {
    Origin.STATIC: "static",
    Origin.VPC_PROPAGATED: "propagated from a VPC",
    Origin.DX_PROPAGATED: "propagated from a Direct Connect gateway",
    Origin.CONNECT_PROPAGATED: "propagated from a Connect attachment",
    Origin.VPN_PROPAGATED: "propagated from a Site-to-Site VPN",
}

PROPAGATED_ORIGIN = {
    AttachmentKind.VPC: Origin.VPC_PROPAGATED,
    AttachmentKind.DX_GATEWAY: Origin.DX_PROPAGATED,
    AttachmentKind.CONNECT: Origin.CONNECT_PROPAGATED,
    AttachmentKind.VPN: Origin.VPN_PROPAGATED,
}
"""The origin of a route an attachment propagates (peering attachments cannot propagate)."""


@dataclass(frozen=True)
class TgwRoute:
    """A transit gateway route: destination, attachment id (None = blackhole), origin."""

    destination: IPv4Network
    attachment: str | None
    origin: Origin = Origin.STATIC

    @property
    def blackhole(self) -> bool:
        """True for a route that drops matching traffic."""
        return self.attachment is None


@dataclass(frozen=True)
class RouteTable:
    """A transit gateway route table: a name and its routes (static and propagated)."""

    name: str
    routes: tuple[TgwRoute, ...]


def preference_key(route: TgwRoute) -> tuple[int, int]:
    """Sort key, best route first: longer prefix, then better origin.

    >>> sorted([TgwRoute(net("10.0.0.0/16"), "a", Origin.VPN_PROPAGATED), TgwRoute(net("10.0.0.0/16"), "b")], key=preference_key)[0].attachment
    'b'
    """
    return (-route.destination.prefixlen, int(route.origin))


@dataclass(frozen=True)
class Decision:
    """The outcome of a lookup: the winning route (if any) and every match."""

    address: IPv4Address
    route: TgwRoute | None
    matches: tuple[TgwRoute, ...]
    """Every route containing the address, best first."""

    @property
    def blackhole(self) -> bool:
        """True when the winning route is a blackhole."""
        return self.route is not None and self.route.blackhole

    @property
    def forwarded_to(self) -> str | None:
        """The attachment the packet leaves on, or None if dropped."""
        return None if self.route is None else self.route.attachment


def lookup(
    table: RouteTable,
    address: IPv4Address,
    *,
    first_listed: bool = False,
    propagated_first: bool = False,
    ignore_blackholes: bool = False,
) -> Decision:
    """Pick the route `table` uses for `address`.

    The flags model misconceptions: `first_listed` (take the first matching
    route in listed order), `propagated_first` (prefer propagated over static
    for the same destination), `ignore_blackholes` (skip blackhole routes).

    >>> t = RouteTable("rt", (TgwRoute(net("10.0.0.0/8"), "att-1"), TgwRoute(net("10.1.0.0/16"), "att-2", Origin.VPC_PROPAGATED)))
    >>> lookup(t, addr("10.1.2.3")).forwarded_to
    'att-2'
    >>> lookup(t, addr("10.1.2.3"), first_listed=True).forwarded_to
    'att-1'
    >>> lookup(t, addr("192.0.2.1")).route is None
    True
    """
    candidates = [r for r in table.routes if address in r.destination]
    if ignore_blackholes:
        candidates = [r for r in candidates if not r.blackhole]

    def key(route: TgwRoute) -> tuple[int, int]:
        rank = int(route.origin)
        if propagated_first and route.origin is Origin.STATIC:
            rank = len(Origin) + 1
        return (-route.destination.prefixlen, rank)

    ranked = tuple(sorted(candidates, key=key))
    if first_listed:
        winner = candidates[0] if candidates else None
    else:
        winner = ranked[0] if ranked else None
    return Decision(address, winner, ranked)


@dataclass(frozen=True)
class VpcAttachment:
    """A VPC attached to the transit gateway, with the VPC's own route table.

    `vpc_routes` lists the VPC subnet routes (destination -> target); a target
    of ``"tgw"`` sends traffic to the transit gateway.  The local route is
    implicit.
    """

    attachment_id: str
    vpc: str
    cidrs: tuple[IPv4Network, ...]
    vpc_routes: tuple[tuple[IPv4Network, str], ...] = ()

    def owns(self, address: IPv4Address) -> bool:
        """True when the VPC's blocks hold `address`."""
        return any(address in c for c in self.cidrs)

    def vpc_route(self, address: IPv4Address) -> tuple[IPv4Network, str] | None:
        """The VPC route used for `address`: local first, then longest prefix.

        >>> a = VpcAttachment("att-1", "a", (net("10.1.0.0/16"),), ((net("10.0.0.0/8"), "tgw"),))
        >>> a.vpc_route(addr("10.2.0.1"))
        (IPv4Network('10.0.0.0/8'), 'tgw')
        """
        for block in self.cidrs:
            if address in block:
                return (block, "local")
        best: tuple[IPv4Network, str] | None = None
        for dest, target in self.vpc_routes:
            if address in dest and (best is None or dest.prefixlen > best[0].prefixlen):
                best = (dest, target)
        return best


@dataclass(frozen=True)
class TransitGateway:
    """A transit gateway: VPC attachments, route tables, and associations.

    `associations` maps attachment id -> route table name (one table per
    attachment); `propagations` lists (attachment id, route table name)
    pairs; static routes live in the tables.
    """

    attachments: tuple[VpcAttachment, ...]
    tables: tuple[RouteTable, ...]
    associations: tuple[tuple[str, str], ...]
    propagations: tuple[tuple[str, str], ...] = ()
    resolved: Mapping[str, RouteTable] = field(init=False, repr=False, compare=False)
    """Each route table with its propagated routes filled in, by name."""

    def __post_init__(self) -> None:
        ids = [a for a, _ in self.associations]
        if len(ids) != len(set(ids)):
            raise TransitError("an attachment can be associated with only one route table")
        resolved = {}
        for base in self.tables:
            propagated = tuple(
                TgwRoute(block, att.attachment_id, Origin.VPC_PROPAGATED)
                for att in self.attachments
                if (att.attachment_id, base.name) in self.propagations
                for block in att.cidrs
            )
            resolved[base.name] = RouteTable(base.name, base.routes + propagated)
        object.__setattr__(self, "resolved", resolved)

    def attachment(self, attachment_id: str) -> VpcAttachment:
        """The attachment with this id."""
        for a in self.attachments:
            if a.attachment_id == attachment_id:
                return a
        raise TransitError(f"no attachment {attachment_id!r}")

    def associated_table(self, attachment_id: str) -> RouteTable | None:
        """The route table associated with the attachment, or None."""
        name = dict(self.associations).get(attachment_id)
        return None if name is None else self.table(name)

    def table(self, name: str) -> RouteTable:
        """The route table called `name`, with propagated routes filled in.

        >>> a = VpcAttachment("att-a", "a", (net("10.1.0.0/16"),))
        >>> tgw = TransitGateway((a,), (RouteTable("rt", ()),), (("att-a", "rt"),), (("att-a", "rt"),))
        >>> [str(r.destination) for r in tgw.table("rt").routes]
        ['10.1.0.0/16']
        """
        try:
            return self.resolved[name]
        except KeyError:
            raise TransitError(f"no route table {name!r}") from None

    def owner_of(self, address: IPv4Address) -> VpcAttachment | None:
        """The attached VPC that owns `address`."""
        return next((a for a in self.attachments if a.owns(address)), None)


class Stop(StrEnum):
    """Where a one-way trip through the transit gateway stops."""

    DELIVERED = "delivered"
    NO_VPC_ROUTE = "the VPC route table has no route to the transit gateway"
    NOT_ASSOCIATED = "the attachment is associated with no transit gateway route table"
    NO_TGW_ROUTE = "the transit gateway route table has no matching route"
    BLACKHOLE = "the matching transit gateway route is a blackhole"
    WRONG_ATTACHMENT = "the transit gateway sends the packet to an attachment that does not own the address"


@dataclass(frozen=True)
class Leg:
    """One direction through the transit gateway and what happened."""

    source: VpcAttachment
    destination: IPv4Address
    stop: Stop
    vpc_route: tuple[IPv4Network, str] | None
    table: RouteTable | None
    decision: Decision | None

    @property
    def delivered(self) -> bool:
        """True when the packet reached the VPC that owns the destination."""
        return self.stop is Stop.DELIVERED


def send(
    tgw: TransitGateway,
    source_attachment: str,
    destination: IPv4Address,
    *,
    skip_vpc_route: bool = False,
    use_destination_table: bool = False,
    ignore_blackholes: bool = False,
) -> Leg:
    """Follow a packet from an attached VPC to `destination` through the gateway.

    Misconception flags: `skip_vpc_route` ("assume the transit gateway puts
    routes into the VPC route tables"), `use_destination_table` ("look up
    the route table the destination attachment is associated with"),
    `ignore_blackholes` ("think a blackhole route is ignored").

    >>> a = VpcAttachment("att-a", "a", (net("10.1.0.0/16"),), ((net("10.0.0.0/8"), "tgw"),))
    >>> b = VpcAttachment("att-b", "b", (net("10.2.0.0/16"),), ((net("10.0.0.0/8"), "tgw"),))
    >>> tgw = TransitGateway((a, b), (RouteTable("rt", ()),), (("att-a", "rt"), ("att-b", "rt")), (("att-a", "rt"), ("att-b", "rt")))
    >>> send(tgw, "att-a", addr("10.2.0.9")).stop
    <Stop.DELIVERED: 'delivered'>
    """
    source = tgw.attachment(source_attachment)
    route = source.vpc_route(destination)
    if not skip_vpc_route and (route is None or route[1] != TGW):
        return Leg(source, destination, Stop.NO_VPC_ROUTE, route, None, None)
    if use_destination_table:
        owner = tgw.owner_of(destination)
        table = tgw.associated_table(owner.attachment_id) if owner else None
    else:
        table = tgw.associated_table(source_attachment)
    if table is None:
        return Leg(source, destination, Stop.NOT_ASSOCIATED, route, None, None)
    decision = lookup(table, destination, ignore_blackholes=ignore_blackholes)
    if decision.route is None:
        return Leg(source, destination, Stop.NO_TGW_ROUTE, route, table, decision)
    if decision.blackhole:
        return Leg(source, destination, Stop.BLACKHOLE, route, table, decision)
    target = tgw.attachment(decision.route.attachment or "")
    if not target.owns(destination):
        return Leg(source, destination, Stop.WRONG_ATTACHMENT, route, table, decision)
    return Leg(source, destination, Stop.DELIVERED, route, table, decision)


@dataclass(frozen=True)
class RoundTrip:
    """A request and, if it arrived, its reply."""

    request: Leg
    reply: Leg | None

    @property
    def reachable(self) -> bool:
        """True when both legs are delivered (or the reply was not checked)."""
        return self.request.delivered and (self.reply is None or self.reply.delivered)

    @property
    def failing(self) -> Leg | None:
        """The first leg that failed, or None."""
        if not self.request.delivered:
            return self.request
        if self.reply is not None and not self.reply.delivered:
            return self.reply
        return None


def round_trip(
    tgw: TransitGateway,
    source: IPv4Address,
    destination: IPv4Address,
    *,
    check_reply: bool = True,
    skip_vpc_route: bool = False,
    use_destination_table: bool = False,
    ignore_blackholes: bool = False,
) -> RoundTrip:
    """Request from `source` to `destination` and the reply, through the gateway.

    `check_reply=False` is the misconception "forget the return path".

    >>> a = VpcAttachment("att-a", "a", (net("10.1.0.0/16"),), ((net("10.2.0.0/16"), "tgw"),))
    >>> b = VpcAttachment("att-b", "b", (net("10.2.0.0/16"),))
    >>> tgw = TransitGateway((a, b), (RouteTable("rt", ()),), (("att-a", "rt"), ("att-b", "rt")), (("att-a", "rt"), ("att-b", "rt")))
    >>> round_trip(tgw, addr("10.1.0.5"), addr("10.2.0.5")).failing.stop
    <Stop.NO_VPC_ROUTE: 'the VPC route table has no route to the transit gateway'>
    """
    src = tgw.owner_of(source)
    dst = tgw.owner_of(destination)
    if src is None or dst is None:
        raise TransitError("both addresses must belong to attached VPCs")
    request = send(
        tgw,
        src.attachment_id,
        destination,
        skip_vpc_route=skip_vpc_route,
        use_destination_table=use_destination_table,
        ignore_blackholes=ignore_blackholes,
    )
    if not request.delivered or not check_reply:
        return RoundTrip(request, None)
    reply = send(
        tgw,
        dst.attachment_id,
        source,
        skip_vpc_route=skip_vpc_route,
        use_destination_table=use_destination_table,
        ignore_blackholes=ignore_blackholes,
    )
    return RoundTrip(request, reply)


def attachments_for_hub(vpcs: int) -> int:
    """Attachments a transit gateway needs to join `vpcs` VPCs: one each.

    >>> attachments_for_hub(12)
    12
    """
    if vpcs < 0:
        raise TransitError("the number of VPCs cannot be negative")
    return vpcs
