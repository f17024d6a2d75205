"""The default VPC's /20 default subnets, against `ipaddress`'s own split
of 172.31.0.0/16."""

from __future__ import annotations

from ipaddress import IPv4Network

import pytest

from generators.vpc import default_vpc
from generators.vpc.model import AddressingError

N = IPv4Network


@pytest.mark.parametrize("position", range(1, 17))
def test_default_subnets_are_the_20s_of_172_31(position: int) -> None:
    expected = list(N("172.31.0.0/16").subnets(new_prefix=20))[position - 1]
    assert default_vpc.default_subnet(position).block == expected


def test_next_default_subnet_takes_the_lowest_free_20() -> None:
    taken = [N("172.31.0.0/20"), N("172.31.32.0/20")]
    found = default_vpc.next_default_subnet(taken)
    assert found.block == N("172.31.16.0/20") and found.position == 2
    full = [b.block for b in (default_vpc.default_subnet(i) for i in range(1, 17))]
    with pytest.raises(AddressingError, match="no free /20"):
        default_vpc.next_default_subnet(full)


@pytest.mark.parametrize("position", [0, 17])
def test_default_subnet_positions(position: int) -> None:
    with pytest.raises(AddressingError, match="holds 16 /20 default subnets"):
        default_vpc.default_subnet(position)
