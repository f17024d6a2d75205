"""Questions on route tables: which route wins, prefix lists and gateway
endpoints, subnet associations, the destination to add, the target to use."""

from __future__ import annotations

import random
from typing import Any

from faker import Faker

from generators.base import Body, Distractor, Generator, single_choice
from generators.draws import below, hex_id, hex_ids, pick, shuffle
from generators.routing.internet import target_for_need
from generators.routing.model import (
    IPNetwork,
    RouteDecision,
    RouteMisconception,
    RouteTable,
    TargetKind,
    associated_table,
    longest_prefix_match,
    mark_blackholes,
    route_decisions,
)
from generators.routing.scenarios import (
    S3_PREFIX_SETS,
    Params,
    addr,
    dotted,
    host,
    internet_host,
    net,
    route_table,
    route_table_md,
    vpc_base,
    words,
)
from quizapp.questions import AnswerKind, NetworkSpec, TextSpec

RM = RouteMisconception


def _outcome(decision: RouteDecision) -> str:
    """A route decision as a choice text."""
    route = decision.route
    if route is None:
        return "Dropped: no route matches"
    if decision.blackhole:
        return f"Dropped: the route to `{route.target}` is a blackhole"
    if route.kind is TargetKind.LOCAL:
        return "`local`: delivered inside the VPC"
    return f"`{route.target}` ({route.kind})"


def _trace(decision: RouteDecision) -> str:
    rows = [f"- `{c.route.describe()}`: {c.note}" for c in decision.candidates]
    return "\n".join(rows) + f"\n\n{decision.explain()}"


def _prefix_lists(p: Params) -> dict[str, tuple[IPNetwork, ...]]:
    return {pl["id"]: tuple(net(c) for c in pl["cidrs"]) for pl in p.get("prefix_lists", ())}


class RouteTarget(Generator):
    """Which target a packet to an address takes, by AWS's route priority."""

    id = "routing.route-target"
    version = 1
    topic = "routing"
    kind = AnswerKind.SINGLE
    note = "routing#longest-prefix-match"
    title = "Which route does the packet take?"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        base = vpc_base(rng)
        vpc_cidr = f"{dotted(base)}/16"
        peer = f"172.{16 + below(rng, 16)}.0.0/16"
        peer_24 = f"172.{peer.split('.')[1]}.{below(rng, 256)}.0/24"
        onprem = "192.168.0.0/16"
        onprem_24 = f"192.168.{below(rng, 256)}.0/24"
        partner = f"{pick(rng, (34, 52, 100, 130, 160))}.{below(rng, 256)}.{16 * below(rng, 16)}.0/20"
        default = hex_id(rng, pick(rng, ("igw", "nat")))
        pcx, tgw, vgw, gone = hex_ids(rng, ("pcx", "tgw", "vgw", "nat"))
        others = [
            [vpc_cidr, "local"], [peer, pcx], [peer_24, tgw], [onprem, vgw, "propagated"], [onprem, tgw],
            [onprem_24, vgw, "propagated"], [partner, gone],
        ]
        shuffle(rng, others)
        table_p: dict[str, Any] = {"id": hex_id(rng, "rtb"), "main": False, "routes": [["0.0.0.0/0", default], *others]}
        case = below(rng, 6)
        if case == 0:
            dst = host(peer_24, 4 + below(rng, 246))
        elif case == 1:
            third = (int(peer_24.split(".")[2]) + 1 + below(rng, 254)) % 256
            dst = f"172.{peer.split('.')[1]}.{third}.{4 + below(rng, 246)}"
        elif case == 2:
            dst = host(onprem_24, 4 + below(rng, 246))
        elif case == 3:
            third = (int(onprem_24.split(".")[2]) + 1 + below(rng, 254)) % 256
            dst = f"192.168.{third}.{4 + below(rng, 246)}"
        elif case == 4:
            a, b, c, _ = partner.split("/")[0].split(".")
            dst = f"{a}.{b}.{int(c) + below(rng, 16)}.{1 + below(rng, 254)}"
        else:
            dst = f"{dotted(base + 256 + below(rng, 64744))}"
        p: Params = {"vpc": vpc_cidr, "table": table_p, "destination": dst, "gone": gone}
        table = mark_blackholes(route_table(table_p), {gone})
        target = addr(dst)
        misconceptions = (RM.FIRST_MATCH, RM.ORIGIN_BEFORE_LENGTH, RM.PROPAGATED_WINS_TIE, RM.SKIP_BLACKHOLE)
        decisions = route_decisions(table, target, (None, *misconceptions))
        decision = decisions[None]
        answer = _outcome(decision)
        distractors = [Distractor(_outcome(decisions[m]), m.value) for m in misconceptions]
        live = {r[1] for r in table_p["routes"]} - {gone}
        return Body(
            prompt=(f"A subnet of a VPC with CIDR `{vpc_cidr}` uses this route table (NAT gateway `{gone}` has been "
                    f"deleted):\n\n{route_table_md(table_p, live)}\n\nAn instance in the subnet sends a packet to "
                    f"`{dst}`. Where does the VPC router send it?"),
            params=p,
            explanation=(f"Every route is checked against `{dst}`:\n\n{_trace(decision)}\n\nThe most specific matching "
                         "route wins whatever its position in the table; between equal prefixes a static route beats a "
                         "propagated one, and a blackhole route still wins (and drops the packet)."),
            choices=single_choice(rng, answer, distractors),
        )


