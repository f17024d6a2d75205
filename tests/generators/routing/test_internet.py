"""The internet-access checklist, zonal NAT failures and the target for a need."""

from __future__ import annotations

import random
from dataclasses import replace
from ipaddress import IPv4Address, IPv4Network

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generators.base import _seeded_faker
from generators.routing import questions_internet
from generators.routing.internet import (
    Check,
    ChecklistMisconception,
    InternetChecks,
    Requirement,
    internet_checklist,
    loses_internet,
    nat_for,
    target_for_need,
)
from generators.routing.model import IPAddress, Route, RouteTable, TargetKind, longest_prefix_match
from generators.routing.reachability import nacl_over_ports
from generators.routing.scenarios import addr, build_vpc, route_table
from generators.routing.topology import NatGateway, Subnet, Vpc, example_vpc
from generators.security.model import (
    Action,
    Direction,
    NaclRule,
    NetworkAcl,
    Packet,
    Protocol,
    SecurityGroup,
    SgRule,
    ephemeral_ports,
    evaluate_nacl,
    evaluate_security_groups,
)

A, N = IPv4Address, IPv4Network
REMOTE = A("198.51.100.7")


def missing(vpc, inst="i-web", inbound=True, *mis):  # type: ignore[no-untyped-def]
    checks = internet_checklist(vpc, inst, REMOTE, Protocol.TCP, 443, inbound=inbound, misconceptions=mis)
    return {c.requirement for c in checks if not c.met}


def test_every_requirement_taken_away_in_turn() -> None:
    vpc = example_vpc()
    assert missing(vpc) == set()
    assert missing(replace(vpc, internet_gateway=None)) == {Requirement.GATEWAY}
    web = vpc.instances[0]
    assert missing(replace(vpc, instances=(replace(web, public_ip=None), vpc.instances[1]))) == {Requirement.ADDRESS}
    no_route = RouteTable("rtb-public", (Route(N("10.0.0.0/16"), "local"),))
    tables = (vpc.route_tables[0], no_route, vpc.route_tables[2])
    assert missing(replace(vpc, route_tables=tables)) == {Requirement.ROUTE}
    closed = SecurityGroup("sg-web", "web", (), vpc.security_groups[0].outbound)
    assert missing(replace(vpc, security_groups=(closed, *vpc.security_groups[1:]))) == {Requirement.SECURITY_GROUP}
    one_way = NetworkAcl("acl-default", (NaclRule(100, Action.ALLOW, Protocol.ALL, None, None, N("0.0.0.0/0")),), ())
    assert missing(replace(vpc, nacls=(one_way,))) == {Requirement.NETWORK_ACL}


def test_misconceptions_see_gaps_that_are_not_there() -> None:
    vpc = example_vpc()
    # The main table has no internet route, the subnet's own table has one.
    assert missing(vpc, "i-web", True, ChecklistMisconception.MAIN_TABLE_ONLY) == {Requirement.ROUTE}
    # The web group allows no outbound port 443 to clients' ephemeral ports... it allows all, so no gap.
    assert missing(vpc, "i-web", True, ChecklistMisconception.STATELESS_SG) == set()
    narrow = replace(vpc.security_groups[0], outbound=(SgRule(Protocol.TCP, 443, 443, N("0.0.0.0/0")),))
    vpc2 = replace(vpc, security_groups=(narrow, *vpc.security_groups[1:]))
    assert missing(vpc2) == set()
    assert missing(vpc2, "i-web", True, ChecklistMisconception.STATELESS_SG) == {Requirement.SECURITY_GROUP}
    acl = NetworkAcl("acl-default",
                     (NaclRule(100, Action.ALLOW, Protocol.TCP, 443, 443, N("0.0.0.0/0")),),
                     (NaclRule(100, Action.ALLOW, Protocol.TCP, 1024, 65535, N("0.0.0.0/0")),))
    vpc3 = replace(vpc, nacls=(acl,))
    assert missing(vpc3) == set()
    assert missing(vpc3, "i-web", True, ChecklistMisconception.RETURN_ON_SERVICE_PORT) == {Requirement.NETWORK_ACL}
    broken = replace(vpc, nacls=(NetworkAcl("acl-default", acl.inbound, ()),))
    assert missing(broken) == {Requirement.NETWORK_ACL}
    assert missing(broken, "i-web", True, ChecklistMisconception.STATEFUL_NACL) == set()


