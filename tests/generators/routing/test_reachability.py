"""The reachability walk on AWS's documented network ACL example and on
hand-built topologies where the blocking component is known."""

from __future__ import annotations

import random
from dataclasses import replace
from ipaddress import IPv4Address, IPv4Network

import pytest
from faker import Faker
from hypothesis import given, settings
from hypothesis import strategies as st

from generators.routing.model import Route, RouteTable
from generators.routing.questions_reach import DEFECTS, Defect
from generators.routing.reachability import (
    Flow,
    Hop,
    HopKind,
    Leg,
    Verdict,
    WalkMisconception,
    _nacl_detail,
    _sg_detail,
    nacl_over_ports,
    walk,
    walks,
)
from generators.routing.scenarios import build_vpc, two_tier
from generators.routing.topology import Instance, NatGateway, Subnet, TopologyError, Vpc, example_vpc
from generators.security.model import (
    ALL_IPV4,
    Action,
    Direction,
    NaclDecision,
    NaclReading,
    NaclRule,
    NetworkAcl,
    Packet,
    Protocol,
    SecurityGroup,
    SgRule,
    default_nacl,
    evaluate_nacl,
    evaluate_security_groups,
    nacl_deciding_rule,
    nacl_rule_over_ports,
    port_text,
    security_group_allowing,
)

A, N = IPv4Address, IPv4Network
TCP = Protocol.TCP
HOME = N("198.51.100.0/24")


def allow(number: int, low: int | None, high: int | None, cidr: str, protocol: Protocol = TCP) -> NaclRule:
    return NaclRule(number, Action.ALLOW, protocol, low, high, N(cidr))


# AWS's recommended network ACL rules for a VPC with public and private
# subnets (NAT), IPv4 part: public subnet 10.0.0.0/24, private 10.0.1.0/24.
PUBLIC_ACL = NetworkAcl(
    "acl-public",
    inbound=(
        allow(100, 80, 80, "0.0.0.0/0"),
        allow(110, 443, 443, "0.0.0.0/0"),
        allow(120, 22, 22, str(HOME)),
        allow(130, 3389, 3389, str(HOME)),
        allow(140, 1024, 65535, "0.0.0.0/0"),
    ),
    outbound=(
        allow(100, 80, 80, "0.0.0.0/0"),
        allow(110, 443, 443, "0.0.0.0/0"),
        allow(120, 1433, 1433, "10.0.1.0/24"),
        allow(140, 32768, 65535, "0.0.0.0/0"),
        allow(150, 22, 22, "10.0.1.0/24"),
    ),
)
PRIVATE_ACL = NetworkAcl(
    "acl-private",
    inbound=(
        allow(100, 1433, 1433, "10.0.0.0/24"),
        allow(120, 22, 22, "10.0.0.0/24"),
        allow(130, 3389, 3389, "10.0.0.0/24"),
        allow(140, 1024, 65535, "0.0.0.0/0"),
    ),
    outbound=(
        allow(100, 80, 80, "0.0.0.0/0"),
        allow(110, 443, 443, "0.0.0.0/0"),
        allow(120, 32768, 65535, "10.0.0.0/24"),
    ),
)
OPEN_SG = SecurityGroup("sg-open", "open", (SgRule(Protocol.ALL, None, None, ALL_IPV4),), (SgRule(Protocol.ALL, None, None, ALL_IPV4),))
LOCAL = Route(N("10.0.0.0/16"), "local")


def aws_scenario() -> Vpc:
    return Vpc(
        id="vpc-doc",
        cidr=N("10.0.0.0/16"),
        subnets=(Subnet("subnet-public", N("10.0.0.0/24"), "az-a", "acl-public"),
                 Subnet("subnet-private", N("10.0.1.0/24"), "az-a", "acl-private")),
        route_tables=(RouteTable("rtb-main", (LOCAL, Route(N("0.0.0.0/0"), "nat-1")), main=True),
                      RouteTable("rtb-public", (LOCAL, Route(N("0.0.0.0/0"), "igw-1")))),
        associations={"subnet-public": "rtb-public"},
        nacls=(PUBLIC_ACL, PRIVATE_ACL),
        security_groups=(OPEN_SG,),
        instances=(
            Instance("i-web", "subnet-public", A("10.0.0.10"), ("sg-open",), A("203.0.113.10"),
                     listening=((TCP, 80), (TCP, 443), (TCP, 22))),
            Instance("i-db", "subnet-private", A("10.0.1.20"), ("sg-open",), listening=((TCP, 1433), (TCP, 22))),
        ),
        nat_gateways=(NatGateway("nat-1", "subnet-public", A("10.0.0.5"), A("203.0.113.5")),),
        internet_gateway="igw-1",
    )


