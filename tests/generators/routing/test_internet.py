"""The internet-access checklist, zonal NAT failures and the target for a need."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Address, IPv4Network

import pytest

from generators.routing.internet import (
    ChecklistMisconception,
    Requirement,
    internet_checklist,
    loses_internet,
    nat_for,
    target_for_need,
)
from generators.routing.model import Route, RouteTable, TargetKind
from generators.routing.topology import NatGateway, Subnet, example_vpc
from generators.security.model import Action, NaclRule, NetworkAcl, Protocol, SecurityGroup, SgRule

A, N = IPv4Address, IPv4Network
REMOTE = A("198.51.100.7")


def missing(vpc, inst="i-web", inbound=True, *mis):  # type: ignore[no-untyped-def]
    checks = internet_checklist(vpc, inst, REMOTE, Protocol.TCP, 443, inbound=inbound, misconceptions=mis)
    return {c.requirement for c in checks if not c.met}


def test_every_requirement_taken_away_in_turn() -> None:
    vpc = example_vpc()
    assert missing(vpc) == set()
    assert missing(replace(vpc, internet_gateway=None)) == {Requirement.GATEWAY}
    web = vpc.instances[0]
    assert missing(replace(vpc, instances=(replace(web, public_ip=None), vpc.instances[1]))) == {Requirement.ADDRESS}
    no_route = RouteTable("rtb-public", (Route(N("10.0.0.0/16"), "local"),))
    tables = (vpc.route_tables[0], no_route, vpc.route_tables[2])
    assert missing(replace(vpc, route_tables=tables)) == {Requirement.ROUTE}
    closed = SecurityGroup("sg-web", "web", (), vpc.security_groups[0].outbound)
    assert missing(replace(vpc, security_groups=(closed, *vpc.security_groups[1:]))) == {Requirement.SECURITY_GROUP}
    one_way = NetworkAcl("acl-default", (NaclRule(100, Action.ALLOW, Protocol.ALL, None, None, N("0.0.0.0/0")),), ())
    assert missing(replace(vpc, nacls=(one_way,))) == {Requirement.NETWORK_ACL}


def test_misconceptions_see_gaps_that_are_not_there() -> None:
    vpc = example_vpc()
    # The main table has no internet route, the subnet's own table has one.
    assert missing(vpc, "i-web", True, ChecklistMisconception.MAIN_TABLE_ONLY) == {Requirement.ROUTE}
    # The web group allows no outbound port 443 to clients' ephemeral ports... it allows all, so no gap.
    assert missing(vpc, "i-web", True, ChecklistMisconception.STATELESS_SG) == set()
    narrow = replace(vpc.security_groups[0], outbound=(SgRule(Protocol.TCP, 443, 443, N("0.0.0.0/0")),))
    vpc2 = replace(vpc, security_groups=(narrow, *vpc.security_groups[1:]))
    assert missing(vpc2) == set()
    assert missing(vpc2, "i-web", True, ChecklistMisconception.STATELESS_SG) == {Requirement.SECURITY_GROUP}
    acl = NetworkAcl("acl-default",
                     (NaclRule(100, Action.ALLOW, Protocol.TCP, 443, 443, N("0.0.0.0/0")),),
                     (NaclRule(100, Action.ALLOW, Protocol.TCP, 1024, 65535, N("0.0.0.0/0")),))
    vpc3 = replace(vpc, nacls=(acl,))
    assert missing(vpc3) == set()
    assert missing(vpc3, "i-web", True, ChecklistMisconception.RETURN_ON_SERVICE_PORT) == {Requirement.NETWORK_ACL}
    broken = replace(vpc, nacls=(NetworkAcl("acl-default", acl.inbound, ()),))
    assert missing(broken) == {Requirement.NETWORK_ACL}
    assert missing(broken, "i-web", True, ChecklistMisconception.STATEFUL_NACL) == set()


def test_zonal_nat_gateway() -> None:
    vpc = example_vpc()
    assert nat_for(vpc, "subnet-app", REMOTE) == vpc.nat_gateways[0]
    assert nat_for(vpc, "subnet-web", REMOTE) is None
    # Move the app subnet to another zone: it still depends on az-a's NAT gateway.
    moved = replace(vpc, subnets=(vpc.subnets[0], replace(vpc.subnets[1], az="az-b")))
    assert loses_internet(moved, "subnet-app", "az-a", REMOTE)
    assert not loses_internet(moved, "subnet-app", "az-b", REMOTE)
    # A NAT gateway in the app's own zone keeps it independent of az-a.
    pub_b = Subnet("subnet-pub-b", N("10.0.3.0/24"), "az-b", "acl-default")
    own = replace(moved, subnets=(*moved.subnets, pub_b),
                  nat_gateways=(NatGateway("nat-1", "subnet-pub-b", A("10.0.3.5"), A("198.51.100.50")),))
    assert not loses_internet(own, "subnet-app", "az-a", REMOTE)


@pytest.mark.parametrize(
    ("ipv6", "inbound", "service", "kind"),
    [
        (False, True, None, TargetKind.INTERNET_GATEWAY),
        (True, True, None, TargetKind.INTERNET_GATEWAY),
        (False, False, None, TargetKind.NAT_GATEWAY),
        (True, False, None, TargetKind.EGRESS_ONLY_INTERNET_GATEWAY),
        (False, False, "dynamodb", TargetKind.VPC_ENDPOINT),
    ],
)
def test_target_for_need(ipv6: bool, inbound: bool, service: str | None, kind: TargetKind) -> None:
    assert target_for_need(ipv6=ipv6, inbound=inbound, service=service) is kind


def test_no_gateway_endpoint_for_other_services() -> None:
    with pytest.raises(ValueError, match="no gateway endpoint"):
        target_for_need(ipv6=False, inbound=False, service="sqs")
