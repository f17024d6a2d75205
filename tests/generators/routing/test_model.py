"""Route tables: longest prefix match against a brute-force oracle, AWS's
documented priority examples, the local route, associations, blackholes."""

from __future__ import annotations

import ipaddress
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generators.routing.model import (
    AmbiguousRouteError,
    Route,
    RouteMisconception,
    RouteOrigin,
    RouteState,
    RouteTable,
    RouteTableError,
    SubnetType,
    TargetKind,
    associated_table,
    check_route_table,
    classify_subnet,
    longest_prefix_match,
    mark_blackholes,
    parse_destination,
    route_decisions,
    target_kind,
)

N = IPv4Network
A = IPv4Address
LOCAL = Route(N("10.0.0.0/16"), "local")


# --- brute force oracle ---------------------------------------------------


def oracle(routes: list[Route], address: IPv4Address, lists: dict[str, list[IPv4Network]]) -> str | None | type:
    """Enumerate every route, compute its matching length by hand (bit
    comparison, not ipaddress containment), and rank."""
    value = int(address)
    vpc = [r.destination for r in routes if r.target == "local"]
    best: list[tuple[int, int, str]] = []
    for r in routes:
        if isinstance(r.destination, str):
            entries = [e for e in lists[r.destination] if not any(_inside(e, v) for v in vpc)]  # type: ignore[arg-type]
        else:
            entries = [r.destination]  # type: ignore[list-item]
        lengths = [e.prefixlen for e in entries if _bits_match(value, e)]
        if not lengths:
            continue
        rank = 0 if r.origin is RouteOrigin.PROPAGATED else (1 if isinstance(r.destination, str) else 2)
        best.append((max(lengths), rank, r.target))
    if not best:
        return None
    top = max((length, rank) for length, rank, _ in best)
    targets = {t for length, rank, t in best if (length, rank) == top}
    if len(targets) > 1:
        return AmbiguousRouteError
    return targets.pop()


def _bits_match(value: int, network: IPv4Network) -> bool:
    shift = 32 - network.prefixlen
    return (value >> shift) == (int(network.network_address) >> shift) if shift < 32 else True


def _inside(inner: IPv4Network, outer: IPv4Network) -> bool:
    return inner.prefixlen >= outer.prefixlen and _bits_match(int(inner.network_address), outer)


small_networks = st.builds(
    lambda value, prefix: ipaddress.ip_network((value, prefix), strict=False),
    st.integers(min_value=0, max_value=2**32 - 1).map(lambda v: (10 << 24) | (v & 0x00FFFFFF)),
    st.integers(min_value=8, max_value=30),
)
targets = st.sampled_from(["igw-1", "nat-1", "pcx-1", "tgw-1", "vgw-1", "eni-1"])


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[Route], dict[str, list[IPv4Network]]]:
    routes: list[Route] = [LOCAL]
    seen = {(LOCAL.destination, RouteOrigin.STATIC)}
    if draw(st.booleans()):
        routes.append(Route(N("0.0.0.0/0"), draw(targets)))
        seen.add((N("0.0.0.0/0"), RouteOrigin.STATIC))
    for _ in range(draw(st.integers(0, 6))):
        dest = draw(small_networks)
        origin = draw(st.sampled_from(list(RouteOrigin)))
        if (dest, origin) in seen or dest == LOCAL.destination:
            continue
        seen.add((dest, origin))
        routes.append(Route(dest, draw(targets), origin))
    lists = {}
    for k in range(draw(st.integers(0, 2))):
        name = f"pl-{k}"
        lists[name] = draw(st.lists(small_networks, min_size=1, max_size=3))
        routes.append(Route(name, f"vpce-{k}"))
    order = draw(st.permutations(routes))
    return list(order), lists


addresses = st.integers(min_value=0, max_value=2**24 - 1).map(lambda v: A((10 << 24) | v)) | st.builds(A, st.integers(0, 2**32 - 1))


@settings(max_examples=400, deadline=None)
@given(tables(), addresses)
def test_longest_prefix_match_agrees_with_brute_force(table: tuple[list[Route], dict[str, list[IPv4Network]]], address: IPv4Address) -> None:
    routes, lists = table
    rt = RouteTable("rtb-x", tuple(routes))
    expected = oracle(routes, address, lists)
    if expected is AmbiguousRouteError:
        with pytest.raises(AmbiguousRouteError):
            longest_prefix_match(rt, address, lists)  # type: ignore[arg-type]
        return
    decision = longest_prefix_match(rt, address, lists)  # type: ignore[arg-type]
    assert decision.target == expected
    assert [c.matches for c in decision.candidates] == [_matches(r, address, lists) for r in routes]