class GatewayEndpointRoute(Generator):
    """Where S3 traffic goes when a gateway endpoint's prefix-list route sits
    next to a default route (and, sometimes, a static route of equal length)."""

    id = "routing.s3-endpoint-route"
    version = 1
    topic = "routing"
    kind = AnswerKind.SINGLE
    note = "routing#prefix-lists-and-gateway-endpoints"
    title = "S3 traffic and the gateway endpoint"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        base = vpc_base(rng)
        vpc_cidr = f"{dotted(base)}/16"
        cidrs = list(pick(rng, S3_PREFIX_SETS))
        pl, vpce = hex_id(rng, "pl"), hex_id(rng, "vpce")
        default = hex_id(rng, pick(rng, ("nat", "igw")))
        entry = pick(rng, cidrs)
        dst = host(entry, 4 + below(rng, 246))
        routes: list[list[str]] = [["0.0.0.0/0", default], [vpc_cidr, "local"], [pl, vpce]]
        tie = rng.random() < 0.5
        if tie:
            inspect = hex_id(rng, pick(rng, ("eni", "tgw")))
            routes.insert(1 + below(rng, 3), [entry, inspect])
        p: Params = {
            "vpc": vpc_cidr,
            "table": {"id": hex_id(rng, "rtb"), "main": False, "routes": routes},
            "prefix_list": {"id": pl, "cidrs": cidrs},
            "endpoint": vpce,
            "destination": dst,
        }
        lists = _prefix_lists({"prefix_lists": [p["prefix_list"]]})
        table = route_table(p["table"])
        target = addr(dst)
        misconceptions = (RM.FIRST_MATCH, RM.ORIGIN_BEFORE_LENGTH, RM.PREFIX_LIST_WINS_TIE)
        decisions = route_decisions(table, target, (None, *misconceptions), lists)
        decision = decisions[None]
        answer = _outcome(decision)
        distractors = [Distractor(_outcome(decisions[m]), m.value) for m in misconceptions]
        pl_md = ", ".join(f"`{c}`" for c in cidrs)
        return Body(
            prompt=(f"A VPC (`{vpc_cidr}`) has an S3 gateway endpoint `{vpce}`. The S3 prefix list `{pl}` holds "
                    f"{pl_md}. A private subnet uses this route table:\n\n{route_table_md(p['table'])}\n\n"
                    f"An instance in the subnet sends a request to an S3 address, `{dst}`. Where does the VPC router "
                    "send it?"),
            params=p,
            explanation=(f"{_trace(decision)}\n\nA prefix-list route matches through its entries, so it competes by "
                         "the length of the matching entry: it beats `0.0.0.0/0`. Between a prefix-list entry and a "
                         "static CIDR route of the same length, the static route wins."),
            choices=single_choice(rng, answer, distractors),
        )


