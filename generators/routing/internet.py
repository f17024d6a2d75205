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

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from generators.routing.values import quick_init
from generators.routing.model import IPAddress, TargetKind, longest_prefix_match
from generators.routing.reachability import nacl_over_ports, remembered_packet
from generators.routing.topology import NatGateway, Vpc
from generators.security.model import (
    Direction,
    Packet,
    Protocol,
    SecurityGroup,
    ephemeral_ports,
    evaluate_nacl,
    evaluate_security_groups,
)

__all__ = [
    "Check",
    "ChecklistMisconception",
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
    return all(
        evaluate_security_groups(groups, direction, Packet(packet.protocol, packet.source, packet.destination, packet.source_port, p)).allowed
        for p in cuts
    )


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
    inst = vpc.instance(instance_id)
    subnet = vpc.subnet(inst.subnet_id)
    checks: list[Check] = []

    igw = vpc.internet_gateway
    if Requirement.GATEWAY in wanted:
        checks.append(Check(
        Requirement.GATEWAY, igw is not None,
            lambda: f"{igw} is attached to {vpc.id}." if igw else f"No internet gateway is attached to {vpc.id}.",
        ))

    if Requirement.ROUTE in wanted:
        if ChecklistMisconception.MAIN_TABLE_ONLY in mis:
            table = next(t for t in vpc.route_tables if t.main)
        else:
            table = vpc.route_table_of(subnet.id)
        decision = longest_prefix_match(table, remote, vpc.prefix_lists)
        to_igw = decision.route is not None and decision.route.kind is TargetKind.INTERNET_GATEWAY
        checks.append(Check(Requirement.ROUTE, to_igw, decision.explain))

    if Requirement.ADDRESS in wanted:
        checks.append(Check(
            Requirement.ADDRESS, inst.public_ip is not None,
            lambda: f"{inst.id} has the public address {inst.public_ip}." if inst.public_ip
            else f"{inst.id} has only the private address {inst.private_ip}.",
        ))
    if not wanted & {Requirement.SECURITY_GROUP, Requirement.NETWORK_ACL}:
        return tuple(checks)

    own_client = client if inbound else inst.client
    has_ports = protocol.has_ports
    low, high = ephemeral_ports(own_client) if has_ports else (0, 0)
    sport = low if has_ports else None
    # The same packets for every checklist of a question (remembered per topology).
    if inbound:
        request = remembered_packet(vpc, protocol, remote, inst.private_ip, sport, port)
        req_dir = Direction.INBOUND
    else:
        request = remembered_packet(vpc, protocol, inst.private_ip, remote, sport, port)
        req_dir = Direction.OUTBOUND
    if ChecklistMisconception.RETURN_ON_SERVICE_PORT in mis and port is not None:
        low = high = port
        sport = port
    reply = remembered_packet(vpc, protocol, request.destination, request.source, port, sport)

    if Requirement.SECURITY_GROUP in wanted:
        checks.append(_security_group_check(vpc, inst.id, req_dir, request, reply, low, high, mis))
    if Requirement.NETWORK_ACL in wanted:
        checks.append(_network_acl_check(vpc, subnet.nacl_id, req_dir, request, reply, low, high, protocol, mis))
    return tuple(checks)


def _security_group_check(
    vpc: Vpc, instance_id: str, req_dir: Direction, request: Packet, reply: Packet, low: int, high: int,
    mis: frozenset[ChecklistMisconception],
) -> Check:
    inst = vpc.instance(instance_id)
    groups = vpc.groups_of(inst)
    key = ("checklist sg", instance_id, req_dir, id(request))
    sg = vpc.scratch.get(key)
    if sg is None:
        sg = vpc.scratch[key] = evaluate_security_groups(groups, req_dir, request)
    sg_ok = sg.allowed
    sg_detail: str | Callable[[], str] = sg.explain
    if sg_ok and ChecklistMisconception.STATELESS_SG in mis and request.protocol.has_ports:
        if not _sg_over_ports(groups, req_dir.opposite, reply, low, high):
            sg_ok = False
            sg_detail = f"No {req_dir.opposite} rule of {', '.join(inst.groups)} allows the responses."
    return Check(Requirement.SECURITY_GROUP, sg_ok, sg_detail)


def _network_acl_check(
    vpc: Vpc, acl_id: str, req_dir: Direction, request: Packet, reply: Packet, low: int, high: int,
    protocol: Protocol, mis: frozenset[ChecklistMisconception],
) -> Check:
    acl = vpc.nacl(acl_id)
    key = ("checklist nacl", acl_id, req_dir, id(request))
    there = vpc.scratch.get(key)
    if there is None:
        there = vpc.scratch[key] = evaluate_nacl(acl, req_dir, request)
    nacl_ok, nacl_detail = there.allowed, there.explain
    if nacl_ok and ChecklistMisconception.STATEFUL_NACL not in mis:
        if protocol.has_ports:
            back, denied = nacl_over_ports(acl, req_dir.opposite, reply, low, high)
        else:
            back, denied = evaluate_nacl(acl, req_dir.opposite, reply), None
        nacl_ok = back.allowed and denied is None
        nacl_detail = lambda: f"Requests: {there.explain()} Responses: {back.explain()}"  # noqa: E731
    return Check(Requirement.NETWORK_ACL, nacl_ok, nacl_detail)



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