def _matches(route: Route, address: IPv4Address, lists: dict[str, list[IPv4Network]]) -> bool:
    if isinstance(route.destination, str):
        entries = [e for e in lists[route.destination] if not _inside(e, LOCAL.destination)]  # type: ignore[arg-type]
    else:
        entries = [route.destination]  # type: ignore[list-item]
    return any(_bits_match(int(address), e) for e in entries)


@settings(max_examples=200, deadline=None)
@given(tables(), addresses)
def test_first_match_misconception_takes_the_first_listed_match(table: tuple[list[Route], dict[str, list[IPv4Network]]], address: IPv4Address) -> None:
    routes, lists = table
    rt = RouteTable("rtb-x", tuple(routes))
    decision = longest_prefix_match(rt, address, lists, RouteMisconception.FIRST_MATCH)  # type: ignore[arg-type]
    first = next((c.route for c in decision.candidates if c.matches), None)
    assert decision.route is first


# --- AWS's documented examples ---------------------------------------------


def test_aws_longest_prefix_example() -> None:
    # "How route priority works": peering for 172.31.0.0/16, IGW for the rest.
    table = RouteTable("rtb", (
        Route(N("10.0.0.0/16"), "local"),
        Route(N("172.31.0.0/16"), "pcx-11223344556677889"),
        Route(N("0.0.0.0/0"), "igw-12345678901234567"),
    ))
    assert longest_prefix_match(table, A("172.31.5.5")).target == "pcx-11223344556677889"
    assert longest_prefix_match(table, A("10.0.3.3")).target == "local"
    assert longest_prefix_match(table, A("8.8.8.8")).target == "igw-12345678901234567"


def test_aws_static_beats_propagated_for_the_same_destination() -> None:
    table = RouteTable("rtb", (
        Route(N("10.0.0.0/16"), "local"),
        Route(N("172.31.0.0/24"), "vgw-11223344556677889", RouteOrigin.PROPAGATED),
        Route(N("172.31.0.0/24"), "igw-12345678901234567"),
    ))
    decision = longest_prefix_match(table, A("172.31.0.9"))
    assert decision.target == "igw-12345678901234567"
    assert "beats" in decision.explain()
    wrong = longest_prefix_match(table, A("172.31.0.9"), misconception=RouteMisconception.PROPAGATED_WINS_TIE)
    assert wrong.target == "vgw-11223344556677889"


def test_prefix_list_rules() -> None:
    lists = {"pl-s3": [N("52.216.0.0/15")]}
    # A static CIDR route of the same length beats the prefix-list route.
    tie = RouteTable("rtb", (LOCAL, Route("pl-s3", "vpce-1"), Route(N("52.216.0.0/15"), "eni-1")))
    assert longest_prefix_match(tie, A("52.217.0.1"), lists).target == "eni-1"
    assert longest_prefix_match(tie, A("52.217.0.1"), lists, RouteMisconception.PREFIX_LIST_WINS_TIE).target == "vpce-1"
    # A prefix-list route beats a propagated route of the same length.
    prop = RouteTable("rtb", (LOCAL, Route("pl-s3", "vpce-1"), Route(N("52.216.0.0/15"), "vgw-1", RouteOrigin.PROPAGATED)))
    assert longest_prefix_match(prop, A("52.217.0.1"), lists).target == "vpce-1"
    # More specific always wins, whatever the origin.
    specific = RouteTable("rtb", (LOCAL, Route("pl-s3", "vpce-1"), Route(N("52.217.0.0/16"), "vgw-1", RouteOrigin.PROPAGATED)))
    assert longest_prefix_match(specific, A("52.217.0.1"), lists).target == "vgw-1"
    # The endpoint route is more specific than the default route (AWS's gateway endpoint example).
    default = RouteTable("rtb", (LOCAL, Route(N("0.0.0.0/0"), "igw-1"), Route("pl-s3", "vpce-1")))
    assert longest_prefix_match(default, A("52.216.1.1"), lists).target == "vpce-1"
    assert longest_prefix_match(default, A("3.3.3.3"), lists).target == "igw-1"


def test_overlapping_prefix_lists_to_different_targets_are_refused() -> None:
    lists = {"pl-a": [N("52.0.0.0/8")], "pl-b": [N("52.0.0.0/8")]}
    table = RouteTable("rtb", (LOCAL, Route("pl-a", "vpce-1"), Route("pl-b", "vpce-2")))
    with pytest.raises(AmbiguousRouteError):
        longest_prefix_match(table, A("52.1.1.1"), lists)


