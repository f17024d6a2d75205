"""The lab syntax: round trips and line-numbered errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from generators.security.model import Direction, NaclRule, SecurityGroup, SgRule
from generators.security.syntax import (
    ConfigSyntaxError,
    format_nacl_rule,
    format_sg_rule,
    parse_nacl_config,
    parse_sg_config,
)
from tests.generators.security.strategies import GROUP_IDS, nacl_rule_lists, sg_rules


@settings(max_examples=200)
@given(nacl_rule_lists(), nacl_rule_lists())
def test_nacl_rules_round_trip(inbound: tuple[NaclRule, ...], outbound: tuple[NaclRule, ...]) -> None:
    text = "\n".join(
        [format_nacl_rule(Direction.INBOUND, r) for r in inbound] + ["# a comment", ""]
        + [format_nacl_rule(Direction.OUTBOUND, r) + "   # trailing" for r in outbound]
    )
    acl = parse_nacl_config(text)
    assert acl.inbound == inbound and acl.outbound == outbound


@settings(max_examples=200)
@given(sg_rules(), sg_rules())
def test_sg_rules_round_trip(first: SgRule, second: SgRule) -> None:
    names = {g: g.removeprefix("sg-") for g in GROUP_IDS}
    text = format_sg_rule("a", Direction.INBOUND, first, names) + "\n" + format_sg_rule("b", Direction.OUTBOUND, second, names)
    groups = parse_sg_config(text, ["a", "b", "c"])
    assert groups["a"].inbound == (first,) and groups["b"].outbound == (second,)
    assert groups["c"] == SecurityGroup("sg-c", "c", (), ())


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("inbound 100 allow tcp 443 0.0.0.0/0\ninbond 110 allow tcp 22 10.0.0.0/8", 2, "expected 'inbound' or 'outbound'"),
        ("# header\n\ninbound x allow tcp 443 0.0.0.0/0", 3, "is not a whole number"),
        ("inbound 0 allow tcp 443 0.0.0.0/0", 1, "outside 1-32766"),
        ("inbound 40000 allow tcp 443 0.0.0.0/0", 1, "outside 1-32766"),
        ("inbound * deny all 0.0.0.0/0", 1, "built in"),
        ("inbound 100 permit tcp 443 0.0.0.0/0", 1, "action must be"),
        ("inbound 100 allow https 443 0.0.0.0/0", 1, "name the protocol"),
        ("inbound 100 allow tcp 0.0.0.0/0", 1, "needs a port or range"),
        ("inbound 100 allow tcp 443-80 0.0.0.0/0", 1, "runs backwards"),
        ("inbound 100 allow tcp 70000 0.0.0.0/0", 1, "above 65535"),
        ("inbound 100 allow icmp 8 0.0.0.0/0", 1, "takes no port range"),
        ("inbound 100 allow tcp 443 10.0.0.5/24", 1, "did you mean 10.0.0.0/24"),
        ("inbound 100 allow tcp 443 10.0.0.0/33", 1, "is not a CIDR block"),
        ("inbound 100 allow tcp 443 10.0.0.0", 1, "is not a CIDR block"),
        ("inbound 100 allow tcp 443 0.0.0.0/0 extra", 1, "too many fields"),
        ("inbound 100 allow", 1, "too few fields"),
        ("outbound 100 allow all 0.0.0.0/0\noutbound 100 deny all 10.0.0.0/8", 2, "already on line 1"),
    ],
)
def test_nacl_syntax_errors_name_the_line(text: str, line: int, message: str) -> None:
    with pytest.raises(ConfigSyntaxError, match=message) as info:
        parse_nacl_config(text)
    assert info.value.line == line and str(info.value).startswith(f"line {line}: ")


def test_same_number_in_both_directions_is_fine() -> None:
    acl = parse_nacl_config("INBOUND 100 ALLOW TCP 443 0.0.0.0/0\noutbound 100 allow tcp 1024-65535 ::/0")
    assert acl.inbound[0].number == acl.outbound[0].number == 100


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("wbe inbound tcp 443 0.0.0.0/0", 1, "there is no group 'wbe'"),
        ("reports inbound tcp 443 0.0.0.0/0", 1, "is given and cannot be changed"),
        ("web inbound deny tcp 22 0.0.0.0/0", 1, "no deny rules"),
        ("web inbound allow tcp 22 0.0.0.0/0", 1, "leave out 'allow'"),
        ("\nweb inbound tcp 443 sg:wbe", 2, "sg:wbe names no group"),
        ("web sideways tcp 443 0.0.0.0/0", 1, "expected 'inbound' or 'outbound'"),
        ("web inbound tcp", 1, "too few fields"),
        ("web inbound tcp 443 0.0.0.0/0 more", 1, "too many fields"),
    ],
)
def test_sg_syntax_errors_name_the_line(text: str, line: int, message: str) -> None:
    fixed = {"reports": SecurityGroup("sg-reports", "reports", (), ())}
    with pytest.raises(ConfigSyntaxError, match=message) as info:
        parse_sg_config(text, ["web", "app", "db"], fixed)
    assert info.value.line == line


def test_sg_reference_to_a_fixed_group() -> None:
    fixed = {"reports": SecurityGroup("sg-0abc", "reports", (), ())}
    groups = parse_sg_config("db inbound tcp 5432 sg:reports", ["db"], fixed)
    assert groups["db"].inbound[0].peer == "sg-0abc"
