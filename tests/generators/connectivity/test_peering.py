"""The peering model against AWS's documented rules and a brute-force graph search."""

from __future__ import annotations

import ipaddress
from collections import deque

from hypothesis import event, given, settings
from hypothesis import strategies as st

from generators.connectivity import model_peering as m


def _vpc(name: str, cidrs: list[str], routes: list[tuple[str, str]] | None = None) -> m.Vpc:
    return m.Vpc(name, tuple(m.net(c) for c in cidrs), tuple(m.Route(m.net(d), t) for d, t in routes or []))


# --- AWS's documented configurations -------------------------------------------------


def test_transitive_peering_is_not_supported() -> None:
    # VPC A peered with B and with C; B and C are not peered (peering basics, "Multiple VPC peering connections").
    a = _vpc("A", ["10.0.0.0/16"], [("10.1.0.0/16", "pcx-ab"), ("10.2.0.0/16", "pcx-ac")])
    b = _vpc("B", ["10.1.0.0/16"], [("10.0.0.0/16", "pcx-ab"), ("10.2.0.0/16", "pcx-ab")])
    c = _vpc("C", ["10.2.0.0/16"], [("10.0.0.0/16", "pcx-ac"), ("10.1.0.0/16", "pcx-ac")])
    topo = m.Topology((a, b, c), (m.Peering("pcx-ab", "A", "B"), m.Peering("pcx-ac", "A", "C")))
    assert m.check_reachability(topo, m.addr("10.0.0.5"), m.addr("10.1.0.5")).reachable
    assert m.check_reachability(topo, m.addr("10.0.0.5"), m.addr("10.2.0.5")).reachable
    b_to_c = m.check_reachability(topo, m.addr("10.1.0.5"), m.addr("10.2.0.5"))
    assert not b_to_c.reachable
    assert b_to_c.request.blocker is m.Blocker.NOT_TRANSITIVE and b_to_c.request.at_vpc == "A"
    # The misconception gets it "working".
    assert m.check_reachability(topo, m.addr("10.1.0.5"), m.addr("10.2.0.5"), transitive=True).reachable


def test_any_overlapping_block_prevents_the_peering() -> None:
    # Invalid configurations: multiple CIDR blocks, one pair overlapping, even if only others are routed.
    a = _vpc("A", ["10.0.0.0/16", "172.31.0.0/16"], [("10.2.0.0/16", "pcx-1")])
    c = _vpc("C", ["10.2.0.0/16", "172.31.0.0/24"], [("10.0.0.0/16", "pcx-1")])
    topo = m.Topology((a, c), (m.Peering("pcx-1", "A", "C"),))
    assert not m.peering_is_active(topo, topo.peerings[0])
    result = m.check_reachability(topo, m.addr("10.0.3.3"), m.addr("10.2.3.3"))
    assert result.request.blocker is m.Blocker.PEERING_FAILED
    assert result.request.overlap == (m.net("172.31.0.0/16"), m.net("172.31.0.0/24"))
    assert m.check_reachability(topo, m.addr("10.0.3.3"), m.addr("10.2.3.3"), ignore_overlap=True).reachable


def test_both_owners_must_add_routes() -> None:
    a = _vpc("A", ["10.0.0.0/16"], [("10.1.0.0/16", "pcx-1")])
    b = _vpc("B", ["10.1.0.0/16"])
    topo = m.Topology((a, b), (m.Peering("pcx-1", "A", "B"),))
    result = m.check_reachability(topo, m.addr("10.0.0.9"), m.addr("10.1.0.9"))
    assert result.request.delivered and result.reply is not None
    assert result.reply.blocker is m.Blocker.NO_ROUTE and result.reply.at_vpc == "B"
    assert m.check_reachability(topo, m.addr("10.0.0.9"), m.addr("10.1.0.9"), check_reply=False).reachable


def test_longest_prefix_beats_a_default_route_to_the_internet_gateway() -> None:
    # Route priority page: 172.31.0.0/16 -> pcx beats 0.0.0.0/0 -> igw.
    a = _vpc("A", ["10.0.0.0/16"], [("0.0.0.0/0", "igw-1"), ("172.31.0.0/16", "pcx-1")])
    assert m.lookup_route(a, m.addr("172.31.4.4")) == m.Route(m.net("172.31.0.0/16"), "pcx-1")
    assert m.lookup_route(a, m.addr("8.8.8.8")) == m.Route(m.net("0.0.0.0/0"), "igw-1")
    assert m.lookup_route(a, m.addr("10.0.2.2")) == m.Route(m.net("10.0.0.0/16"), m.LOCAL)


def test_edge_to_edge_resources_are_never_shared() -> None:
    shared = {r for r in m.PeerResource if m.usable_over_peering(r)}
    assert shared == {m.PeerResource.INSTANCE, m.PeerResource.INTERFACE_ENDPOINT, m.PeerResource.INTERNAL_LOAD_BALANCER}
    assert all(m.usable_over_peering(r, edge_to_edge=True) for r in m.PeerResource)


def test_security_group_references_only_within_a_region() -> None:
    assert m.security_group_reference_allowed("eu-west-1", "eu-west-1")
    assert not m.security_group_reference_allowed("eu-west-1", "us-east-1")


