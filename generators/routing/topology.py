"""A small VPC topology: subnets, route tables, filters, gateways, instances.

Plain immutable values that the reachability walk reads; no behaviour beyond
lookups and the checks that keep a topology coherent.

Facts encoded here (checked against AWS documentation):

- A subnet lives in exactly one Availability Zone
  (https://docs.aws.amazon.com/vpc/latest/userguide/configure-subnets.html).
- A VPC has at most one internet gateway attached at a time
  (https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html).
- A NAT gateway is created in one subnet, so in one Availability Zone; a
  public NAT gateway has an Elastic IP address, a private NAT gateway has none
  and cannot reach the internet
  (https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-basics.html,
  https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html).
- Each subnet is associated with exactly one network ACL
  (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html).

>>> vpc = example_vpc()
>>> vpc.subnet("subnet-app").az
'az-a'
>>> vpc.owner_of(IPv4Address("10.0.2.10")).id
'i-app'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from generators.routing.model import (
    IPAddress,
    IPNetwork,
    Route,
    RouteTable,
    associated_table,
    mark_blackholes,
)
from generators.security.model import (
    ALL_IPV4,
    NetworkAcl,
    Protocol,
    SecurityGroup,
    SgRule,
    default_nacl,
    new_security_group,
)

__all__ = [
    "Instance",
    "NatGateway",
    "Subnet",
    "TopologyError",
    "Vpc",
    "example_vpc",
]


class TopologyError(ValueError):
    """A topology that does not hang together (an unknown id, an address in
    no subnet...), or a flow the model cannot follow."""


@dataclass(frozen=True)
class Subnet:
    """A subnet: its block, Availability Zone and network ACL."""

    id: str
    cidr: IPv4Network
    az: str
    nacl_id: str
    ipv6_cidr: IPv6Network | None = None


@dataclass(frozen=True)
class Instance:
    """An EC2 instance (one network interface).

    `public_ip` is an auto-assigned public IPv4 or Elastic IP address;
    `listening` holds the (protocol, port) pairs an application listens on;
    `client` names the ephemeral port range it uses as a client (see
    `generators.security.model.ephemeral_ports`); `source_dest_check` must be
    off for a NAT instance.
    """

    id: str
    subnet_id: str
    private_ip: IPv4Address
    groups: tuple[str, ...]
    public_ip: IPv4Address | None = None
    ipv6: IPv6Address | None = None
    listening: tuple[tuple[Protocol, int], ...] = ()
    client: str = "linux"
    source_dest_check: bool = True
    name: str = ""

    def listens(self, protocol: Protocol, port: int | None) -> bool:
        """True when an application accepts `protocol` on `port` (ICMP echo
        is answered by the operating system)."""
        if protocol is Protocol.ICMP:
            return True
        return (protocol, port) in self.listening if port is not None else False

    def address(self, ipv6: bool) -> IPAddress | None:
        """Its private IPv4 address, or its IPv6 address."""
        return self.ipv6 if ipv6 else self.private_ip


@dataclass(frozen=True)
class NatGateway:
    """A NAT gateway in one subnet; `elastic_ip` None means a private NAT gateway."""

    id: str
    subnet_id: str
    private_ip: IPv4Address
    elastic_ip: IPv4Address | None


@dataclass(frozen=True)
class Vpc:
    """One VPC and everything in it that the walk needs.

    `associations` maps subnet ids to route-table ids (explicit associations
    only; other subnets use the main route table). `internet_gateway` is the
    id of the attached internet gateway, None when none is attached.
    `prefix_lists` gives the CIDR blocks of each prefix list routes use.
    `failed_azs` lists Availability Zones that are down.
    """

    id: str
    cidr: IPv4Network
    subnets: tuple[Subnet, ...]
    route_tables: tuple[RouteTable, ...]
    nacls: tuple[NetworkAcl, ...]
    security_groups: tuple[SecurityGroup, ...]
    instances: tuple[Instance, ...]
    associations: Mapping[str, str] = field(default_factory=dict)
    nat_gateways: tuple[NatGateway, ...] = ()
    internet_gateway: str | None = None
    egress_only_gateways: tuple[str, ...] = ()
    gateway_endpoints: tuple[str, ...] = ()
    prefix_lists: Mapping[str, tuple[IPNetwork, ...]] = field(default_factory=dict)
    ipv6_cidr: IPv6Network | None = None
    failed_azs: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        vpc_len = self.cidr.prefixlen
        vpc_top = int(self.cidr.network_address) >> (32 - vpc_len)
        for subnet in self.subnets:
            inside = subnet.cidr.prefixlen >= vpc_len and int(subnet.cidr.network_address) >> (32 - vpc_len) == vpc_top
            if not inside:
                raise TopologyError(f"{subnet.id} ({subnet.cidr}) is not inside the VPC block {self.cidr}")
            self.nacl(subnet.nacl_id)
        for inst in self.instances:
            subnet = self.subnet(inst.subnet_id)
            if inst.private_ip not in subnet.cidr:
                raise TopologyError(f"{inst.id} has {inst.private_ip}, outside its subnet {subnet.cidr}")
            for gid in inst.groups:
                self.security_group(gid)
        for nat in self.nat_gateways:
            if nat.private_ip not in self.subnet(nat.subnet_id).cidr:
                raise TopologyError(f"{nat.id} has {nat.private_ip}, outside its subnet")

    @cached_property
    def _index(self) -> dict[str, dict[str, Any]]:
        """Lookup tables by id (built once; the topology is immutable)."""
        return {
            "subnet": {s.id: s for s in self.subnets},
            "nacl": {a.id: a for a in self.nacls},
            "group": {g.id: g for g in self.security_groups},
            "instance": {i.id: i for i in self.instances},
            "nat": {n.id: n for n in self.nat_gateways},
            "table": {},
        }

    def _lookup(self, kind: str, key: str, what: str) -> Any:
        try:
            return self._index[kind][key]
        except KeyError:
            raise TopologyError(f"no {what} {key} in {self.id}") from None

    def subnet(self, subnet_id: str) -> Subnet:
        """The subnet with this id."""
        found: Subnet = self._lookup("subnet", subnet_id, "subnet")
        return found

    def nacl(self, acl_id: str) -> NetworkAcl:
        """The network ACL with this id."""
        found: NetworkAcl = self._lookup("nacl", acl_id, "network ACL")
        return found

    def security_group(self, group_id: str) -> SecurityGroup:
        """The security group with this id."""
        found: SecurityGroup = self._lookup("group", group_id, "security group")
        return found

    def groups_of(self, inst: Instance) -> tuple[SecurityGroup, ...]:
        """The security groups attached to an instance."""
        return tuple(self.security_group(g) for g in inst.groups)

    def instance(self, instance_id: str) -> Instance:
        """The instance with this id."""
        found: Instance = self._lookup("instance", instance_id, "instance")
        return found

    def nat_gateway(self, nat_id: str) -> NatGateway | None:
        """The NAT gateway with this id, or None when it does not exist."""
        found: NatGateway | None = self._index["nat"].get(nat_id)
        return found

    def route_table_of(self, subnet_id: str) -> RouteTable:
        """The route table a subnet uses (explicit association, else main)."""
        cache = self._index["table"]
        if subnet_id not in cache:
            cache[subnet_id] = associated_table(subnet_id, self.route_tables, self.associations).table
        table: RouteTable = cache[subnet_id]
        return table

    @cached_property
    def effective_tables(self) -> dict[str, RouteTable]:
        """The route tables as the router sees them: routes whose target no
        longer exists (an unattached internet gateway, a deleted NAT gateway
        or instance, a removed endpoint) are in the blackhole state."""
        live = self.live_targets()
        gone = {r.target for t in self.route_tables for r in t.routes} - live - {"local"}
        gone = {g for g in gone if g.split("-")[0] in {"igw", "nat", "eigw", "vpce", "i"}}
        return {t.id: mark_blackholes(t, gone) if gone else t for t in self.route_tables}

    def owner_of(self, address: IPAddress) -> Instance | None:
        """The instance whose private IPv4 or IPv6 address this is."""
        for i in self.instances:
            if address in (i.private_ip, i.ipv6):
                return i
        return None

    def owner_of_public(self, address: IPAddress) -> Instance | None:
        """The instance reachable at this public IPv4 or IPv6 address."""
        for i in self.instances:
            if address == i.public_ip or (i.ipv6 is not None and address == i.ipv6):
                return i
        return None

    def inside(self, address: IPAddress) -> bool:
        """True when the address belongs to the VPC's own blocks."""
        if isinstance(address, IPv4Address):
            return address in self.cidr
        return self.ipv6_cidr is not None and address in self.ipv6_cidr

    def live_targets(self) -> frozenset[str]:
        """Route targets that exist: the attached internet gateway, NAT
        gateways, egress-only gateways, gateway endpoints and instances."""
        live = {n.id for n in self.nat_gateways} | set(self.egress_only_gateways) | set(self.gateway_endpoints)
        live |= {i.id for i in self.instances}
        if self.internet_gateway:
            live.add(self.internet_gateway)
        return frozenset(live)


