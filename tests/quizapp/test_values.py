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


def test_quick_init_field_names_do_not_clash_with_its_own_code() -> None:
    # A field named like a local of the generated __init__ once received
    # the instance dictionary instead of its value.
    Short = quick_init(dataclass(frozen=True)(type("Short", (), {"__annotations__": {"d": int, "x": int}})))
    assert vars(Short(4, 5)) == {"d": 4, "x": 5}
    for name in ("_set_dict", "_FACTORY", "_d_x", "_f_x"):
        with pytest.raises(TypeError, match="clashes"):
            quick_init(dataclass(frozen=True)(type("Clash", (), {"__annotations__": {name: int}})))


def test_quick_init_gives_each_value_its_own_dictionary_of_every_field() -> None:
    # The instance dictionary is built whole (not materialised from the
    # class's shared keys): the values stay independent of each other.
    first, second = Quick(1, "y"), Quick(2)
    assert vars(first) == {"a": 1, "b": "y", "c": [], "e": 2}
    assert vars(second) == {"a": 2, "b": "x", "c": [], "e": 4}
    assert first.c is not second.c and first.d == second.d == 7