def test_full_mesh_counts_pairs() -> None:
    # The multi-VPC whitepaper: 100 VPCs need 4,950 peerings.
    assert m.full_mesh_peerings(100) == 4950
    for n in range(0, 60):
        assert m.full_mesh_peerings(n) == sum(range(n))


# --- Brute force over random topologies ---------------------------------------------

_SECONDS = st.lists(st.integers(1, 40), min_size=3, max_size=5, unique=True)


def _oracle_route(vpc: m.Vpc, dst: ipaddress.IPv4Address) -> str | None:
    """Longest prefix match by trying every prefix length from /32 down."""
    if any(dst in c for c in vpc.cidrs):
        return m.LOCAL
    for length in range(32, -1, -1):
        candidate = ipaddress.ip_network(f"{dst}/{length}", strict=False)
        for route in vpc.routes:
            if route.destination == candidate:
                return route.target
    return None


def _oracle_reaches(topo: m.Topology, start: str, dst: ipaddress.IPv4Address, max_hops: int | None) -> str | None:
    """Breadth-first search over peering edges that the routes actually use.

    Returns the VPC that owns `dst` if the packet gets there within
    `max_hops` peering hops (None: unlimited), else None.
    """
    owners = {v.name for v in topo.vpcs if any(dst in c for c in v.cidrs)}
    by_name = {v.name: v for v in topo.vpcs}
    queue = deque([(start, 0)])
    seen = {start}
    while queue:
        name, hops = queue.popleft()
        if name in owners:
            return name
        if max_hops is not None and hops >= max_hops:
            continue
        target = _oracle_route(by_name[name], dst)
        for p in topo.peerings:
            if p.pcx_id != target or name not in (p.requester, p.accepter):
                continue
            other = p.accepter if p.requester == name else p.requester
            if any(x.overlaps(y) for x in by_name[name].cidrs for y in by_name[other].cidrs):
                continue
            if other not in seen:
                seen.add(other)
                queue.append((other, hops + 1))
    return None


@st.composite
def topologies(draw: st.DrawFn) -> tuple[m.Topology, ipaddress.IPv4Address, ipaddress.IPv4Address]:
    seconds = draw(_SECONDS)
    names = [f"v{i}" for i in range(len(seconds))]
    pairs = [(i, j) for i in range(len(names)) for j in range(i + 1, len(names))]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs)))
    peerings = tuple(m.Peering(f"pcx-{i}{j}", names[i], names[j]) for i, j in chosen)
    overlap_with = draw(st.none() | st.tuples(st.integers(0, len(names) - 1), st.integers(0, len(names) - 1)))
    vpcs = []
    for i, (name, second) in enumerate(zip(names, seconds)):
        cidrs = [f"10.{second}.0.0/16"]
        if overlap_with is not None and i in overlap_with and overlap_with[0] != overlap_with[1]:
            cidrs.append("10.200.0.0/16" if i == overlap_with[0] else "10.200.128.0/17")
        targets = [p.pcx_id for p in peerings if p.joins(name)] + ["igw-1"]
        destinations = [f"10.{s}.0.0/16" for s in seconds if s != second] + ["10.0.0.0/8", "0.0.0.0/0"]
        routes = draw(
            st.lists(st.tuples(st.sampled_from(destinations), st.sampled_from(targets)), max_size=5, unique_by=lambda r: r[0])
        )
        vpcs.append(_vpc(name, cidrs, routes))
    topo = m.Topology(tuple(vpcs), peerings)
    src_i, dst_i = draw(st.tuples(st.integers(0, len(names) - 1), st.integers(0, len(names) - 1)))
    src = ipaddress.IPv4Address(f"10.{seconds[src_i]}.1.{draw(st.integers(4, 250))}")
    dst = ipaddress.IPv4Address(f"10.{seconds[dst_i]}.2.{draw(st.integers(4, 250))}")
    return topo, src, dst


@settings(max_examples=400, deadline=None)
@given(topologies())
def test_reachability_matches_a_one_hop_graph_search(case: tuple[m.Topology, ipaddress.IPv4Address, ipaddress.IPv4Address]) -> None:
    topo, src, dst = case
    src_vpc = next(v.name for v in topo.vpcs if v.owns(src))
    there = _oracle_reaches(topo, src_vpc, dst, max_hops=1)
    back = _oracle_reaches(topo, there, src, max_hops=1) if there else None
    result = m.check_reachability(topo, src, dst)
    event(f"reachable={result.reachable}")
    assert result.reachable == (there is not None and back == src_vpc)


@settings(max_examples=400, deadline=None)
@given(topologies())
def test_transitive_misconception_matches_an_unbounded_graph_search(case: tuple[m.Topology, ipaddress.IPv4Address, ipaddress.IPv4Address]) -> None:
    topo, src, dst = case
    src_vpc = next(v.name for v in topo.vpcs if v.owns(src))
    walk = m.walk(topo, src_vpc, dst, transitive=True)
    assert walk.delivered == (_oracle_reaches(topo, src_vpc, dst, max_hops=None) is not None)