class TestAwsDocumentedNacls:
    def test_internet_clients_reach_the_web_server(self) -> None:
        for client in ("linux", "windows"):
            assert walk(aws_scenario(), Flow("192.0.2.44", "i-web", TCP, 443, client=client)).reachable

    def test_ssh_only_from_the_home_network(self) -> None:
        vpc = aws_scenario()
        assert walk(vpc, Flow("198.51.100.9", "i-web", TCP, 22)).reachable
        result = walk(vpc, Flow("192.0.2.44", "i-web", TCP, 22))
        assert result.verdict is Verdict.TIMEOUT
        hop = result.blocking
        assert hop is not None and hop.component == "acl-public" and hop.direction == "inbound" and hop.rule == "*"

    def test_web_to_database_and_back(self) -> None:
        result = walk(aws_scenario(), Flow("i-web", "i-db", TCP, 1433))
        assert result.reachable
        nacl_hops = [(h.component, h.direction, h.leg) for h in result.hops if h.kind is HopKind.NETWORK_ACL]
        assert nacl_hops == [
            ("acl-public", "outbound", Leg.REQUEST), ("acl-private", "inbound", Leg.REQUEST),
            ("acl-private", "outbound", Leg.RESPONSE), ("acl-public", "inbound", Leg.RESPONSE),
        ]

    def test_database_reaches_the_internet_through_the_nat_gateway(self) -> None:
        result = walk(aws_scenario(), Flow("i-db", "93.184.216.34", TCP, 443))
        assert result.reachable
        kinds = [h.kind for h in result.hops]
        assert HopKind.NAT_GATEWAY in kinds and HopKind.INTERNET_GATEWAY in kinds

    def test_clients_with_low_ephemeral_ports_lose_responses(self) -> None:
        # The public ACL lets responses out on 32768-65535 only: a client
        # picking ports from 1024-65535 (an ELB, a NAT gateway) loses some.
        result = walk(aws_scenario(), Flow("192.0.2.44", "i-web", TCP, 443, client="elb"))
        hop = result.blocking
        assert hop is not None and hop.leg is Leg.RESPONSE and hop.direction == "outbound" and hop.rule == "*"
        assert "1024-32767" in hop.detail

    def test_rdp_is_not_listening(self) -> None:
        result = walk(aws_scenario(), Flow("198.51.100.9", "i-web", TCP, 3389))
        assert result.verdict is Verdict.REFUSED
        assert result.blocking is not None and result.blocking.kind is HopKind.APPLICATION


# --- hand-built: each component blocking in turn ---------------------------


def two_subnets(**changes: object) -> Vpc:
    """example_vpc() with its parts replaced."""
    return replace(example_vpc(), **changes)  # type: ignore[arg-type]


WEB_SG = SecurityGroup("sg-web", "web", (SgRule(TCP, 443, 443, ALL_IPV4),), (SgRule(Protocol.ALL, None, None, ALL_IPV4),))
APP_SG = SecurityGroup("sg-app", "app", (SgRule(TCP, 8080, 8080, "sg-web"),), (SgRule(Protocol.ALL, None, None, ALL_IPV4),))


def split_acls(web: NetworkAcl, app: NetworkAcl) -> Vpc:
    vpc = example_vpc()
    subnets = (replace(vpc.subnets[0], nacl_id=web.id), replace(vpc.subnets[1], nacl_id=app.id))
    return replace(vpc, subnets=subnets, nacls=(web, app))


OPEN = default_nacl("acl-x")


@pytest.mark.parametrize(
    ("vpc", "where"),
    [
        (two_subnets(security_groups=(replace(WEB_SG, outbound=(SgRule(TCP, 443, 443, ALL_IPV4),)), APP_SG)),
         ("security group", "sg-web", "outbound", Leg.REQUEST)),
        (split_acls(NetworkAcl("acl-web", OPEN.inbound, (allow(100, 443, 443, "0.0.0.0/0"),)), replace(OPEN, id="acl-app")),
         ("network ACL", "acl-web", "outbound", Leg.REQUEST)),
        (split_acls(replace(OPEN, id="acl-web"), NetworkAcl("acl-app", (allow(100, 22, 22, "0.0.0.0/0"),), OPEN.outbound)),
         ("network ACL", "acl-app", "inbound", Leg.REQUEST)),
        (two_subnets(security_groups=(WEB_SG, replace(APP_SG, inbound=(SgRule(TCP, 8080, 8080, "sg-other"),)))),
         ("security group", "sg-app", "inbound", Leg.REQUEST)),
        (split_acls(replace(OPEN, id="acl-web"), NetworkAcl("acl-app", OPEN.inbound, (allow(100, 1024, 32767, "0.0.0.0/0"),))),
         ("network ACL", "acl-app", "outbound", Leg.RESPONSE)),
        (split_acls(NetworkAcl("acl-web", (allow(100, 443, 443, "0.0.0.0/0"),), OPEN.outbound), replace(OPEN, id="acl-app")),
         ("network ACL", "acl-web", "inbound", Leg.RESPONSE)),
    ],
)
def test_each_filter_blocking_in_turn(vpc: Vpc, where: tuple[str, str, str, Leg]) -> None:
    result = walk(vpc, Flow("i-web", "i-app", TCP, 8080))
    assert result.verdict is Verdict.TIMEOUT
    hop = result.blocking
    assert hop is not None
    assert (str(hop.kind), hop.component, hop.direction, hop.leg) == where
    # Nothing after the blocking hop was walked.
    assert result.hops[-1] is hop


