"""The default VPC: its block and the /20 default subnets carved from it.

Facts encoded here, each checked against AWS documentation (our wording):

- The default VPC is 172.31.0.0/16 with a /20 default subnet per
  Availability Zone; a new default subnet takes a /20 in the next available
  contiguous space of the default VPC.  AWS does not promise which zone gets
  which /20.
  https://docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html

Modelling choice that is ours, not AWS's: "next available contiguous space"
is the lowest free, aligned /20.

>>> str(next_default_subnet([default_subnet(1).block]).block)
'172.31.16.0/20'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from generators.vpc.model import (
    AddressingError,
    IPv4Network,
    Trace,
    block_span,
    spans_meet,
)

DEFAULT_VPC = IPv4Network("172.31.0.0/16")
"""The block of every default VPC."""
DEFAULT_SUBNET_PREFIX = 20
"""The size of a default subnet (4,096 addresses)."""


@dataclass(frozen=True)
class DefaultSubnet:
    """A default subnet of the default VPC: its /20 and its place in order.
    `after` is how many default subnets already existed when it was made
    (None when it is simply the `position`-th /20).

    >>> default_subnet(3).block
    IPv4Network('172.31.32.0/20')
    """

    position: int
    block: IPv4Network
    taken: int | None = None

    @property
    def trace(self) -> Trace:
        """The arithmetic: /20 steps of 16 in the third octet."""
        step = (1 << (32 - DEFAULT_SUBNET_PREFIX)) // 256
        lines = (
            f"The default VPC is `{DEFAULT_VPC!s}`; each default subnet is a /{DEFAULT_SUBNET_PREFIX} "
            f"of {step * 256:,} addresses, so consecutive ones step by {step} in the third octet.",
            f"Default subnet {self.position} starts {self.position - 1} × {step} = "
            f"{(self.position - 1) * step} into the third octet: `{self.block!s}`.",
        )
        if self.taken is None:
            return lines
        return (
            f"{self.taken} existing default subnet{'s' if self.taken != 1 else ''} already use "
            f"/{DEFAULT_SUBNET_PREFIX} blocks of the default VPC.",
            *lines,
            f"It is the lowest /{DEFAULT_SUBNET_PREFIX} that no existing subnet uses.",
        )


_DEFAULT_SLOTS = 2 ** (DEFAULT_SUBNET_PREFIX - DEFAULT_VPC.prefixlen)


def default_subnet(position: int) -> DefaultSubnet:
    """The `position`-th /20 of 172.31.0.0/16 (1-based): the default subnet
    created `position`-th when the default subnets are carved in order.

    >>> str(default_subnet(1).block), str(default_subnet(16).block)
    ('172.31.0.0/20', '172.31.240.0/20')
    >>> default_subnet(17)
    Traceback (most recent call last):
    ...
    generators.vpc.model.AddressingError: 172.31.0.0/16 holds 16 /20 default subnets, not 17
    """
    if not 1 <= position <= _DEFAULT_SLOTS:
        raise AddressingError(f"{DEFAULT_VPC} holds {_DEFAULT_SLOTS} /{DEFAULT_SUBNET_PREFIX} default subnets, not {position}")
    size = 1 << (32 - DEFAULT_SUBNET_PREFIX)
    return DefaultSubnet(
        position, IPv4Network((int(DEFAULT_VPC.network_address) + (position - 1) * size, DEFAULT_SUBNET_PREFIX))
    )


def next_default_subnet(existing: Iterable[IPv4Network]) -> DefaultSubnet:
    """The /20 a new default subnet gets: the lowest free one in 172.31.0.0/16.

    >>> found = next_default_subnet([IPv4Network("172.31.0.0/20"), IPv4Network("172.31.16.0/20")])
    >>> found.block, found.trace[-1]
    (IPv4Network('172.31.32.0/20'), 'It is the lowest /20 that no existing subnet uses.')
    """
    taken = [block_span(block) for block in existing]
    for position in range(1, _DEFAULT_SLOTS + 1):
        candidate = default_subnet(position)
        span = block_span(candidate.block)
        if not any(spans_meet(span, t) for t in taken):
            return DefaultSubnet(position, candidate.block, len(taken))
    raise AddressingError(f"no free /{DEFAULT_SUBNET_PREFIX} is left in {DEFAULT_VPC}")
