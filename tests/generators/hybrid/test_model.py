"""The hybrid model against the VPN and Direct Connect documentation, plus brute-force checks."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generators.hybrid import model as h

N = ipaddress.IPv4Network
A = ipaddress.IPv4Address


def test_two_tunnels_per_vpn_connection() -> None:
    assert [h.tunnels_for(n) for n in range(4)] == [0, 2, 4, 6]


def test_documented_static_route_beats_propagated_route() -> None:
    # VPN routing options: 172.31.0.0/24 static to an IGW and propagated to the VGW -> the IGW wins.
    vpc = [N("10.0.0.0/16")]
    routes = [h.SubnetRoute(N("172.31.0.0/24"), "vgw-11223344556677889", True), h.SubnetRoute(N("172.31.0.0/24"), "igw-12345678901234567")]
    chosen = h.select_subnet_route(vpc, routes, A("172.31.0.9"))
    assert chosen is not None and chosen.target == "igw-12345678901234567"


def test_local_route_beats_more_specific_propagated_route() -> None:
    vpc = [N("10.0.0.0/16")]
    routes = [h.SubnetRoute(N("10.0.8.0/24"), "vgw-1", True)]
    chosen = h.select_subnet_route(vpc, routes, A("10.0.8.8"))
    assert chosen is not None and chosen.target == h.LOCAL


def test_static_routes_inside_the_vpc_are_out_of_scope() -> None:
    with pytest.raises(h.HybridError):
        h.select_subnet_route([N("10.0.0.0/16")], [h.SubnetRoute(N("10.0.8.0/24"), "eni-1")], A("10.0.8.8"))


_routes = st.lists(
    st.builds(
        lambda value, length, target, propagated: h.SubnetRoute(
            N((value & ((0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF), length)), target, propagated
        ),
        st.integers(0xAC100000, 0xAC13FFFF),  # 172.16.0.0 - 172.19.255.255, outside the VPC
        st.integers(0, 32),
        st.sampled_from(["vgw-1", "igw-1", "pcx-1", "tgw-1"]),
        st.booleans(),
    ),
    max_size=10,
)


@settings(max_examples=500, deadline=None)
@given(_routes, st.integers(0xAC100000, 0xAC13FFFF))
def test_subnet_route_matches_brute_force(routes: list[h.SubnetRoute], value: int) -> None:
    address = A(value)
    expected = None
    for length in range(32, -1, -1):
        candidate = ipaddress.ip_network(f"{address}/{length}", strict=False)
        same = [r for r in routes if r.destination == candidate]
        if same:
            statics = [r for r in same if not r.propagated]
            expected = (statics or same)[0]
            break
    assert h.select_subnet_route([N("10.0.0.0/16")], routes, address) == expected


def test_gateway_path_preference_follows_the_documented_order() -> None:
    prefix = N("192.168.0.0/16")
    paths = [
        h.GatewayPath(prefix, "vpn-b", h.PathSource.VPN_BGP, as_path_length=2, med=50),
        h.GatewayPath(prefix, "vpn-a", h.PathSource.VPN_BGP, as_path_length=2, med=10),
        h.GatewayPath(prefix, "vpn-c", h.PathSource.VPN_BGP, as_path_length=1, med=99),
        h.GatewayPath(prefix, "vpn-s", h.PathSource.VPN_STATIC),
        h.GatewayPath(prefix, "dx", h.PathSource.DX_BGP),
        h.GatewayPath(N("192.168.4.0/24"), "vpn-b", h.PathSource.VPN_BGP, as_path_length=5),
    ]
    ranked = [p.via for p in h.rank_paths(paths, A("192.168.4.4"))]
    assert ranked == ["vpn-b", "dx", "vpn-s", "vpn-c", "vpn-a", "vpn-b"]


def test_cloudhub_requirements() -> None:
    sites = [
        h.Site("ny", 65001, h.Routing.DYNAMIC, N("10.0.0.0/24")),
        h.Site("la", 65002, h.Routing.DYNAMIC, N("10.0.1.0/24")),
        h.Site("mi", 65003, h.Routing.STATIC, N("10.0.2.0/24")),
        h.Site("sf", 65004, h.Routing.DYNAMIC, N("10.0.0.128/25")),
    ]
    problems = h.cloudhub_problems(sites)
    assert problems["la"] == ()
    assert problems["mi"] == (h.HubProblem.STATIC_ROUTING,)
    assert problems["ny"] == (h.HubProblem.OVERLAP,) and problems["sf"] == (h.HubProblem.OVERLAP,)
    assert h.cloudhub_ready(sites) == ("la",)
    assert h.cloudhub_ready(sites, allow_static=True, allow_overlap=True) == ("ny", "la", "mi", "sf")


def _conns(layout: list[list[int]]) -> list[h.DxConnection]:
    return [
        h.DxConnection(f"dxcon-{i}{j}", f"loc{i}", f"loc{i}-dev{d}")
        for i, devices in enumerate(layout)
        for j, d in enumerate(devices)
    ]


@pytest.mark.parametrize(
    ("layout", "model"),
    [
        ([[1, 2], [1, 2]], h.Resiliency.MAXIMUM),  # separate devices in more than one location
        ([[1], [1]], h.Resiliency.HIGH),  # one connection at each of two locations
        ([[1, 2], [1]], h.Resiliency.HIGH),
        ([[1, 2]], h.Resiliency.DEV_TEST),  # separate devices in one location
        ([[1, 2, 1, 2]], h.Resiliency.DEV_TEST),
        ([[1]], h.Resiliency.NONE),
        ([[1, 1]], h.Resiliency.NONE),  # same device twice
    ],
)
def test_resiliency_models(layout: list[list[int]], model: h.Resiliency) -> None:
    assert h.classify_resiliency(_conns(layout)) is model


def test_resiliency_slas_and_misconceptions() -> None:
    assert (h.Resiliency.MAXIMUM.sla, h.Resiliency.HIGH.sla, h.Resiliency.DEV_TEST.sla) == ("99.99%", "99.9%", None)
    one_site = _conns([[1, 2, 1, 2]])
    assert h.classify_resiliency(one_site, by_connection_count=True) is h.Resiliency.MAXIMUM
    assert h.classify_resiliency(_conns([[1, 2]]), per_location_rule=True) is h.Resiliency.MAXIMUM
    assert h.classify_resiliency(_conns([[1, 1]]), ignore_devices=True) is h.Resiliency.DEV_TEST


_RANK = {h.Resiliency.NONE: 0, h.Resiliency.DEV_TEST: 1, h.Resiliency.HIGH: 2, h.Resiliency.MAXIMUM: 3}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2)), min_size=1, max_size=8), st.tuples(st.integers(0, 3), st.integers(0, 2)))
def test_adding_a_connection_never_lowers_resiliency(existing: list[tuple[int, int]], extra: tuple[int, int]) -> None:
    def build(pairs: list[tuple[int, int]]) -> list[h.DxConnection]:
        return [h.DxConnection(f"c{i}", f"loc{loc}", f"loc{loc}-dev{dev}") for i, (loc, dev) in enumerate(pairs)]

    before = h.classify_resiliency(build(existing))
    after = h.classify_resiliency(build(existing + [extra]))
    assert _RANK[after] >= _RANK[before]


def test_virtual_interfaces_and_encryption() -> None:
    assert h.vif_for(h.VifTarget.VPC_VGW) is h.VifType.PRIVATE
    assert h.vif_for(h.VifTarget.VPCS_DX_GATEWAY) is h.VifType.PRIVATE
    assert h.vif_for(h.VifTarget.TRANSIT_GATEWAY) is h.VifType.TRANSIT
    assert h.vif_for(h.VifTarget.PUBLIC_SERVICES) is h.VifType.PUBLIC
    assert not h.encrypted_in_transit([h.Protection.NONE])
    assert h.encrypted_in_transit([h.Protection.MACSEC]) and h.encrypted_in_transit([h.Protection.IPSEC_VPN])
    assert h.macsec_possible(True, True) and not h.macsec_possible(False, True)
    assert h.DEDICATED_SPEEDS_GBPS == (1, 10, 100, 400)
