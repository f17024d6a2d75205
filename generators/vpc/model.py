"""VPC addressing: a pure rule model of how AWS sizes and numbers VPCs.

Facts encoded here (checked against AWS documentation):

- A VPC's IPv4 blocks and a subnet's IPv4 block are /16 to /28
  (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html).
- A VPC has at most 5 IPv4 CIDR blocks by default, adjustable up to 50
  (https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html).
- AWS reserves five addresses in every subnet: the network address, base+1
  for the VPC router, base+2 for Amazon DNS, base+3 for future use, and the
  last address (broadcast is not supported)
  (https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html).
- The Amazon DNS server is at the base of the VPC's primary block plus two,
  and at 169.254.169.253
  (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-dns.html).
- The default VPC is 172.31.0.0/16 with a /20 default subnet per
  Availability Zone
  (https://docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html).

>>> usable_addresses(parse_block("10.0.0.0/24"))
251
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

IPv4Network = ipaddress.IPv4Network
IPv4Address = ipaddress.IPv4Address

MIN_PREFIX = 16
"""The largest block AWS allows (a /16, 65,536 addresses)."""
MAX_PREFIX = 28
"""The smallest block AWS allows (a /28, 16 addresses)."""
DEFAULT_IPV4_BLOCKS_PER_VPC = 5
"""IPv4 CIDR blocks per VPC, default quota (adjustable up to 50)."""
MAX_IPV4_BLOCKS_PER_VPC = 50
"""The highest the IPv4 blocks-per-VPC quota can be raised."""
RESERVED_PER_SUBNET = 5
AMAZON_DNS_LINK_LOCAL = IPv4Address("169.254.169.253")
DEFAULT_VPC = IPv4Network("172.31.0.0/16")
DEFAULT_SUBNET_PREFIX = 20


class AddressingError(ValueError):
    """A CIDR block or address that AWS would refuse, and why."""


class ReservedRole(StrEnum):
    """Why AWS holds back each of a subnet's five reserved addresses."""

    NETWORK = "network address"
    ROUTER = "VPC router"
    DNS = "Amazon DNS"
    FUTURE = "reserved for future use"
    BROADCAST = "broadcast (not supported, so reserved)"


@dataclass(frozen=True)
class Reserved:
    """One reserved address of a subnet and its role."""

    address: IPv4Address
    role: ReservedRole


def parse_block(text: str) -> IPv4Network:
    """Parse an IPv4 CIDR block strictly: host bits set is an error.

    >>> parse_block("10.1.0.0/16")
    IPv4Network('10.1.0.0/16')
    >>> parse_block("10.1.0.9/16")
    Traceback (most recent call last):
    ...
    generators.vpc.model.AddressingError: 10.1.0.9/16 has host bits set; did you mean 10.1.0.0/16?
    """
    try:
        return IPv4Network(text.strip())
    except ipaddress.NetmaskValueError as exc:
        raise AddressingError(f"{text.strip()}: {exc}") from None
    except ValueError:
        try:
            loose = IPv4Network(text.strip(), strict=False)
        except ValueError:
            raise AddressingError(f"{text.strip()!r} is not an IPv4 CIDR block") from None
        raise AddressingError(f"{text.strip()} has host bits set; did you mean {loose}?") from None


def check_block_size(block: IPv4Network) -> None:
    """Raise AddressingError unless `block` is /16 to /28.

    >>> check_block_size(parse_block("10.0.0.0/8"))
    Traceback (most recent call last):
    ...
    generators.vpc.model.AddressingError: 10.0.0.0/8 is too large: VPC and subnet blocks are /16 to /28
    """
    if block.prefixlen < MIN_PREFIX:
        raise AddressingError(f"{block} is too large: VPC and subnet blocks are /{MIN_PREFIX} to /{MAX_PREFIX}")
    if block.prefixlen > MAX_PREFIX:
        raise AddressingError(f"{block} is too small: VPC and subnet blocks are /{MIN_PREFIX} to /{MAX_PREFIX}")


def total_addresses(block: IPv4Network) -> int:
    """Every address in the block, reserved or not.

    >>> total_addresses(parse_block("10.0.0.0/20"))
    4096
    """
    return block.num_addresses


def usable_addresses(block: IPv4Network) -> int:
    """Addresses you can assign in a subnet of this size: all but five.

    >>> usable_addresses(parse_block("10.0.0.0/28"))
    11
    """
    check_block_size(block)
    return block.num_addresses - RESERVED_PER_SUBNET


def reserved_addresses(subnet: IPv4Network) -> tuple[Reserved, ...]:
    """The five addresses AWS reserves in `subnet`, lowest first, with roles.

    >>> [str(r.address) for r in reserved_addresses(parse_block("10.0.0.0/24"))]
    ['10.0.0.0', '10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.255']
    """
    check_block_size(subnet)
    base = subnet.network_address
    return (
        Reserved(base, ReservedRole.NETWORK),
        Reserved(base + 1, ReservedRole.ROUTER),
        Reserved(base + 2, ReservedRole.DNS),
        Reserved(base + 3, ReservedRole.FUTURE),
        Reserved(subnet.broadcast_address, ReservedRole.BROADCAST),
    )


def first_usable(subnet: IPv4Network) -> IPv4Address:
    """The lowest address an instance can get (base + 4).

    >>> first_usable(parse_block("10.0.1.0/24"))
    IPv4Address('10.0.1.4')
    """
    check_block_size(subnet)
    return subnet.network_address + 4


def last_usable(subnet: IPv4Network) -> IPv4Address:
    """The highest address an instance can get (one below the last).

    >>> last_usable(parse_block("10.0.1.0/24"))
    IPv4Address('10.0.1.254')
    """
    check_block_size(subnet)
    return subnet.broadcast_address - 1


def amazon_dns_address(vpc_primary: IPv4Network) -> IPv4Address:
    """The Amazon DNS server inside the VPC: primary block base + 2.

    >>> amazon_dns_address(parse_block("10.20.0.0/16"))
    IPv4Address('10.20.0.2')
    """
    check_block_size(vpc_primary)
    return vpc_primary.network_address + 2


def smallest_prefix_for(hosts: int) -> int:
    """The longest prefix (smallest subnet) that gives `hosts` usable addresses.

    >>> smallest_prefix_for(11)
    28
    >>> smallest_prefix_for(12)
    27
    >>> smallest_prefix_for(251)
    24
    """
    if hosts < 1:
        raise AddressingError("a subnet must hold at least one address")
    for prefix in range(MAX_PREFIX, MIN_PREFIX - 1, -1):
        if 2 ** (32 - prefix) - RESERVED_PER_SUBNET >= hosts:
            return prefix
    raise AddressingError(f"{hosts} addresses do not fit in one subnet: a /16 holds at most {2**16 - 5}")
