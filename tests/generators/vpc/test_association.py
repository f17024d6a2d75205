"""Adding a block to a VPC and the blocks-per-VPC quota: every row of AWS's
association table, and the overlap rule against `ipaddress`."""

from __future__ import annotations

from ipaddress import IPv4Network

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generators.vpc import association
from generators.vpc.association import AssociationRule
from generators.vpc.model import AddressingError
from tests.generators.vpc.strategies import blocks

N = IPv4Network


def rules(blocks_: list[str], new: str, **kwargs: object) -> list[AssociationRule]:
    check = association.check_association([N(b) for b in blocks_], N(new), **kwargs)  # type: ignore[arg-type]
    return [r.rule for r in check.refusals]


# --- the association table, row by row ---------------------------------------


@pytest.mark.parametrize(
    ("primary", "new", "allowed"),
    [
        # primary in 10.0.0.0/8
        ("10.5.0.0/16", "10.6.0.0/16", True),
        ("10.5.0.0/16", "172.16.0.0/16", False),
        ("10.5.0.0/16", "192.168.0.0/16", False),
        ("10.5.0.0/16", "198.19.0.0/16", False),
        ("10.5.0.0/16", "100.64.0.0/16", True),
        ("10.5.0.0/16", "52.94.0.0/22", True),
        ("10.1.0.0/16", "10.0.4.0/24", False),  # a block in 10.0.0.0/15 rules out 10.0.0.0/16
        ("10.2.0.0/16", "10.0.4.0/24", True),
        # primary in 172.16.0.0/12
        ("172.20.0.0/16", "172.21.0.0/16", True),
        ("172.20.0.0/16", "172.31.0.0/16", False),
        ("172.20.0.0/16", "10.0.0.0/16", False),
        ("172.20.0.0/16", "192.168.0.0/16", False),
        ("172.20.0.0/16", "198.19.0.0/24", False),
        ("172.20.0.0/16", "100.64.0.0/16", True),
        # primary in 192.168.0.0/16
        ("192.168.0.0/20", "192.168.16.0/20", True),
        ("192.168.0.0/20", "10.0.0.0/16", False),
        ("192.168.0.0/20", "172.16.0.0/16", False),
        ("192.168.0.0/20", "198.19.0.0/16", False),
        ("192.168.0.0/20", "100.64.0.0/16", True),
        # primary in 198.19.0.0/16
        ("198.19.0.0/20", "10.0.0.0/16", False),
        ("198.19.0.0/20", "100.64.0.0/16", True),
        ("198.19.0.0/20", "52.94.0.0/22", True),
        # primary public or in 100.64.0.0/10
        ("100.64.0.0/16", "10.0.0.0/16", False),
        ("100.64.0.0/16", "198.19.0.0/16", False),
        ("100.64.0.0/16", "100.65.0.0/16", True),
        ("52.94.0.0/22", "52.95.0.0/22", True),
        ("52.94.0.0/22", "192.168.0.0/24", False),
    ],
)
def test_association_table(primary: str, new: str, allowed: bool) -> None:
    found = rules([primary], new)
    assert (found == []) == allowed
    if not allowed:
        assert found == [AssociationRule.RESTRICTED_RANGE]


def test_the_10_0_rule_looks_at_secondary_blocks_too() -> None:
    assert rules(["10.5.0.0/16", "10.1.0.0/16"], "10.0.0.0/20") == [AssociationRule.RESTRICTED_RANGE]


def test_route_destination_example_from_the_docs() -> None:
    # primary 10.2.0.0/16 with a route to 10.0.0.0/24: not that block or larger, /25 is fine
    routes = [N("10.0.0.0/24")]
    assert rules(["10.2.0.0/16"], "10.0.0.0/24", route_destinations=routes) == [AssociationRule.ROUTE_CONFLICT]
    assert rules(["10.2.0.0/16"], "10.0.0.0/16", route_destinations=routes) == [AssociationRule.ROUTE_CONFLICT]
    assert rules(["10.2.0.0/16"], "10.0.0.0/25", route_destinations=routes) == []


def test_size_overlap_and_quota_rules() -> None:
    assert rules(["10.0.0.0/16"], "10.2.0.0/15") == [AssociationRule.BLOCK_SIZE]
    assert rules(["10.0.0.0/16"], "10.2.0.0/29") == [AssociationRule.BLOCK_SIZE]
    assert rules(["10.5.0.0/16"], "10.5.128.0/17") == [AssociationRule.OVERLAP]
    # inside 10.0.0.0/16 next to a primary in 10.0.0.0/15, two rules refuse it
    assert rules(["10.0.0.0/16"], "10.0.128.0/17") == [AssociationRule.OVERLAP, AssociationRule.RESTRICTED_RANGE]
    five = ["10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16", "10.4.0.0/16"]
    assert rules(five, "10.5.0.0/16") == [AssociationRule.QUOTA]
    assert rules(five, "10.5.0.0/16", quota=6) == []  # what the old study notes' "6" would allow
    assert rules(five[:4], "10.5.0.0/16") == []


def test_ignoring_a_rule_is_how_a_misconception_runs() -> None:
    check = association.check_association(
        [N("10.0.0.0/16")], N("192.168.0.0/16"), ignore=frozenset({AssociationRule.RESTRICTED_RANGE})
    )
    assert check.allowed
    assert "Allowed" in check.trace[-1]


@settings(max_examples=300, deadline=None)
@given(st.lists(blocks(), min_size=1, max_size=4), blocks(12, 30))
def test_overlap_rule_matches_ipaddress(existing: list[IPv4Network], new: IPv4Network) -> None:
    check = association.check_association(existing, new, quota=50)
    found = {r.rule for r in check.refusals}
    assert (AssociationRule.OVERLAP in found) == any(new.overlaps(b) for b in existing)
    assert (AssociationRule.BLOCK_SIZE in found) == (not 16 <= new.prefixlen <= 28)


def test_quota_headroom() -> None:
    assert association.quota_headroom(1).left == 4
    assert association.quota_headroom(5).left == 0
    assert association.quota_headroom(3, 50).left == 47
    for bad in (4, 51):
        with pytest.raises(AddressingError, match="can be raised to 50"):
            association.quota_headroom(1, bad)
    with pytest.raises(AddressingError, match="between 1 and 5"):
        association.quota_headroom(6)