def test_security_groups_are_not_checked_on_the_way_back_but_stateless_belief_does() -> None:
    vpc = two_subnets(security_groups=(replace(WEB_SG, inbound=()), APP_SG))
    assert walk(vpc, Flow("i-web", "i-app", TCP, 8080)).reachable
    wrong = walk(vpc, Flow("i-web", "i-app", TCP, 8080), [WalkMisconception.STATELESS_SG])
    assert wrong.blocking is not None and wrong.blocking.component == "sg-web" and wrong.blocking.leg is Leg.RESPONSE


def test_stateful_and_service_port_misconceptions_miss_the_return_rule() -> None:
    vpc = split_acls(replace(OPEN, id="acl-web"), NetworkAcl("acl-app", OPEN.inbound, (allow(100, 1024, 32767, "0.0.0.0/0"),)))
    flow = Flow("i-web", "i-app", TCP, 8080)
    assert walk(vpc, flow, [WalkMisconception.STATEFUL_NACL]).reachable
    assert walk(vpc, flow, [WalkMisconception.RETURN_ON_SERVICE_PORT]).reachable


def test_same_subnet_traffic_does_not_cross_the_network_acl() -> None:
    vpc = example_vpc()
    deny_all = NetworkAcl("acl-default", (), ())
    other = Instance("i-web2", "subnet-web", A("10.0.1.11"), ("sg-web",), listening=((TCP, 443),))
    vpc = replace(vpc, nacls=(deny_all,), instances=(*vpc.instances, other))
    result = walk(vpc, Flow("i-web", "i-web2", TCP, 443))
    assert result.reachable
    assert not any(h.kind is HopKind.NETWORK_ACL for h in result.hops)


def test_connection_refused_when_nothing_listens() -> None:
    result = walk(example_vpc(), Flow("i-web", "i-app", TCP, 8080))
    assert result.reachable
    quiet = replace(example_vpc(), instances=(example_vpc().instances[0], replace(example_vpc().instances[1], listening=())))
    refused = walk(quiet, Flow("i-web", "i-app", TCP, 8080))
    assert refused.verdict is Verdict.REFUSED
    assert walk(quiet, Flow("i-web", "i-app", TCP, 8080), [WalkMisconception.CLOSED_PORT_DROPS]).verdict is Verdict.TIMEOUT
    # A firewall drop is a timeout; the "firewall rejects" belief says refused.
    blocked = two_subnets(security_groups=(WEB_SG, replace(APP_SG, inbound=())))
    assert walk(blocked, Flow("i-web", "i-app", TCP, 8080)).verdict is Verdict.TIMEOUT
    assert walk(blocked, Flow("i-web", "i-app", TCP, 8080), [WalkMisconception.FIREWALL_REJECTS]).verdict is Verdict.REFUSED


# --- internet paths ------------------------------------------------------------


def test_application_hops_are_remembered_per_port_and_belief() -> None:
    """The application hop is remembered per instance, protocol, port and
    the "open port means a listener" belief: walks of one topology in any
    order read like walks on a fresh copy."""
    quiet = replace(example_vpc(), instances=(example_vpc().instances[0], replace(example_vpc().instances[1], listening=())))
    flows = [Flow("i-web", "i-app", TCP, 8080), Flow("i-web", "i-app", TCP, 9000), Flow("i-web", "i-app", Protocol.ICMP, None)]
    beliefs = [[], [WalkMisconception.IGNORE_APPLICATION], [WalkMisconception.CLOSED_PORT_DROPS]]
    for vpc in (example_vpc(), quiet):
        fresh = [[walk(replace(vpc), flow, ms) for ms in beliefs] for flow in flows]
        for order in (beliefs, beliefs[::-1]):
            shared = replace(vpc)
            for flow, alone in zip(flows, fresh):
                got = {tuple(ms): walk(shared, flow, ms) for ms in order}
                for ms, expected in zip(beliefs, alone):
                    result = got[tuple(ms)]
                    assert result.verdict is expected.verdict
                    assert [(h.label, h.allowed, h.detail) for h in result.hops] == [
                        (h.label, h.allowed, h.detail) for h in expected.hops]
    refused = walk(quiet, flows[0])
    assert refused.hops[-1].detail == ("The packet reaches i-app, but nothing listens on tcp 8080, so the operating system "
                                       "answers with a reset.")
    assert walk(quiet, flows[0], [WalkMisconception.IGNORE_APPLICATION]).hops[-1].detail == "An application on i-app accepts tcp 8080."


