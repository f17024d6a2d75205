"""Small drawing helpers shared by the connectivity generators (names, ids, Regions)."""

from __future__ import annotations

import ipaddress
import random

from faker import Faker

REGIONS = (
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "ca-central-1",
    "sa-east-1",
)


ANYWHERE = ipaddress.IPv4Network("0.0.0.0/0")
TEN_SLASH_8 = ipaddress.IPv4Network("10.0.0.0/8")


def hex_id(rng: random.Random, prefix: str, digits: int = 8) -> str:
    """A resource id such as ``pcx-0a1b2c3d``."""
    return f"{prefix}-{rng.getrandbits(4 * digits):0{digits}x}"


def account_id(rng: random.Random) -> str:
    """A 12-digit AWS account id."""
    return str(rng.randrange(100_000_000_000, 999_999_999_999))


def unique_names(fake: Faker, rng: random.Random, count: int, suffix: str) -> list[str]:
    """`count` distinct names like ``harbor-vpc`` from Faker words (one Faker call)."""
    names: list[str] = []
    for word in fake.words(count + 3):
        name = f"{word.lower()}-{suffix}"
        if not any(name in other or other in name for other in names):
            names.append(name)
        if len(names) == count:
            return names
    while len(names) < count:
        name = f"{suffix}{rng.randrange(100, 999)}-{suffix}"
        if not any(name in other or other in name for other in names):
            names.append(name)
    return names


def block16(second: int) -> ipaddress.IPv4Network:
    """The block 10.<second>.0.0/16 (built from integers: parsing text is slow)."""
    return ipaddress.IPv4Network(((10 << 24) | (second << 16), 16))


def host_in(rng: random.Random, second: int) -> str:
    """A host address in 10.<second>.0.0/16, away from the reserved ends."""
    return f"10.{second}.{rng.randrange(0, 256)}.{rng.randrange(4, 251)}"


def cidr_text(block: ipaddress.IPv4Network) -> str:
    """``str(block)`` without ipaddress's slow formatting path."""
    v = int(block.network_address)
    return f"{v >> 24}.{v >> 16 & 255}.{v >> 8 & 255}.{v & 255}/{block.prefixlen}"

