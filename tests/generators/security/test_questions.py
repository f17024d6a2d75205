"""Security generators: answers recomputed from `params` with the brute-force
reference, and every note link resolves."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from ipaddress import ip_address, ip_network
from pathlib import Path

import pytest

import generators
from generators.security.flow import Endpoint, connection_works
from generators.security.model import (
    ALL_IPV4,
    Action,
    Direction,
    NaclRule,
    NetworkAcl,
    Packet,
    Protocol,
    SecurityGroup,
    SgRule,
    ephemeral_ports,
)
from generators.security.scenario import OS_CLIENTS
from quizapp.content import parse_note
from quizapp.questions import JSONValue, NumericSpec, Question, TextSpec
from tests.generators.security.oracle import reference_nacl, reference_sg_rule

SEEDS = range(150)
NOTE = Path(__file__).resolve().parents[3] / "content" / "notes" / "security.md"


def _rules(rows: JSONValue) -> list[NaclRule]:
    assert isinstance(rows, list)
    out = []
    for row in rows:
        protocol = Protocol(row["protocol"])
        low = high = None
        if protocol in (Protocol.TCP, Protocol.UDP):
            text = row["ports"]
            low, _, high_text = text.partition("-")
            low, high = int(low), int(high_text or low)
        out.append(NaclRule(row["number"], Action(row["action"]), protocol, low, high, ip_network(row["cidr"])))
    return out


def _answer_text(allowed: bool, number: int | None) -> str:
    if number is None:
        return "The * rule, which denies it"
    return f"Rule {number}, which {'allows' if allowed else 'denies'} it"


def _correct(q: Question) -> str:
    return next(c.text for c in q.choices if c.correct)


def test_every_security_generator_links_to_an_existing_section() -> None:
    note = parse_note(NOTE)
    assert note.topic == "security" and note.order == 30
    security = generators.by_topic("security")
    assert len(security) >= 12
    for gen in security:
        topic, _, anchor = gen.note.partition("#")
        assert topic == "security" and note.has_anchor(anchor), gen.id


def test_kinds_cover_every_answer_kind_but_network() -> None:
    kinds = {g.kind.value for g in generators.by_topic("security")}
    assert {"single", "multiple", "numeric", "ordering", "text", "lab"} <= kinds


@pytest.mark.parametrize("seed", SEEDS)
def test_deciding_rule_matches_reference(seed: int) -> None:
    q = generators.get("security.nacl-deciding-rule").make(seed)
    p = q.params
    direction = Direction(p["direction"])
    packet = Packet(Protocol.TCP, ip_address(p["source"]), ip_address(p["destination"]), p["source_port"], p["destination_port"])
    allowed, number = reference_nacl(_rules(p["rules"]), direction, packet)
    assert _correct(q) == _answer_text(allowed, number)
    assert number is not None  # two rules always match, so it is never the * rule


@pytest.mark.parametrize("seed", SEEDS)
def test_ipv6_question_matches_reference(seed: int) -> None:
    q = generators.get("security.ipv6-rule-match").make(seed)
    p = q.params
    packet = Packet(Protocol.TCP, ip_address(p["client"]), ip_address(p["server"]), p["client_port"], p["port"])
    allowed, number = reference_nacl(_rules(p["rules"]), Direction.INBOUND, packet)
    assert _correct(q) == _answer_text(allowed, number)
    wrong = [c for c in q.choices if c.misconception and "IPv4 rule" in c.misconception]
    assert wrong, "the IPv4-covers-IPv6 distractor always differs"


@pytest.mark.parametrize("seed", SEEDS)
def test_allowed_count_matches_reference(seed: int) -> None:
    q = generators.get("security.nacl-allowed-count").make(seed)
    p = q.params
    rules = _rules(p["rules"])
    count = 0
    for row in p["packets"]:
        packet = Packet(Protocol.TCP, ip_address(row["source"]), ip_address(row["destination"]), row["source_port"], row["port"])
        count += reference_nacl(rules, Direction.INBOUND, packet)[0]
    assert isinstance(q.spec, NumericSpec) and q.spec.value == Decimal(count)


@pytest.mark.parametrize("seed", SEEDS)
def test_response_question_matches_reference(seed: int) -> None:
    q = generators.get("security.nacl-response-allowed").make(seed)
    p = q.params
    response = Packet(Protocol.TCP, ip_address(p["server"]), ip_address(p["client"]), p["port"], p["client_port"])
    allowed, number = reference_nacl(_rules(p["outbound"]), Direction.OUTBOUND, response)
    expected = (
        "No: no outbound rule matches, so the * rule denies it"
        if number is None
        else f"{'Yes' if allowed else 'No'}: outbound rule {number} {'allows' if allowed else 'denies'} it"
    )
    assert _correct(q) == expected
    assert any(c.misconception == "treat the network ACL as stateful" for c in q.choices)


@pytest.mark.parametrize("seed", SEEDS)
def test_evaluation_order_is_by_number(seed: int) -> None:
    q = generators.get("security.nacl-evaluation-order").make(seed)
    numbers = [int(c.text.split(":")[0].removeprefix("rule ")) for c in q.choices[:-1]]
    assert numbers == sorted(numbers) and q.choices[-1].text.startswith("rule *")


@pytest.mark.parametrize("seed", SEEDS)
def test_ephemeral_range_is_one_aws_documents(seed: int) -> None:
    q = generators.get("security.ephemeral-port-range").make(seed)
    assert isinstance(q.spec, TextSpec)
    assert q.spec.accepted[0] in {"32768-61000", "49152-65535", "1024-65535"}
    if "NAT gateway" in q.prompt or "Load Balancer" in q.prompt or "Lambda" in q.prompt:
        assert q.spec.accepted[0] == "1024-65535"


@pytest.mark.parametrize("gen_id", ["security.fix-flow", "security.sg-reference-members"])
def test_multiple_choice_has_several_right_answers(gen_id: str) -> None:
    for seed in SEEDS:
        q = generators.get(gen_id).make(seed)
        assert q.choose >= 2 and len(q.choices) > q.choose


@pytest.mark.parametrize("seed", SEEDS)
def test_sg_union_answer_matches_reference(seed: int) -> None:
    q = generators.get("security.sg-union").make(seed)
    p = q.params
    client_group = p.get("client_group")
    peers = frozenset({client_group["id"]}) if isinstance(client_group, Mapping) else frozenset()
    packet = Packet(Protocol.TCP, ip_address(p["source"]), ip_address(p["target"]), p["source_port"], p["port"])
    allowing = []
    for group in p["groups"]:
        for row in group["inbound"]:
            protocol = Protocol(row["protocol"])
            low = high = None
            if protocol in (Protocol.TCP, Protocol.UDP):
                low_text, _, high_text = row["ports"].partition("-")
                low, high = int(low_text), int(high_text or low_text)
            peer = row["peer"] if row["peer"].startswith("sg-") else ip_network(row["peer"])
            rule = SgRule(protocol, low, high, peer)
            if reference_sg_rule(rule, Direction.INBOUND, packet, peers):
                allowing.append(f"{group['name']}: {rule.describe(Direction.INBOUND)}")
    answer = _correct(q)
    if allowing:
        assert answer in allowing
    else:
        assert answer == "None of them: the packet is dropped"


def _apply_choice(text: str, acl: NetworkAcl, group: SecurityGroup) -> tuple[NetworkAcl, SecurityGroup]:
    """Apply one change written as a fix-flow choice."""
    nacl = re.fullmatch(r"Network ACL: add (inbound|outbound) rule (\d+), allow tcp (\d+)(?:-(\d+))? (?:from|to) 0\.0\.0\.0/0", text)
    if nacl:
        low = int(nacl[3])
        rule = NaclRule(int(nacl[2]), Action.ALLOW, Protocol.TCP, low, int(nacl[4] or low), ALL_IPV4)
        if nacl[1] == "inbound":
            return NetworkAcl(acl.id, acl.inbound + (rule,), acl.outbound), group
        return NetworkAcl(acl.id, acl.inbound, acl.outbound + (rule,)), group
    sg = re.fullmatch(r"Security group: add (inbound|outbound) rule tcp (\d+)(?:-(\d+))? (?:from|to) 0\.0\.0\.0/0", text)
    assert sg, text
    low = int(sg[2])
    rule_sg = SgRule(Protocol.TCP, low, int(sg[3] or low), ALL_IPV4)
    if sg[1] == "inbound":
        return acl, SecurityGroup(group.id, group.name, group.inbound + (rule_sg,), group.outbound)
    return acl, SecurityGroup(group.id, group.name, group.inbound, group.outbound + (rule_sg,))


@pytest.mark.parametrize("seed", range(60))
def test_fix_flow_needs_exactly_the_two_right_changes(seed: int) -> None:
    q = generators.get("security.fix-flow").make(seed)
    p = q.params
    acl = NetworkAcl("acl-q", tuple(_rules(p["inbound"])), tuple(_rules(p["outbound"])))
    rows = p["group_rules"]
    assert isinstance(rows, list)
    group = SecurityGroup(
        "sg-q", str(p["group"]),
        tuple(SgRule(Protocol.TCP, int(r["ports"]), int(r["ports"]), ip_network(r["peer"])) for r in rows), (),
    )
    family = dict(OS_CLIENTS)[str(p["os"])]
    low, high = ephemeral_ports(family)
    client = Endpoint("client", ip_address("198.51.100.77"))

    def works(texts: list[str]) -> bool:
        a, g = acl, group
        for text in texts:
            a, g = _apply_choice(text, a, g)
        server = Endpoint("server", ip_address(str(p["server"])), a, (g,), "s")
        return all(connection_works(client, server, Protocol.TCP, int(p["port"]), port) for port in (low, high))

    right = [c.text for c in q.choices if c.correct]
    wrong = [c.text for c in q.choices if not c.correct]
    assert not works([]) and works(right)
    assert not works(right[:1]) and not works(right[1:])
    for text in wrong:
        assert not works([right[0], text]) and not works([right[1], text]), text


def _acl_with(acl: NetworkAcl, direction: str, rule: NaclRule) -> NetworkAcl:
    if direction == "inbound":
        return NetworkAcl(acl.id, acl.inbound + (rule,), acl.outbound)
    return NetworkAcl(acl.id, acl.inbound, acl.outbound + (rule,))


@pytest.mark.parametrize("seed", range(60))
def test_deny_placement_answer_blocks_only_the_abuser(seed: int) -> None:
    q = generators.get("security.nacl-deny-placement").make(seed)
    p = q.params
    acl = NetworkAcl(str(p["acl"]), tuple(_rules(p["inbound"])), tuple(_rules(p["outbound"])))
    port, low, high = int(p["port"]), int(p["low"]), int(p["high"])
    abuser = Endpoint("abuser", ip_network(str(p["attacker"])).network_address + 7)
    friend = Endpoint("friend", ip_address(str(p["friend"])))

    def verdict(text: str) -> tuple[bool, bool]:
        found = re.fullmatch(r"Add (inbound|outbound) rule (\d+): deny tcp (\d+)(?:-(\d+))? (?:from|to) (\S+)", text)
        assert found, text
        rule = NaclRule(int(found[2]), Action.DENY, Protocol.TCP, int(found[3]), int(found[4] or found[3]), ip_network(found[5]))
        server = Endpoint(str(p["name"]), ip_address(str(p["server"])), _acl_with(acl, found[1], rule), None, "web")
        blocked = not any(connection_works(abuser, server, Protocol.TCP, port, c) for c in (low, high))
        kept = all(connection_works(friend, server, Protocol.TCP, port, c) for c in (low, high))
        return blocked, kept

    for choice in q.choices:
        assert (verdict(choice.text) == (True, True)) == choice.correct, choice.text


@pytest.mark.parametrize("seed", range(60))
def test_ephemeral_rule_direction_answer_lets_every_response_in(seed: int) -> None:
    q = generators.get("security.ephemeral-rule-direction").make(seed)
    p = q.params
    acl = NetworkAcl(str(p["acl"]), tuple(_rules(p["inbound"])), tuple(_rules(p["outbound"])))
    low, high = ephemeral_ports(dict(OS_CLIENTS)[str(p["os"])])
    remote = Endpoint("remote", ip_address(str(p["remote"])))
    port = int(p["port"])

    def works(changed: NetworkAcl) -> bool:
        client = Endpoint(str(p["name"]), ip_address("10.0.0.10"), changed, None, str(p["name"]))
        return all(connection_works(client, remote, Protocol.TCP, port, c) for c in (low, high))

    assert not works(acl)
    for choice in q.choices:
        found = re.fullmatch(r"(Inbound|Outbound) rule 110: allow tcp (\d+)(?:-(\d+))? (?:from|to) 0\.0\.0\.0/0", choice.text)
        if found is None:
            assert choice.misconception == "treat the network ACL as stateful"
            continue
        rule = NaclRule(110, Action.ALLOW, Protocol.TCP, int(found[2]), int(found[3] or found[2]), ALL_IPV4)
        assert works(_acl_with(acl, found[1].lower(), rule)) == choice.correct, choice.text