def test_zonal_nat_gateway() -> None:
    vpc = example_vpc()
    assert nat_for(vpc, "subnet-app", REMOTE) == vpc.nat_gateways[0]
    assert nat_for(vpc, "subnet-web", REMOTE) is None
    # Move the app subnet to another zone: it still depends on az-a's NAT gateway.
    moved = replace(vpc, subnets=(vpc.subnets[0], replace(vpc.subnets[1], az="az-b")))
    assert loses_internet(moved, "subnet-app", "az-a", REMOTE)
    assert not loses_internet(moved, "subnet-app", "az-b", REMOTE)
    # A NAT gateway in the app's own zone keeps it independent of az-a.
    pub_b = Subnet("subnet-pub-b", N("10.0.3.0/24"), "az-b", "acl-default")
    own = replace(moved, subnets=(*moved.subnets, pub_b),
                  nat_gateways=(NatGateway("nat-1", "subnet-pub-b", A("10.0.3.5"), A("198.51.100.50")),))
    assert not loses_internet(own, "subnet-app", "az-a", REMOTE)


@pytest.mark.parametrize(
    ("ipv6", "inbound", "service", "kind"),
    [
        (False, True, None, TargetKind.INTERNET_GATEWAY),
        (True, True, None, TargetKind.INTERNET_GATEWAY),
        (False, False, None, TargetKind.NAT_GATEWAY),
        (True, False, None, TargetKind.EGRESS_ONLY_INTERNET_GATEWAY),
        (False, False, "dynamodb", TargetKind.VPC_ENDPOINT),
    ],
)
def test_target_for_need(ipv6: bool, inbound: bool, service: str | None, kind: TargetKind) -> None:
    assert target_for_need(ipv6=ipv6, inbound=inbound, service=service) is kind


def test_no_gateway_endpoint_for_other_services() -> None:
    with pytest.raises(ValueError, match="no gateway endpoint"):
        target_for_need(ipv6=False, inbound=False, service="sqs")


# --- the shared checklist against the plain one ----------------------------

CM = ChecklistMisconception


