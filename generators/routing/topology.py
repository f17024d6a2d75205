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

from quizapp.values import quick_init
from generators.routing.model import (
    IPAddress,
    IPNetwork,
    Route,
    RouteTable,
    TargetKind,
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


@quick_init
@dataclass(frozen=True)
class Subnet:
    """A subnet: its block, Availability Zone and network ACL."""

    id: str
    cidr: IPv4Network
    az: str
    nacl_id: str
    ipv6_cidr: IPv6Network | None = None


@quick_init
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


@quick_init
@dataclass(frozen=True)
class NatGateway:
    """A NAT gateway in one subnet; `elastic_ip` None means a private NAT gateway."""

    id: str
    subnet_id: str
    private_ip: IPv4Address
    elastic_ip: IPv4Address | None


@quick_init
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
    _index: dict[str, Any] = field(init=False, repr=False, compare=False)
    """Lookup tables by id, and lookups remembered (the topology is immutable)."""
    scratch: dict[Any, Any] = field(init=False, repr=False, compare=False)
    """Results the walk derives from this topology (packets, hops, route
    decisions), kept because the topology is immutable and a question walks
    it several times."""

    def __post_init__(self) -> None:
        # Runs for every scenario a question draws: one pass over each kind
        # of part checks it and indexes it (the subnets' spans, on integers,
        # for the instances and NAT gateways). Plain loops: for a handful of
        # parts they cost less than comprehensions.
        nacls: dict[str, NetworkAcl] = {}
        for acl in self.nacls:
            nacls[acl.id] = acl
        groups: dict[str, SecurityGroup] = {}
        for group in self.security_groups:
            groups[group.id] = group
        subnets: dict[str, Subnet] = {}
        spans: dict[str, tuple[int, int]] = {}
        cidr = self.cidr
        vpc_len = cidr.prefixlen
        vpc_top = int(cidr.network_address) >> (32 - vpc_len)
        for subnet in self.subnets:
            block = subnet.cidr
            base, length = int(block.network_address), block.prefixlen
            if length < vpc_len or base >> (32 - vpc_len) != vpc_top:
                raise TopologyError(f"{subnet.id} ({block}) is not inside the VPC block {cidr}")
            if subnet.nacl_id not in nacls:
                raise TopologyError(f"no network ACL {subnet.nacl_id} in {self.id}")
            subnets[subnet.id] = subnet
            spans[subnet.id] = (base, 32 - length)
        derived = self.__dict__  # derived fields of a frozen value, set once
        instances: dict[str, Instance] = {}
        nats: dict[str, NatGateway] = {}
        groups_of: dict[tuple[str, ...], tuple[SecurityGroup, ...]] = {}
        derived["_index"] = {
            "subnet": subnets, "nacl": nacls, "group": groups, "instance": instances, "nat": nats,
            "table": {}, "effective": {}, "groups_of": groups_of,
        }
        derived["scratch"] = {}
        for inst in self.instances:
            base, host_bits = spans.get(inst.subnet_id) or self._span(inst.subnet_id)
            if int(inst.private_ip) >> host_bits != base >> host_bits:
                raise TopologyError(f"{inst.id} has {inst.private_ip}, outside its subnet {self.subnet(inst.subnet_id).cidr}")
            attached: list[SecurityGroup] = []
            for gid in inst.groups:
                attached_group = groups.get(gid)
                if attached_group is None:
                    raise TopologyError(f"no security group {gid} in {self.id}")
                attached.append(attached_group)
            groups_of[inst.groups] = tuple(attached)
            instances[inst.id] = inst
        for nat in self.nat_gateways:
            base, host_bits = spans.get(nat.subnet_id) or self._span(nat.subnet_id)
            if int(nat.private_ip) >> host_bits != base >> host_bits:
                raise TopologyError(f"{nat.id} has {nat.private_ip}, outside its subnet")
            nats[nat.id] = nat

    def _span(self, subnet_id: str) -> tuple[int, int]:
        block = self.subnet(subnet_id).cidr  # raises TopologyError for an unknown subnet
        return int(block.network_address), 32 - block.prefixlen

    def subnet(self, subnet_id: str) -> Subnet:
        """The subnet with this id."""
        try:
            found: Subnet = self._index["subnet"][subnet_id]
        except KeyError:
            raise TopologyError(f"no subnet {subnet_id} in {self.id}") from None
        return found

    def nacl(self, acl_id: str) -> NetworkAcl:
        """The network ACL with this id."""
        try:
            found: NetworkAcl = self._index["nacl"][acl_id]
        except KeyError:
            raise TopologyError(f"no network ACL {acl_id} in {self.id}") from None
        return found

    def security_group(self, group_id: str) -> SecurityGroup:
        """The security group with this id."""
        try:
            found: SecurityGroup = self._index["group"][group_id]
        except KeyError:
            raise TopologyError(f"no security group {group_id} in {self.id}") from None
        return found

    def groups_of(self, inst: Instance) -> tuple[SecurityGroup, ...]:
        """The security groups attached to an instance."""
        cache = self._index["groups_of"]
        found: tuple[SecurityGroup, ...] | None = cache.get(inst.groups)
        if found is None:
            found = cache[inst.groups] = tuple([self.security_group(g) for g in inst.groups])
        return found

    def instance(self, instance_id: str) -> Instance:
        """The instance with this id."""
        try:
            found: Instance = self._index["instance"][instance_id]
        except KeyError:
            raise TopologyError(f"no instance {instance_id} in {self.id}") from None
        return found

    def nat_gateway(self, nat_id: str) -> NatGateway | None:
        """The NAT gateway with this id, or None when it does not exist."""
        found: NatGateway | None = self._index["nat"].get(nat_id)
        return found

    def route_table_of(self, subnet_id: str) -> RouteTable:
        """The route table a subnet uses (explicit association, else main)."""
        cache = self._index["table"]
        table: RouteTable | None = cache.get(subnet_id)
        if table is None:
            table = cache[subnet_id] = associated_table(subnet_id, self.route_tables, self.associations).table
        return table

    def effective_table_of(self, subnet_id: str) -> RouteTable:
        """The route table a subnet uses, as the router sees it (see
        `effective_tables`)."""
        cache = self._index["effective"]
        table: RouteTable | None = cache.get(subnet_id)
        if table is None:
            table = cache[subnet_id] = self._effective(self.route_table_of(subnet_id))
        return table

    @cached_property
    def effective_tables(self) -> dict[str, RouteTable]:
        """The route tables as the router sees them: routes whose target no
        longer exists (an unattached internet gateway, a deleted NAT gateway
        or instance, a removed endpoint) are in the blackhole state."""
        return {t.id: self._effective(t) for t in self.route_tables}

    def _effective(self, table: RouteTable) -> RouteTable:
        # The targets not in `live_targets`, read off the indexes without
        # building the set (a question looks up one or two tables).
        index = self._index
        instances, nats, igw = index["instance"], index["nat"], self.internet_gateway
        gone: list[str] = []
        for route in table.routes:
            target = route.target
            if (target == "local" or target in instances or target in nats or target == igw
                    or target in self.gateway_endpoints or target in self.egress_only_gateways):
                continue
            if route.kind in _REMOVABLE:
                gone.append(target)
        return mark_blackholes(table, gone) if gone else table

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


_REMOVABLE = frozenset({TargetKind.INTERNET_GATEWAY, TargetKind.NAT_GATEWAY, TargetKind.EGRESS_ONLY_INTERNET_GATEWAY,
                        TargetKind.VPC_ENDPOINT, TargetKind.INSTANCE})
"""Targets that can disappear and leave a blackhole route behind (a peering
connection, transit gateway or virtual private gateway is not modelled as
deletable here)."""


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
