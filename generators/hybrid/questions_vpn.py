"""Question generators over Site-to-Site VPN routing and VPN CloudHub."""

from __future__ import annotations

import ipaddress
import random
from decimal import Decimal

from faker import Faker

from generators.base import Body, Distractor, Generator, multiple_choice, ordering_choices, single_choice
from generators.connectivity.drawing import block16, hex_id, unique_names
from generators.hybrid import model as h
from quizapp.questions import AnswerKind, JSONValue, NumericSpec


_ANYWHERE = ipaddress.IPv4Network("0.0.0.0/0")
_PRIVATE_172 = ipaddress.IPv4Network("172.16.0.0/12")


def _block(value: int, prefix: int) -> ipaddress.IPv4Network:
    mask = (0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF
    return ipaddress.IPv4Network((value & mask, prefix))


def _route_text(route: h.SubnetRoute | None) -> str:
    if route is None:
        return "The packet is dropped: no route applies"
    kind = "propagated" if route.propagated else ("local" if route.target == h.LOCAL else "static")
    return f"`{route.target}` (route `{route.destination}`, {kind})"


class VpcRouteWithVgw(Generator):
    """Which target does a subnet use when VPN routes are propagated into its table?"""

    id = "hybrid.vpc-route-with-vgw"
    version = 1
    topic = "hybrid"
    kind = AnswerKind.SINGLE
    note = "hybrid#route-propagation-and-route-priority"
    title = "Propagated VPN routes in a subnet route table"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        second = rng.randrange(1, 250)
        vpc = block16(second)
        vgw, igw, pcx, tgw = hex_id(rng, "vgw"), hex_id(rng, "igw"), hex_id(rng, "pcx"), hex_id(rng, "tgw")
        onprem = (172 << 24) | (rng.randrange(16, 32) << 16) | (rng.randrange(256) << 8) | rng.randrange(4, 251)
        routes = [h.SubnetRoute(_ANYWHERE, igw)]
        case = rng.choice(("local", "tie", "lpm"))
        if case == "local":
            value = (10 << 24) | (second << 16) | (rng.randrange(256) << 8) | rng.randrange(4, 251)
            routes.append(h.SubnetRoute(_block(value, rng.choice((20, 24))), vgw, True))
            routes.append(h.SubnetRoute(_block(onprem, 16), vgw, True))
        elif case == "tie":
            value = onprem
            shared = _block(onprem, rng.choice((16, 20)))
            routes.append(h.SubnetRoute(shared, rng.choice((pcx, tgw))))
            routes.append(h.SubnetRoute(shared, vgw, True))
        else:
            value = onprem
            routes.append(h.SubnetRoute(_PRIVATE_172, tgw))
            routes.append(h.SubnetRoute(_block(onprem, 24), vgw, True))
        rng.shuffle(routes)
        address = ipaddress.IPv4Address(value)
        chosen = h.select_subnet_route([vpc], routes, address)
        distractors = [
            Distractor(
                _route_text(h.select_subnet_route([vpc], routes, address, specific_beats_local=True)),
                "let a more specific propagated route beat the local route",
            ),
            Distractor(
                _route_text(h.select_subnet_route([vpc], routes, address, propagated_first=True)),
                "prefer a propagated route over a static one for the same prefix",
            ),
            Distractor(
                _route_text(h.select_subnet_route([vpc], routes, address, least_specific=True)),
                "pick the broadest matching route instead of the longest prefix",
            ),
            Distractor(
                _route_text(None),
                "think propagated routes only show what the gateway learned and are not used for forwarding",
            ),
        ]
        rows = [(str(vpc), "local", "local")] + [
            (str(r.destination), r.target, "propagated" if r.propagated else "static") for r in routes
        ]
        listing = "\n".join(f"| {d} | {t} | {k} |" for d, t, k in rows)
        vpc_name = unique_names(fake, rng, 1, "vpc")[0]
        return Body(
            prompt=(
                f"VPC **{vpc_name}** (`{vpc}`) has virtual private gateway `{vgw}` with a Site-to-Site VPN to the "
                "data center, using BGP, and route propagation is turned on for this subnet route table:\n\n"
                f"| Destination | Target | Route type |\n|---|---|---|\n{listing}\n\n"
                f"An instance in the subnet sends a packet to `{address}`. Which route does the VPC router use?"
            ),
            params={"vpc": vpc_name, "cidr": str(vpc), "vgw": vgw, "address": str(address), "routes": [list(r) for r in rows]},
            explanation=(
                "The subnet route table decides in this order: the local route wins for addresses inside the VPC, "
                "even against a more specific propagated route; otherwise the longest prefix wins; for the same "
                "prefix a static route beats a propagated one. Propagated routes are real routes: with propagation "
                "on, nothing else needs adding.\n\n"
                f"For `{address}` that gives {_route_text(chosen)}."
            ),
            choices=single_choice(rng, _route_text(chosen), distractors),
        )


class VgwPathPreference(Generator):
    """Order the paths a virtual private gateway knows toward on premises."""

    id = "hybrid.vgw-path-preference"
    version = 1
    topic = "hybrid"
    kind = AnswerKind.ORDERING
    note = "hybrid#how-a-virtual-private-gateway-picks-a-path"
    title = "How a virtual private gateway picks a path"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        value = (192 << 24) | (168 << 16) | (rng.randrange(256) << 8) | rng.randrange(4, 251)
        dxvif, vpn1, vpn2 = hex_id(rng, "dxvif"), hex_id(rng, "vpn"), hex_id(rng, "vpn")
        candidates = [
            h.GatewayPath(_block(value, 16), dxvif, h.PathSource.DX_BGP),
            h.GatewayPath(_block(value, 16), vpn1, h.PathSource.VPN_STATIC),
            h.GatewayPath(_block(value, 16), vpn1, h.PathSource.VPN_BGP, 3, 100),
            h.GatewayPath(_block(value, 16), vpn2, h.PathSource.VPN_BGP, 2, 200),
            h.GatewayPath(_block(value, 24), vpn2, h.PathSource.VPN_BGP, 4, 100),
            h.GatewayPath(_block(value, 24), vpn1, h.PathSource.VPN_STATIC),
        ]
        if rng.random() < 0.5:
            candidates[3] = h.GatewayPath(_block(value, 16), vpn2, h.PathSource.VPN_BGP, 3, 50)
        picked = rng.sample(candidates, rng.randint(3, 5))
        address = ipaddress.IPv4Address(value)
        ranked = h.rank_paths(picked, address)

        def line(p: h.GatewayPath) -> str:
            extra = f", AS path length {p.as_path_length}, MED {p.med}" if p.source is h.PathSource.VPN_BGP else ""
            return f"`{p.prefix}` via `{p.via}`: {p.source.label}{extra}"

        steps = [line(p) for p in ranked]
        office = unique_names(fake, rng, 1, "office")[0]
        return Body(
            prompt=(
                f"Virtual private gateway `{hex_id(rng, 'vgw')}` has learned these paths toward the {office} "
                f"network, all containing `{address}`. Order them from the path it prefers most to the one it "
                "prefers least.\n\n" + "\n".join(f"- {line(p)}" for p in picked)
            ),
            params={"office": office, "address": str(address), "paths": [line(p) for p in picked]},
            explanation=(
                "A virtual private gateway first takes the longest prefix. For the same prefix it prefers BGP "
                "routes learned over Direct Connect, then static routes of a VPN connection, then BGP routes "
                "learned over VPN; between BGP VPN routes the shorter AS path wins, then the lower MED.\n\n"
                + "\n".join(f"{i}. {s}" for i, s in enumerate(steps, 1))
            ),
            choices=ordering_choices(rng, steps),
        )


_HUB_MISCONCEPTION = {
    h.HubProblem.STATIC_ROUTING: "think static routing is enough for CloudHub",
    h.HubProblem.SHARED_ASN: "think sites may share a BGP ASN",
    h.HubProblem.OVERLAP: "think overlapping site ranges are fine",
}


class CloudHubReadySites(Generator):
    """Which branch sites meet every VPN CloudHub requirement?"""

    id = "hybrid.cloudhub-ready-sites"
    version = 1
    topic = "hybrid"
    kind = AnswerKind.MULTIPLE
    note = "hybrid#vpn-cloudhub"
    title = "Sites that can use VPN CloudHub"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        count = rng.randint(4, 5)
        names = unique_names(fake, rng, count, "office")
        asns = rng.sample(range(64512, 65535), count)
        groups = rng.sample(range(16), count)
        sites = [
            h.Site(n, a, h.Routing.DYNAMIC, _block((192 << 24) | (168 << 16) | ((16 * g + rng.randrange(16)) << 8), 24))
            for n, a, g in zip(names, asns, groups, strict=True)
        ]
        # Two sites stay untouched so that at least two are ready; faults go to the others.
        free = list(range(count))
        rng.shuffle(free)
        free = free[2:]
        for fault in rng.sample(("static", "asn", "overlap"), 3):
            if fault == "static" and free:
                i = free.pop()
                sites[i] = h.Site(sites[i].name, sites[i].asn, h.Routing.STATIC, sites[i].prefix)
            elif fault == "asn" and len(free) >= 2:
                i, j = free.pop(), free.pop()
                sites[j] = h.Site(sites[j].name, sites[i].asn, sites[j].routing, sites[j].prefix)
            elif fault == "overlap" and len(free) >= 2:
                i, j = free.pop(), free.pop()
                wide = _block((192 << 24) | (168 << 16) | (16 * groups[i] << 8), 20)
                sites[j] = h.Site(sites[j].name, sites[j].asn, sites[j].routing, wide)
        problems = h.cloudhub_problems(sites)
        ready = [s for s in sites if not problems[s.name]]

        def label(s: h.Site) -> str:
            return f"{s.name} (ASN {s.asn}, {s.routing.value} routing, `{s.prefix}`)"

        answers = [label(s) for s in ready]
        distractors = [
            Distractor(label(s), _HUB_MISCONCEPTION[problems[s.name][0]]) for s in sites if problems[s.name]
        ]
        vgw = hex_id(rng, "vgw")
        rows = "\n".join(f"| {s.name} | {s.asn} | {s.routing.value} | {s.prefix} |" for s in sites)
        params: dict[str, JSONValue] = {
            "vgw": vgw,
            "sites": [
                {"name": s.name, "asn": s.asn, "routing": s.routing.value, "prefix": str(s.prefix)} for s in sites
            ],
        }
        return Body(
            prompt=(
                f"Each branch office below has a Site-to-Site VPN connection to the same virtual private gateway "
                f"`{vgw}`, and the company wants the offices to reach each other through AWS VPN CloudHub.\n\n"
                f"| Office | Customer gateway BGP ASN | Routing | Office range |\n|---|---|---|---|\n{rows}\n\n"
                f"Which offices meet every CloudHub requirement? Choose {len(answers)}."
            ),
            params=params,
            explanation=(
                "CloudHub re-advertises each site's BGP routes to the other sites through the one virtual private "
                "gateway. That needs dynamic (BGP) routing on every connection, a unique BGP ASN per customer "
                "gateway, and site ranges that do not overlap.\n\n"
                + "\n".join(
                    f"- {s.name}: " + ("ready." if not problems[s.name] else "; ".join(p.value for p in problems[s.name]) + ".")
                    for s in sites
                )
            ),
            choices=multiple_choice(rng, answers, distractors),
        )


class VpnTunnelCount(Generator):
    """How many IPsec tunnels do a set of VPN connections bring up?"""

    id = "hybrid.vpn-tunnel-count"
    version = 1
    topic = "hybrid"
    kind = AnswerKind.NUMERIC
    note = "hybrid#two-tunnels-per-connection"
    title = "Tunnels of Site-to-Site VPN connections"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        count = rng.randint(2, 5)
        names = unique_names(fake, rng, count, "office")
        devices = [rng.choice((1, 1, 2)) for _ in names]
        gateway = rng.choice(("virtual private gateway", "transit gateway"))
        connections = sum(devices)
        tunnels = h.tunnels_for(connections)
        rows = "\n".join(f"| {n} | {d} |" for n, d in zip(names, devices, strict=True))
        return Body(
            prompt=(
                f"Each customer gateway device below gets its own Site-to-Site VPN connection to the company's "
                f"{gateway}.\n\n| Office | Customer gateway devices |\n|---|---|\n{rows}\n\n"
                "How many IPsec tunnels does AWS provide across all these VPN connections?"
            ),
            params={"gateway": gateway, "offices": [{"name": n, "devices": d} for n, d in zip(names, devices, strict=True)]},
            explanation=(
                f"There is one VPN connection per customer gateway device: {' + '.join(str(d) for d in devices)} = "
                f"{connections} connections. Every Site-to-Site VPN connection has two tunnels, each to its own AWS "
                f"endpoint, so {connections} × 2 = **{tunnels}** tunnels. Configure both tunnels of each connection "
                "so traffic fails over when one is down."
            ),
            spec=NumericSpec(Decimal(tunnels), Decimal(0), "tunnels"),
            meta={
                "numeric_misconceptions": [
                    {"value": connections, "misconception": "count one tunnel per VPN connection"},
                    {"value": 2 * count, "misconception": "count two tunnels per office instead of per VPN connection"},
                ]
            },
        )


GENERATORS: list[type[Generator]] = [VpcRouteWithVgw, VgwPathPreference, CloudHubReadySites, VpnTunnelCount]
