"""The scenario helpers the generators draw from."""

from __future__ import annotations

import random
from ipaddress import IPv4Network

from faker import Faker
from hypothesis import given, settings
from hypothesis import strategies as st

from generators.vpc import scenarios
from generators.vpc.model import block_span
from tests.generators.vpc.strategies import blocks, blocks_in


@settings(max_examples=300, deadline=None)
@given(blocks(20, 26), st.data(), st.integers(0, 2**32))
def test_free_start_is_free_aligned_and_found_when_possible(outer: IPv4Network, data: st.DataObject, seed: int) -> None:
    taken = data.draw(st.lists(blocks_in(outer.supernet(), outer.prefixlen - 1, 30), max_size=6))
    prefix = data.draw(st.integers(outer.prefixlen, 30))
    first = scenarios.free_start(random.Random(seed), block_span(outer), [block_span(t) for t in taken], prefix)
    free = [c for c in outer.subnets(new_prefix=prefix) if not any(c.overlaps(t) for t in taken)]
    if first is None:
        assert free == []
    else:
        assert IPv4Network((first, prefix)) in free


@settings(max_examples=200, deadline=None)
@given(blocks(16, 24), st.integers(0, 2**32))
def test_subnet_layout_is_disjoint_and_inside(vpc: IPv4Network, seed: int) -> None:
    rng = random.Random(seed)
    layout = scenarios.subnet_layout(rng, vpc, 4, vpc.prefixlen + 1, min(28, vpc.prefixlen + 6))
    assert layout
    for i, block in enumerate(layout):
        assert block.subnet_of(vpc)
        assert all(not block.overlaps(other) for other in layout[i + 1 :])


def test_names_are_distinct_words_from_one_seeded_faker() -> None:
    fake = Faker("en_US")
    fake.seed_instance(7)
    first = scenarios.names(fake, 6)
    fake.seed_instance(7)
    assert scenarios.names(fake, 6) == first
    assert len(set(first)) == 6 and all(w.isalpha() and w.islower() and len(w) >= 3 for w in first)
    vpc, subnets = scenarios.vpc_and_subnet_names(random.Random(1), fake, 3)
    assert vpc.endswith("-vpc") and len(set(subnets)) == 3


FAKE = Faker("en_US")


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32), st.integers(1, 6))
def test_names_draw_what_faker_words_draws(seed: int, count: int) -> None:
    """names() samples Faker's word list itself; it must pick the words
    fake.words(count + 3, unique=True) picks, so seeds keep their scenarios."""
    fake = FAKE
    fake.seed_instance(seed)
    expected = [w.lower() for w in fake.words(count + 3, unique=True) if len(w) >= 3 and w.isalpha()]
    expected = list(dict.fromkeys(expected))[:count]
    fake.seed_instance(seed)
    assert scenarios.names(fake, count)[: len(expected)] == expected
