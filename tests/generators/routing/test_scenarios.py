"""Scenario helpers: the text parsers agree with `ipaddress`, and a scenario
is read into the model as plain parsing would read it."""

from __future__ import annotations

import random
from ipaddress import IPv4Address, IPv4Network, IPv6Network, ip_network

from hypothesis import given, settings
from hypothesis import strategies as st

from generators.routing.scenarios import addr, build_vpc, two_tier, v4net
from generators.security.model import Action, NaclRule, Protocol, SgRule

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
