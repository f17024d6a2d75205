"""Question generators over the VPC peering model."""

from __future__ import annotations

import random
from decimal import Decimal

from faker import Faker

from generators.base import Body, Distractor, Generator, multiple_choice, single_choice
from generators.connectivity import model_peering as m
from generators.connectivity.drawing import ANYWHERE, REGIONS, TEN_SLASH_8, account_id, block16, cidr_text, hex_id, host_in, unique_names
from quizapp.questions import AnswerKind, JSONValue, NumericSpec

_CASES = ("direct", "transitive", "no_route", "no_return", "overlap")


def _yes() -> str:
    return "Yes: the request arrives and the reply comes back"


def verdict_text(result: m.Reachability) -> str:
    """One line saying whether the flow works and, if not, what stops it."""
    failing = result.failing
    if failing is None:
        return _yes()
    leg = "request" if failing is result.request else "reply"
    blocker = failing.blocker
    last = failing.hops[-1].route if failing.hops else None
    if blocker is m.Blocker.NO_ROUTE:
        return f"No: {failing.at_vpc} has no route for the {leg} to {failing.destination}"
    if blocker is m.Blocker.NOT_A_PEERING and last is not None:
        return f"No: {failing.at_vpc} sends the {leg} to {failing.destination} to {last.target}, not to a peering"
    if blocker is m.Blocker.PEERING_FAILED and failing.overlap is not None:
        return f"No: {failing.pcx_id} never becomes active because {failing.overlap[0]} overlaps {failing.overlap[1]}"
    if blocker is m.Blocker.NOT_TRANSITIVE:
        return f"No: the {leg} crosses {failing.pcx_id} into {failing.at_vpc} and goes no further (peering is not transitive)"
    return f"No: the {leg} to {failing.destination} stops in {failing.at_vpc} ({blocker})"


def _rule(blocker: m.Blocker) -> str:
    return {
        m.Blocker.NO_ROUTE: "Each owner must route the other VPC's range to the peering connection; "
        "without a matching route the packet has nowhere to go.",
        m.Blocker.NOT_A_PEERING: "The longest matching route sends the packet to a gateway instead of the "
        "peering connection; each side needs a route for the peer's range that targets the peering.",
        m.Blocker.PEERING_FAILED: "A peering request between VPCs whose IPv4 blocks overlap anywhere fails, "
        "even if you only meant to route between the blocks that do not overlap.",
        m.Blocker.NOT_TRANSITIVE: "A peering connection only delivers to addresses of the VPC at its other end; "
        "it never relays traffic to a third VPC. Peer the two VPCs directly, or use a transit gateway.",
    }.get(blocker, "")


def explain_walk(title: str, walk: m.Walk) -> list[str]:
    """Markdown lines tracing one walk hop by hop."""
    lines = [f"**{title}** from {walk.source_vpc} to `{walk.destination}`:"]
    for hop in walk.hops:
        route = hop.route
        if route is None:
            lines.append(f"- In {hop.vpc}, no route matches `{hop.destination}`.")
        elif route.target == m.LOCAL:
            lines.append(f"- `{hop.destination}` is inside {hop.vpc} (`{route.destination}`): the local route delivers it.")
        else:
            lines.append(f"- In {hop.vpc}, the longest matching route is `{route.destination} → {route.target}`.")
    if walk.blocker is m.Blocker.PEERING_FAILED and walk.overlap is not None:
        lines.append(f"- `{walk.pcx_id}` joins VPCs whose blocks `{walk.overlap[0]}` and `{walk.overlap[1]}` overlap.")
    if walk.blocker is m.Blocker.NOT_TRANSITIVE:
        lines.append(f"- The packet is now in {walk.at_vpc}, which does not own `{walk.destination}`.")
    if not walk.delivered:
        lines.append(f"- Stopped: {walk.blocker}. {_rule(walk.blocker)}")
    return lines


