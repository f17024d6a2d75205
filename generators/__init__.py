"""The registry of question generators.

An explicit list, turned once into an id -> generator mapping that refuses
duplicate ids.  No folder scanning, nothing registered at run time: to add a
generator, add its class to its topic's `GENERATORS` list, and a new topic's
list to `_ALL` below.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from generators.base import Generator, LabGenerator
from generators.connectivity.questions import GENERATORS as CONNECTIVITY
from generators.eni.questions import GENERATORS as ENI
from generators.hybrid.questions import GENERATORS as HYBRID
from generators.routing.questions import GENERATORS as ROUTING
from generators.security.questions import GENERATORS as SECURITY
from generators.vpc.questions import GENERATORS as VPC

_ALL: tuple[type[Generator], ...] = (
    *VPC,
    *ROUTING,
    *SECURITY,
    *CONNECTIVITY,
    *HYBRID,
    *ENI,
)


class DuplicateGeneratorError(ValueError):
    """Two generator classes claim the same id."""


class UnknownGeneratorError(KeyError):
    """No generator has the id asked for."""

    def __str__(self) -> str:
        return f"no generator with id {self.args[0]!r}"


def build_registry(classes: Iterable[type[Generator]]) -> Mapping[str, Generator]:
    """Instantiate each class once and key it by id; refuse duplicate ids.

    >>> from generators.vpc.questions import UsableAddresses
    >>> sorted(build_registry([UsableAddresses]))
    ['vpc.subnet-usable-addresses']
    >>> build_registry([UsableAddresses, UsableAddresses])
    Traceback (most recent call last):
    ...
    generators.DuplicateGeneratorError: duplicate generator id 'vpc.subnet-usable-addresses'
    """
    registry: dict[str, Generator] = {}
    for cls in classes:
        if cls.id in registry:
            raise DuplicateGeneratorError(f"duplicate generator id {cls.id!r}")
        registry[cls.id] = cls()
    return MappingProxyType(registry)


REGISTRY: Mapping[str, Generator] = build_registry(_ALL)


def get(generator_id: str) -> Generator:
    """The generator with this id, or UnknownGeneratorError."""
    try:
        return REGISTRY[generator_id]
    except KeyError:
        raise UnknownGeneratorError(generator_id) from None


def topics() -> list[str]:
    """The topics that have generators, in registry order."""
    return list(dict.fromkeys(g.topic for g in REGISTRY.values()))


def by_topic(topic: str) -> list[Generator]:
    """The generators of one topic."""
    return [g for g in REGISTRY.values() if g.topic == topic]


__all__ = [
    "REGISTRY",
    "DuplicateGeneratorError",
    "Generator",
    "LabGenerator",
    "UnknownGeneratorError",
    "build_registry",
    "by_topic",
    "get",
    "topics",
]
