"""Internet access: the checklist of what an instance needs, item by item.

Unlike the walk, which stops at the first component that drops a packet,
the checklist judges every requirement on its own, so that a question can
ask which ones are missing.

Facts encoded here (checked against AWS documentation):

- For instances of a subnet to reach or be reached from the internet: an
  internet gateway attached to the VPC; a route to it in the subnet's route
  table; a public IPv4 address, Elastic IP address or IPv6 address on the
  instance; security group and network ACL rules that allow the traffic to
  and from the instance
  (https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html).
- A subnet without an explicit association uses the main route table
  (https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html).
- A NAT gateway lives in one Availability Zone; if that zone goes down,
  resources in other zones that route through it lose internet access
  (https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-basics.html).
- Which target suits which need: an internet gateway for traffic both ways
  (IPv4 with a public address, or IPv6); a NAT gateway for IPv4 connections
  started inside only; an egress-only internet gateway for IPv6 connections
  started inside only; a gateway endpoint (a prefix-list route) to reach S3
  or DynamoDB without the internet
  (https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html,
  https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html,
  https://docs.aws.amazon.com/vpc/latest/userguide/egress-only-internet-gateway.html,
  https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html).
- Security groups are stateful; network ACLs are stateless, so the response
  needs a rule on the client's ephemeral ports
  (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html,
  https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html).

>>> from ipaddress import IPv4Address
>>> from generators.routing.topology import example_vpc
>>> checks = internet_checklist(example_vpc(), "i-web", IPv4Address("198.51.100.7"), Protocol.TCP, 443, inbound=True)
>>> all(c.met for c in checks)
True
>>> [c.requirement.name for c in internet_checklist(example_vpc(), "i-app", IPv4Address("198.51.100.7"), Protocol.TCP, 443, inbound=False) if not c.met]
['ROUTE', 'ADDRESS']
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from quizapp.values import quick_init
from generators.routing.model import IPAddress, TargetKind, longest_prefix_match
from generators.routing.reachability import nacl_over_ports
from generators.routing.topology import NatGateway, Vpc
from generators.security.model import (
    Direction,
    NaclDecision,
    Packet,
    Protocol,
    SecurityGroup,
    SgDecision,
    address_text,
    ephemeral_ports,
    evaluate_nacl,
    evaluate_security_groups,
    security_groups_allow,
)

__all__ = [
    "Check",
    "ChecklistMisconception",
    "InternetChecks",
    "Requirement",
    "internet_checklist",
    "loses_internet",
    "nat_for",
    "target_for_need",
]


class Requirement(StrEnum):
    """The things an instance needs for internet access."""

    GATEWAY = "an internet gateway attached to the VPC"
    ROUTE = "a route to the internet gateway in the subnet's route table"
    ADDRESS = "a public IPv4 or Elastic IP address on the instance"
    SECURITY_GROUP = "a security group rule that allows the traffic"
    NETWORK_ACL = "network ACL rules that allow the traffic in both directions"


_EVERY_REQUIREMENT = frozenset(Requirement)


class ChecklistMisconception(StrEnum):
    """Wrong beliefs that make a requirement look missing (or met)."""

    MAIN_TABLE_ONLY = "look for the internet route in the main route table instead of the subnet's own route table"
    STATELESS_SG = "treat the security group as stateless, so that responses need their own rule"
    RETURN_ON_SERVICE_PORT = "forget the ephemeral ports on the return path"
    STATEFUL_NACL = "treat the network ACL as stateful"


@quick_init
@dataclass(frozen=True)
class Check:
    """One requirement, whether it is met, and why."""

    requirement: Requirement
    met: bool
    why: str | Callable[[], str] = field(compare=False, repr=False)

    @property
    def detail(self) -> str:
        """One sentence saying why the requirement is met or not."""
        return self.why if isinstance(self.why, str) else self.why()


def _sg_over_ports(groups: tuple[SecurityGroup, ...], direction: Direction, packet: Packet, low: int, high: int) -> bool:
    """True when the groups allow `packet` for every destination port in low..high."""
    cuts = {low}
    for group in groups:
        for rule in group.rules(direction):
            for edge in (rule.port_from, None if rule.port_to is None else rule.port_to + 1):
                if edge is not None and low < edge <= high:
                    cuts.add(edge)
    for port in cuts:
        probe = packet if port == packet.destination_port else Packet(
            packet.protocol, packet.source, packet.destination, packet.source_port, port)
        if not security_groups_allow(groups, direction, probe):
            return False
    return True


def _packet(protocol: Protocol, source: IPAddress, destination: IPAddress, source_port: int | None, destination_port: int | None) -> Packet:
    """A packet with these fields (an ICMP packet has no ports)."""
    if protocol is Protocol.ICMP:
        return Packet(protocol, source, destination)
    return Packet(protocol, source, destination, source_port, destination_port)


_MAIN_TABLE_ONLY = ChecklistMisconception.MAIN_TABLE_ONLY
_STATELESS_SG = ChecklistMisconception.STATELESS_SG
_RETURN_ON_SERVICE_PORT = ChecklistMisconception.RETURN_ON_SERVICE_PORT
_STATEFUL_NACL = ChecklistMisconception.STATEFUL_NACL


class InternetChecks:
    """The internet checklist for one connection, judged one requirement at a time.

    What the requirements look at (the instance, its subnet, the request and
    response packets, the filters' decisions on the request) is found once
    and shared, so that a question can judge the whole checklist and then
    single requirements the way a learner with some misconception would,
    without starting over. The connection is the one `internet_checklist`
    describes.

    >>> from ipaddress import IPv4Address
    >>> from generators.routing.topology import example_vpc
    >>> checks = InternetChecks(example_vpc(), "i-web", IPv4Address("198.51.100.7"), Protocol.TCP, 443, inbound=True)
    >>> checks.check(Requirement.ROUTE).met, checks.check(Requirement.ROUTE, {ChecklistMisconception.MAIN_TABLE_ONLY}).met
    (True, False)
    """

    __slots__ = ("_direction", "_high", "_inst", "_low", "_nacl", "_port", "_protocol", "_remote", "_replies", "_request",
                 "_sg", "_vpc")

    def __init__(
        self, vpc: Vpc, instance_id: str, remote: IPAddress, protocol: Protocol, port: int | None, *,
        inbound: bool, client: str = "linux",
    ) -> None:
        inst = vpc.instance(instance_id)
        self._vpc, self._inst, self._remote, self._protocol, self._port = vpc, inst, remote, protocol, port
        if protocol.has_ports:
            self._low, self._high = ephemeral_ports(client if inbound else inst.client)
            sport: int | None = self._low
        else:
            self._low = self._high = 0
            sport = None
        if inbound:
            self._request = _packet(protocol, remote, inst.private_ip, sport, port)
            self._direction = Direction.INBOUND
        else:
            self._request = _packet(protocol, inst.private_ip, remote, sport, port)
            self._direction = Direction.OUTBOUND
        self._replies: dict[bool, tuple[Packet, int, int]] = {}
        self._sg: SgDecision | None = None
        self._nacl: NaclDecision | None = None

    def check(self, requirement: Requirement, misconceptions: Collection[ChecklistMisconception] = ()) -> Check:
        """Judge `requirement`, the way a learner holding `misconceptions` would."""
        if requirement is Requirement.GATEWAY:
            return self._gateway()
        if requirement is Requirement.ROUTE:
            return self._route(_MAIN_TABLE_ONLY in misconceptions)
        if requirement is Requirement.ADDRESS:
            return self._address()
        service_port = _RETURN_ON_SERVICE_PORT in misconceptions
        if requirement is Requirement.SECURITY_GROUP:
            return self._security_group(_STATELESS_SG in misconceptions, service_port)
        return self._network_acl(_STATEFUL_NACL in misconceptions, service_port)

    def _gateway(self) -> Check:
        vpc = self._vpc
        igw = vpc.internet_gateway
        return Check(
            Requirement.GATEWAY, igw is not None,
            lambda: f"{igw} is attached to {vpc.id}." if igw else f"No internet gateway is attached to {vpc.id}.",
        )

    def _route(self, main_table_only: bool) -> Check:
        vpc = self._vpc
        if main_table_only:
            table = next(t for t in vpc.route_tables if t.main)
        else:
            table = vpc.route_table_of(self._inst.subnet_id)
        decision = longest_prefix_match(table, self._remote, vpc.prefix_lists)
        to_igw = decision.route is not None and decision.route.kind is TargetKind.INTERNET_GATEWAY
        return Check(Requirement.ROUTE, to_igw, decision.explain)

    def _address(self) -> Check:
        inst = self._inst
        return Check(
            Requirement.ADDRESS, inst.public_ip is not None,
            lambda: f"{inst.id} has the public address {address_text(inst.public_ip)}." if inst.public_ip
            else f"{inst.id} has only the private address {address_text(inst.private_ip)}.",
        )

    def _reply(self, service_port: bool) -> tuple[Packet, int, int]:
        """The response packet and the range of its destination ports (the
        request's source port, or its service port for a learner who
        forgets the ephemeral ports)."""
        found = self._replies.get(service_port)
        if found is None:
            low, high, port = self._low, self._high, self._port
            sport = low if self._protocol.has_ports else None
            if service_port and port is not None:
                low = high = port
                sport = port
            request = self._request
            found = self._replies[service_port] = (
                _packet(self._protocol, request.destination, request.source, port, sport), low, high)
        return found

    def _security_group(self, stateless: bool, service_port: bool) -> Check:
        inst = self._inst
        groups = self._vpc.groups_of(inst)
        sg = self._sg
        if sg is None:
            sg = self._sg = evaluate_security_groups(groups, self._direction, self._request)
        if sg.allowed and stateless and self._protocol.has_ports:
            back = self._direction.opposite
            reply, low, high = self._reply(service_port)
            if not _sg_over_ports(groups, back, reply, low, high):
                return Check(Requirement.SECURITY_GROUP, False, f"No {back} rule of {', '.join(inst.groups)} allows the responses.")
        return Check(Requirement.SECURITY_GROUP, sg.allowed, sg.explain)

    def _network_acl(self, stateful: bool, service_port: bool) -> Check:
        acl = self._vpc.nacl(self._vpc.subnet(self._inst.subnet_id).nacl_id)
        there = self._nacl
        if there is None:
            there = self._nacl = evaluate_nacl(acl, self._direction, self._request)
        if not there.allowed or stateful:
            return Check(Requirement.NETWORK_ACL, there.allowed, there.explain)
        reply, low, high = self._reply(service_port)
        if self._protocol.has_ports:
            back, denied = nacl_over_ports(acl, self._direction.opposite, reply, low, high)
        else:
            back, denied = evaluate_nacl(acl, self._direction.opposite, reply), None
        return Check(Requirement.NETWORK_ACL, back.allowed and denied is None,
                     lambda: f"Requests: {there.explain()} Responses: {back.explain()}")


def internet_checklist(
    vpc: Vpc,
    instance_id: str,
    remote: IPAddress,
    protocol: Protocol,
    port: int | None,
    *,
    inbound: bool,
    client: str = "linux",
    misconceptions: Iterable[ChecklistMisconception] = (),
    only: Iterable[Requirement] | None = None,
) -> tuple[Check, ...]:
    """Judge each internet requirement for a connection between an instance
    and `remote` on the internet (IPv4). `inbound` means the remote host
    starts the connection (so `client` is its kind); otherwise the instance
    does. `misconceptions` judge the way a learner holding them would;
    `only` limits the judging to some requirements.
    """
    mis = frozenset(misconceptions)
    wanted = _EVERY_REQUIREMENT if only is None else frozenset(only)
    checks = InternetChecks(vpc, instance_id, remote, protocol, port, inbound=inbound, client=client)
    return tuple([checks.check(req, mis) for req in Requirement if req in wanted])


def nat_for(vpc: Vpc, subnet_id: str, remote: IPAddress) -> NatGateway | None:
    """The NAT gateway a subnet's traffic to `remote` goes through, if any.

    >>> from ipaddress import IPv4Address
    >>> from generators.routing.topology import example_vpc
    >>> nat_for(example_vpc(), "subnet-app", IPv4Address("8.8.8.8")).id
    'nat-1'
    """
    decision = longest_prefix_match(vpc.route_table_of(subnet_id), remote, vpc.prefix_lists)
    if decision.route is None or decision.route.kind is not TargetKind.NAT_GATEWAY:
        return None
    return vpc.nat_gateway(decision.route.target)


def loses_internet(vpc: Vpc, subnet_id: str, failed_az: str, remote: IPAddress) -> bool:
    """True when `subnet_id` reaches `remote` through a NAT gateway that
    lives in `failed_az` (a zonal NAT gateway does not fail over). Looks at
    routing only, not at security groups or network ACLs.

    >>> from ipaddress import IPv4Address
    >>> from generators.routing.topology import example_vpc
    >>> loses_internet(example_vpc(), "subnet-app", "az-a", IPv4Address("8.8.8.8"))
    True
    >>> loses_internet(example_vpc(), "subnet-app", "az-b", IPv4Address("8.8.8.8"))
    False
    """
    nat = nat_for(vpc, subnet_id, remote)
    return nat is not None and vpc.subnet(nat.subnet_id).az == failed_az


GATEWAY_SERVICES = frozenset({"s3", "dynamodb"})
"""The services that offer gateway endpoints."""


def target_for_need(*, ipv6: bool, inbound: bool, service: str | None = None) -> TargetKind:
    """The kind of route target for a need: reach `service` privately, or the
    internet with (`inbound`) or without connections started from outside.

    >>> target_for_need(ipv6=True, inbound=False).value
    'egress-only internet gateway'
    >>> target_for_need(ipv6=False, inbound=False).value
    'NAT gateway'
    >>> target_for_need(ipv6=False, inbound=False, service="s3").value
    'VPC endpoint'
    """
    if service is not None:
        if service not in GATEWAY_SERVICES:
            raise ValueError(f"{service} has no gateway endpoint (only {', '.join(sorted(GATEWAY_SERVICES))})")
        return TargetKind.VPC_ENDPOINT
    if inbound:
        return TargetKind.INTERNET_GATEWAY
    return TargetKind.EGRESS_ONLY_INTERNET_GATEWAY if ipv6 else TargetKind.NAT_GATEWAY
