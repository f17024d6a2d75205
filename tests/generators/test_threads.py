"""Questions made at the same time on several threads (the web server is
threaded) are the questions their seeds make on their own."""

from __future__ import annotations

import random
import sys
import threading

import generators


def test_concurrent_makes_draw_what_their_seeds_draw() -> None:
    ids = [gid for gid in sorted(generators.REGISTRY) if gid.startswith(("routing.", "vpc.", "security."))][::3]
    seeds = range(40)
    expected = {(gid, s): generators.get(gid).make(s) for gid in ids for s in seeds}
    got: dict[tuple[str, int], object] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def work(offset: int) -> None:
        try:
            start.wait()
            for i, key in enumerate(expected):
                if i % 6 == offset:
                    got[key] = generators.get(key[0]).make(key[1])
        except BaseException as exc:  # reported below, with the others
            errors.append(exc)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert not errors
    wrong = [key for key, question in expected.items() if got[key] != question]
    assert not wrong, f"{len(wrong)} of {len(expected)} questions changed when made concurrently, e.g. {wrong[:3]}"


def test_the_reused_random_and_faker_draw_what_fresh_ones_draw() -> None:
    from faker import Faker

    from generators.base import _seeded

    for seed in (0, 1, 7, 2**40 + 3):
        rng, fake = _seeded(seed)
        fresh_fake = Faker("en_US")
        fresh_fake.seed_instance(seed)
        assert [rng.random() for _ in range(5)] == [r.random() for r in [random.Random(seed)] for _ in range(5)]
        assert fake.words(6) == fresh_fake.words(6)
        rng.getrandbits(77)  # leave both in some other state: the next reseed must not care
        fake.word()


def test_faker_random_is_the_random_the_faker_draws_from() -> None:
    import threading

    from faker import Faker

    from generators.base import _seeded, faker_random

    _, fake = _seeded(5)
    assert faker_random(fake) is fake.random
    other = Faker("en_US")  # not the thread's own Faker: read through the proxy
    assert faker_random(other) is other.random
    seen: list[bool] = []
    # Another thread's Faker is not this thread's: each gets its own Random.
    thread = threading.Thread(target=lambda: seen.append(faker_random(_seeded(5)[1]) is not fake.random))
    thread.start()
    thread.join()
    assert seen == [True]