def explain(result: m.Reachability) -> str:
    """The explanation of a reachability verdict, built from its walks."""
    lines = explain_walk("Request", result.request)
    if result.reply is not None:
        lines += [""] + explain_walk("Reply", result.reply)
    elif not result.request.delivered:
        lines += ["", "The reply never starts."]
    verdict = "works" if result.reachable else "does not work"
    lines += ["", f"So the connection **{verdict}**: {verdict_text(result)}."]
    return "\n".join(lines)


def _route_table(name: str, cidrs: list[str], routes: list[tuple[str, str]]) -> str:
    rows = [f"| {c} | local |" for c in cidrs] + [f"| {d} | {t} |" for d, t in routes]
    return f"**{name}**\n\n| Destination | Target |\n|---|---|\n" + "\n".join(rows)


def _has_competing_routes(topo: m.Topology, addresses: tuple[int, ...]) -> bool:
    """True when some VPC has two routes containing one of `addresses` (only
    then can "prefer the broadest route" change a lookup)."""
    for vpc in topo.vpcs:
        for value in addresses:
            if sum(1 for r in vpc.routes if r.span[0] <= value <= r.span[1]) > 1:
                return True
    return False


def _draw_topology(rng: random.Random, fake: Faker, case: str) -> tuple[m.Topology, str, str]:
    """Three VPCs A (source), B, C (destination) wired for `case`."""
    names = unique_names(fake, rng, 3, "vpc")
    seconds = rng.sample(range(1, 250), 4)
    blocks = [block16(s) for s in seconds]
    ab, ac, bc = (hex_id(rng, "pcx") for _ in range(3))
    igw = [m.Route(ANYWHERE, hex_id(rng, "igw"))] if rng.random() < 0.6 else []
    to_c = TEN_SLASH_8 if rng.random() < 0.25 else blocks[2]
    a_name, b_name, c_name = names
    a_extra: tuple[m.IPv4Network, ...] = ()
    c_extra: tuple[m.IPv4Network, ...] = ()
    a_routes = [m.Route(blocks[1], ab)]
    b_routes = [m.Route(blocks[0], ab)]
    c_routes: list[m.Route] = []
    peerings = [m.Peering(ab, a_name, b_name), m.Peering(ac, a_name, c_name)]
    if case == "direct":
        a_routes.append(m.Route(to_c, ac))
        c_routes.append(m.Route(blocks[0], ac))
    elif case == "transitive":
        peerings = [m.Peering(ab, a_name, b_name), m.Peering(bc, b_name, c_name)]
        a_routes.append(m.Route(to_c, ab))
        b_routes.append(m.Route(blocks[2], bc))
        c_routes += [m.Route(blocks[1], bc), m.Route(blocks[0], bc)]
    elif case == "no_route":
        c_routes.append(m.Route(blocks[0], ac))
    elif case == "no_return":
        a_routes.append(m.Route(to_c, ac))
        if rng.random() < 0.5:
            peerings.append(m.Peering(bc, b_name, c_name))
            b_routes.append(m.Route(blocks[2], bc))
            c_routes += [m.Route(blocks[1], bc), m.Route(blocks[0], bc)]
    else:  # overlap
        a_routes.append(m.Route(blocks[2], ac))
        c_routes.append(m.Route(blocks[0], ac))
        a_extra = (blocks[3],)
        c_extra = (m.net(f"10.{seconds[3]}.{16 * rng.randrange(16)}.0/20"),)
    region_a, region_b = rng.choice(REGIONS), rng.choice(REGIONS)
    account_a, account_b = account_id(rng), account_id(rng)
    shift = rng.choice(("region", "account", "both"))
    region_c = rng.choice([r for r in REGIONS if r != region_a]) if shift != "account" else region_a
    account_c = account_id(rng) if shift != "region" else account_a
    vpcs = (
        m.Vpc(a_name, (blocks[0], *a_extra), tuple(a_routes + igw), region_a, account_a),
        m.Vpc(b_name, (blocks[1],), tuple(b_routes), region_b, rng.choice((account_a, account_b))),
        m.Vpc(c_name, (blocks[2], *c_extra), tuple(c_routes), region_c, account_c),
    )
    return m.Topology(vpcs, tuple(peerings)), host_in(rng, seconds[0]), host_in(rng, seconds[2])