def plain_checklist(
    vpc: Vpc, instance_id: str, remote: IPAddress, protocol: Protocol, port: int | None, *,
    inbound: bool, client: str, misconceptions: frozenset[CM],
) -> list[tuple[Requirement, bool, str]]:
    """The checklist computed the straightforward way, every requirement from
    scratch: what `InternetChecks` must agree with."""
    mis = misconceptions
    inst = vpc.instance(instance_id)
    subnet = vpc.subnet(inst.subnet_id)
    out = []
    igw = vpc.internet_gateway
    out.append((Requirement.GATEWAY, igw is not None,
                f"{igw} is attached to {vpc.id}." if igw else f"No internet gateway is attached to {vpc.id}."))
    table = next(t for t in vpc.route_tables if t.main) if CM.MAIN_TABLE_ONLY in mis else vpc.route_table_of(subnet.id)
    decision = longest_prefix_match(table, remote, vpc.prefix_lists)
    out.append((Requirement.ROUTE, decision.route is not None and decision.route.kind is TargetKind.INTERNET_GATEWAY,
                decision.explain()))
    out.append((Requirement.ADDRESS, inst.public_ip is not None,
                f"{inst.id} has the public address {inst.public_ip}." if inst.public_ip
                else f"{inst.id} has only the private address {inst.private_ip}."))

    def packet(source: IPAddress, destination: IPAddress, sport: int | None, dport: int | None) -> Packet:
        if protocol is Protocol.ICMP:
            return Packet(protocol, source, destination)
        return Packet(protocol, source, destination, sport, dport)

    low, high = ephemeral_ports(client if inbound else inst.client) if protocol.has_ports else (0, 0)
    sport = low if protocol.has_ports else None
    request = packet(remote, inst.private_ip, sport, port) if inbound else packet(inst.private_ip, remote, sport, port)
    there_dir = Direction.INBOUND if inbound else Direction.OUTBOUND
    back_dir = there_dir.opposite
    if CM.RETURN_ON_SERVICE_PORT in mis and port is not None:
        low = high = sport = port
    reply = packet(request.destination, request.source, port, sport)

    groups = vpc.groups_of(inst)
    sg = evaluate_security_groups(groups, there_dir, request)
    sg_row = (Requirement.SECURITY_GROUP, sg.allowed, sg.explain())
    if sg.allowed and CM.STATELESS_SG in mis and protocol.has_ports:
        # Every port where some rule starts or stops allowing, and the ends.
        probes = {low, high}
        for group in groups:
            for rule in group.rules(back_dir):
                for edge in (rule.port_from, rule.port_to):
                    if edge is not None:
                        probes |= {p for p in (edge - 1, edge, edge + 1) if low <= p <= high}
        every_port = all(
            evaluate_security_groups(groups, back_dir, Packet(protocol, reply.source, reply.destination, reply.source_port, p)).allowed
            for p in probes
        )
        if not every_port:
            sg_row = (Requirement.SECURITY_GROUP, False, f"No {back_dir} rule of {', '.join(inst.groups)} allows the responses.")
    out.append(sg_row)

    acl = vpc.nacl(subnet.nacl_id)
    there = evaluate_nacl(acl, there_dir, request)
    nacl_row = (Requirement.NETWORK_ACL, there.allowed, there.explain())
    if there.allowed and CM.STATEFUL_NACL not in mis:
        if protocol.has_ports:
            back, denied = nacl_over_ports(acl, back_dir, reply, low, high)
        else:
            back, denied = evaluate_nacl(acl, back_dir, reply), None
        nacl_row = (Requirement.NETWORK_ACL, back.allowed and denied is None,
                    f"Requests: {there.explain()} Responses: {back.explain()}")
    out.append(nacl_row)
    return out


def rows(checks: tuple[Check, ...] | list[Check]) -> list[tuple[Requirement, bool, str]]:
    return [(c.requirement, c.met, c.detail) for c in checks]


def internet_scenario(seed: int, broken: list[Requirement]) -> tuple[Vpc, IPAddress, str, bool]:
    """A question's scenario: the web instance with `broken` requirements taken away."""
    p, inst, inbound = questions_internet._internet_case(random.Random(seed), _seeded_faker(seed), broken)
    return build_vpc(p), addr(p["remote"]), inst, inbound


requirement_sets = st.lists(st.sampled_from(list(Requirement)), max_size=3, unique=True)
misconception_sets = st.frozensets(st.sampled_from(list(CM)))
connections = st.sampled_from([(Protocol.TCP, 443), (Protocol.TCP, 22), (Protocol.UDP, 123), (Protocol.ICMP, None)])


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**32), requirement_sets, misconception_sets, connections, st.booleans(),
       st.sampled_from(["linux", "windows"]), st.lists(st.sampled_from(list(Requirement)), unique=True))
def test_shared_checklist_matches_the_plain_one(
    seed: int, broken: list[Requirement], mis: frozenset[CM], connection: tuple[Protocol, int | None],
    flip: bool, client: str, order: list[Requirement],
) -> None:
    vpc, remote, inst, inbound = internet_scenario(seed, broken)
    inbound ^= flip
    protocol, port = connection
    expected = plain_checklist(vpc, inst, remote, protocol, port, inbound=inbound, client=client, misconceptions=mis)
    got = internet_checklist(vpc, inst, remote, protocol, port, inbound=inbound, client=client, misconceptions=mis)
    assert rows(got) == expected
    # One InternetChecks asked in any order, with and without the misconceptions,
    # answers as a fresh plain checklist does.
    plain = {row[0]: row for row in expected}
    fresh = plain_checklist(vpc, inst, remote, protocol, port, inbound=inbound, client=client, misconceptions=frozenset())
    fresh_rows = {row[0]: row for row in fresh}
    shared = InternetChecks(vpc, inst, remote, protocol, port, inbound=inbound, client=client)
    for req in order:
        assert rows([shared.check(req)]) == [fresh_rows[req]]
        assert rows([shared.check(req, mis)]) == [plain[req]]