class SubnetAssociation(Generator):
    """Which route table a subnet uses (explicit association or the main
    table), and so where its traffic goes."""

    id = "routing.subnet-association"
    version = 1
    topic = "routing"
    kind = AnswerKind.SINGLE
    note = "routing#subnet-associations-and-the-main-route-table"
    title = "Which route table does the subnet use?"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        base = vpc_base(rng)
        vpc_cidr = f"{dotted(base)}/16"
        w = words(fake, 4)
        zone = rng.choice(("a", "b", "c"))
        igw, nat, vgw = hex_id(rng, "igw"), hex_id(rng, "nat"), hex_id(rng, "vgw")
        main_routes = [[vpc_cidr, "local"]] + ([["0.0.0.0/0", vgw]] if rng.random() < 0.5 else [])
        tables: list[dict[str, Any]] = [
            {"id": hex_id(rng, "rtb"), "main": True, "routes": main_routes},
            {"id": hex_id(rng, "rtb"), "main": False, "routes": [[vpc_cidr, "local"], ["0.0.0.0/0", igw]]},
            {"id": hex_id(rng, "rtb"), "main": False, "routes": [[vpc_cidr, "local"], ["0.0.0.0/0", nat]]},
        ]
        rng.shuffle(tables)
        custom = [t for t in tables if not t["main"]]
        main = next(t for t in tables if t["main"])
        subnets: list[dict[str, Any]] = [
            {"id": hex_id(rng, "subnet"), "name": f"{w[0]}-{zone}", "az": zone, "rtb": custom[0]["id"]},
            {"id": hex_id(rng, "subnet"), "name": f"{w[1]}-{zone}", "az": zone, "rtb": custom[1]["id"]},
            {"id": hex_id(rng, "subnet"), "name": f"{w[2]}-{zone}", "az": zone, "rtb": None},
        ]
        asked = subnets[2] if rng.random() < 0.7 else subnets[rng.randrange(2)]
        dst = internet_host(rng)
        p: Params = {"vpc": vpc_cidr, "tables": tables, "subnets": subnets, "subnet": asked["id"], "destination": dst}
        model_tables = [route_table(t) for t in tables]
        explicit = {s["id"]: s["rtb"] for s in subnets if s["rtb"]}
        target = addr(dst)

        def via(table: RouteTable) -> str:
            return f"{_outcome(longest_prefix_match(table, target))}, by route table `{table.id}`"

        assoc = associated_table(asked["id"], model_tables, explicit)
        answer = via(assoc.table)
        by_id = {t.id: t for t in model_tables}
        if assoc.explicit:
            other = subnets[1] if asked is subnets[0] else subnets[0]
            distractors = [
                Distractor(via(by_id[main["id"]]), "think every subnet uses the main route table, whatever its "
                           "explicit association"),
                Distractor(via(by_id[other["rtb"]]), "assume the subnets of one zone share a route table"),
            ]
        else:
            distractors = [
                Distractor(via(by_id[custom[-1]["id"]]), "assume a subnet without an explicit association uses the "
                           "last custom route table listed"),
                Distractor(via(by_id[subnets[0]["rtb"]]), "assume a subnet without an explicit association borrows "
                           "the route table of another subnet in its zone"),
            ]
            if len(main["routes"]) > 1:
                distractors.append(Distractor("Dropped: no route matches, by the local route alone", "assume a subnet "
                                              "without an explicit association has only the local route"))
        rows = ["| Subnet | Name | AZ | Explicit association |", "|---|---|---|---|",
                *(f"| `{s['id']}` | {s['name']} | {s['az']} | {'`' + s['rtb'] + '`' if s['rtb'] else 'none'} |"
                  for s in subnets)]
        tables_md = "\n\n".join(route_table_md(t) for t in tables)
        how = (f"`{asked['id']}` is explicitly associated with `{assoc.table.id}`" if assoc.explicit
               else f"`{asked['id']}` has no explicit association, so it uses the main route table `{assoc.table.id}`")
        return Body(
            prompt=(f"VPC `{vpc_cidr}` has these subnets and route tables:\n\n" + "\n".join(rows) + f"\n\n{tables_md}\n\n"
                    f"An instance in `{asked['id']}` sends a packet to `{dst}`. Where does it go?"),
            params=p,
            explanation=f"{how}. {longest_prefix_match(assoc.table, target).explain()}",
            choices=single_choice(rng, answer, distractors),
        )