class PeeringReachability(Generator):
    """Can an instance in one VPC reach one in another over peering connections?"""

    id = "connectivity.peering-reachability"
    version = 1
    topic = "connectivity"
    kind = AnswerKind.SINGLE
    note = "connectivity#vpc-peering"
    title = "Reachability over VPC peering"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        topo, src_text, dst_text = _draw_topology(rng, fake, rng.choice(_CASES))
        src, dst = m.IPv4Address(src_text), m.IPv4Address(dst_text)
        result = m.check_reachability(topo, src, dst)
        # A misconception flag only changes the verdict where its rule decided
        # it, so the model is rerun only there (the other runs equal the answer).
        failing = result.failing
        blocker = failing.blocker if failing else m.Blocker.NONE
        variants: list[tuple[m.Reachability, str]] = []
        if _has_competing_routes(topo, (int(src), int(dst))):
            variants.append(
                (
                    m.check_reachability(topo, src, dst, least_specific=True),
                    "let the broadest matching route win instead of the longest prefix match",
                )
            )
        if blocker is m.Blocker.NOT_TRANSITIVE:
            variants.insert(0, (m.check_reachability(topo, src, dst, transitive=True), "assume peering is transitive"))
        if failing is not None and failing is result.reply:
            variants.insert(0, (m.check_reachability(topo, src, dst, check_reply=False), "forget the route on the other side"))
        if blocker is m.Blocker.PEERING_FAILED:
            variants.insert(
                0,
                (
                    m.check_reachability(topo, src, dst, ignore_overlap=True),
                    "think only the CIDR blocks you route between must not overlap",
                ),
            )
        distractors = [Distractor(verdict_text(r), why) for r, why in variants]
        distractors += [
            Distractor(
                "No: VPC peering cannot join VPCs in different Regions or accounts",
                "think VPC peering only works inside one Region and one account",
            ),
            Distractor(
                "No: DNS resolution support must be enabled on the peering first",
                "think the peering's DNS resolution option is needed even for traffic sent to IP addresses",
            ),
        ]
        source_vpc, dest_vpc = topo.vpcs[0], topo.vpcs[2]
        cidrs = {v.name: [cidr_text(c) for c in v.cidrs] for v in topo.vpcs}
        routes = {v.name: [(cidr_text(r.destination), r.target) for r in v.routes] for v in topo.vpcs}
        vpc_rows = "\n".join(f"| {v.name} | {v.account} | {v.region} | {', '.join(cidrs[v.name])} |" for v in topo.vpcs)
        peering_rows = "\n".join(f"- `{p.pcx_id}` between **{p.requester}** and **{p.accepter}**" for p in topo.peerings)
        tables = "\n\n".join(_route_table(v.name, cidrs[v.name], routes[v.name]) for v in topo.vpcs)
        prompt = (
            "Three VPCs and the peering connections requested and accepted between them are shown below. "
            "Security groups and network ACLs allow all traffic, and DNS resolution support is not enabled "
            "on any peering connection.\n\n"
            f"| VPC | Account | Region | IPv4 CIDR blocks |\n|---|---|---|---|\n{vpc_rows}\n\n"
            f"Peering connections:\n\n{peering_rows}\n\n"
            f"Route tables of the subnets involved:\n\n{tables}\n\n"
            f"An instance at `{src_text}` in **{source_vpc.name}** opens a TCP connection to `{dst_text}` in "
            f"**{dest_vpc.name}**. Does the connection work?"
        )
        params: dict[str, JSONValue] = {
            "vpcs": [
                {"name": v.name, "account": v.account, "region": v.region, "cidrs": cidrs[v.name]} for v in topo.vpcs
            ],
            "peerings": [{"id": p.pcx_id, "vpcs": [p.requester, p.accepter]} for p in topo.peerings],
            "routes": [
                {"vpc": v.name, "destination": d, "target": t} for v in topo.vpcs for d, t in routes[v.name]
            ],
            "source": src_text,
            "destination": dst_text,
        }
        return Body(
            prompt=prompt,
            params=params,
            explanation=explain(result),
            choices=single_choice(rng, verdict_text(result), distractors),
        )