def test_no_public_address_no_direct_internet() -> None:
    vpc = example_vpc()
    web = replace(vpc.instances[0], public_ip=None)
    vpc = replace(vpc, instances=(web, vpc.instances[1]))
    out = walk(vpc, Flow("i-web", "8.8.8.8", TCP, 443))
    assert out.blocking is not None and out.blocking.kind is HopKind.INTERNET_GATEWAY
    inbound = walk(vpc, Flow("8.8.8.8", "i-web", TCP, 443))
    assert inbound.blocking is not None and inbound.blocking.kind is HopKind.INTERNET_GATEWAY
    assert "i-web has no public IPv4 address" in inbound.explain()  # the sentence is written when read
    assert inbound.blocking.detail == "i-web has no public IPv4 address, so nothing on the internet can address it."


def test_detached_internet_gateway_turns_routes_into_blackholes() -> None:
    vpc = replace(example_vpc(), internet_gateway=None)
    out = walk(vpc, Flow("i-web", "8.8.8.8", TCP, 443))
    hop = out.blocking
    assert hop is not None and hop.kind is HopKind.ROUTE_TABLE and "blackhole" in hop.detail
    inbound = walk(vpc, Flow("8.8.8.8", "i-web", TCP, 443))
    assert inbound.blocking is not None and inbound.blocking.kind is HopKind.INTERNET_GATEWAY


def test_responses_must_go_back_through_the_internet_gateway() -> None:
    vpc = example_vpc()
    app = replace(vpc.instances[1], public_ip=A("203.0.113.20"))
    open_app = replace(APP_SG, inbound=(SgRule(TCP, 8080, 8080, ALL_IPV4),))
    vpc = replace(vpc, instances=(vpc.instances[0], app), security_groups=(WEB_SG, open_app))
    result = walk(vpc, Flow("198.51.100.7", "i-app", TCP, 8080))
    hop = result.blocking
    assert hop is not None and hop.kind is HopKind.ROUTE_TABLE and hop.leg is Leg.RESPONSE
    assert "nat-1" in hop.detail


def test_nat_gateway_failures() -> None:
    vpc = example_vpc()
    flow = Flow("i-app", "8.8.8.8", TCP, 443)
    down = walk(replace(vpc, failed_azs=frozenset({"az-a"})), flow)
    assert down.blocking is not None and down.blocking.kind is HopKind.NAT_GATEWAY and "az-a" in down.blocking.detail
    assert walk(replace(vpc, failed_azs=frozenset({"az-a"})), flow, [WalkMisconception.NAT_FAILS_OVER]).reachable
    private_nat = replace(vpc, nat_gateways=(replace(vpc.nat_gateways[0], elastic_ip=None),))
    hop = walk(private_nat, flow).blocking
    assert hop is not None and hop.kind is HopKind.NAT_GATEWAY and "private NAT gateway" in hop.detail
    deleted = replace(vpc, nat_gateways=())
    hop = walk(deleted, flow).blocking
    assert hop is not None and hop.kind is HopKind.ROUTE_TABLE and "blackhole" in hop.detail


def test_nat_gateway_in_a_private_subnet_cannot_reach_the_internet() -> None:
    vpc = example_vpc()
    moved = replace(vpc, nat_gateways=(NatGateway("nat-1", "subnet-app", A("10.0.2.5"), A("198.51.100.5")),))
    hop = walk(moved, Flow("i-app", "8.8.8.8", TCP, 443)).blocking
    assert hop is not None and hop.kind is HopKind.ROUTE_TABLE and "not a public subnet" in hop.detail


def test_nat_instance_needs_its_source_destination_check_off() -> None:
    vpc = example_vpc()
    nat_sg = SecurityGroup("sg-nat", "nat", (SgRule(Protocol.ALL, None, None, N("10.0.0.0/16")),), (SgRule(Protocol.ALL, None, None, ALL_IPV4),))
    nat = Instance("i-nat", "subnet-web", A("10.0.1.20"), ("sg-nat",), A("203.0.113.20"), source_dest_check=True)
    tables = (vpc.route_tables[0], vpc.route_tables[1],
              RouteTable("rtb-private", (Route(N("10.0.0.0/16"), "local"), Route(ALL_IPV4, "i-nat"))))
    with_check = replace(vpc, instances=(*vpc.instances, nat), route_tables=tables,
                         security_groups=(*vpc.security_groups, nat_sg), nat_gateways=())
    hop = walk(with_check, Flow("i-app", "8.8.8.8", TCP, 443)).blocking
    assert hop is not None and hop.kind is HopKind.INSTANCE and "source/destination check" in hop.detail
    without = replace(with_check, instances=(*vpc.instances, replace(nat, source_dest_check=False)))
    assert walk(without, Flow("i-app", "8.8.8.8", TCP, 443)).reachable


