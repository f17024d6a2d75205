"""quick_init: a frozen dataclass built by filling __dict__ behaves as the
dataclass does (defaults, factories, __post_init__, equality, frozenness)."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass, field, replace

import pytest

from generators.routing.model import Route, RouteTable
from generators.routing.topology import example_vpc
from quizapp.values import quick_init


@dataclass(frozen=True)
class Plain:
    a: int
    b: str = "x"
    c: list[int] = field(default_factory=list)
    d: int = field(init=False, default=7)
    e: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "e", self.a * 2)


Quick = quick_init(dataclass(frozen=True)(type("Quick", (), {
    "__annotations__": dict(Plain.__annotations__),
    "b": "x", "c": field(default_factory=list), "d": field(init=False, default=7),
    "e": field(init=False, repr=False, compare=False), "__post_init__": Plain.__post_init__,
})))


@pytest.mark.parametrize("args", [(1,), (2, "y"), (3, "z", [1, 2])])
def test_quick_init_builds_what_the_dataclass_builds(args: tuple[object, ...]) -> None:
    plain, quick = Plain(*args), Quick(*args)  # type: ignore[arg-type]
    assert vars(plain) == vars(quick)
    assert replace(quick, a=9).e == 18


def test_quick_init_keeps_values_frozen_and_refuses_what_it_cannot_copy() -> None:
    route = Route(example_vpc().cidr, "local")
    with pytest.raises(FrozenInstanceError):
        route.target = "igw-1"  # type: ignore[misc]
    assert Quick(1).c is not Quick(1).c
    with pytest.raises(TypeError):
        quick_init(dataclass(frozen=False)(type("Mutable", (), {"__annotations__": {"a": int}})))
    table = RouteTable("rtb-1", (route,))
    assert table == RouteTable("rtb-1", (route,)) and hash(table) == hash(RouteTable("rtb-1", (route,)))