def test_prefix_list_entries_inside_the_vpc_are_ignored() -> None:
    lists = {"pl-x": [N("10.0.5.0/24")]}
    table = RouteTable("rtb", (LOCAL, Route("pl-x", "vpce-1")))
    assert longest_prefix_match(table, A("10.0.5.1"), lists).target == "local"


def test_ipv4_and_ipv6_routes_are_independent() -> None:
    table = RouteTable("rtb", (LOCAL, Route(N("0.0.0.0/0"), "igw-1"), Route(IPv6Network("::/0"), "eigw-1")))
    assert longest_prefix_match(table, IPv6Address("2600::1")).target == "eigw-1"
    only4 = RouteTable("rtb", (LOCAL, Route(N("0.0.0.0/0"), "igw-1")))
    assert longest_prefix_match(only4, IPv6Address("2600::1")).route is None


# --- the local route and route validation ----------------------------------


def test_a_broader_route_never_overrides_the_local_route() -> None:
    table = RouteTable("rtb", (LOCAL, Route(N("10.0.0.0/8"), "tgw-1")))
    assert longest_prefix_match(table, A("10.0.200.1")).target == "local"
    assert longest_prefix_match(table, A("10.1.0.1")).target == "tgw-1"


def test_routes_more_specific_than_local() -> None:
    subnets = [N("10.0.1.0/24"), N("10.0.2.0/24")]
    check_route_table(RouteTable("r", (LOCAL, Route(N("10.0.1.0/24"), "eni-1"))), subnets)
    check_route_table(RouteTable("r", (LOCAL, Route(N("10.0.2.0/24"), "nat-1"))), subnets)
    with pytest.raises(RouteTableError, match="whole CIDR block of a subnet"):
        check_route_table(RouteTable("r", (LOCAL, Route(N("10.0.1.128/25"), "eni-1"))), subnets)
    with pytest.raises(RouteTableError, match="NAT gateway, a network interface"):
        check_route_table(RouteTable("r", (LOCAL, Route(N("10.0.1.0/24"), "pcx-1"))), subnets)
    with pytest.raises(RouteTableError, match="reserves"):
        check_route_table(RouteTable("r", (LOCAL, Route(N("169.254.169.0/24"), "igw-1"))), subnets)


def test_route_errors() -> None:
    with pytest.raises(RouteTableError, match="IPv6 destinations only"):
        Route(N("0.0.0.0/0"), "eigw-1")
    with pytest.raises(RouteTableError, match="two static routes"):
        RouteTable("r", (Route(N("0.0.0.0/0"), "igw-1"), Route(N("0.0.0.0/0"), "nat-1")))
    with pytest.raises(RouteTableError, match="host bits"):
        parse_destination("10.0.0.1/16")
    with pytest.raises(RouteTableError):
        target_kind("gw-1")
    assert target_kind("i-0abc") is TargetKind.INSTANCE


# --- blackholes, associations, subnet types --------------------------------


def test_a_blackhole_route_still_wins_and_drops() -> None:
    table = RouteTable("rtb", (LOCAL, Route(N("0.0.0.0/0"), "igw-1"), Route(N("203.0.113.0/24"), "nat-gone")))
    dead = mark_blackholes(table, {"nat-gone"})
    decision = longest_prefix_match(dead, A("203.0.113.7"))
    assert decision.blackhole and not decision.delivered and decision.target == "nat-gone"
    assert decision.route is not None and decision.route.state is RouteState.BLACKHOLE
    assert "blackhole" in decision.explain()
    skip = longest_prefix_match(dead, A("203.0.113.7"), misconception=RouteMisconception.SKIP_BLACKHOLE)
    assert skip.target == "igw-1"


def test_associations() -> None:
    main = RouteTable("rtb-main", (LOCAL,), main=True)
    web = RouteTable("rtb-web", (LOCAL, Route(N("0.0.0.0/0"), "igw-1")))
    tables = [main, web]
    assert associated_table("subnet-new", tables, {"subnet-web": "rtb-web"}).table is main
    assoc = associated_table("subnet-web", tables, {"subnet-web": "rtb-web"})
    assert assoc.table is web and assoc.explicit
    with pytest.raises(RouteTableError, match="exactly one main"):
        associated_table("subnet-a", [web], {})
    with pytest.raises(RouteTableError, match="not a route table"):
        associated_table("subnet-a", tables, {"subnet-a": "rtb-gone"})


