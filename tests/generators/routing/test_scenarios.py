"""Scenario helpers: the text parsers agree with `ipaddress`, and a scenario
is read into the model as plain parsing would read it."""

from __future__ import annotations

import random
from ipaddress import IPv4Address, IPv4Network, IPv6Network, ip_network
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from generators.routing.model import Route, RouteOrigin, RouteTable, parse_destination
from generators.routing.scenarios import addr, build_vpc, two_tier, v4net
from generators.routing.topology import Instance, NatGateway, Subnet, Vpc
from generators.security.model import Action, Direction, NaclRule, NetworkAcl, Protocol, SecurityGroup, SgRule

seeds = st.integers(min_value=0, max_value=2**64)


@given(st.integers(min_value=0, max_value=2**32 - 1), st.integers(min_value=0, max_value=32))
def test_addresses_and_blocks_parse_like_ipaddress(value: int, prefix: int) -> None:
    address = IPv4Address(value)
    assert addr(str(address)) == address
    block = IPv4Network((value, prefix), strict=False)
    assert v4net(str(block)) == block


def _plain_net(text: str) -> IPv4Network | IPv6Network:
    return ip_network(text)


@settings(max_examples=60, deadline=None)
@given(seeds)
def test_build_vpc_reads_every_row_as_plain_parsing_would(seed: int) -> None:
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(seed)
    p = two_tier(random.Random(seed), fake)
    vpc = build_vpc(p)
    assert vpc.cidr == ip_network(p["vpc"]["cidr"])
    for acl, data in zip(vpc.nacls, p["acls"], strict=True):
        for rules, rows in ((acl.inbound, data["inbound"]), (acl.outbound, data["outbound"])):
            expected = []
            for number, action, protocol, ports, cidr in rows:
                low, _, high = ports.partition("-")
                expected.append(NaclRule(int(number), Action(action), Protocol(protocol), int(low), int(high or low),
                                         _plain_net(cidr)))
            assert list(rules) == expected
    for group, data in zip(vpc.security_groups, p["groups"], strict=True):
        for sg_rules, rows in ((group.inbound, data["inbound"]), (group.outbound, data["outbound"])):
            expected_sg = []
            for protocol, ports, peer in rows:
                low, _, high = ports.partition("-")
                port_from, port_to = (None, None) if ports == "all" else (int(low), int(high or low))
                expected_sg.append(SgRule(Protocol(protocol), port_from, port_to,
                                          peer if peer.startswith("sg-") else _plain_net(peer)))
            assert list(sg_rules) == expected_sg
    for table, data in zip(vpc.route_tables, p["route_tables"], strict=True):
        assert [(r.destination, r.target) for r in table.routes] == [(_plain_net(d), t) for d, t in data["routes"]]


def test_building_scenarios_leaves_no_scenario_values_in_the_process_caches() -> None:
    # One-off values cached for the whole process would pile up in the
    # garbage collector's oldest generation; only rules for the whole
    # internet, which recur across scenarios, go through those caches.
    from faker import Faker

    from generators.routing import scenarios

    caches = (scenarios.net, scenarios.v4net, scenarios._nacl_rule, scenarios._sg_rule)
    fake = Faker("en_US")
    fake.seed_instance(0)
    build_vpc(two_tier(random.Random(0), fake))
    before = [c.cache_info().misses for c in caches]
    for seed in range(1, 301):
        fake.seed_instance(seed)
        build_vpc(two_tier(random.Random(seed), fake))
    new_entries = [c.cache_info().misses - b for c, b in zip(caches, before, strict=True)]
    assert all(n < 60 for n in new_entries), new_entries


