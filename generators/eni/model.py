"""Network interfaces, Elastic IP addresses and public IPv4 charges as pure rules.

Facts encoded here (checked against AWS documentation):

- A network interface lives in one subnet, so in one Availability Zone; it
  can be attached only to an instance in that Availability Zone.  Security
  groups attach to network interfaces.  Every instance has a primary network
  interface, which cannot be detached; secondary interfaces can be detached
  and attached to another instance
  (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-eni.html,
  https://docs.aws.amazon.com/vpc/latest/userguide/VPC_ElasticNetworkInterfaces.html).
- A security group can be used only in the VPC it was created in
  (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html).
- Elastic IP addresses are Regional: an address can be moved between
  network interfaces of its Region but never to another Region.  An account
  has 5 Elastic IP addresses per Region by default (adjustable); allocated
  addresses count whether associated or not
  (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-eips.html,
  https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html).
- Since 1 February 2024 every public IPv4 address is charged
  (USD 0.005 per address per hour as of that date), whether in use or idle:
  auto-assigned public addresses, Elastic IP addresses attached to running
  instances, idle Elastic IP addresses, and those of NAT gateways and load
  balancers.  Addresses you bring (BYOIP) are not charged.  Before that date
  only Elastic IP addresses not associated with a running instance were
  charged
  (https://aws.amazon.com/blogs/networking-and-content-delivery/identify-and-optimize-public-ipv4-address-usage-on-aws/,
  https://aws.amazon.com/vpc/pricing/,
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifySubnetAttribute.html).
  Older study material still states the pre-2024 rule.

>>> monthly = public_ipv4_cost([PublicAddress.AUTO_ASSIGNED, PublicAddress.EIP_IDLE, PublicAddress.BYOIP], hours=720)
>>> monthly
Decimal('7.200')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

DEFAULT_EIPS_PER_REGION = 5
"""Elastic IP addresses per Region, default quota (adjustable)."""
PUBLIC_IPV4_HOURLY_USD = Decimal("0.005")
"""Price of one public IPv4 address per hour, in USD."""
PUBLIC_IPV4_PRICE_AS_OF = "1 February 2024"
"""The date the per-address charge (and this price) took effect."""
PUBLIC_IPV4_PRICE_SOURCE = "https://aws.amazon.com/vpc/pricing/"


class EniError(ValueError):
    """An operation outside what the model covers."""


@dataclass(frozen=True)
class Interface:
    """A network interface: id, VPC, subnet, Availability Zone, and whether it is an instance's primary one."""

    eni_id: str
    vpc: str
    subnet: str
    zone: str
    primary: bool = False


@dataclass(frozen=True)
class Instance:
    """An EC2 instance: id, VPC, Availability Zone and Region."""

    instance_id: str
    vpc: str
    zone: str
    region: str


@dataclass(frozen=True)
class Verdict:
    """Whether an operation is allowed, and why."""

    allowed: bool
    reason: str


def can_attach(interface: Interface, instance: Instance, *, any_zone: bool = False) -> Verdict:
    """May `interface` be attached to `instance`?  Same Availability Zone only.

    `any_zone=True` is the misconception "think a network interface can move
    to another Availability Zone".

    >>> eni = Interface("eni-1", "vpc-1", "subnet-a", "us-east-1a")
    >>> can_attach(eni, Instance("i-1", "vpc-1", "us-east-1b", "us-east-1")).allowed
    False
    """
    if interface.zone != instance.zone and not any_zone:
        return Verdict(False, f"{interface.eni_id} is in {interface.zone}, {instance.instance_id} in {instance.zone}")
    if interface.vpc != instance.vpc:
        return Verdict(False, f"{interface.eni_id} belongs to {interface.vpc}, {instance.instance_id} to {instance.vpc}")
    return Verdict(True, "same Availability Zone; the subnet may differ")


def can_detach(interface: Interface, *, primary_detachable: bool = False) -> Verdict:
    """May `interface` be detached from its instance?  Not if it is the primary one.

    >>> can_detach(Interface("eni-1", "vpc-1", "s", "z", primary=True)).allowed
    False
    """
    if interface.primary and not primary_detachable:
        return Verdict(False, f"{interface.eni_id} is the instance's primary network interface")
    return Verdict(True, "a secondary network interface can be detached")


