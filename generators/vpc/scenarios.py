"""Random building blocks for VPC scenarios, drawn only from the `rng` and
`fake` a generator is given: blocks, subnet layouts, names.  (Shared
wording lives in `wording`.)"""

from __future__ import annotations

import random
from collections.abc import Sequence
from functools import lru_cache

from faker import Faker

from generators.vpc import association
from generators.vpc.model import IPv4Network, Span, block_span

TIERS = ("web", "app", "data", "mgmt", "cache", "batch", "edge", "ops")
"""Tier words that read naturally in a subnet name."""
REGIONS = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1")
"""Region codes for scenarios that name zones."""


def random_block(
    rng: random.Random, low: int, high: int, home: IPv4Network | None = None
) -> IPv4Network:
    """A random aligned block with a prefix from `low` to `high`, inside
    `home` (a random RFC 1918 range when None)."""
    if home is None:
        home = rng.choice(association.RFC1918_RANGES)
    return random_subblock(rng, home, rng.randint(max(low, home.prefixlen), high))


def random_subblock(rng: random.Random, outer: IPv4Network, prefix: int) -> IPv4Network:
    """A random aligned /`prefix` inside `outer`."""
    slots = 2 ** (prefix - outer.prefixlen)
    return IPv4Network((int(outer.network_address) + (rng.randrange(slots) << (32 - prefix)), prefix))


def secondary_block(
    rng: random.Random, blocks: Sequence[IPv4Network], low: int, high: int
) -> IPv4Network:
    """A block that AWS lets the VPC with `blocks` add: from the primary's
    RFC 1918 range when a few tries find room, else from 100.64.0.0/10."""
    home = association.rfc1918_range(blocks[0])
    for _ in range(8):
        candidate = random_block(rng, low, high, home or association.SHARED_ADDRESS_SPACE)
        if association.check_association(blocks, candidate).allowed:
            return candidate
    while True:
        candidate = random_block(rng, low, high, association.SHARED_ADDRESS_SPACE)
        if association.check_association(blocks, candidate).allowed:
            return candidate


def free_start(rng: random.Random, outer: Span, taken: list[Span], prefix: int) -> int | None:
    """The first address of a random aligned /`prefix` inside the span
    `outer` that meets none of the spans `taken`, or None when there is no
    room.  Spans, not networks, so that a caller placing several blocks
    works each one out once."""
    size = 1 << (32 - prefix)
    start, last = outer
    slots: list[tuple[int, int]] = []  # (first aligned start, how many fit) per free stretch
    cursor = start  # the free stretch runs from here to the next taken block
    for lo, hi in sorted(taken):
        if hi < cursor:
            continue
        if lo > last:
            break
        first = -(-cursor // size) * size
        if lo - first >= size:
            slots.append((first, (lo - first) // size))
        cursor = hi + 1
    first = -(-cursor // size) * size
    if last + 1 - first >= size:
        slots.append((first, (last + 1 - first) // size))
    if not slots:
        return None
    first, count = rng.choice(slots)
    return first + rng.randrange(count) * size


def names(fake: Faker, count: int) -> list[str]:
    """`count` distinct short lowercase words from Faker's word list, drawn
    with Faker's own seeded random: the draw `fake.words(count + 3,
    unique=True)` makes, without copying the thousand-word list on every
    call (which cost more than the draw)."""
    words = [w for w in fake.random.sample(_usable_words(fake), count + 3) if w]
    found = list(dict.fromkeys(words))[:count]
    while len(found) < count:  # only if Faker's word list ran short of usable words
        found.append(f"net{len(found) + 1}")
    return found


@lru_cache(maxsize=4)
def _usable_words(fake: Faker) -> tuple[str, ...]:
    """Faker's word list, each word lowercased, or "" where it is too short
    or not all letters: sampling this draws the same positions as sampling
    the list itself."""
    return tuple(w.lower() if len(w) >= 3 and w.isalpha() else "" for w in fake.get_words_list())


def subnet_names(rng: random.Random, fake: Faker, count: int) -> list[str]:
    """`count` distinct subnet names such as ``harbor-web``."""
    return _with_tiers(rng, names(fake, count))


def _with_tiers(rng: random.Random, words: list[str]) -> list[str]:
    return [f"{word}-{rng.choice(TIERS)}" for word in words]


def vpc_name(fake: Faker) -> str:
    """A VPC name such as ``harbor-vpc``."""
    return f"{names(fake, 1)[0]}-vpc"


def vpc_and_subnet_names(rng: random.Random, fake: Faker, count: int) -> tuple[str, list[str]]:
    """A VPC name and `count` distinct subnet names, from one Faker call."""
    first, *rest = names(fake, count + 1)
    return f"{first}-vpc", _with_tiers(rng, rest)


def subnet_layout(
    rng: random.Random, vpc_block: IPv4Network, count: int, low: int, high: int
) -> list[IPv4Network]:
    """`count` non-overlapping subnets of `vpc_block`, each /`low` to /`high`,
    in address order, with random gaps between them (fewer if space runs out)."""
    spot, last = block_span(vpc_block)
    end = last + 1
    low = max(low, vpc_block.prefixlen)
    blocks: list[IPv4Network] = []
    for _ in range(count):
        prefix = rng.randint(low, high)
        size = 1 << (32 - prefix)
        spot = -(-spot // size) * size
        if rng.random() < 0.4:
            spot += size  # leave a gap
        if spot + size > end:
            break
        blocks.append(IPv4Network((spot, prefix)))
        spot += size
    return blocks
