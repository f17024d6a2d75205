"""Routing generators checked against answers worked out independently
from their params (not through the walk or the route model)."""

from __future__ import annotations

import ipaddress
from collections import Counter

from generators.routing.questions_internet import AzFailureCount, MissingRequirement, NatPlacement
from generators.routing.questions_reach import BlockingComponent, TimeoutOrRefused
from generators.routing.questions_routes import DestinationCidr, GatewayEndpointRoute, RouteTarget
from quizapp.grading import grade

SEEDS = range(150)


def _correct(q):  # type: ignore[no-untyped-def]
    return next(c for c in q.choices if c.correct)


def _best_route(routes: list[list[str]], address: str, lists: dict[str, list[str]] | None = None) -> list[str] | None:
    """Brute force: longest prefix, then static CIDR > prefix list > propagated."""
    ip = ipaddress.ip_address(address)
    best, key = None, (-1, -1)
    for row in routes:
        dest = row[0]
        cidrs = (lists or {}).get(dest, []) if dest.startswith("pl-") else [dest]
        for c in cidrs:
            n = ipaddress.ip_network(c)
            if ip in n:
                rank = 0 if len(row) > 2 and row[2] == "propagated" else (1 if dest.startswith("pl-") else 2)
                if (n.prefixlen, rank) > key:
                    best, key = row, (n.prefixlen, rank)
    return best


def test_route_target_matches_brute_force() -> None:
    gen = RouteTarget()
    for seed in SEEDS:
        q = gen.make(seed)
        p = q.params
        row = _best_route(p["table"]["routes"], p["destination"])
        text = _correct(q).text
        if row is None:
            assert text.startswith("Dropped: no route")
        elif row[1] == p["gone"]:
            assert "blackhole" in text
        elif row[1] == "local":
            assert text.startswith("`local`")
        else:
            assert text.startswith(f"`{row[1]}`"), (seed, row, text)


def test_s3_endpoint_route_matches_brute_force() -> None:
    gen = GatewayEndpointRoute()
    for seed in SEEDS:
        q = gen.make(seed)
        p = q.params
        row = _best_route(p["table"]["routes"], p["destination"], {p["prefix_list"]["id"]: p["prefix_list"]["cidrs"]})
        assert row is not None and _correct(q).text.startswith(f"`{row[1]}`")


def test_nat_placement_is_the_subnet_routing_to_the_internet_gateway() -> None:
    gen = NatPlacement()
    for seed in SEEDS:
        q = gen.make(seed)
        p = q.params
        public_tables = {t["id"] for t in p["route_tables"] if any(r[1] == p["vpc"]["igw"] for r in t["routes"])}
        public = [s for s in p["subnets"] if s["rtb"] in public_tables]
        assert len(public) == 1 and _correct(q).text.startswith(f"`{public[0]['id']}`")


def test_zone_failure_count_matches_a_hand_count() -> None:
    gen = AzFailureCount()
    answers = Counter()
    for seed in SEEDS:
        q = gen.make(seed)
        p = q.params
        nat_az = {n["id"]: n["az"] for n in p["nat_gateways"]}
        expected = sum(1 for s in p["private"] if s["az"] != p["failed_az"] and nat_az[s["nat"]] == p["failed_az"])
        assert q.answer == str(expected)
        answers[expected > 0] += 1
        wrong = grade(q, "0") if expected else None
        if wrong is not None:
            assert not wrong.correct and "fails over" in wrong.feedback
    assert answers[True] > len(SEEDS) // 2


def test_destination_cidr_is_the_peer_block_and_names_misconceptions() -> None:
    gen = DestinationCidr()
    for seed in SEEDS:
        q = gen.make(seed)
        assert q.answer == q.params["peer"]
        subnet = grade(q, q.params["server_subnet"])
        assert not subnet.correct and "subnet where the server is" in subnet.feedback


def test_missing_requirement_simple_cases() -> None:
    gen = MissingRequirement()
    for seed in SEEDS:
        q = gen.make(seed)
        p = q.params
        text = _correct(q).text
        web = p["instances"][0]
        pub = next(t for t in p["route_tables"] if t["id"] == p["subnets"][0]["rtb"])
        assert (p["vpc"]["igw"] is None) == text.startswith("An internet gateway")
        assert (web["public_ip"] is None) == text.startswith("A public IPv4")
        assert (not any(r[0] == "0.0.0.0/0" for r in pub["routes"])) == text.startswith("A route to the internet gateway")


def test_blocking_component_names_a_component_of_the_scenario() -> None:
    gen = BlockingComponent()
    for seed in SEEDS:
        q = gen.make(seed)
        p = q.params
        known = {a["id"] for a in p["acls"]} | {g["id"] for g in p["groups"]} | {t["id"] for t in p["route_tables"]}
        text = _correct(q).text
        assert any(k in text for k in known), text
        assert all(c.misconception for c in q.choices if not c.correct)


def test_timeout_or_refused_covers_all_three_outcomes() -> None:
    gen = TimeoutOrRefused()
    seen = Counter(_correct(gen.make(seed)).text for seed in SEEDS)
    assert set(seen) == {"The connection succeeds", "The connection times out", "The connection is refused"}
