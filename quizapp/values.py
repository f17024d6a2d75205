"""Frozen dataclasses that are cheap to build.

The generated ``__init__`` of a frozen dataclass sets every field through
``object.__setattr__`` (plain assignment is refused), which in CPython 3.11
costs several times what storing into the instance dictionary costs. Making
one question builds a few hundred such values (the question and its choices,
the rule models' subnets, routes, decisions...), so the difference shows. `quick_init` gives a frozen
dataclass an ``__init__`` that gives the instance its ``__dict__`` whole, as
one dictionary display of the fields (through the class's ``__dict__``
descriptor, which is what ``obj.__dict__ = ...`` calls). Nothing else
changes: assignment still raises, equality, hashing, ``repr`` and
`dataclasses.replace` work as before, and ``__post_init__`` still runs.

Why a new dictionary rather than writing into ``self.__dict__``: CPython
3.11 keeps a fresh instance's attributes in a compact array whose keys the
class shares, and reading ``self.__dict__`` turns that array into a
dictionary that still shares the class's keys. Reading a field of such an
instance measured about three times as slow (39 ns against 12 ns) as of one
whose ``__dict__`` is an ordinary dictionary, as a dictionary display gives:
the interpreter's specialised attribute reads do not serve it.
"""

from __future__ import annotations

from dataclasses import MISSING, fields, is_dataclass
from typing import Any, TypeVar

__all__ = ["quick_init"]

T = TypeVar("T")

_FACTORY: Any = object()
"""Default of a parameter whose field has a default factory."""


def quick_init(cls: type[T]) -> type[T]:
    """Replace the ``__init__`` of the frozen dataclass `cls` with one that
    fills the instance dictionary directly (same parameters, same defaults).

    >>> from dataclasses import dataclass, field, replace
    >>> @quick_init
    ... @dataclass(frozen=True)
    ... class Point:
    ...     x: int
    ...     y: int = 0
    ...     tags: list[str] = field(default_factory=list)
    ...     norm: int = field(init=False, repr=False, compare=False)
    ...     def __post_init__(self) -> None:
    ...         if self.x < 0:
    ...             raise ValueError("x must not be negative")
    ...         object.__setattr__(self, "norm", abs(self.x) + abs(self.y))
    >>> Point(1), Point(1, 2) == Point(1, 2), replace(Point(1), y=5).norm
    (Point(x=1, y=0, tags=[]), True, 6)
    >>> Point(1).tags is Point(1).tags
    False
    >>> Point(1).x = 2
    Traceback (most recent call last):
    ...
    dataclasses.FrozenInstanceError: cannot assign to field 'x'
    >>> Point(-1)
    Traceback (most recent call last):
    ...
    ValueError: x must not be negative
    """
    params = getattr(cls, "__dataclass_params__", None)
    if not is_dataclass(cls) or params is None or not params.frozen or "__slots__" in cls.__dict__:
        raise TypeError(f"{cls.__name__} is not a frozen dataclass with an instance dictionary")
    env: dict[str, Any] = {"_FACTORY": _FACTORY, "_set_dict": _dict_setter(cls)}
    args: list[str] = []
    # The generated code's own names are _-prefixed so that no field shadows
    # them (a field named like one is refused).
    items: list[str] = []
    for f in fields(cls):
        if f.kw_only:
            raise TypeError(f"{cls.__name__}.{f.name}: keyword-only fields are not supported")
        if f.name in ("self", "_set_dict", "_FACTORY") or f.name.startswith(("_d_", "_f_")):
            raise TypeError(f"{cls.__name__}.{f.name}: the name clashes with quick_init's generated code")
        if f.default is not MISSING:
            env[f"_d_{f.name}"] = f.default
        if f.default_factory is not MISSING:
            env[f"_f_{f.name}"] = f.default_factory
        if f.init:
            if f.default is not MISSING:
                args.append(f"{f.name}=_d_{f.name}")
                items.append(f"{f.name!r}: {f.name}")
            elif f.default_factory is not MISSING:
                args.append(f"{f.name}=_FACTORY")
                items.append(f"{f.name!r}: _f_{f.name}() if {f.name} is _FACTORY else {f.name}")
            else:
                args.append(f.name)
                items.append(f"{f.name!r}: {f.name}")
        elif f.default_factory is not MISSING:
            items.append(f"{f.name!r}: _f_{f.name}()")
        # An init=False field with a plain default is read from the class
        # attribute, as dataclasses leaves it.
    body = [f"    _set_dict(self, {{{', '.join(items)}}})"]
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    source = f"def __init__(self, {', '.join(args)}) -> None:\n" + "\n".join(body) + "\n"
    namespace: dict[str, Any] = {}
    exec(source, env, namespace)  # noqa: S102 - generated from the field list, as dataclasses does
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    setattr(cls, "__init__", init)
    return cls


def _dict_setter(cls: type) -> Any:
    """What ``obj.__dict__ = value`` calls for instances of `cls`: the
    ``__set__`` of the ``__dict__`` descriptor the nearest class defines
    (called directly, as the class's own ``__setattr__`` refuses every name
    of a frozen dataclass)."""
    for klass in cls.__mro__:
        descriptor = klass.__dict__.get("__dict__")
        if descriptor is not None:
            return descriptor.__set__
    raise TypeError(f"{cls.__name__} instances have no __dict__")