@pytest.mark.parametrize(
    ("routes", "kind"),
    [
        ([Route(N("0.0.0.0/0"), "igw-1")], SubnetType.PUBLIC),
        ([Route(N("0.0.0.0/0"), "nat-1")], SubnetType.PRIVATE),
        ([Route(N("0.0.0.0/0"), "vgw-1")], SubnetType.VPN_ONLY),
        ([], SubnetType.ISOLATED),
        ([Route(N("0.0.0.0/0"), "nat-1"), Route(IPv6Network("::/0"), "igw-1")], SubnetType.PUBLIC),
    ],
)
def test_subnet_types(routes: list[Route], kind: SubnetType) -> None:
    assert classify_subnet(RouteTable("r", (LOCAL, *routes))) is kind


@settings(max_examples=300, deadline=None)
@given(tables(), addresses)
def test_route_decisions_match_one_lookup_per_misconception(table: tuple[list[Route], dict[str, list[IPv4Network]]], address: IPv4Address) -> None:
    """Deciding a packet under several misconceptions in one pass gives what
    a separate lookup under each gives (or the same refusal)."""
    routes, lists = table
    rt = RouteTable("rtb-x", tuple(routes))
    for m in [None, *RouteMisconception]:
        try:
            alone = longest_prefix_match(rt, address, lists, m)  # type: ignore[arg-type]
        except AmbiguousRouteError:
            with pytest.raises(AmbiguousRouteError):
                route_decisions(rt, address, [m], lists)  # type: ignore[arg-type]
            continue
        together = route_decisions(rt, address, [m], lists)[m]  # type: ignore[arg-type]
        assert (together.route, together.matched, together.rule, together.explain()) == (
            alone.route, alone.matched, alone.rule, alone.explain())


def test_route_match_key_and_blackhole_copy() -> None:
    """A route carries its destination as integers; marking a blackhole keeps
    everything else."""
    route = Route(N("10.1.0.0/16"), "nat-1", RouteOrigin.PROPAGATED)
    assert route.match == (4, int(N("10.1.0.0/16").netmask), int(A("10.1.0.0")))
    assert Route("pl-1", "vpce-1").match == (0, 0, 0)
    gone = mark_blackholes(RouteTable("r", (LOCAL, route)), {"nat-1"})
    assert gone.routes[1] == Route(N("10.1.0.0/16"), "nat-1", RouteOrigin.PROPAGATED, RouteState.BLACKHOLE)
    assert gone.routes[0] is LOCAL


# --- the fast paths of Route and RouteTable agree with plain checks --------


target_texts = st.sampled_from(["local", "igw-1", "eigw-1", "nat-1", "pcx-1", "tgw-1", "vgw-1", "vpce-1", "eni-1", "i-1",
                                "igw-", "i-", "gw-1", "lb-1", "local-1", "nat", ""])
destinations = st.sampled_from([N("0.0.0.0/0"), N("0.0.0.0/0"), N("10.0.0.0/16"), N("10.0.1.0/24"),
                                IPv6Network("::/0"), "pl-1", "pl-2"])


@settings(max_examples=300, deadline=None)
@given(destinations, target_texts)
def test_a_route_reads_its_target_as_target_kind_does(destination: IPv4Network | IPv6Network | str, target: str) -> None:
    try:
        kind = target_kind(target)
    except RouteTableError:
        with pytest.raises(RouteTableError):
            Route(destination, target)
        return
    if (kind is TargetKind.LOCAL and isinstance(destination, str)) or (
            kind is TargetKind.EGRESS_ONLY_INTERNET_GATEWAY and not isinstance(destination, IPv6Network)):
        with pytest.raises(RouteTableError):
            Route(destination, target)
        return
    route = Route(destination, target)
    assert route.kind is kind
    expected = (0, 0, 0) if isinstance(destination, str) else (
        destination.version, int(destination.netmask), int(destination.network_address))
    assert route.match == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(destinations.filter(lambda d: d != IPv6Network("::/0")),
                          st.sampled_from(list(RouteOrigin))), max_size=5))
def test_a_route_table_refuses_exactly_the_repeated_destinations(rows: list[tuple[IPv4Network | str, RouteOrigin]]) -> None:
    routes = tuple(Route(dest, "nat-1", origin) for dest, origin in rows)
    plain = [(str(r.destination), r.origin) for r in routes]
    if len(set(plain)) < len(plain):
        with pytest.raises(RouteTableError, match="appears once per table"):
            RouteTable("rtb-1", routes)
    else:
        assert RouteTable("rtb-1", routes).routes == routes
