"""The topology refuses what does not hang together, naming what is wrong."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Address, IPv4Network

import pytest

from generators.routing.topology import NatGateway, Subnet, TopologyError, Vpc, example_vpc


def _with_instance_ip(vpc: Vpc, index: int, ip: str) -> Vpc:
    instances = list(vpc.instances)
    instances[index] = replace(instances[index], private_ip=IPv4Address(ip))
    return replace(vpc, instances=tuple(instances))


def test_the_example_hangs_together() -> None:
    vpc = example_vpc()
    assert vpc.subnet("subnet-web").cidr == IPv4Network("10.0.1.0/24")
    assert vpc.instance("i-app").subnet_id == "subnet-app"


@pytest.mark.parametrize("ip, ok", [("10.0.1.0", True), ("10.0.1.255", True), ("10.0.2.10", False), ("10.0.0.255", False),
                                    ("192.168.1.10", False)])
def test_an_instance_address_must_lie_in_its_subnet(ip: str, ok: bool) -> None:
    vpc = example_vpc()
    if ok:
        assert _with_instance_ip(vpc, 0, ip).instance("i-web").private_ip == IPv4Address(ip)
    else:
        with pytest.raises(TopologyError, match=rf"i-web has {ip}, outside its subnet 10\.0\.1\.0/24"):
            _with_instance_ip(vpc, 0, ip)


@pytest.mark.parametrize("block, ok", [("10.0.200.0/24", True), ("10.0.0.0/16", True), ("10.1.0.0/24", False),
                                       ("10.0.0.0/15", False), ("172.16.0.0/24", False)])
def test_a_subnet_must_lie_in_the_vpc_block(block: str, ok: bool) -> None:
    vpc = example_vpc()
    extra = Subnet("subnet-extra", IPv4Network(block), "az-a", "acl-default")
    if ok:
        assert replace(vpc, subnets=(*vpc.subnets, extra)).subnet("subnet-extra").cidr == IPv4Network(block)
    else:
        with pytest.raises(TopologyError, match=r"subnet-extra .* is not inside the VPC block 10\.0\.0\.0/16"):
            replace(vpc, subnets=(*vpc.subnets, extra))


def test_unknown_ids_are_named() -> None:
    vpc = example_vpc()
    with pytest.raises(TopologyError, match="no network ACL acl-missing"):
        replace(vpc, subnets=(*vpc.subnets, Subnet("subnet-x", IPv4Network("10.0.9.0/24"), "az-a", "acl-missing")))
    web = vpc.instance("i-web")
    with pytest.raises(TopologyError, match="no subnet subnet-missing"):
        replace(vpc, instances=(replace(web, subnet_id="subnet-missing"),))
    with pytest.raises(TopologyError, match="no security group sg-missing"):
        replace(vpc, instances=(replace(web, groups=("sg-missing",)),))


def test_a_nat_gateway_address_must_lie_in_its_subnet() -> None:
    vpc = example_vpc()
    stray = NatGateway("nat-2", "subnet-web", IPv4Address("10.0.2.5"), None)
    with pytest.raises(TopologyError, match="nat-2 has 10.0.2.5, outside its subnet"):
        replace(vpc, nat_gateways=(stray,))
    with pytest.raises(TopologyError, match="no subnet subnet-gone"):
        replace(vpc, nat_gateways=(replace(stray, subnet_id="subnet-gone"),))
