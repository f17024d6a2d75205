"""The generator protocol shared by every topic.

A generator is a class with a stable `id`, a `version`, the `topic` and the
note section (`note`, ``<topic>#<anchor>``) it exercises, and a `draw` method
that builds the question body from the `random.Random` and `Faker` it is
given.  `Generator.make(seed)` seeds both from the instance seed, so a
question is fully determined by (id, version, seed).

Bump `version` whenever a change makes an old seed draw a different scenario.
"""

from __future__ import annotations

import random
import threading
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from faker import Faker

from generators.draws import shuffle
from quizapp.questions import (
    AnswerKind,
    Choice,
    JSONValue,
    LabReport,
    Question,
    Spec,
    choice_keys,
)
from quizapp.values import quick_init

_LOCAL = threading.local()


def _seeded(seed: int) -> tuple[random.Random, Faker]:
    """A `random.Random` and a Faker seeded for one instance, as
    ``random.Random(seed)`` and ``Faker("en_US").seed_instance(seed)`` would
    be: one pair per thread, reseeded (building a Faker costs tens of
    milliseconds, reseeding microseconds). Per thread, because the web
    server makes questions on several threads at once and a pair shared
    between them would draw one question from another's seed."""
    pair: tuple[random.Random, Faker, random.Random] | None = getattr(_LOCAL, "pair", None)
    if pair is None:
        fake = Faker("en_US")
        fake.seed_instance(0)  # gives the Faker its own Random, reseeded below
        pair = _LOCAL.pair = (random.Random(), fake, fake.random)
    rng, fake, fake_random = pair
    rng.seed(seed)
    fake_random.seed(seed)  # all that seed_instance does once the Faker has its own Random
    return rng, fake


def faker_random(fake: Faker) -> random.Random:
    """The `random.Random` that `fake` draws from (``fake.random``): for the
    thread's own Faker, the one `_seeded` keeps, read without the Faker
    proxy's three attribute lookups."""
    pair: tuple[random.Random, Faker, random.Random] | None = getattr(_LOCAL, "pair", None)
    if pair is not None and pair[1] is fake:
        return pair[2]
    found: random.Random = fake.random
    return found


def _seeded_faker(seed: int) -> Faker:
    """The thread's Faker, seeded for one instance (see `_seeded`)."""
    return _seeded(seed)[1]


@quick_init
@dataclass(frozen=True)
class Body:
    """What `draw` returns: everything in a question except its identity."""

    prompt: str
    params: Mapping[str, JSONValue]
    explanation: str
    choices: tuple[Choice, ...] = ()
    spec: Spec = None
    meta: Mapping[str, JSONValue] = field(default_factory=dict)


class Generator(ABC):
    """Base class of every question generator."""

    id: ClassVar[str]
    version: ClassVar[int] = 1
    topic: ClassVar[str]
    kind: ClassVar[AnswerKind]
    note: ClassVar[str]
    title: ClassVar[str]

    @abstractmethod
    def draw(self, rng: random.Random, fake: Faker) -> Body:
        """Draw a scenario and compute its question."""

    def make(self, seed: int) -> Question:
        """The question instance for `seed`."""
        body = self.draw(*_seeded(seed))
        return Question(
            source=self.id,
            version=self.version,
            seed=seed,
            topic=self.topic,
            kind=self.kind,
            title=self.title,
            prompt=body.prompt,
            params=body.params,
            explanation=body.explanation,
            note=self.note,
            choices=body.choices,
            spec=body.spec,
            meta=body.meta,
        )


class LabGenerator(Generator):
    """A generator whose learners answer with a configuration."""

    kind: ClassVar[AnswerKind] = AnswerKind.LAB

    @abstractmethod
    def check(self, params: Mapping[str, JSONValue], config: str) -> LabReport:
        """Run the model on `config` against the scenario in `params`.

        Raises `quizapp.questions.LabSyntaxError` (with the line number) when
        the configuration cannot be parsed.
        """


@quick_init
@dataclass(frozen=True)
class Distractor:
    """A wrong option and the misconception that produces it."""

    text: str
    misconception: str


def single_choice(
    rng: random.Random,
    answer: str,
    distractors: Sequence[Distractor],
    count: int = 4,
) -> tuple[Choice, ...]:
    """Shuffle the answer with up to `count - 1` distractors.

    A distractor whose text equals the answer or an earlier distractor is
    dropped: a misconception that happens to give the right result for this
    scenario is no distractor.  Raises ValueError when fewer than two
    options remain, which a generator must prevent by construction.
    """
    options: list[tuple[str, str | None]] = [(answer, None)]
    seen = {answer}
    for d in distractors:
        if d.text not in seen and len(options) < count:
            options.append((d.text, d.misconception))
            seen.add(d.text)
    if len(options) < 2:
        raise ValueError(f"no distractor differs from the answer {answer!r}")
    shuffle(rng, options)
    return tuple([
        Choice(key=k, text=t, correct=m is None and t == answer, misconception=m)
        for k, (t, m) in zip(choice_keys(len(options)), options, strict=True)
    ])


def multiple_choice(
    rng: random.Random,
    answers: Sequence[str],
    distractors: Sequence[Distractor],
    count: int = 5,
) -> tuple[Choice, ...]:
    """Shuffle several correct options with distractors (for "choose N").

    Distractors equal to a correct option or to each other are dropped.
    """
    options: list[tuple[str, str | None, bool]] = [(a, None, True) for a in answers]
    seen = set(answers)
    if len(seen) != len(answers):
        raise ValueError(f"correct options repeat: {answers!r}")
    for d in distractors:
        if d.text not in seen and len(options) < count:
            options.append((d.text, d.misconception, False))
            seen.add(d.text)
    if len(options) <= len(answers):
        raise ValueError("no distractor differs from the answers")
    shuffle(rng, options)
    return tuple([
        Choice(key=k, text=t, correct=c, misconception=m)
        for k, (t, m, c) in zip(choice_keys(len(options)), options, strict=True)
    ])


def ordering_choices(rng: random.Random, steps: Sequence[str]) -> tuple[Choice, ...]:
    """Choices for an ordering question: stored in the correct order, with
    keys assigned in a shuffled order so the display order gives nothing away."""
    keys = list(choice_keys(len(steps)))
    shuffle(rng, keys)
    if len(steps) > 1 and keys == sorted(keys):
        keys = keys[1:] + keys[:1]
    return tuple([Choice(key=k, text=s, correct=True) for k, s in zip(keys, steps, strict=True)])
