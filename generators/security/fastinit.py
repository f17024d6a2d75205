"""A faster ``__init__`` for frozen dataclasses.

A frozen dataclass's generated ``__init__`` stores each field with
``object.__setattr__`` (to get past the ``__setattr__`` that refuses
assignment), which makes building one about four times slower than building a
plain class.  The security generators build thousands of rules, packets and
decisions per second, so `fast_init` replaces that ``__init__`` with one that
writes the fields straight into the instance ``__dict__``: same parameters,
same defaults, same order, ``__post_init__`` still called, and the instances
stay frozen (assignment still raises).  Standard library only, like the
models that use it.

>>> from dataclasses import FrozenInstanceError, dataclass
>>> @fast_init
... @dataclass(frozen=True)
... class Port:
...     number: int
...     protocol: str = "tcp"
...     def __post_init__(self) -> None:
...         if not 0 <= self.number <= 65535:
...             raise ValueError(f"port {self.number} is out of range")
>>> Port(443), Port(53, protocol="udp") == Port(53, "udp")
(Port(number=443, protocol='tcp'), True)
>>> Port(70000)
Traceback (most recent call last):
...
ValueError: port 70000 is out of range
>>> Port(22).number = 23
Traceback (most recent call last):
...
dataclasses.FrozenInstanceError: cannot assign to field 'number'
"""

from __future__ import annotations

from dataclasses import MISSING, fields, is_dataclass
from typing import Any, TypeVar

__all__ = ["fast_init"]

_T = TypeVar("_T")


def fast_init(cls: type[_T]) -> type[_T]:
    """Give the frozen dataclass `cls` an ``__init__`` that fills ``__dict__`` directly.

    Apply it above ``@dataclass(frozen=True)``.  Fields with ``init=False``
    and a default get the default; ``init=False`` fields without one are left
    to ``__post_init__``, as dataclasses does.  Refuses what it does not
    reproduce exactly: slots, keyword-only fields, default factories, and
    classes that are not frozen dataclasses.

    >>> from dataclasses import dataclass, field
    >>> @fast_init
    ... @dataclass(frozen=True)
    ... class Rule:
    ...     number: int
    ...     label: str = field(init=False, default="rule")
    >>> Rule(7).label
    'rule'
    >>> @dataclass
    ... class Loose:
    ...     x: int
    >>> fast_init(Loose)
    Traceback (most recent call last):
    ...
    TypeError: fast_init needs a frozen dataclass without slots, not Loose
    """
    params = getattr(cls, "__dataclass_params__", None)
    if not is_dataclass(cls) or params is None or not params.frozen or "__slots__" in cls.__dict__:
        raise TypeError(f"fast_init needs a frozen dataclass without slots, not {cls.__name__}")
    env: dict[str, Any] = {}
    arguments: list[str] = []
    lines: list[str] = []
    for f in fields(cls):
        if f.default_factory is not MISSING or f.kw_only:
            raise TypeError(f"fast_init: field {cls.__name__}.{f.name} has a default factory or is keyword-only")
        default = f"_default_{f.name}"
        if f.default is not MISSING:
            env[default] = f.default
        if f.init:
            arguments.append(f.name if f.default is MISSING else f"{f.name}={default}")
            lines.append(f"    _fields[{f.name!r}] = {f.name}")
        elif f.default is not MISSING:
            lines.append(f"    _fields[{f.name!r}] = {default}")
    if hasattr(cls, "__post_init__"):
        lines.append("    self.__post_init__()")
    source = f"def __init__(self, {', '.join(arguments)}):\n    _fields = self.__dict__\n" + "\n".join(lines) + "\n"
    namespace: dict[str, Any] = {}
    exec(source, env, namespace)  # noqa: S102 - the source is built above from field names only
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    cls.__init__ = init  # type: ignore[method-assign]
    return cls