def test_nat_gateway_return_ports_need_1024_to_65535() -> None:
    vpc = example_vpc()
    narrow = NetworkAcl("acl-default", (allow(100, 0, 1023, "0.0.0.0/0"), allow(110, 32768, 65535, "0.0.0.0/0")), OPEN.outbound)
    result = walk(replace(vpc, nacls=(narrow,)), Flow("i-app", "8.8.8.8", TCP, 443))
    hop = result.blocking
    assert hop is not None and hop.leg is Leg.RESPONSE and hop.direction == "inbound" and hop.subnet == "subnet-web"
    assert "1024-32767" in hop.detail


def test_gateway_endpoint_path() -> None:
    vpc = example_vpc()
    table = RouteTable("rtb-private", (Route(N("10.0.0.0/16"), "local"), Route("pl-s3", "vpce-1")))
    with_endpoint = replace(vpc, route_tables=(vpc.route_tables[0], vpc.route_tables[1], table),
                            gateway_endpoints=("vpce-1",), prefix_lists={"pl-s3": (N("52.216.0.0/15"),)})
    result = walk(with_endpoint, Flow("i-app", "52.216.4.4", TCP, 443))
    assert result.reachable and any(h.kind is HopKind.GATEWAY_ENDPOINT for h in result.hops)
    assert walk(with_endpoint, Flow("i-app", "8.8.8.8", TCP, 443)).blocking.kind is HopKind.ROUTE_TABLE  # type: ignore[union-attr]


def test_paths_the_model_does_not_follow() -> None:
    vpc = example_vpc()
    table = RouteTable("rtb-private", (Route(N("10.0.0.0/16"), "local"), Route(ALL_IPV4, "pcx-1")))
    with pytest.raises(TopologyError):
        walk(replace(vpc, route_tables=(vpc.route_tables[0], vpc.route_tables[1], table)), Flow("i-app", "8.8.8.8", TCP, 443))


def test_nacl_over_ports_matches_port_by_port() -> None:
    acl = NetworkAcl("acl", (allow(100, 2000, 3000, "0.0.0.0/0"), NaclRule(90, Action.DENY, TCP, 2500, 2600, ALL_IPV4),
                             allow(120, 3500, 4000, "0.0.0.0/0")), ())
    pkt = Packet(TCP, A("1.1.1.1"), A("10.0.0.1"), 443, 0)
    for low, high in [(2000, 3000), (1990, 2100), (2400, 2700), (3400, 4100), (2601, 3000)]:
        decision, denied = nacl_over_ports(acl, Direction.INBOUND, pkt, low, high)
        first_bad = next((p for p in range(low, high + 1)
                          if not evaluate_nacl(acl, Direction.INBOUND, replace(pkt, destination_port=p)).allowed), None)
        assert (denied is None) == (first_bad is None)
        if denied is not None:
            assert denied[0] == first_bad


def test_walks_of_one_topology_share_hops_and_agree_with_a_fresh_topology() -> None:
    """The hops a walk remembers are reused by later walks of the same
    topology, and a remembered walk reads exactly like one on a fresh copy."""
    vpc = example_vpc()
    flow = Flow("i-web", "i-app", Protocol.TCP, 9000)
    first = walk(vpc, flow)
    again = walk(vpc, flow, [WalkMisconception.STATEFUL_NACL])
    assert again.hops[0] is first.hops[0]  # the web SG's outbound hop, decided once
    for misconceptions in ([], [WalkMisconception.STATEFUL_NACL], [WalkMisconception.NACL_LISTED_ORDER]):
        shared = walk(vpc, flow, misconceptions)
        fresh = walk(example_vpc(), flow, misconceptions)
        assert shared.verdict is fresh.verdict
        assert [(h.label, h.allowed, h.detail, h.rule) for h in shared.hops] == [
            (h.label, h.allowed, h.detail, h.rule) for h in fresh.hops]


# --- the walk's fast paths against the plain computation --------------------

CIDRS = ("0.0.0.0/0", "10.0.0.0/16", "10.0.1.0/24", "198.51.100.0/24")
ADDRESSES = ("10.0.1.5", "10.0.2.9", "198.51.100.7", "203.0.113.4")