def _plain_vpc(p: dict[str, Any]) -> Vpc:
    """The model from params the plain way: `ipaddress` parsing, a fresh value per row."""
    def ports(text: str) -> tuple[int | None, int | None]:
        if text == "all":
            return None, None
        low, _, high = text.partition("-")
        return int(low), int(high or low)

    def nacl(rows: list[list[str]]) -> tuple[NaclRule, ...]:
        return tuple(NaclRule(int(n), Action(a), Protocol(pr), *ports(po), ip_network(c)) for n, a, pr, po, c in rows)

    def sg(rows: list[list[str]]) -> tuple[SgRule, ...]:
        return tuple(SgRule(Protocol(pr), *ports(po), peer if peer.startswith("sg-") else ip_network(peer))
                     for pr, po, peer in rows)

    def listening(items: list[str]) -> tuple[tuple[Protocol, int], ...]:
        return tuple((Protocol(x.split("/")[0]), int(x.split("/")[1])) for x in items)

    return Vpc(
        id=p["vpc"]["id"],
        cidr=IPv4Network(p["vpc"]["cidr"]),
        subnets=tuple(Subnet(s["id"], IPv4Network(s["cidr"]), s["az"], s["acl"]) for s in p["subnets"]),
        route_tables=tuple(
            RouteTable(t["id"], tuple(Route(parse_destination(r[0]), r[1], RouteOrigin(r[2]) if len(r) > 2 else RouteOrigin.STATIC)
                                      for r in t["routes"]), bool(t.get("main", False)))
            for t in p["route_tables"]),
        nacls=tuple(NetworkAcl(a["id"], nacl(a["inbound"]), nacl(a["outbound"])) for a in p["acls"]),
        security_groups=tuple(SecurityGroup(g["id"], g["name"], sg(g["inbound"]), sg(g["outbound"])) for g in p["groups"]),
        instances=tuple(
            Instance(i["id"], i["subnet"], IPv4Address(i["ip"]), tuple(i["groups"]),
                     IPv4Address(i["public_ip"]) if i.get("public_ip") else None, None, listening(i.get("listens", [])),
                     i.get("os", "linux"), i.get("source_dest_check", True), i["name"])
            for i in p["instances"]),
        associations={s["id"]: s["rtb"] for s in p["subnets"] if s.get("rtb")},
        nat_gateways=tuple(NatGateway(n["id"], n["subnet"], IPv4Address(n["ip"]), IPv4Address(n["eip"]) if n.get("eip") else None)
                           for n in p.get("nat_gateways", ())),
        internet_gateway=p["vpc"].get("igw"),
        gateway_endpoints=tuple(e["id"] for e in p.get("endpoints", ())),
        prefix_lists={pl["id"]: tuple(ip_network(c) for c in pl["cidrs"]) for pl in p.get("prefix_lists", ())},
        failed_azs=frozenset([p["failed_az"]]) if p.get("failed_az") else frozenset(),
    )


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["routing.blocking-component", "routing.timeout-or-refused", "routing.path-order"]), seeds)
def test_build_vpc_equals_the_plain_reading_of_the_questions_params(generator_id: str, seed: int) -> None:
    # The questions' params include their defects (a removed rule, a
    # blackholed route, a changed port...), not only fresh two-tier VPCs.
    import generators

    p = generators.get(generator_id).make(seed).params
    built, plain = build_vpc(p), _plain_vpc(p)
    assert built == plain
    assert [[(r.kind, r.match) for r in t.routes] for t in built.route_tables] == [
        [(r.kind, r.match) for r in t.routes] for t in plain.route_tables]
    assert [(a.ordered(Direction.INBOUND), a.ordered(Direction.OUTBOUND)) for a in built.nacls] == [
        (a.ordered(Direction.INBOUND), a.ordered(Direction.OUTBOUND)) for a in plain.nacls]
    assert [[r._match for r in a.inbound + a.outbound] for a in built.nacls] == [
        [r._match for r in a.inbound + a.outbound] for a in plain.nacls]
    assert [[r._match for r in g.inbound + g.outbound] for g in built.security_groups] == [
        [r._match for r in g.inbound + g.outbound] for g in plain.security_groups]