def can_move_eip(eip_region: str, target_region: str, *, global_eips: bool = False) -> Verdict:
    """May an Elastic IP address be associated with an interface in `target_region`?

    >>> can_move_eip("eu-west-1", "eu-west-1").allowed
    True
    """
    if eip_region != target_region and not global_eips:
        return Verdict(False, f"Elastic IP addresses are Regional: this one belongs to {eip_region}")
    return Verdict(True, "the address stays in its Region")


def can_use_security_group(group_vpc: str, interface: Interface, *, any_vpc: bool = False) -> Verdict:
    """May a security group of `group_vpc` be attached to `interface`?

    >>> can_use_security_group("vpc-2", Interface("eni-1", "vpc-1", "s", "z")).allowed
    False
    """
    if group_vpc != interface.vpc and not any_vpc:
        return Verdict(False, f"the security group belongs to {group_vpc}, the interface to {interface.vpc}")
    return Verdict(True, "the security group belongs to the interface's VPC")


def eips_remaining(
    allocated: Mapping[str, int],
    region: str,
    *,
    quota: int = DEFAULT_EIPS_PER_REGION,
    per_account: bool = False,
    associated_only: Mapping[str, int] | None = None,
) -> int:
    """How many more Elastic IP addresses `region` can allocate under `quota`.

    Misconceptions: `per_account` ("count every Region against one quota"),
    `associated_only` (a mapping of associated counts: "count only associated
    addresses toward the quota").

    >>> eips_remaining({"us-east-1": 3, "eu-west-1": 4}, "us-east-1")
    2
    >>> eips_remaining({"us-east-1": 3, "eu-west-1": 4}, "us-east-1", per_account=True)
    0
    """
    if per_account:
        used = sum(allocated.values())
    elif associated_only is not None:
        used = associated_only.get(region, 0)
    else:
        used = allocated.get(region, 0)
    return max(quota - used, 0)


class PublicAddress(StrEnum):
    """Kinds of public IPv4 address an account can hold."""

    AUTO_ASSIGNED = "public IPv4 address auto-assigned to a running instance"
    EIP_RUNNING = "Elastic IP address associated with a running instance"
    EIP_IDLE = "Elastic IP address not associated with anything"
    EIP_STOPPED = "Elastic IP address associated with a stopped instance"
    NAT_GATEWAY = "Elastic IP address of a NAT gateway"
    LOAD_BALANCER = "public IPv4 address of an internet-facing load balancer node"
    BYOIP = "address from a BYOIP pool (your own range)"


_PRE_2024_CHARGED = frozenset({PublicAddress.EIP_IDLE, PublicAddress.EIP_STOPPED})


_ELASTIC = frozenset({PublicAddress.EIP_RUNNING, PublicAddress.EIP_IDLE, PublicAddress.EIP_STOPPED, PublicAddress.NAT_GATEWAY})


def is_charged(
    address: PublicAddress, *, pre_2024_rule: bool = False, byoip_charged: bool = False, eips_only: bool = False
) -> bool:
    """Is this public IPv4 address billed per hour?

    `pre_2024_rule=True` applies the rule that ended on 1 February 2024 (the
    misconception "think only idle Elastic IPs cost money"); `byoip_charged`
    is the misconception "think your own BYOIP addresses are charged too";
    `eips_only` is "think only Elastic IP addresses are charged, not
    auto-assigned public addresses".

    >>> is_charged(PublicAddress.EIP_RUNNING)
    True
    >>> is_charged(PublicAddress.EIP_RUNNING, pre_2024_rule=True)
    False
    """
    if address is PublicAddress.BYOIP:
        return byoip_charged
    if pre_2024_rule:
        return address in _PRE_2024_CHARGED
    if eips_only:
        return address in _ELASTIC
    return True


def public_ipv4_cost(
    addresses: Iterable[PublicAddress],
    *,
    hours: int,
    hourly: Decimal = PUBLIC_IPV4_HOURLY_USD,
    pre_2024_rule: bool = False,
    byoip_charged: bool = False,
    eips_only: bool = False,
) -> Decimal:
    """Charge in USD for holding `addresses` for `hours` hours.

    >>> public_ipv4_cost([PublicAddress.EIP_RUNNING] * 4, hours=24)
    Decimal('0.480')
    """
    if hours < 0:
        raise EniError("hours cannot be negative")
    charged = sum(
        1
        for a in addresses
        if is_charged(a, pre_2024_rule=pre_2024_rule, byoip_charged=byoip_charged, eips_only=eips_only)
    )
    return charged * hours * hourly