@st.composite
def nacl_rules(draw: st.DrawFn) -> tuple[NaclRule, ...]:
    numbers = draw(st.lists(st.integers(1, 300), min_size=0, max_size=6, unique=True))
    rules = []
    for number in numbers:
        protocol = draw(st.sampled_from((TCP, Protocol.UDP, Protocol.ALL, Protocol.ICMP)))
        low = high = None
        if protocol.has_ports:
            low = draw(st.integers(0, 65535))
            high = draw(st.integers(low, min(65535, low + draw(st.sampled_from((0, 10, 5000, 65535))))))
        rules.append(NaclRule(number, draw(st.sampled_from((Action.ALLOW, Action.DENY))), protocol, low, high,
                              N(draw(st.sampled_from(CIDRS)))))
    return tuple(rules)


@st.composite
def packets(draw: st.DrawFn) -> Packet:
    source, destination = draw(st.sampled_from(ADDRESSES)), draw(st.sampled_from(ADDRESSES))
    protocol = draw(st.sampled_from((TCP, Protocol.UDP)))
    return Packet(protocol, A(source), A(destination), draw(st.integers(0, 65535)), draw(st.integers(0, 65535)))


@settings(max_examples=300, deadline=None)
@given(nacl_rules(), nacl_rules(), packets(), st.sampled_from(tuple(NaclReading)), st.integers(0, 65535))
def test_nacl_deciding_rule_is_the_rule_evaluate_nacl_names(
    inbound: tuple[NaclRule, ...], outbound: tuple[NaclRule, ...], packet: Packet, reading: NaclReading, port: int
) -> None:
    acl = NetworkAcl("acl-r", inbound, outbound)
    moved = replace(packet, destination_port=port)
    for direction in Direction:
        assert nacl_deciding_rule(acl, direction, packet, reading=reading) is evaluate_nacl(acl, direction, packet, reading=reading).rule
        assert nacl_deciding_rule(acl, direction, packet, reading=reading, port=port) == evaluate_nacl(
            acl, direction, moved, reading=reading).rule


