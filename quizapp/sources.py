"""Where questions come from: the engine's single door to generators.

A *source id* is a generator id today; authored packs add their own kind of
source later.  Everything the engine needs from a source is here: make the
instance for a seed, and grade a response to it (lab questions need the
source's own checker).
"""

from __future__ import annotations

import generators
from generators.base import Generator, LabGenerator
from quizapp.grading import GradeResult, Response, grade
from quizapp.questions import Question


class UnknownSourceError(LookupError):
    """No generator or authored question has this id."""


class StaleVersionError(LookupError):
    """The source changed since the instance was made, so the seed would not
    reproduce the same question."""


def generator(source: str) -> Generator:
    """The generator behind `source`, or UnknownSourceError."""
    try:
        return generators.get(source)
    except generators.UnknownGeneratorError:
        raise UnknownSourceError(f"no question source {source!r}") from None


def instance(source: str, version: int, seed: int) -> Question:
    """Rebuild the question (source, version, seed) stands for."""
    gen = generator(source)
    if gen.version != version:
        raise StaleVersionError(
            f"{source} is now version {gen.version}; this question was made by version {version}"
        )
    return gen.make(seed)


def grade_response(question: Question, response: Response) -> GradeResult:
    """Grade `response`, with the source's lab checker when it has one."""
    gen = generator(question.source)
    checker = gen.check if isinstance(gen, LabGenerator) else None
    return grade(question, response, lab_checker=checker)