class FullMeshPeerings(Generator):
    """How many peering connections does a full mesh of n VPCs need?"""

    id = "connectivity.full-mesh-peerings"
    version = 1
    topic = "connectivity"
    kind = AnswerKind.NUMERIC
    note = "connectivity#full-mesh-arithmetic"
    title = "Peering connections in a full mesh"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        n = rng.randint(3, 60)
        company = f"{fake.last_name()} {rng.choice(('Logistics', 'Health', 'Media', 'Labs', 'Foods'))}"
        total = m.full_mesh_peerings(n)
        each = m.peerings_per_vpc_in_mesh(n)
        if each > m.DEFAULT_PEERINGS_PER_VPC:
            quota = (
                f"Each VPC would hold {each} peerings, above the default quota of {m.DEFAULT_PEERINGS_PER_VPC} "
                f"active peerings per VPC: a quota increase (up to {m.MAX_PEERINGS_PER_VPC}) is needed."
            )
        else:
            quota = (
                f"Each VPC holds {each} peerings, within the default quota of {m.DEFAULT_PEERINGS_PER_VPC} "
                "active peerings per VPC."
            )
        return Body(
            prompt=(
                f"{company} runs {n} VPCs and wants every VPC to reach every other one directly "
                "through VPC peering (no transit gateway). How many peering connections does it need?"
            ),
            params={"vpcs": n, "company": company},
            explanation=(
                f"Peering is not transitive, so every pair of VPCs needs its own connection. "
                f"A connection serves both directions, so the count is the number of pairs: "
                f"n(n-1)/2 = {n}×{n - 1}/2 = **{total:,}**.\n\n{quota} "
                f"A transit gateway would replace the mesh with {n} attachments, one per VPC."
            ),
            spec=NumericSpec(Decimal(total), Decimal(0), "peering connections"),
            meta={
                "numeric_misconceptions": [
                    {"value": n * (n - 1), "misconception": "count peerings as N(N-1) instead of N(N-1)/2"},
                    {"value": n - 1, "misconception": "count only the peerings of one VPC"},
                    {"value": n, "misconception": "count one connection per VPC, as with transit gateway attachments"},
                ]
            },
        )


_EDGE_MISCONCEPTIONS = {
    m.PeerResource.INTERNET_GATEWAY: "expect to use the peer VPC's internet gateway",
    m.PeerResource.NAT_GATEWAY: "expect to use the peer VPC's NAT gateway",
    m.PeerResource.VPN_CONNECTION: "expect to reach on premises through the peer VPC's VPN connection",
    m.PeerResource.DIRECT_CONNECT: "expect to reach on premises through the peer VPC's Direct Connect connection",
    m.PeerResource.GATEWAY_ENDPOINT: "think a gateway endpoint can be shared with a peered VPC",
}