@settings(max_examples=300, deadline=None)
@given(nacl_rules(), packets(), st.integers(0, 65535), st.integers(0, 3000), st.sampled_from(tuple(NaclReading)))
def test_nacl_over_ports_against_every_port(
    rules: tuple[NaclRule, ...], packet: Packet, low: int, width: int, reading: NaclReading
) -> None:
    """The stretch-by-stretch answer (rule boundaries from `port_bounds`) is
    the answer of checking each port in turn."""
    high = min(65535, low + width)
    acl = NetworkAcl("acl-r", rules, ())
    decision, denied = nacl_over_ports(acl, Direction.INBOUND, packet, low, high, reading)

    def at(port: int) -> NaclRule | None:
        return evaluate_nacl(acl, Direction.INBOUND, replace(packet, destination_port=port), reading=reading).rule

    def passes(rule: NaclRule | None) -> bool:
        return rule is not None and rule.action is Action.ALLOW

    bounds = acl.port_bounds(Direction.INBOUND)
    assert list(bounds) == sorted({p for r in rules if r.port_from is not None for p in (r.port_from, r.port_to + 1)})  # type: ignore[operator]
    # Between two boundaries every port gets the same rule, so checking the
    # stretch starts is checking every port.
    starts = [low, *[b for b in bounds if low < b <= high]]
    by_start = {start: at(start) for start in starts}
    for start, end in zip(starts, [*starts[1:], high + 1]):
        assert all(at(p) is by_start[start] for p in {start, (start + end - 1) // 2, end - 1})
    first_bad = next((s for s in starts if not passes(by_start[s])), None)
    if first_bad is None:
        assert denied is None and decision.allowed and decision.rule is by_start[low]
    else:
        assert denied is not None and denied[0] == first_bad and not decision.allowed and decision.rule is by_start[first_bad]
        after = [s for s in starts if s > denied[1]]
        assert all(by_start[s] is decision.rule for s in starts if first_bad <= s <= denied[1])
        assert not after or by_start[after[0]] is not decision.rule


@st.composite
def security_groups(draw: st.DrawFn) -> tuple[SecurityGroup, ...]:
    groups = []
    for index in range(draw(st.integers(1, 3))):
        rules = []
        for _ in range(draw(st.integers(0, 3))):
            protocol = draw(st.sampled_from((TCP, Protocol.UDP, Protocol.ALL)))
            low = high = None
            if protocol.has_ports:
                low = draw(st.integers(0, 65535))
                high = draw(st.integers(low, 65535))
            peer = draw(st.sampled_from((*CIDRS, "sg-a", "sg-b")))
            rules.append(SgRule(protocol, low, high, peer if peer.startswith("sg-") else N(peer)))
        groups.append(SecurityGroup(f"sg-{index}", f"g{index}", tuple(rules), tuple(reversed(rules))))
    return tuple(groups)


@settings(max_examples=200, deadline=None)
@given(security_groups(), packets(), st.sampled_from((frozenset(), frozenset({"sg-a"}), frozenset({"sg-a", "sg-b"}))))
def test_security_group_allowing_is_the_rule_the_decision_names(
    groups: tuple[SecurityGroup, ...], packet: Packet, peers: frozenset[str]
) -> None:
    for direction in Direction:
        decision = evaluate_security_groups(groups, direction, packet, peers)
        found = security_group_allowing(groups, direction, packet, peers)
        assert (found is not None) == decision.allowed
        if found is not None:
            assert found[0] is decision.group and found[1] is decision.rule


def _lower_first(sentence: str) -> str:
    return sentence[:1].lower() + sentence[1:]


@settings(max_examples=300, deadline=None)
@given(nacl_rules(), packets(), st.sampled_from((None, (32768, 61000), (1024, 65535), (443, 443))), st.sampled_from(("acl-r", "")))
def test_nacl_hop_sentences_are_the_decisions_sentences(
    rules: tuple[NaclRule, ...], packet: Packet, ports: tuple[int, int] | None, acl_id: str
) -> None:
    """`_nacl_detail` writes `NaclDecision.explain`'s sentence directly,
    behind the ephemeral-range lead-ins."""
    acl = NetworkAcl(acl_id, rules, rules)
    for direction in Direction:
        if ports is None:
            rule, denied = nacl_deciding_rule(acl, direction, packet), None
        else:
            rule, denied = nacl_rule_over_ports(acl, direction, packet, *ports)
        said = NaclDecision(rule is not None and rule.action is Action.ALLOW, rule, direction, acl_id).explain()
        text = _nacl_detail(acl_id, direction, rule, ports, denied)
        if ports is None:
            assert text == said
        elif denied is None:
            assert text == f"Every port of the ephemeral range {port_text(*ports)} passes: {_lower_first(said)}"
        elif denied == ports:
            assert text == f"The ephemeral ports {port_text(*ports)}: {_lower_first(said)}"
        else:
            assert text == f"Ports {port_text(*denied)} of the ephemeral range {port_text(*ports)}: {_lower_first(said)}"


@settings(max_examples=200, deadline=None)
@given(security_groups(), packets(), st.sampled_from((frozenset(), frozenset({"sg-a"}))), st.integers(0, 3))
def test_security_group_hop_sentences_are_the_decisions_sentences(
    groups: tuple[SecurityGroup, ...], packet: Packet, peers: frozenset[str], keep: int
) -> None:
    """`_sg_detail` writes `SgDecision.explain`'s sentence directly (also
    for one group, several, and none)."""
    groups = groups[:keep]
    for direction in Direction:
        found = security_group_allowing(groups, direction, packet, peers)
        assert _sg_detail(groups, direction, found) == evaluate_security_groups(groups, direction, packet, peers).explain()


def test_hops_compare_by_what_they_name_not_by_how_they_explain() -> None:
    hop = Hop(Leg.REQUEST, HopKind.NETWORK_ACL, "acl-1", "inbound", True, "one way", "100", "subnet-a")
    same = Hop(Leg.REQUEST, HopKind.NETWORK_ACL, "acl-1", "inbound", True, lambda: "another way", None, "subnet-a")
    assert hop == same and hash(hop) == hash(same) and len({hop, same}) == 1
    assert hop != replace_leg(hop) and hop != "acl-1"
    dropped = hop.dropping(lambda: "dropped")
    assert (dropped.allowed, dropped.detail, dropped.rule, dropped.label) == (False, "dropped", "100", hop.label)
    assert dropped != hop
    assert repr(hop) == ("Hop(leg=<Leg.REQUEST: 'request'>, kind=<HopKind.NETWORK_ACL: 'network ACL'>, component='acl-1', "
                         "direction='inbound', allowed=True, subnet='subnet-a')")


def replace_leg(hop: Hop) -> Hop:
    return Hop(Leg.RESPONSE, hop.kind, hop.component, hop.direction, hop.allowed, hop.why, hop.deciding, hop.subnet)


@pytest.mark.parametrize("misconception", list(WalkMisconception))
@pytest.mark.parametrize("defect", DEFECTS)
def test_misconception_walks_after_the_aws_walk_read_like_walks_on_a_fresh_topology(
    defect: Defect, misconception: WalkMisconception
) -> None:
    """A misconception walk reuses the AWS walk's hops where the misconception
    changes nothing (a listed-order reading of rules already in number order,
    a group reference on rules without any, skipping a blackhole the AWS
    route is not): it must read exactly like the same walk done alone."""
    for seed in range(4):
        rng = random.Random(seed)
        p = two_tier(rng, Faker())
        flow, _ = defect(p, rng)
        shared = build_vpc(p)
        walk(shared, flow)
        after = walk(shared, flow, [misconception])
        alone = walk(build_vpc(p), flow, [misconception])
        assert after.verdict is alone.verdict
        assert [(h.label, h.allowed, h.detail, h.rule) for h in after.hops] == [
            (h.label, h.allowed, h.detail, h.rule) for h in alone.hops]


@settings(max_examples=200, deadline=None)
@given(nacl_rules(), packets())
def test_rules_stored_in_number_order_read_the_same_in_listed_order(rules: tuple[NaclRule, ...], packet: Packet) -> None:
    """Why the walk reuses the rule-number hop for a listed-order reading
    when the ACL's rules are their own number-ordered tuple."""
    acl = NetworkAcl("acl-r", tuple(sorted(rules, key=lambda r: r.number)), rules)
    assert acl.rules(Direction.INBOUND) is acl.ordered(Direction.INBOUND)
    for direction in Direction:
        listed = evaluate_nacl(acl, direction, packet, reading=NaclReading.LISTED_ORDER)
        if acl.rules(direction) is acl.ordered(direction):
            assert listed == evaluate_nacl(acl, direction, packet)


@settings(max_examples=200, deadline=None)
@given(security_groups(), packets())
def test_groups_without_group_references_ignore_the_peer(groups: tuple[SecurityGroup, ...], packet: Packet) -> None:
    """Why the walk reuses the AWS hop under SG_REFERENCE_ANY when no rule
    of the direction names a group."""
    for direction in Direction:
        if not any(isinstance(rule.peer, str) for group in groups for rule in group.rules(direction)):
            assert security_group_allowing(groups, direction, packet, frozenset({"sg-a", "sg-b"})) == security_group_allowing(
                groups, direction, packet)


def test_listed_order_reading_applies_where_the_listing_is_not_in_number_order() -> None:
    """A deny numbered first but listed last: AWS drops the request, a
    learner reading the rules as listed lets it through, and an ACL listed in
    number order reads the same both ways."""
    deny_last = NetworkAcl("acl-app", (*OPEN.inbound, NaclRule(50, Action.DENY, TCP, 8080, 8080, ALL_IPV4)), OPEN.outbound)
    vpc = split_acls(replace(OPEN, id="acl-web"), deny_last)
    flow = Flow("i-web", "i-app", TCP, 8080)
    aws = walk(vpc, flow)
    assert aws.blocking is not None and (aws.blocking.component, aws.blocking.rule) == ("acl-app", "50")
    listed = walk(vpc, flow, [WalkMisconception.NACL_LISTED_ORDER])
    assert listed.reachable
    web_out = [h for h in listed.hops if h.component == "acl-web"][0]
    assert web_out is aws.hops[1]  # acl-web is listed in number order: the AWS hop, reused


def test_group_reference_belief_lets_any_instance_match() -> None:
    other = SecurityGroup("sg-other", "other", (), ())
    vpc = two_subnets(security_groups=(WEB_SG, replace(APP_SG, inbound=(SgRule(TCP, 8080, 8080, "sg-other"),)), other))
    flow = Flow("i-web", "i-app", TCP, 8080)
    aws = walk(vpc, flow)
    assert aws.blocking is not None and aws.blocking.component == "sg-app"
    believed = walk(vpc, flow, [WalkMisconception.SG_REFERENCE_ANY])
    assert believed.blocking is None or believed.blocking.component != "sg-app"
    assert believed.hops[0] is aws.hops[0]  # sg-web's outbound rules name no group: the AWS hop, reused


@pytest.mark.parametrize("defect", DEFECTS)
def test_walks_of_one_flow_read_like_separate_walks_and_stop_at_the_blocking_hop(defect: Defect) -> None:
    """`walks` shares one walker between its belief sets: each result must
    read exactly like `walk` with those beliefs on a fresh topology; and the
    blocking hop (read off the last hop) is the first hop that drops."""
    beliefs: list[list[WalkMisconception]] = [[], *([m] for m in WalkMisconception),
                                              [WalkMisconception.STATEFUL_NACL, WalkMisconception.STATELESS_SG]]
    for seed in range(3):
        rng = random.Random(seed)
        p = two_tier(rng, Faker())
        flow, _ = defect(p, rng)
        together = walks(build_vpc(p), flow, beliefs)
        assert len(together) == len(beliefs)
        for result, ms in zip(together, beliefs):
            alone = walk(build_vpc(p), flow, ms)
            assert result.flow == flow and result.verdict is alone.verdict
            assert [(h.label, h.allowed, h.detail, h.rule) for h in result.hops] == [
                (h.label, h.allowed, h.detail, h.rule) for h in alone.hops]
            dropping = [h for h in result.hops if not h.allowed]
            assert dropping[:1] == ([result.blocking] if result.blocking is not None else [])
            assert len(dropping) <= 1 and (not dropping or result.hops[-1] is dropping[0])