def example_vpc() -> Vpc:
    """A two-tier VPC used in examples: a public web subnet with a NAT
    gateway, a private app subnet routing to it, default network ACLs.

    >>> example_vpc().route_table_of("subnet-app").id
    'rtb-private'
    """
    web_sg = SecurityGroup("sg-web", "web", (SgRule(Protocol.TCP, 443, 443, ALL_IPV4),), (SgRule(Protocol.ALL, None, None, ALL_IPV4),))
    app_sg = SecurityGroup("sg-app", "app", (SgRule(Protocol.TCP, 8080, 8080, "sg-web"),), (SgRule(Protocol.ALL, None, None, ALL_IPV4),))
    local = Route(IPv4Network("10.0.0.0/16"), "local")
    return Vpc(
        id="vpc-1",
        cidr=IPv4Network("10.0.0.0/16"),
        subnets=(
            Subnet("subnet-web", IPv4Network("10.0.1.0/24"), "az-a", "acl-default"),
            Subnet("subnet-app", IPv4Network("10.0.2.0/24"), "az-a", "acl-default"),
        ),
        route_tables=(
            RouteTable("rtb-main", (local,), main=True),
            RouteTable("rtb-public", (local, Route(IPv4Network("0.0.0.0/0"), "igw-1"))),
            RouteTable("rtb-private", (local, Route(IPv4Network("0.0.0.0/0"), "nat-1"))),
        ),
        associations={"subnet-web": "rtb-public", "subnet-app": "rtb-private"},
        nacls=(default_nacl("acl-default"),),
        security_groups=(web_sg, app_sg, new_security_group("sg-new", "new")),
        instances=(
            Instance("i-web", "subnet-web", IPv4Address("10.0.1.10"), ("sg-web",), IPv4Address("203.0.113.10"),
                     listening=((Protocol.TCP, 443),)),
            Instance("i-app", "subnet-app", IPv4Address("10.0.2.10"), ("sg-app",), listening=((Protocol.TCP, 8080),)),
        ),
        nat_gateways=(NatGateway("nat-1", "subnet-web", IPv4Address("10.0.1.5"), IPv4Address("198.51.100.5")),),
        internet_gateway="igw-1",
    )