class DestinationCidr(Generator):
    """The destination CIDR to route to a peered VPC."""

    id = "routing.destination-cidr"
    version = 1
    topic = "routing"
    kind = AnswerKind.NETWORK
    note = "routing#route-tables"
    title = "The destination of a peering route"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        base = vpc_base(rng)
        vpc_cidr = f"{dotted(base)}/16"
        second = rng.randrange(16, 32)
        prefix = rng.choice((16, 18, 20))
        peer_base = (172 << 24) | (second << 16) | (rng.randrange(2 ** (prefix - 16)) << (32 - prefix) if prefix > 16 else 0)
        peer = f"{dotted(peer_base)}/{prefix}"
        server_subnet = f"{dotted(peer_base + (rng.randrange(2 ** (24 - prefix)) << 8))}/24"
        server = host(server_subnet, rng.randrange(4, 250))
        names = words(fake, 2)
        pcx = hex_id(rng, "pcx")
        table_p = {"id": hex_id(rng, "rtb"), "main": False,
                   "routes": [[vpc_cidr, "local"], ["0.0.0.0/0", hex_id(rng, rng.choice(("igw", "nat")))]]}
        p: Params = {"vpc": vpc_cidr, "names": names, "peer": peer, "server_subnet": server_subnet, "server": server,
                     "pcx": pcx, "table": table_p}
        table = route_table(table_p)
        added = table.with_routes([*table.routes, route_table({"id": "x", "routes": [[peer, pcx]]}).routes[0]])
        first, last = net(peer)[0], net(peer)[-1]
        checks = [longest_prefix_match(added, a) for a in (first, addr(server), last)]
        assert all(c.target == pcx for c in checks)
        return Body(
            prompt=(f"VPC {names[0]} (`{vpc_cidr}`) is peered with VPC {names[1]} (`{peer}`) through `{pcx}`; the "
                    f"peering is accepted and {names[1]}'s route tables already point back. A database in {names[1]} "
                    f"at `{server}` (subnet `{server_subnet}`) is the first thing {names[0]}'s instances will use, but "
                    f"they must be able to reach every address of {names[1]} through the peering, and nothing else.\n\n"
                    f"{route_table_md(table_p)}\n\nWhat destination CIDR do you give the route you add with target "
                    f"`{pcx}`?"),
            params=p,
            explanation=(f"The route must cover all of {names[1]}'s block and no more: `{peer}`. With it added:\n\n"
                         + "\n".join(f"- {c.explain()}" for c in checks)
                         + "\n\nOther internet addresses still follow `0.0.0.0/0`. A /24 or /32 would leave the rest "
                         f"of {names[1]} unreachable; a peering route also needs a route back in the peer's tables."),
            spec=NetworkSpec(peer, "network"),
            meta={"network_misconceptions": [
                {"value": server_subnet, "misconception": "route only to the subnet where the server is"},
                {"value": f"{server}/32", "misconception": "route only to the server's own address"},
                {"value": vpc_cidr, "misconception": "enter your own VPC's CIDR as the destination"},
                {"value": "0.0.0.0/0", "misconception": "send all traffic to the peering connection"},
            ]},
        )


_NEEDS = (
    (False, True, None, "Instances in a public subnet, with public IPv4 addresses, must serve HTTPS to clients on the "
                        "internet and fetch updates from it"),
    (False, False, None, "Instances in a private subnet must start IPv4 connections to the internet (for updates), but "
                         "nothing on the internet may start a connection to them"),
    (True, False, None, "Instances with IPv6 addresses must start IPv6 connections to the internet, but nothing on the "
                        "internet may start an IPv6 connection to them"),
    (False, False, "s3", "Instances in an isolated subnet must read objects from an S3 bucket in the same Region, "
                         "with no path to the internet"),
)
_ACCEPTED = {
    TargetKind.INTERNET_GATEWAY: ("internet gateway", "igw", "an internet gateway"),
    TargetKind.NAT_GATEWAY: ("NAT gateway", "nat", "a NAT gateway", "public NAT gateway", "NAT gw"),
    TargetKind.EGRESS_ONLY_INTERNET_GATEWAY: ("egress-only internet gateway", "egress only internet gateway", "eigw",
                                              "egress-only igw", "an egress-only internet gateway"),
    TargetKind.VPC_ENDPOINT: ("gateway endpoint", "gateway VPC endpoint", "VPC gateway endpoint", "S3 gateway endpoint",
                              "a gateway endpoint", "vpce", "VPC endpoint"),
}


class GatewayKind(Generator):
    """Name the kind of route target a need calls for."""

    id = "routing.gateway-kind"
    version = 1
    topic = "routing"
    kind = AnswerKind.TEXT
    note = "routing#choosing-a-target"
    title = "Which gateway?"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        ipv6, inbound, service, need = rng.choice(_NEEDS)
        name = words(fake, 1)[0]
        dest = "::/0" if ipv6 else ("the S3 prefix list" if service else "0.0.0.0/0")
        kind = target_for_need(ipv6=ipv6, inbound=inbound, service=service)
        p: Params = {"name": name, "need": need, "destination": dest}
        return Body(
            prompt=(f"In VPC {name}: {need}. What kind of target do you give the route for {dest}? "
                    "(Name the kind of gateway or endpoint.)"),
            params=p,
            explanation=(f"{kind.value[:1].upper()}{kind.value[1:]}"
                         + (" (a gateway endpoint, whose route has the service's prefix list as destination)."
                            if kind is TargetKind.VPC_ENDPOINT else ".")
                         + " An internet gateway carries traffic both ways; a NAT gateway lets IPv4 connections out "
                         "only; an egress-only internet gateway does the same for IPv6; a gateway endpoint reaches S3 "
                         "or DynamoDB without the internet."),
            spec=TextSpec(_ACCEPTED[kind]),
        )


GENERATORS: list[type[Generator]] = [RouteTarget, GatewayEndpointRoute, SubnetAssociation, DestinationCidr, GatewayKind]
