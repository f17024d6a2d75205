"""Scenario helpers: the fast random draws give exactly what `random` gives
(so every seed keeps its question), and the text parsers agree with
`ipaddress`."""

from __future__ import annotations

import random
from ipaddress import IPv4Address, IPv4Network

from hypothesis import given, settings
from hypothesis import strategies as st

from generators.routing.scenarios import addr, below, hexid, hexids, pick, shuffle, small_sample, v4net

seeds = st.integers(min_value=0, max_value=2**64)


@settings(max_examples=300, deadline=None)
@given(seeds, st.integers(min_value=1, max_value=70000))
def test_below_draws_what_randrange_draws(seed: int, n: int) -> None:
    mine, theirs = random.Random(seed), random.Random(seed)
    assert [below(mine, n) for _ in range(5)] == [theirs.randrange(n) for _ in range(5)]
    assert mine.random() == theirs.random()  # and leaves the generator in the same state


@settings(max_examples=200, deadline=None)
@given(seeds, st.lists(st.integers(), min_size=1, max_size=30))
def test_pick_and_shuffle_draw_what_choice_and_shuffle_draw(seed: int, items: list[int]) -> None:
    mine, theirs = random.Random(seed), random.Random(seed)
    assert pick(mine, items) == theirs.choice(items)
    a, b = list(items), list(items)
    shuffle(mine, a)
    theirs.shuffle(b)
    assert a == b
    assert mine.random() == theirs.random()


@settings(max_examples=300, deadline=None)
@given(seeds, st.integers(min_value=1, max_value=40), st.integers(min_value=0, max_value=8))
def test_small_sample_draws_what_sample_draws(seed: int, size: int, count: int) -> None:
    count = min(count, size)
    mine, theirs = random.Random(seed), random.Random(seed)
    assert small_sample(mine, range(size), count) == theirs.sample(range(size), count)
    assert mine.random() == theirs.random()


@settings(max_examples=200, deadline=None)
@given(seeds, st.lists(st.sampled_from(["vpc", "igw", "nat", "sg", "subnet", "i"]), min_size=1, max_size=15))
def test_hexids_are_the_ids_hexid_would_draw_one_by_one(seed: int, prefixes: list[str]) -> None:
    mine, theirs = random.Random(seed), random.Random(seed)
    assert hexids(mine, prefixes) == [hexid(theirs, p) for p in prefixes]
    assert mine.random() == theirs.random()


@given(st.integers(min_value=0, max_value=2**32 - 1), st.integers(min_value=0, max_value=32))
def test_addresses_and_blocks_parse_like_ipaddress(value: int, prefix: int) -> None:
    address = IPv4Address(value)
    assert addr(str(address)) == address
    block = IPv4Network((value, prefix), strict=False)
    assert v4net(str(block)) == block
