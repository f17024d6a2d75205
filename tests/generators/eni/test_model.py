"""Network interface, Elastic IP and public IPv4 pricing rules."""

from __future__ import annotations

from decimal import Decimal

from generators.eni import model as m

ENI_A = m.Interface("eni-a", "vpc-1", "subnet-a1", "us-east-1a")
PRIMARY = m.Interface("eni-p", "vpc-1", "subnet-a1", "us-east-1a", primary=True)


def test_interfaces_stay_in_their_availability_zone() -> None:
    same_zone_other_subnet = m.Instance("i-1", "vpc-1", "us-east-1a", "us-east-1")
    other_zone = m.Instance("i-2", "vpc-1", "us-east-1b", "us-east-1")
    assert m.can_attach(ENI_A, same_zone_other_subnet).allowed
    assert not m.can_attach(ENI_A, other_zone).allowed
    assert m.can_attach(ENI_A, other_zone, any_zone=True).allowed


def test_primary_interface_cannot_be_detached() -> None:
    assert not m.can_detach(PRIMARY).allowed
    assert m.can_detach(ENI_A).allowed
    assert m.can_detach(PRIMARY, primary_detachable=True).allowed


def test_security_groups_and_elastic_ips_stay_home() -> None:
    assert m.can_use_security_group("vpc-1", ENI_A).allowed
    assert not m.can_use_security_group("vpc-2", ENI_A).allowed
    assert m.can_move_eip("eu-west-1", "eu-west-1").allowed
    assert not m.can_move_eip("eu-west-1", "eu-central-1").allowed


def test_elastic_ip_quota_is_per_region() -> None:
    allocated = {"us-east-1": 5, "eu-west-1": 2}
    assert m.DEFAULT_EIPS_PER_REGION == 5
    assert m.eips_remaining(allocated, "eu-west-1") == 3
    assert m.eips_remaining(allocated, "us-east-1") == 0
    assert m.eips_remaining(allocated, "ap-south-1") == 5
    assert m.eips_remaining(allocated, "eu-west-1", per_account=True) == 0
    assert m.eips_remaining(allocated, "eu-west-1", associated_only={"eu-west-1": 0}) == 5


def test_public_ipv4_charges_since_february_2024() -> None:
    assert m.PUBLIC_IPV4_HOURLY_USD == Decimal("0.005") and m.PUBLIC_IPV4_PRICE_AS_OF == "1 February 2024"
    charged = [k for k in m.PublicAddress if m.is_charged(k)]
    assert m.PublicAddress.BYOIP not in charged and len(charged) == len(m.PublicAddress) - 1
    old = {k for k in m.PublicAddress if m.is_charged(k, pre_2024_rule=True)}
    assert old == {m.PublicAddress.EIP_IDLE, m.PublicAddress.EIP_STOPPED}
    # One address all month (730 hours) is USD 3.65.
    assert m.public_ipv4_cost([m.PublicAddress.EIP_RUNNING], hours=730) == Decimal("3.65")
    inventory = [m.PublicAddress.AUTO_ASSIGNED, m.PublicAddress.EIP_IDLE, m.PublicAddress.BYOIP]
    assert m.public_ipv4_cost(inventory, hours=720) == Decimal("7.2")
    assert m.public_ipv4_cost(inventory, hours=720, pre_2024_rule=True) == Decimal("3.6")
    assert m.public_ipv4_cost(inventory, hours=720, eips_only=True) == Decimal("3.6")
    assert m.public_ipv4_cost(inventory, hours=720, byoip_charged=True) == Decimal("10.8")
