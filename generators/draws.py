"""Random draws for scenarios: what `random.Random`'s methods draw, faster.

CPython's `random.Random` picks a number below n by rejection sampling on
``getrandbits(n.bit_length())``; `randrange`, `randint`, `choice`, `shuffle`
and `sample` reach that through two or three layers of argument checks. The
helpers here draw the same numbers from the same calls to ``getrandbits``, so
a seed keeps its scenario whichever is used, and every topic's scenarios use
them (tests/generators/test_draws.py checks each against `random`).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from math import floor
from typing import TypeVar

__all__ = ["below", "between", "choices", "draws", "hex_id", "hex_ids", "in_range", "pick", "sample", "shuffle"]

_T = TypeVar("_T")


def below(rng: random.Random, n: int) -> int:
    """``rng.randrange(n)`` for n > 0, the same draw.

    >>> all(below(random.Random(s), 300) == random.Random(s).randrange(300) for s in range(50))
    True
    """
    bits = rng.getrandbits
    k = n.bit_length()
    r = bits(k)
    while r >= n:
        r = bits(k)
    return r


def draws(rng: random.Random, bounds: Sequence[int]) -> list[int]:
    """``[below(rng, n) for n in bounds]`` in one call (a scenario draws many
    small numbers in a row).

    >>> draws(random.Random(5), (256, 8, 2)) == [below(r, n) for r in [random.Random(5)] for n in (256, 8, 2)]
    True
    """
    bits = rng.getrandbits
    out = []
    for n in bounds:
        k = n.bit_length()
        r = bits(k)
        while r >= n:
            r = bits(k)
        out.append(r)
    return out


def between(rng: random.Random, low: int, high: int) -> int:
    """``rng.randint(low, high)``, the same draw.

    >>> all(between(random.Random(s), 1024, 65535) == random.Random(s).randint(1024, 65535) for s in range(50))
    True
    """
    return low + below(rng, high - low + 1)


def in_range(rng: random.Random, start: int, stop: int) -> int:
    """``rng.randrange(start, stop)``, the same draw.

    >>> all(in_range(random.Random(s), 4, 251) == random.Random(s).randrange(4, 251) for s in range(50))
    True
    """
    return start + below(rng, stop - start)


def pick(rng: random.Random, options: Sequence[_T]) -> _T:
    """``rng.choice(options)``, the same draw.

    >>> all(pick(random.Random(s), "abcdefg") == random.Random(s).choice("abcdefg") for s in range(50))
    True
    """
    return options[below(rng, len(options))]


def choices(rng: random.Random, population: Sequence[_T], k: int) -> list[_T]:
    """``rng.choices(population, k=k)`` (no weights), the same picks: one
    ``random()`` per pick, scaled to the population's size.

    >>> choices(random.Random(4), "abcdefg", 5) == random.Random(4).choices("abcdefg", k=5)
    True
    """
    draw = rng.random
    n = len(population) + 0.0
    out = []
    for _ in range(k):
        out.append(population[floor(draw() * n)])
    return out


def shuffle(rng: random.Random, items: list[_T]) -> None:
    """``rng.shuffle(items)``, the same order.

    >>> mine, theirs = list(range(9)), list(range(9))
    >>> shuffle(random.Random(3), mine); random.Random(3).shuffle(theirs); mine == theirs
    True
    """
    for i in range(len(items) - 1, 0, -1):
        j = below(rng, i + 1)
        items[i], items[j] = items[j], items[i]


def sample(rng: random.Random, population: Sequence[_T], count: int) -> list[_T]:
    """``rng.sample(population, count)``, the same picks from the same draws (for
    up to 5 picks CPython draws from a copied pool when the population has at
    most 21 items, and by rejecting repeats otherwise; more picks go to
    `random` itself).

    >>> all(sample(random.Random(s), "abcdefghij", 3) == random.Random(s).sample("abcdefghij", 3) for s in range(50))
    True
    """
    size = len(population)
    if count > 5 or not 0 <= count <= size:
        return rng.sample(population, count)
    if size <= 21:
        pool = list(population)
        picked = []
        for i in range(count):
            j = below(rng, size - i)
            picked.append(pool[j])
            pool[j] = pool[size - i - 1]
        return picked
    chosen: list[int] = []
    for _ in range(count):
        j = below(rng, size)
        while j in chosen:
            j = below(rng, size)
        chosen.append(j)
    return [population[j] for j in chosen]


def hex_id(rng: random.Random, prefix: str, digits: int = 8) -> str:
    """An AWS-style resource id such as ``nat-0a1b2c3d``."""
    return f"{prefix}-0{rng.getrandbits(4 * (digits - 1)):0{digits - 1}x}"


def hex_ids(rng: random.Random, prefixes: Sequence[str]) -> list[str]:
    """Resource ids for several prefixes, the same ids that `hex_id` called
    once per prefix would draw, from a single call to the generator (one
    32-bit word per id, first id in the lowest word; each `hex_id` keeps the
    top 28 bits of its word).

    >>> hex_ids(random.Random(7), ["vpc", "igw", "nat"]) == [hex_id(r, p) for r in [random.Random(7)] for p in ["vpc", "igw", "nat"]]
    True
    """
    count = len(prefixes)
    words = f"{rng.getrandbits(32 * count):0{8 * count}x}"
    top = 8 * (count - 1)
    return [f"{prefix}-0{words[top - 8 * i:top - 8 * i + 7]}" for i, prefix in enumerate(prefixes)]