def test_shared_checklist_on_the_example_vpc() -> None:
    vpc = example_vpc()
    for inst in ("i-web", "i-app"):
        for inbound in (True, False):
            for mis in [frozenset(), *({m} for m in CM), frozenset(CM)]:
                expected = plain_checklist(vpc, inst, REMOTE, Protocol.TCP, 443, inbound=inbound, client="linux",
                                           misconceptions=frozenset(mis))
                got = internet_checklist(vpc, inst, REMOTE, Protocol.TCP, 443, inbound=inbound, misconceptions=mis)
                assert rows(got) == expected
    only = internet_checklist(vpc, "i-app", REMOTE, Protocol.TCP, 443, inbound=False,
                              only=[Requirement.NETWORK_ACL, Requirement.ROUTE])
    assert [c.requirement for c in only] == [Requirement.ROUTE, Requirement.NETWORK_ACL]


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32), requirement_sets)
def test_question_checks_match_a_checklist_per_misconception(seed: int, broken: list[Requirement]) -> None:
    """The questions judge the checklist once and each bait on the same
    object, on a model of only what the checklist looks at: the same as a
    separate checklist for each, on the whole scenario."""
    p, inst, inbound = questions_internet._internet_case(random.Random(seed), _seeded_faker(seed), broken)
    vpc, remote = build_vpc(p), addr(p["remote"])
    base, baits = questions_internet._checks(p, inst, inbound)
    plain = internet_checklist(vpc, inst, remote, Protocol.TCP, 443, inbound=inbound)
    assert rows(list(base.values())) == rows(plain)
    assert sorted(r for r, c in base.items() if not c.met) == sorted(broken)
    expected = []
    for mis, req in [(CM.MAIN_TABLE_ONLY, Requirement.ROUTE), (CM.STATELESS_SG, Requirement.SECURITY_GROUP),
                     (CM.RETURN_ON_SERVICE_PORT, Requirement.NETWORK_ACL)]:
        seen = internet_checklist(vpc, inst, remote, Protocol.TCP, 443, inbound=inbound, misconceptions=[mis])
        if base[req].met and not next(c for c in seen if c.requirement is req).met:
            expected.append((questions_internet._TEXTS[req], mis.value))
    assert [(d.text, d.misconception) for d in baits] == expected


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32))
def test_zonal_route_tables_are_the_ones_shown(seed: int) -> None:
    """The zonal scenario builds its route tables directly: each private
    subnet's table is the one the prompt describes, read as a scenario
    route table would be."""
    p, vpc, private, failed = questions_internet._zonal_scenario(random.Random(seed), _seeded_faker(seed))
    cidr = p["vpc"]["cidr"]
    for s in p["private"]:
        table = vpc.route_table_of(s["id"])
        shown = route_table({"id": table.id, "routes": [[cidr, "local"], ["0.0.0.0/0", s["nat"]]]})
        assert table == shown and not table.main
    main = next(t for t in vpc.route_tables if t.main)
    assert main == route_table({"id": main.id, "main": True, "routes": [[cidr, "local"]]})
    assert len(vpc.route_tables) == 1 + len(p["private"])


@pytest.mark.parametrize("seed", range(60))
def test_nat_placement_judges_each_subnet_by_its_table(seed: int) -> None:
    """The placement question decides once per route table; every subnet's
    line is what its own table decides."""
    q = questions_internet.NatPlacement().make(seed)
    p = q.params
    tables = {t["id"]: route_table(t) for t in p["route_tables"]}
    main = next(t["id"] for t in p["route_tables"] if t["main"])
    remote = addr(p["remote"])
    public = []
    for s in p["subnets"]:
        decision = longest_prefix_match(tables[s["rtb"] or main], remote)
        assert f"- NAT gateway in `{s['id']}`: {decision.explain()}" in q.explanation
        if decision.route is not None and decision.route.kind is TargetKind.INTERNET_GATEWAY:
            public.append(s)
    assert len(public) == 1
    assert [c.text for c in q.choices if c.correct] == [f"`{public[0]['id']}` ({public[0]['name']}, {public[0]['az']})"]
