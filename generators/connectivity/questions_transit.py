"""Question generators over the transit gateway model."""

from __future__ import annotations

import ipaddress
import random

from faker import Faker

from generators.base import Body, Distractor, Generator, ordering_choices, single_choice
from generators.connectivity import model_transit as t
from generators.connectivity.drawing import ANYWHERE, TEN_SLASH_8, block16, cidr_text, hex_id, host_in, unique_names
from quizapp.questions import AnswerKind, JSONValue, NetworkSpec


def _block(address: int, prefix: int) -> ipaddress.IPv4Network:
    mask = (0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF
    return ipaddress.IPv4Network((address & mask, prefix))


_PRIVATE_192 = ipaddress.IPv4Network("192.168.0.0/16")
_PRIVATE_172 = ipaddress.IPv4Network("172.16.0.0/12")

_KIND_ORIGIN = {
    t.AttachmentKind.VPC: t.Origin.VPC_PROPAGATED,
    t.AttachmentKind.VPN: t.Origin.VPN_PROPAGATED,
    t.AttachmentKind.DX_GATEWAY: t.Origin.DX_PROPAGATED,
}


def _attachments(rng: random.Random, fake: Faker) -> list[tuple[str, t.AttachmentKind, str]]:
    """Four attachments: two VPCs, a VPN and a Direct Connect gateway (id, kind, resource name)."""
    vpc1, vpc2, site = unique_names(fake, rng, 3, "x")
    return [
        (hex_id(rng, "tgw-attach", 6), t.AttachmentKind.VPC, vpc1.replace("-x", "-vpc")),
        (hex_id(rng, "tgw-attach", 6), t.AttachmentKind.VPC, vpc2.replace("-x", "-vpc")),
        (hex_id(rng, "tgw-attach", 6), t.AttachmentKind.VPN, f"vpn to {site.replace('-x', '')} office"),
        (hex_id(rng, "tgw-attach", 6), t.AttachmentKind.DX_GATEWAY, f"dxgw {site.replace('-x', '')}-dc"),
    ]


def _draw_table(rng: random.Random, fake: Faker) -> tuple[t.RouteTable, ipaddress.IPv4Address, dict[str, str]]:
    """A transit gateway route table with nested routes around one address."""
    atts = _attachments(rng, fake)
    labels = {a: f"{a} ({kind}: {name})" for a, kind, name in atts}
    value = (10 << 24) | (rng.randrange(1, 250) << 16) | (rng.randrange(256) << 8) | rng.randrange(4, 251)
    matching_prefixes = rng.sample((0, 8, 12, 16, 20, 24, 28), rng.randint(2, 4))
    other = [
        _block(value ^ (1 << 16), 16),
        _block(value ^ (1 << 9), 24),
        _PRIVATE_192,
        _PRIVATE_172,
    ]
    destinations = [_block(value, p) for p in matching_prefixes] + rng.sample(other, rng.randint(1, 3))
    routes: list[t.TgwRoute] = []
    for dest in destinations:
        roll = rng.random()
        if roll < 0.15:
            routes.append(t.TgwRoute(dest, None, t.Origin.STATIC))
            continue
        att_id, kind, _ = rng.choice(atts)
        origin = t.Origin.STATIC if roll < 0.55 else _KIND_ORIGIN[kind]
        routes.append(t.TgwRoute(dest, att_id, origin))
    if rng.random() < 0.5:
        # The same destination twice: a static route and a propagated one.
        dest = rng.choice(destinations[: len(matching_prefixes)])
        att_id, kind, _ = rng.choice(atts)
        twin = t.TgwRoute(dest, att_id, _KIND_ORIGIN[kind])
        if all(r.destination != dest or r.origin is t.Origin.STATIC for r in routes):
            routes.append(twin)
    rng.shuffle(routes)
    name = f"rt-{fake.word().lower()}"
    return t.RouteTable(name, tuple(routes)), ipaddress.IPv4Address(value), labels


def _route_type(route: t.TgwRoute) -> str:
    if route.blackhole:
        return "static (blackhole)"
    return "static" if route.origin is t.Origin.STATIC else "propagated"


def _target(route: t.TgwRoute, labels: dict[str, str]) -> str:
    return "blackhole" if route.attachment is None else labels[route.attachment]


class TgwMatchingRoute(Generator):
    """Which route of a transit gateway route table handles a packet?"""

    id = "connectivity.tgw-matching-route"
    version = 1
    topic = "connectivity"
    kind = AnswerKind.NETWORK
    note = "connectivity#route-lookup-in-a-transit-gateway-route-table"
    title = "Longest prefix match in a transit gateway route table"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        table, address, labels = _draw_table(rng, fake)
        decision = t.lookup(table, address)
        first = t.lookup(table, address, first_listed=True)
        assert decision.route is not None and first.route is not None
        broadest = decision.matches[-1]
        rows = [(str(r.destination), _target(r, labels), _route_type(r)) for r in table.routes]
        listing = "\n".join(f"| {d} | {a} | {k} |" for d, a, k in rows)
        winner = decision.route
        ranked = "\n".join(
            f"{i}. `{r.destination}` → {_target(r, labels)}, {_route_type(r)}" for i, r in enumerate(decision.matches, 1)
        )
        fate = (
            "The winning route is a **blackhole**: the transit gateway drops the packet."
            if winner.blackhole
            else f"The packet leaves on {_target(winner, labels)}."
        )
        return Body(
            prompt=(
                f"Transit gateway route table **{table.name}** holds these routes:\n\n"
                f"| Destination | Attachment | Type |\n|---|---|---|\n{listing}\n\n"
                f"A packet to `{address}` arrives on an attachment associated with {table.name}. "
                "Which route decides what happens to it? Answer with that route's destination CIDR block."
            ),
            params={"table": table.name, "address": str(address), "routes": [list(r) for r in rows]},
            explanation=(
                f"Routes whose destination contains `{address}`, best first:\n\n{ranked}\n\n"
                "The most specific route (longest prefix) wins; for the same destination a static route beats a "
                "propagated one. Listing order does not matter.\n\n"
                f"So **`{winner.destination}`** decides. {fate}"
            ),
            spec=NetworkSpec(str(winner.destination), "network"),
            meta={
                "network_misconceptions": [
                    {"value": str(broadest.destination), "misconception": "pick the least specific matching route"},
                    {"value": str(first.route.destination), "misconception": "use the first matching route in listed order"},
                ]
            },
        )


class TgwRoutePreference(Generator):
    """Order the candidate routes of a transit gateway route table for one address."""

    id = "connectivity.tgw-route-preference"
    version = 1
    topic = "connectivity"
    kind = AnswerKind.ORDERING
    note = "connectivity#route-priority"
    title = "Route priority in a transit gateway route table"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        atts = _attachments(rng, fake)
        by_kind = {kind: (att, name) for att, kind, name in atts}
        value = (10 << 24) | (rng.randrange(1, 250) << 16) | (rng.randrange(256) << 8) | rng.randrange(4, 251)
        keys: set[tuple[int, t.Origin]] = set()
        count = rng.randint(3, 5)
        prefixes = (8, 16, 24) if rng.random() < 0.5 else (16, 24)
        origins = (t.Origin.STATIC, t.Origin.VPC_PROPAGATED, t.Origin.DX_PROPAGATED, t.Origin.VPN_PROPAGATED)
        while len(keys) < count:
            keys.add((rng.choice(prefixes), rng.choice(origins)))
        routes = []
        kind_of = {
            t.Origin.VPC_PROPAGATED: t.AttachmentKind.VPC,
            t.Origin.DX_PROPAGATED: t.AttachmentKind.DX_GATEWAY,
            t.Origin.VPN_PROPAGATED: t.AttachmentKind.VPN,
        }
        for prefix, origin in sorted(keys):
            if origin is t.Origin.STATIC:
                att, _, _ = rng.choice(atts)
            else:
                att = by_kind[kind_of[origin]][0]
            routes.append(t.TgwRoute(_block(value, prefix), att, origin))
        rng.shuffle(routes)
        table = t.RouteTable(f"rt-{fake.word().lower()}", tuple(routes))
        address = ipaddress.IPv4Address(value)
        decision = t.lookup(table, address)
        labels = {a: f"{a} ({kind}: {name})" for a, kind, name in atts}

        def line(route: t.TgwRoute) -> str:
            return f"`{route.destination}` → {labels[route.attachment or '']}, {route.origin.label}"

        steps = [line(r) for r in decision.matches]
        return Body(
            prompt=(
                f"All of these routes in transit gateway route table **{table.name}** match a packet to "
                f"`{address}`. Order them from the route the transit gateway uses first to the one it would "
                "use last (if the better ones were removed).\n\n"
                + "\n".join(f"- {line(r)}" for r in table.routes)
            ),
            params={"table": table.name, "address": str(address), "routes": [line(r) for r in table.routes]},
            explanation=(
                "The transit gateway first prefers the longest prefix. Among routes to the same destination, "
                "static beats propagated, and propagated routes rank VPC, then Direct Connect gateway, then "
                "Site-to-Site VPN.\n\n" + "\n".join(f"{i}. {s}" for i, s in enumerate(steps, 1))
            ),
            choices=ordering_choices(rng, steps),
        )


_CASES = ("ok", "no_src_route", "no_dst_route", "no_fwd_propagation", "no_rev_propagation", "fwd_blackhole", "rev_blackhole")


def _draw_tgw(rng: random.Random, fake: Faker, case: str) -> tuple[t.TransitGateway, str, str, str, dict[str, str]]:
    """Three attached VPCs A, B, C and two route tables, broken according to `case`."""
    names = unique_names(fake, rng, 3, "vpc")
    seconds = rng.sample(range(1, 250), 3)
    blocks = [block16(s) for s in seconds]
    ids = [hex_id(rng, "tgw-attach", 6) for _ in names]
    tgw_id = hex_id(rng, "tgw")
    rt_a, rt_b = (f"rt-{w.lower()}" for w in fake.words(2, unique=True))
    summary = TEN_SLASH_8
    wide = rng.random() < 0.5
    routes_a = [(summary, t.TGW)] if wide else [(blocks[1], t.TGW), (blocks[2], t.TGW)]
    routes_b = [(summary, t.TGW)] if rng.random() < 0.5 else [(blocks[0], t.TGW), (blocks[2], t.TGW)]
    routes_c = [(summary, t.TGW)]
    if case == "no_src_route":
        routes_a = [(blocks[2], t.TGW)]
    if case == "no_dst_route":
        routes_b = [(blocks[2], t.TGW)]
    if rng.random() < 0.5:
        routes_a.append((ANYWHERE, hex_id(rng, "igw")))
    attachments = tuple(
        t.VpcAttachment(i, n, (b,), tuple(r)) for i, n, b, r in zip(ids, names, blocks, (routes_a, routes_b, routes_c), strict=True)
    )
    propagations = [(ids[1], rt_a), (ids[2], rt_a), (ids[0], rt_b), (ids[2], rt_b)]
    if case == "no_fwd_propagation":
        propagations.remove((ids[1], rt_a))
    if case == "no_rev_propagation":
        propagations.remove((ids[0], rt_b))
    static_a: tuple[t.TgwRoute, ...] = ()
    static_b: tuple[t.TgwRoute, ...] = ()
    if case == "fwd_blackhole":
        static_a = (t.TgwRoute(blocks[1], None),)
    if case == "rev_blackhole":
        static_b = (t.TgwRoute(blocks[0], None),)
    tables = (t.RouteTable(rt_a, static_a), t.RouteTable(rt_b, static_b))
    associations = ((ids[0], rt_a), (ids[1], rt_b), (ids[2], rt_b))
    tgw = t.TransitGateway(attachments, tables, associations, tuple(propagations))
    return tgw, host_in(rng, seconds[0]), host_in(rng, seconds[1]), tgw_id, dict(zip(ids, names, strict=True))


def tgw_verdict_text(trip: t.RoundTrip, names: dict[str, str], shown: dict[ipaddress.IPv4Address, str] | None = None) -> str:
    """One line: does the round trip work, and if not, which component stops it."""
    leg = trip.failing
    if leg is None:
        return "Yes: the request and the reply both get through"
    vpc = leg.source.vpc
    table = leg.table.name if leg.table else ""
    dest = shown[leg.destination] if shown and leg.destination in shown else str(leg.destination)
    if leg.stop is t.Stop.NO_VPC_ROUTE:
        return f"No: {vpc}'s subnet route table does not send {dest} to the transit gateway"
    if leg.stop is t.Stop.NOT_ASSOCIATED:
        return f"No: {vpc}'s attachment is associated with no transit gateway route table"
    if leg.stop is t.Stop.NO_TGW_ROUTE:
        return f"No: route table {table} has no route for {dest}"
    if leg.stop is t.Stop.BLACKHOLE:
        return f"No: route table {table} drops {dest} with a blackhole route"
    target = leg.decision.forwarded_to if leg.decision else None
    return f"No: route table {table} sends {dest} to {names.get(target or '', target)}"


def _attachment_label(route: t.TgwRoute, names: dict[str, str]) -> str:
    if route.attachment is None:
        return "blackhole"
    return f"{route.attachment} ({names.get(route.attachment, '?')})"


def _explain_leg(title: str, leg: t.Leg, names: dict[str, str], tgw_id: str) -> list[str]:
    lines = [f"**{title}** from {leg.source.vpc} to `{leg.destination}`:"]
    if leg.vpc_route is None:
        lines.append(f"- {leg.source.vpc}'s subnet route table has no route for `{leg.destination}`.")
    else:
        dest, target = leg.vpc_route
        shown = tgw_id if target == t.TGW else target
        lines.append(f"- {leg.source.vpc}'s subnet route table: longest match `{dest} → {shown}`.")
    if leg.table is not None:
        lines.append(f"- The attachment is associated with **{leg.table.name}**; the transit gateway looks there.")
    if leg.decision is not None:
        route = leg.decision.route
        if route is None:
            lines.append(f"- {leg.table.name if leg.table else ''} has no route containing `{leg.destination}`.")
        else:
            lines.append(f"- Best route: `{route.destination}` → {_attachment_label(route, names)} ({route.origin.label}).")
    lines.append(f"- Result: {leg.stop}.")
    return lines


class TgwReachability(Generator):
    """Does traffic between two VPCs get through the transit gateway, both ways?"""

    id = "connectivity.tgw-reachability"
    version = 1
    topic = "connectivity"
    kind = AnswerKind.SINGLE
    note = "connectivity#both-directions-need-routes"
    title = "Reachability through a transit gateway"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        tgw, src_text, dst_text, tgw_id, names = _draw_tgw(rng, fake, rng.choice(_CASES))
        src, dst = ipaddress.IPv4Address(src_text), ipaddress.IPv4Address(dst_text)
        trip = t.round_trip(tgw, src, dst)
        leg = trip.failing
        # Each flag changes the verdict only where its rule decided it, so the
        # model is rerun only there.
        variants = [
            (
                t.round_trip(tgw, src, dst, use_destination_table=True),
                "look up the destination's route table instead of the one associated with the arriving attachment",
            ),
        ]
        if leg is not None and leg.stop is t.Stop.NO_VPC_ROUTE:
            variants.append(
                (t.round_trip(tgw, src, dst, skip_vpc_route=True), "assume the transit gateway adds routes to the VPC route tables")
            )
        if leg is not None and leg is trip.reply:
            variants.insert(0, (t.round_trip(tgw, src, dst, check_reply=False), "forget the return path"))
        if leg is not None and leg.stop is t.Stop.BLACKHOLE:
            variants.append(
                (
                    t.round_trip(tgw, src, dst, ignore_blackholes=True),
                    "think a blackhole route only matters when nothing else matches",
                )
            )
        shown = {src: src_text, dst: dst_text}
        answer = tgw_verdict_text(trip, names, shown)
        distractors = [Distractor(tgw_verdict_text(r, names, shown), why) for r, why in variants]
        distractors += [
            Distractor(
                "No: a transit gateway does not pass traffic from one VPC attachment to another",
                "think a transit gateway, like peering, is not transitive",
            ),
            Distractor(
                "No: the two attachments must be associated with the same route table",
                "think attachments can only talk when they share one route table",
            ),
        ]
        cidr = {a.attachment_id: cidr_text(a.cidrs[0]) for a in tgw.attachments}
        vpc_routes = [
            (a.vpc, cidr_text(d), tgw_id if target == t.TGW else target) for a in tgw.attachments for d, target in a.vpc_routes
        ]
        vpc_rows = "\n".join(f"| {a.vpc} | {cidr[a.attachment_id]} | {a.attachment_id} |" for a in tgw.attachments)
        vpc_tables = []
        for a in tgw.attachments:
            rows = "\n".join(f"| {d} | {target} |" for vpc, d, target in vpc_routes if vpc == a.vpc)
            local = cidr[a.attachment_id]
            vpc_tables.append(f"**{a.vpc}**\n\n| Destination | Target |\n|---|---|\n| {local} | local |\n{rows}")
        tgw_tables = []
        for base in tgw.tables:
            table = tgw.table(base.name)
            assoc = ", ".join(f"{a} ({names[a]})" for a, rt in tgw.associations if rt == base.name)
            rows = "\n".join(
                f"| {cidr_text(r.destination)} | "
                f"{_attachment_label(r, names)} | {'static' if r.origin is t.Origin.STATIC else 'propagated'} |"
                for r in table.routes
            )
            tgw_tables.append(
                f"**{base.name}**, associated with {assoc}:\n\n| Destination | Attachment | Type |\n|---|---|---|\n{rows}"
            )
        src_vpc, dst_vpc = tgw.attachments[0].vpc, tgw.attachments[1].vpc
        prompt = (
            f"Three VPCs are attached to transit gateway `{tgw_id}`. Security groups and network ACLs allow "
            "all traffic.\n\n"
            f"| VPC | CIDR | Attachment |\n|---|---|---|\n{vpc_rows}\n\n"
            "Subnet route tables:\n\n" + "\n\n".join(vpc_tables) + "\n\n"
            "Transit gateway route tables:\n\n" + "\n\n".join(tgw_tables) + "\n\n"
            f"An instance at `{src_text}` in **{src_vpc}** opens a TCP connection to `{dst_text}` in **{dst_vpc}**. "
            "Does it work?"
        )
        params: dict[str, JSONValue] = {
            "transit_gateway": tgw_id,
            "attachments": [{"id": a.attachment_id, "vpc": a.vpc, "cidr": cidr[a.attachment_id]} for a in tgw.attachments],
            "vpc_routes": [{"vpc": v, "destination": d, "target": target} for v, d, target in vpc_routes],
            "tables": [base.name for base in tgw.tables],
            "associations": [list(pair) for pair in tgw.associations],
            "source": src_text,
            "destination": dst_text,
        }
        lines = _explain_leg("Request", trip.request, names, tgw_id)
        if trip.reply is not None:
            lines += [""] + _explain_leg("Reply", trip.reply, names, tgw_id)
        lines += [
            "",
            "A transit gateway routes transitively, but every direction needs two routes: the VPC subnet route "
            "table must send the traffic to the transit gateway, and the route table associated with the "
            "attachment the packet arrives on must send it to the destination's attachment.",
            "",
            f"Verdict: **{answer}**.",
        ]
        return Body(
            prompt=prompt,
            params=params,
            explanation="\n".join(lines),
            choices=single_choice(rng, answer, distractors),
        )


GENERATORS: list[type[Generator]] = [TgwMatchingRoute, TgwRoutePreference, TgwReachability]
