"""The draw helpers draw exactly what the `random` calls they replace draw,
and leave the generator in the same state, so a seed keeps its scenario."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from generators.draws import below, between, choices, draws, hex_id, hex_ids, in_range, pick, sample, shuffle

seeds = st.integers(min_value=0, max_value=2**64)


@settings(max_examples=300, deadline=None)
@given(seeds, st.integers(min_value=1, max_value=2**40))
def test_below_between_in_range_are_randrange_and_randint(seed: int, n: int) -> None:
    mine, theirs = random.Random(seed), random.Random(seed)
    assert [below(mine, n) for _ in range(3)] == [theirs.randrange(n) for _ in range(3)]
    assert between(mine, 7, 7 + n) == theirs.randint(7, 7 + n)
    assert in_range(mine, -3, n) == theirs.randrange(-3, n)
    assert mine.random() == theirs.random()


@settings(max_examples=200, deadline=None)
@given(seeds, st.lists(st.integers(min_value=1, max_value=70000), max_size=12))
def test_draws_are_belows_in_a_row(seed: int, bounds: list[int]) -> None:
    mine, theirs = random.Random(seed), random.Random(seed)
    assert draws(mine, bounds) == [theirs.randrange(n) for n in bounds]
    assert mine.random() == theirs.random()


@settings(max_examples=200, deadline=None)
@given(seeds, st.lists(st.integers(), min_size=1, max_size=40))
def test_pick_and_shuffle_are_choice_and_shuffle(seed: int, items: list[int]) -> None:
    mine, theirs = random.Random(seed), random.Random(seed)
    assert pick(mine, items) == theirs.choice(items)
    a, b = list(items), list(items)
    shuffle(mine, a)
    theirs.shuffle(b)
    assert a == b
    assert mine.random() == theirs.random()


@settings(max_examples=200, deadline=None)
@given(seeds, st.lists(st.integers(), min_size=1, max_size=40), st.integers(min_value=0, max_value=12))
def test_choices_are_choices(seed: int, items: list[int], k: int) -> None:
    mine, theirs = random.Random(seed), random.Random(seed)
    assert choices(mine, items, k) == theirs.choices(items, k=k)
    assert mine.random() == theirs.random()


@settings(max_examples=300, deadline=None)
@given(seeds, st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=8))
def test_sample_is_sample(seed: int, size: int, count: int) -> None:
    count = min(count, size)
    mine, theirs = random.Random(seed), random.Random(seed)
    assert sample(mine, range(size), count) == theirs.sample(range(size), count)
    assert mine.random() == theirs.random()


@settings(max_examples=200, deadline=None)
@given(seeds, st.lists(st.sampled_from(["vpc", "igw", "nat", "sg", "subnet", "i"]), min_size=1, max_size=15))
def test_hex_ids_are_the_ids_hex_id_would_draw_one_by_one(seed: int, prefixes: list[str]) -> None:
    mine, theirs = random.Random(seed), random.Random(seed)
    assert hex_ids(mine, prefixes) == [hex_id(theirs, p) for p in prefixes]
    assert mine.random() == theirs.random()
    assert hex_id(random.Random(seed), "acl") == f"acl-0{random.Random(seed).getrandbits(28):07x}"
