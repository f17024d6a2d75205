"""The scenario helpers draw exactly what the `random` and Faker calls they replace draw,
so that faster generators ask the same questions for the same seeds."""

from __future__ import annotations

import random
from ipaddress import IPv4Network

from faker import Faker
from hypothesis import given
from hypothesis import strategies as st

from generators.security import scenario as sc

seeds = st.integers(min_value=0, max_value=2**32)


@given(seeds, st.integers(min_value=1, max_value=60), st.integers(min_value=1, max_value=6), st.integers(min_value=1, max_value=10))
def test_sample_range_is_sample_of_a_range(seed: int, size: int, count: int, step: int) -> None:
    count = min(count, size)
    expected = random.Random(seed).sample(range(10, 10 + size * step, step), count)
    assert sc.sample_range(random.Random(seed), 10, 10 + size * step, step, count) == expected


@given(seeds, st.integers(min_value=1, max_value=21))
def test_one_subnet_and_subnets_draw_like_sample(seed: int, count: int) -> None:
    rng_a, rng_b = random.Random(seed), random.Random(seed)
    assert sc.one_subnet(rng_a) == sc.subnets(rng_b, sc.vpc_block(rng_b), 1)[0]
    vpc = IPv4Network("10.7.0.0/16")
    thirds = random.Random(seed).sample(range(256), count)
    assert sc.subnets(random.Random(seed), vpc, count) == [IPv4Network((int(vpc.network_address) + (t << 8), 24)) for t in thirds]


def test_words_are_fakers_words() -> None:
    fake = Faker("en_US")
    for seed in range(200):
        fake.seed_instance(seed)
        expected = (fake.word(), fake.words(5, unique=True))
        fake.seed_instance(seed)
        assert (sc.word(fake), sc.words(fake, 5)) == expected


@given(st.integers(min_value=0, max_value=2**32 - 1), st.integers(min_value=8, max_value=32),
       st.integers(min_value=0, max_value=2**32 - 1), st.integers(min_value=8, max_value=32))
def test_overlaps_is_ipaddress_overlaps(a: int, a_prefix: int, b: int, b_prefix: int) -> None:
    first = IPv4Network((a >> (32 - a_prefix) << (32 - a_prefix), a_prefix))
    second = IPv4Network((b >> (32 - b_prefix) << (32 - b_prefix), b_prefix))
    assert sc.overlaps(first, second) == first.overlaps(second)


@given(seeds)
def test_address_outside_is_outside(seed: int) -> None:
    blocks = (sc.public_block(random.Random(seed)), sc.public_block(random.Random(seed + 1), 16))
    address = sc.address_outside(random.Random(seed + 2), *blocks)
    assert not any(address in block for block in blocks)