class PeeringEdgeToEdge(Generator):
    """Which of a peer VPC's resources and gateways can a peered VPC use?"""

    id = "connectivity.peering-edge-to-edge"
    version = 1
    topic = "connectivity"
    kind = AnswerKind.MULTIPLE
    note = "connectivity#no-edge-to-edge-routing"
    title = "What a peered VPC can use"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        hub, spoke = unique_names(fake, rng, 2, "vpc")
        s_hub, s_spoke = rng.sample(range(1, 250), 2)
        ids = {
            "instance": host_in(rng, s_hub),
            "interface": f"10.{s_hub}.{rng.randrange(256)}.{rng.randrange(4, 251)}",
            "nlb": f"int-nlb-{rng.getrandbits(24):06x}",
            "igw": hex_id(rng, "igw"),
            "nat": hex_id(rng, "nat"),
            "vpn": hex_id(rng, "vpn"),
            "dx": hex_id(rng, "dxvif"),
            "gwe": hex_id(rng, "vpce"),
        }
        service = rng.choice(("SQS", "KMS", "Secrets Manager", "ECR", "STS"))
        onprem = f"192.168.{rng.randrange(0, 256, 16)}.0/20"
        texts = {
            m.PeerResource.INSTANCE: f"Connect to the instance at `{ids['instance']}` in {hub}",
            m.PeerResource.INTERFACE_ENDPOINT: f"Call {service} through {hub}'s interface endpoint at `{ids['interface']}`",
            m.PeerResource.INTERNAL_LOAD_BALANCER: f"Reach the internal Network Load Balancer `{ids['nlb']}` in {hub}",
            m.PeerResource.INTERNET_GATEWAY: f"Serve internet users through {hub}'s internet gateway `{ids['igw']}`",
            m.PeerResource.NAT_GATEWAY: f"Download updates from the internet through {hub}'s NAT gateway `{ids['nat']}`",
            m.PeerResource.VPN_CONNECTION: f"Reach `{onprem}` on premises over {hub}'s VPN connection `{ids['vpn']}`",
            m.PeerResource.DIRECT_CONNECT: f"Reach `{onprem}` on premises over {hub}'s Direct Connect interface `{ids['dx']}`",
            m.PeerResource.GATEWAY_ENDPOINT: f"Read S3 objects through {hub}'s S3 gateway endpoint `{ids['gwe']}`",
        }
        inside = [r for r in m.PeerResource if m.usable_over_peering(r)]
        edges = [r for r in m.PeerResource if not m.usable_over_peering(r)]
        picked_ok = rng.sample(inside, rng.randint(2, 3))
        picked_bad = rng.sample(edges, 5 - len(picked_ok))
        answers = [texts[r] for r in picked_ok]
        distractors = [Distractor(texts[r], _EDGE_MISCONCEPTIONS[r]) for r in picked_bad]
        prompt = (
            f"VPC **{spoke}** (`10.{s_spoke}.0.0/16`) is peered with **{hub}** (`10.{s_hub}.0.0/16`), and both "
            "route tables send the other VPC's range to the peering connection; security groups and network ACLs "
            f"allow everything. {hub} has an instance at `{ids['instance']}`, an interface endpoint for {service} "
            f"at `{ids['interface']}`, an internal Network Load Balancer `{ids['nlb']}`, an internet gateway "
            f"`{ids['igw']}`, a NAT gateway `{ids['nat']}`, a Site-to-Site VPN connection `{ids['vpn']}` and a "
            f"Direct Connect private virtual interface `{ids['dx']}` to `{onprem}`, and an S3 gateway endpoint "
            f"`{ids['gwe']}`. {spoke} has no gateways of its own; its route table also sends `0.0.0.0/0` and "
            f"`{onprem}` to the peering connection.\n\n"
            f"Which of the following can instances in **{spoke}** do? Choose {len(answers)}."
        )
        explanation_rows = [
            f"- {texts[r]}: {'works' if m.usable_over_peering(r) else 'does not work'} ({r.value})."
            for r in picked_ok + picked_bad
        ]
        return Body(
            prompt=prompt,
            params={
                "hub": hub,
                "spoke": spoke,
                "hub_cidr": f"10.{s_hub}.0.0/16",
                "spoke_cidr": f"10.{s_spoke}.0.0/16",
                "service": service,
                "on_premises": onprem,
                "ids": dict(ids),
            },
            explanation=(
                "A peering connection carries traffic only between addresses of the two VPCs. Anything with an "
                "IP address inside the peer VPC (instances, endpoint and load balancer network interfaces) is "
                "reachable; the peer's edge connections (internet gateway, NAT gateway, VPN, Direct Connect, "
                "gateway endpoints) are not extended to you: no edge-to-edge routing.\n\n"
                + "\n".join(explanation_rows)
            ),
            choices=multiple_choice(rng, answers, distractors),
        )


GENERATORS: list[type[Generator]] = [PeeringReachability, FullMeshPeerings, PeeringEdgeToEdge]
