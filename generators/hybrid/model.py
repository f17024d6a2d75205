"""Hybrid connectivity: Site-to-Site VPN, VPN CloudHub and Direct Connect as pure rules.

Facts encoded here (checked against AWS documentation):

- A Site-to-Site VPN connection ends on a virtual private gateway (attached
  to one VPC at a time) or on a transit gateway, and always has two tunnels,
  each with its own AWS public endpoint
  (https://docs.aws.amazon.com/vpn/latest/s2svpn/how_it_works.html,
  https://docs.aws.amazon.com/vpn/latest/s2svpn/VPNTunnels.html,
  https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-limits.html).
- Routing is static (you enter the on-premises prefixes) or dynamic (BGP);
  route propagation into a subnet route table is optional, without it you
  add static routes to the virtual private gateway
  (https://docs.aws.amazon.com/vpn/latest/s2svpn/VPNRoutingTypes.html,
  https://docs.aws.amazon.com/vpn/latest/s2svpn/SetUpVPNConnections.html).
- In a subnet route table the local route beats propagated routes even when
  they are more specific; otherwise the longest prefix wins, and for the same
  prefix a static route beats a propagated one
  (https://docs.aws.amazon.com/vpn/latest/s2svpn/VPNRoutingTypes.html#vpn-route-priority,
  https://docs.aws.amazon.com/vpc/latest/userguide/route-tables-priority.html).
- A virtual private gateway choosing among paths to on premises: longest
  prefix, then BGP routes from Direct Connect, then static VPN routes, then
  BGP VPN routes; between BGP VPN routes the shorter AS path, then the lower
  MED (same page).
- VPN CloudHub: several customer gateways on one virtual private gateway,
  each with dynamic (BGP) routing and its own BGP ASN, and sites whose ranges
  do not overlap, can reach each other through the hub
  (https://docs.aws.amazon.com/vpn/latest/s2svpn/VPN_CloudHub.html).
- Direct Connect: dedicated connections at 1, 10, 100 or 400 Gbps; hosted
  connections from a partner from 50 Mbps up to 25 Gbps
  (https://docs.aws.amazon.com/directconnect/latest/UserGuide/WorkingWithConnections.html,
  https://docs.aws.amazon.com/directconnect/latest/UserGuide/lags.html,
  https://docs.aws.amazon.com/directconnect/latest/APIReference/API_AllocateHostedConnection.html).
- Virtual interfaces: private (a VPC, through a virtual private gateway or a
  Direct Connect gateway), public (AWS public endpoints), transit (transit
  gateways through a Direct Connect gateway); a Direct Connect gateway is a
  global resource that reaches VPCs in many Regions
  (https://docs.aws.amazon.com/directconnect/latest/UserGuide/WorkingWithVirtualInterfaces.html,
  https://docs.aws.amazon.com/directconnect/latest/UserGuide/direct-connect-gateways-intro.html).
- Direct Connect does not encrypt traffic by default; MACsec (on supported
  dedicated connections) or an IPsec VPN over the connection adds encryption
  (https://docs.aws.amazon.com/directconnect/latest/UserGuide/MACsec.html,
  https://docs.aws.amazon.com/directconnect/latest/UserGuide/encryption-in-transit.html).
- Resiliency models of the Resiliency Toolkit: maximum (separate connections
  on separate devices in more than one location, 99.99% SLA), high (one
  connection at each of several locations, 99.9% SLA), development and test
  (separate devices in one location, no protection against a location
  failure) (https://docs.aws.amazon.com/directconnect/latest/UserGuide/resiliency_toolkit.html,
  https://docs.aws.amazon.com/directconnect/latest/UserGuide/maximum_resiliency.html,
  https://docs.aws.amazon.com/directconnect/latest/UserGuide/high_resiliency.html,
  https://docs.aws.amazon.com/directconnect/latest/UserGuide/dev-test-resiliency.html).
  Older study material says maximum means two connections per location; the
  point is separate devices in more than one location.

>>> tunnels_for(3)
6
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum

IPv4Network = ipaddress.IPv4Network
IPv4Address = ipaddress.IPv4Address

TUNNELS_PER_VPN_CONNECTION = 2
DEDICATED_SPEEDS_GBPS = (1, 10, 100, 400)
HOSTED_SPEEDS = ("50 Mbps", "100 Mbps", "200 Mbps", "300 Mbps", "400 Mbps", "500 Mbps", "1 Gbps", "2 Gbps", "5 Gbps", "10 Gbps", "25 Gbps")
LOCAL = "local"


class HybridError(ValueError):
    """A configuration outside what the model (or AWS) allows."""


def tunnels_for(vpn_connections: int) -> int:
    """Tunnels that `vpn_connections` Site-to-Site VPN connections bring up: two each.

    >>> tunnels_for(1)
    2
    """
    if vpn_connections < 0:
        raise HybridError("the number of VPN connections cannot be negative")
    return TUNNELS_PER_VPN_CONNECTION * vpn_connections


@dataclass(frozen=True)
class SubnetRoute:
    """A subnet route: destination, target id, and whether it was propagated."""

    destination: IPv4Network
    target: str
    propagated: bool = False


def select_subnet_route(
    vpc_cidrs: Sequence[IPv4Network],
    routes: Sequence[SubnetRoute],
    address: IPv4Address,
    *,
    propagated_first: bool = False,
    specific_beats_local: bool = False,
    least_specific: bool = False,
) -> SubnetRoute | None:
    """The route a subnet uses for `address`.

    Misconception flags: `propagated_first` ("prefer a propagated route over
    a static one for the same prefix"), `specific_beats_local` ("let a more
    specific propagated route beat the local route"), `least_specific`
    ("pick the broadest matching route").

    >>> vpc = [IPv4Network("10.0.0.0/16")]
    >>> rs = [SubnetRoute(IPv4Network("10.0.5.0/24"), "vgw-1", True), SubnetRoute(IPv4Network("0.0.0.0/0"), "igw-1")]
    >>> select_subnet_route(vpc, rs, IPv4Address("10.0.5.9")).target
    'local'
    >>> select_subnet_route(vpc, rs, IPv4Address("10.0.5.9"), specific_beats_local=True).target
    'vgw-1'
    """
    for route in routes:
        if not route.propagated and any(route.destination.subnet_of(c) for c in vpc_cidrs):
            raise HybridError(f"static route {route.destination} lies inside the VPC: middlebox routing is not modelled")
    local = [SubnetRoute(c, LOCAL) for c in vpc_cidrs if address in c]
    matches = [r for r in routes if address in r.destination]
    if local and not specific_beats_local:
        return local[0]
    matches += local

    def key(route: SubnetRoute) -> tuple[int, int]:
        length = route.destination.prefixlen
        static_rank = (1 if route.propagated else 0) if not propagated_first else (0 if route.propagated else 1)
        return (length if least_specific else -length, static_rank)

    return min(matches, key=key) if matches else None


class PathSource(IntEnum):
    """How a virtual private gateway learned a path to on premises, best first."""

    DX_BGP = 1
    VPN_STATIC = 2
    VPN_BGP = 3

    @property
    def label(self) -> str:
        """How the source reads in a listing."""
        return {1: "BGP over Direct Connect", 2: "static route on a VPN connection", 3: "BGP over a VPN connection"}[self.value]


@dataclass(frozen=True)
class GatewayPath:
    """A path a virtual private gateway knows toward an on-premises prefix."""

    prefix: IPv4Network
    via: str
    source: PathSource
    as_path_length: int = 0
    med: int = 0


def path_preference_key(path: GatewayPath) -> tuple[int, int, int, int]:
    """Sort key, best first: longest prefix, source, then AS path and MED for BGP over VPN.

    >>> a = GatewayPath(IPv4Network("10.9.0.0/16"), "vpn-1", PathSource.VPN_BGP, 3)
    >>> b = GatewayPath(IPv4Network("10.9.0.0/16"), "vpn-2", PathSource.VPN_BGP, 2)
    >>> sorted([a, b], key=path_preference_key)[0].via
    'vpn-2'
    """
    bgp_vpn = path.source is PathSource.VPN_BGP
    return (
        -path.prefix.prefixlen,
        int(path.source),
        path.as_path_length if bgp_vpn else 0,
        path.med if bgp_vpn else 0,
    )


def rank_paths(paths: Iterable[GatewayPath], address: IPv4Address) -> tuple[GatewayPath, ...]:
    """The paths that contain `address`, best first.

    >>> p = [GatewayPath(IPv4Network("10.9.0.0/16"), "vpn-1", PathSource.VPN_STATIC),
    ...      GatewayPath(IPv4Network("10.9.0.0/16"), "dxvif-1", PathSource.DX_BGP)]
    >>> rank_paths(p, IPv4Address("10.9.1.1"))[0].via
    'dxvif-1'
    """
    return tuple(sorted((p for p in paths if address in p.prefix), key=path_preference_key))


class Routing(StrEnum):
    """How a VPN connection learns routes."""

    STATIC = "static"
    DYNAMIC = "dynamic (BGP)"


@dataclass(frozen=True)
class Site:
    """A branch site with a customer gateway on the shared virtual private gateway."""

    name: str
    asn: int
    routing: Routing
    prefix: IPv4Network


class HubProblem(StrEnum):
    """Why a site cannot take part in VPN CloudHub."""

    STATIC_ROUTING = "uses static routing (CloudHub needs BGP)"
    SHARED_ASN = "shares its BGP ASN with another site"
    OVERLAP = "has an address range that overlaps another site's"


def cloudhub_problems(
    sites: Sequence[Site],
    *,
    allow_static: bool = False,
    allow_shared_asn: bool = False,
    allow_overlap: bool = False,
) -> dict[str, tuple[HubProblem, ...]]:
    """For each site, the CloudHub requirements it breaks (empty when it is ready).

    The flags model misconceptions: `allow_static` ("think static routing is
    enough for CloudHub"), `allow_shared_asn` ("think sites may share a BGP
    ASN"), `allow_overlap` ("think overlapping site ranges are fine").

    >>> s = [Site("a", 65001, Routing.DYNAMIC, IPv4Network("10.1.0.0/24")),
    ...      Site("b", 65001, Routing.DYNAMIC, IPv4Network("10.2.0.0/24")),
    ...      Site("c", 65003, Routing.STATIC, IPv4Network("10.3.0.0/24"))]
    >>> {k: [p.name for p in v] for k, v in cloudhub_problems(s).items()}
    {'a': ['SHARED_ASN'], 'b': ['SHARED_ASN'], 'c': ['STATIC_ROUTING']}
    """
    problems: dict[str, tuple[HubProblem, ...]] = {}
    for site in sites:
        found: list[HubProblem] = []
        if site.routing is Routing.STATIC and not allow_static:
            found.append(HubProblem.STATIC_ROUTING)
        others = [o for o in sites if o.name != site.name]
        if not allow_shared_asn and any(o.asn == site.asn for o in others):
            found.append(HubProblem.SHARED_ASN)
        if not allow_overlap and any(o.prefix.overlaps(site.prefix) for o in others):
            found.append(HubProblem.OVERLAP)
        problems[site.name] = tuple(found)
    return problems


def cloudhub_ready(sites: Sequence[Site], **misconceptions: bool) -> tuple[str, ...]:
    """Names of the sites that meet every CloudHub requirement.

    >>> cloudhub_ready([Site("a", 65001, Routing.DYNAMIC, IPv4Network("10.1.0.0/24"))])
    ('a',)
    """
    found = cloudhub_problems(sites, **misconceptions)
    return tuple(s.name for s in sites if not found[s.name])


@dataclass(frozen=True)
class DxConnection:
    """A Direct Connect connection: its name, location and the AWS device it ends on."""

    name: str
    location: str
    device: str


class Resiliency(StrEnum):
    """The Resiliency Toolkit models, plus no redundancy at all."""

    MAXIMUM = "Maximum resiliency"
    HIGH = "High resiliency"
    DEV_TEST = "Development and test"
    NONE = "No redundancy"

    @property
    def sla(self) -> str | None:
        """The SLA the model is designed for (None when the toolkit gives none).

        >>> Resiliency.HIGH.sla
        '99.9%'
        """
        return {"MAXIMUM": "99.99%", "HIGH": "99.9%"}.get(self.name)


def classify_resiliency(
    connections: Sequence[DxConnection],
    *,
    ignore_devices: bool = False,
    by_connection_count: bool = False,
    per_location_rule: bool = False,
    two_locations_is_maximum: bool = False,
) -> Resiliency:
    """The resiliency model a set of connections achieves.

    Maximum: at least two locations, each with connections on two or more
    separate devices.  High: two or more locations.  Development and test:
    one location, separate devices.  Otherwise no redundancy.

    Misconception flags: `ignore_devices` ("think two connections on the same
    device are redundant"), `by_connection_count` ("judge resiliency by the
    number of connections alone"), `per_location_rule` ("follow the old
    rule: maximum is two connections per location, high is one per location,
    whatever the number of locations"), `two_locations_is_maximum` ("think
    any layout spanning two locations is maximum resiliency").

    >>> two_by_two = [DxConnection(f"c{i}", loc, dev) for i, (loc, dev) in enumerate(
    ...     [("A", "d1"), ("A", "d2"), ("B", "d3"), ("B", "d4")])]
    >>> classify_resiliency(two_by_two)
    <Resiliency.MAXIMUM: 'Maximum resiliency'>
    >>> classify_resiliency(two_by_two[:2])
    <Resiliency.DEV_TEST: 'Development and test'>
    >>> classify_resiliency(two_by_two[:2], per_location_rule=True)
    <Resiliency.MAXIMUM: 'Maximum resiliency'>
    """
    if not connections:
        return Resiliency.NONE
    if by_connection_count:
        count = len(connections)
        return Resiliency.MAXIMUM if count >= 4 else Resiliency.HIGH if count >= 2 else Resiliency.NONE
    devices: dict[str, set[str]] = {}
    per_location: dict[str, int] = {}
    for c in connections:
        devices.setdefault(c.location, set()).add(c.name if ignore_devices else c.device)
        per_location[c.location] = per_location.get(c.location, 0) + 1
    if per_location_rule:
        return Resiliency.MAXIMUM if min(per_location.values()) >= 2 else Resiliency.HIGH
    redundant_locations = sum(1 for d in devices.values() if len(d) >= 2)
    if len(devices) >= 2 and (redundant_locations >= 2 or two_locations_is_maximum):
        return Resiliency.MAXIMUM
    if len(devices) >= 2:
        return Resiliency.HIGH
    if redundant_locations == 1:
        return Resiliency.DEV_TEST
    return Resiliency.NONE


class VifTarget(StrEnum):
    """What a virtual interface must reach."""

    VPC_VGW = "one VPC, through its virtual private gateway"
    VPCS_DX_GATEWAY = "VPCs in several Regions, through a Direct Connect gateway and their virtual private gateways"
    TRANSIT_GATEWAY = "transit gateways, through a Direct Connect gateway"
    PUBLIC_SERVICES = "AWS public endpoints such as S3 and DynamoDB public service addresses"


class VifType(StrEnum):
    """The three kinds of Direct Connect virtual interface."""

    PRIVATE = "private"
    PUBLIC = "public"
    TRANSIT = "transit"


def vif_for(target: VifTarget) -> VifType:
    """The virtual interface type that reaches `target`.

    >>> vif_for(VifTarget.TRANSIT_GATEWAY)
    <VifType.TRANSIT: 'transit'>
    """
    if target is VifTarget.TRANSIT_GATEWAY:
        return VifType.TRANSIT
    if target is VifTarget.PUBLIC_SERVICES:
        return VifType.PUBLIC
    return VifType.PRIVATE


class Protection(StrEnum):
    """Ways to protect traffic crossing a Direct Connect connection."""

    MACSEC = "MACsec on the dedicated connection"
    IPSEC_VPN = "an IPsec Site-to-Site VPN running over the connection"
    NONE = "nothing extra"


def encrypted_in_transit(protections: Iterable[Protection]) -> bool:
    """Is traffic over Direct Connect encrypted?  Only if MACsec or a VPN is added.

    >>> encrypted_in_transit([Protection.NONE])
    False
    """
    return any(p in (Protection.MACSEC, Protection.IPSEC_VPN) for p in protections)


def macsec_possible(dedicated: bool, device_supports_macsec: bool) -> bool:
    """MACsec needs a dedicated connection on a MACsec-capable port and device.

    >>> macsec_possible(True, False)
    False
    """
    return dedicated and device_supports_macsec
