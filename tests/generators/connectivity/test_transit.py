"""The transit gateway model: route lookup against a brute-force reference, documented examples, round trips."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generators.connectivity import model_transit as t


def _route(dest: str, att: str | None, origin: t.Origin = t.Origin.STATIC) -> t.TgwRoute:
    return t.TgwRoute(t.net(dest), att, origin)


def test_documented_route_evaluation_order() -> None:
    # The transit gateway route table example of "How transit gateways work", route evaluation order.
    table = t.RouteTable(
        "rt",
        (
            _route("10.0.0.0/16", "tgw-attach-123", t.Origin.VPC_PROPAGATED),
            _route("192.168.0.0/16", "tgw-attach-789", t.Origin.STATIC),
            _route("172.31.0.0/16", "tgw-attach-789", t.Origin.VPN_PROPAGATED),
            _route("172.31.0.0/16", "tgw-attach-456", t.Origin.DX_PROPAGATED),
        ),
    )
    assert t.lookup(table, t.addr("172.31.9.9")).forwarded_to == "tgw-attach-456"  # DX gateway beats VPN
    assert t.lookup(table, t.addr("192.168.1.1")).forwarded_to == "tgw-attach-789"
    assert t.lookup(table, t.addr("10.0.7.7")).forwarded_to == "tgw-attach-123"
    assert t.lookup(table, t.addr("8.8.8.8")).route is None


def test_static_beats_propagated_and_blackhole_drops() -> None:
    table = t.RouteTable(
        "rt", (_route("10.1.0.0/16", "att-vpc", t.Origin.VPC_PROPAGATED), _route("10.1.0.0/16", None))
    )
    decision = t.lookup(table, t.addr("10.1.2.3"))
    assert decision.blackhole and decision.forwarded_to is None
    assert t.lookup(table, t.addr("10.1.2.3"), ignore_blackholes=True).forwarded_to == "att-vpc"
    assert t.lookup(table, t.addr("10.1.2.3"), propagated_first=True).forwarded_to == "att-vpc"


def _brute_force(routes: list[t.TgwRoute], address: ipaddress.IPv4Address) -> t.TgwRoute | None:
    """Try every prefix length from /32 down; among equal destinations take the best origin, first listed."""
    for length in range(32, -1, -1):
        candidate = ipaddress.ip_network(f"{address}/{length}", strict=False)
        same = [r for r in routes if r.destination == candidate]
        if same:
            best = same[0]
            for r in same[1:]:
                if int(r.origin) < int(best.origin):
                    best = r
            return best
    return None


_routes = st.lists(
    st.builds(
        lambda value, length, att, origin: t.TgwRoute(
            ipaddress.IPv4Network((value & ((0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF), length)), att, origin
        ),
        st.integers(0x0A000000, 0x0A03FFFF),
        st.integers(0, 32),
        st.none() | st.sampled_from(["att-a", "att-b", "att-c"]),
        st.sampled_from(list(t.Origin)),
    ),
    max_size=12,
)


@settings(max_examples=600, deadline=None)
@given(_routes, st.integers(0x0A000000, 0x0A03FFFF))
def test_lookup_matches_brute_force_longest_prefix(routes: list[t.TgwRoute], value: int) -> None:
    address = ipaddress.IPv4Address(value)
    decision = t.lookup(t.RouteTable("rt", tuple(routes)), address)
    assert decision.route == _brute_force(routes, address)
    assert all(address in r.destination for r in decision.matches)
    assert len(decision.matches) == sum(1 for r in routes if address in r.destination)


def _hub(**changes: object) -> t.TransitGateway:
    """A and B attached; A associated with rt-a, B with rt-b; each propagates into the other's table."""
    a = t.VpcAttachment("att-a", "a", (t.net("10.1.0.0/16"),), ((t.net("10.2.0.0/16"), t.TGW),))
    b = t.VpcAttachment("att-b", "b", (t.net("10.2.0.0/16"),), ((t.net("10.1.0.0/16"), t.TGW),))
    tables = changes.get("tables", (t.RouteTable("rt-a", ()), t.RouteTable("rt-b", ())))
    propagations = changes.get("propagations", (("att-b", "rt-a"), ("att-a", "rt-b")))
    return t.TransitGateway((a, b), tables, (("att-a", "rt-a"), ("att-b", "rt-b")), propagations)  # type: ignore[arg-type]


def test_round_trip_through_separate_route_tables() -> None:
    trip = t.round_trip(_hub(), t.addr("10.1.0.5"), t.addr("10.2.0.5"))
    assert trip.reachable
    assert trip.request.table is not None and trip.request.table.name == "rt-a"
    assert trip.reply is not None and trip.reply.table is not None and trip.reply.table.name == "rt-b"


def test_missing_propagation_for_the_return_path() -> None:
    tgw = _hub(propagations=(("att-b", "rt-a"),))
    trip = t.round_trip(tgw, t.addr("10.1.0.5"), t.addr("10.2.0.5"))
    assert trip.failing is trip.reply and trip.reply is not None and trip.reply.stop is t.Stop.NO_TGW_ROUTE
    assert t.round_trip(tgw, t.addr("10.1.0.5"), t.addr("10.2.0.5"), check_reply=False).reachable


def test_blackhole_in_the_associated_table() -> None:
    tgw = _hub(tables=(t.RouteTable("rt-a", (_route("10.2.0.0/16", None),)), t.RouteTable("rt-b", ())))
    trip = t.round_trip(tgw, t.addr("10.1.0.5"), t.addr("10.2.0.5"))
    assert trip.request.stop is t.Stop.BLACKHOLE


def test_vpc_route_table_still_needs_a_route_to_the_gateway() -> None:
    a = t.VpcAttachment("att-a", "a", (t.net("10.1.0.0/16"),))
    b = t.VpcAttachment("att-b", "b", (t.net("10.2.0.0/16"),), ((t.net("10.1.0.0/16"), t.TGW),))
    tgw = t.TransitGateway((a, b), (t.RouteTable("rt", ()),), (("att-a", "rt"), ("att-b", "rt")), (("att-a", "rt"), ("att-b", "rt")))
    trip = t.round_trip(tgw, t.addr("10.1.0.5"), t.addr("10.2.0.5"))
    assert trip.request.stop is t.Stop.NO_VPC_ROUTE
    assert t.round_trip(tgw, t.addr("10.1.0.5"), t.addr("10.2.0.5"), skip_vpc_route=True).reachable


def test_one_route_table_per_attachment() -> None:
    a = t.VpcAttachment("att-a", "a", (t.net("10.1.0.0/16"),))
    with pytest.raises(t.TransitError):
        t.TransitGateway((a,), (t.RouteTable("x", ()), t.RouteTable("y", ())), (("att-a", "x"), ("att-a", "y")))


def test_hub_needs_one_attachment_per_vpc() -> None:
    assert t.attachments_for_hub(100) == 100
