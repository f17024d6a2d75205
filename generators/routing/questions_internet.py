"""Questions on internet access: what is missing, where the NAT gateway
goes, and what a zone failure takes down."""

from __future__ import annotations

import random
from functools import lru_cache
from decimal import Decimal
from typing import Any

from faker import Faker

from generators.base import Body, Distractor, Generator, multiple_choice, single_choice
from generators.draws import below, hex_id, pick, sample
from generators.routing.internet import (
    Check,
    ChecklistMisconception,
    InternetChecks,
    Requirement,
    loses_internet,
)
from generators.routing.model import Route, RouteTable, TargetKind, longest_prefix_match
from generators.routing.scenarios import (
    Params,
    addr,
    azs,
    block,
    build_vpc,
    dotted,
    host,
    internet_host,
    route_table,
    route_table_md,
    topology_md,
    two_tier,
    v4net,
    vpc_base,
    words,
)
from generators.routing.topology import NatGateway, Subnet, Vpc
from generators.security.model import Protocol, default_nacl
from quizapp.questions import AnswerKind, NumericSpec

CM = ChecklistMisconception
NOTHING_MISSING = "Nothing is missing"


_REQUIREMENTS = tuple(Requirement)
_TEXTS = {req: req.value[:1].upper() + req.value[1:] for req in Requirement}


def _internet_case(rng: random.Random, fake: Faker, broken: list[Requirement]) -> tuple[Params, str, bool]:
    """A web instance that should talk to the internet, with `broken`
    requirements taken away. Every requirement left in place carries a bait
    that some misconception mistakes for a gap."""
    p = two_tier(rng, fake)
    web = p["instances"][0]
    pub_acl = p["acls"][0]
    sg_web = p["groups"][0]
    rtb_pub = p["route_tables"][1]
    inbound = rng.random() < 0.5
    p["remote"] = internet_host(rng)
    # Baits: the return direction's NACL rule covers only the ephemeral
    # ports, and the security group has no rule for the responses.
    if inbound:
        pub_acl["outbound"] = [r for r in pub_acl["outbound"] if r[3] != "443"]
        sg_web["outbound"] = [["tcp", "443", "0.0.0.0/0"]]
    else:
        pub_acl["inbound"] = [r for r in pub_acl["inbound"] if r[3] != "443"]
        sg_web["outbound"] = [["tcp", "443", "0.0.0.0/0"]]
    for req in broken:
        if req is Requirement.GATEWAY:
            p["vpc"]["igw"] = None
        elif req is Requirement.ROUTE:
            rtb_pub["routes"] = [r for r in rtb_pub["routes"] if r[0] != "0.0.0.0/0"]
        elif req is Requirement.ADDRESS:
            web["public_ip"] = None
        elif req is Requirement.SECURITY_GROUP:
            if inbound:
                sg_web["inbound"] = [["tcp", "22", f"{p['remote'].rsplit('.', 1)[0]}.0/24"]]
            else:
                sg_web["outbound"] = [["all", "all", p["vpc"]["cidr"]]]
        else:
            direction = "outbound" if inbound else "inbound"
            pub_acl[direction] = [r for r in pub_acl[direction] if r[3] != "1024-65535"]
    return p, web["id"], inbound


def _checklist_view(p: Params, inst: str) -> Vpc:
    """The model of what the internet checklist of `inst` looks at: the VPC
    (its internet gateway), the instance, its subnet, that subnet's route
    table and network ACL, the main route table and the instance's security
    groups. The rest of the scenario (the app tier, the NAT gateway) cannot
    change the checklist, so it is left out of the model."""
    me = next(i for i in p["instances"] if i["id"] == inst)
    subnet = next(s for s in p["subnets"] if s["id"] == me["subnet"])
    return build_vpc({
        "vpc": p["vpc"],
        "subnets": [subnet],
        "route_tables": [t for t in p["route_tables"] if t.get("main") or t["id"] == subnet.get("rtb")],
        "acls": [a for a in p["acls"] if a["id"] == subnet["acl"]],
        "groups": [g for g in p["groups"] if g["id"] in me["groups"]],
        "instances": [me],
    })


def _checks(p: Params, inst: str, inbound: bool) -> tuple[dict[Requirement, Check], list[Distractor]]:
    """The checklist for the HTTPS connection, and a distractor for each
    requirement that is met but that some misconception sees as missing
    (each judged again under that misconception alone)."""
    checks = InternetChecks(_checklist_view(p, inst), inst, addr(p["remote"]), Protocol.TCP, 443, inbound=inbound)
    base = {req: checks.check(req) for req in _REQUIREMENTS}
    baits = [Distractor(text, why) for mis, req, text, why in _BAITS if base[req].met and not checks.check(req, mis).met]
    return base, baits


_BAITS = tuple(
    ((mis,), req, _TEXTS[req], mis.value)
    for mis, req in (
        (CM.MAIN_TABLE_ONLY, Requirement.ROUTE),
        (CM.STATELESS_SG, Requirement.SECURITY_GROUP),
        (CM.RETURN_ON_SERVICE_PORT, Requirement.NETWORK_ACL),
    )
)
"""Each misconception, the requirement it wrongly sees as missing, that
requirement's text and the misconception's."""


def _situation(p: Params, inst: str, inbound: bool) -> str:
    web = p["instances"][0]
    if inbound:
        return (f"Clients on the internet, such as `{p['remote']}`, must reach the HTTPS site on `{inst}` ({web['name']}) "
                "on TCP port 443, but their connections fail.")
    return (f"`{inst}` ({web['name']}) must download updates over HTTPS (TCP 443) from `{p['remote']}` on the "
            "internet, but its connections fail.")


def _checklist_md(checks: dict[Requirement, Check]) -> str:
    return "\n".join([f"- {'✓' if c.met else '✗'} {_TEXTS[r]}: {c.detail}" for r, c in checks.items()])


class MissingRequirement(Generator):
    """Which one of the internet-access requirements is missing."""

    id = "routing.internet-missing-requirement"
    version = 1
    topic = "routing"
    kind = AnswerKind.SINGLE
    note = "routing#internet-gateway"
    title = "What is missing for internet access?"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        missing = pick(rng, _REQUIREMENTS)
        p, inst, inbound = _internet_case(rng, fake, [missing])
        base, distractors = _checks(p, inst, inbound)
        answer = [r for r, c in base.items() if not c.met]
        assert answer == [missing], (answer, missing)
        if missing is Requirement.NETWORK_ACL:
            distractors.append(Distractor(NOTHING_MISSING, CM.STATEFUL_NACL.value))
        return Body(
            prompt=f"{topology_md(p)}\n\n{_situation(p, inst, inbound)} Exactly one requirement for internet access "
                   "is missing. Which one?",
            params=p,
            explanation=f"Each requirement in turn:\n\n{_checklist_md(base)}\n\nSo the missing one is: "
                        f"**{_TEXTS[missing]}**.",
            choices=single_choice(rng, _TEXTS[missing], distractors),
        )


class MissingRequirements(Generator):
    """Which two internet-access requirements are missing."""

    id = "routing.internet-missing-requirements"
    version = 1
    topic = "routing"
    kind = AnswerKind.MULTIPLE
    note = "routing#internet-gateway"
    title = "Two things missing for internet access"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        missing = sample(rng, _REQUIREMENTS, 2)
        p, inst, inbound = _internet_case(rng, fake, missing)
        base, distractors = _checks(p, inst, inbound)
        answer = [r for r, c in base.items() if not c.met]
        assert sorted(answer) == sorted(missing), (answer, missing)
        return Body(
            prompt=f"{topology_md(p)}\n\n{_situation(p, inst, inbound)} Two requirements for internet access are "
                   "missing. Which two? (Choose two.)",
            params=p,
            explanation=f"Each requirement in turn:\n\n{_checklist_md(base)}",
            choices=multiple_choice(rng, [_TEXTS[r] for r in answer], distractors),
        )


class NatPlacement(Generator):
    """In which subnet a NAT gateway must be created to serve a private subnet."""

    id = "routing.nat-gateway-placement"
    version = 1
    topic = "routing"
    kind = AnswerKind.SINGLE
    note = "routing#nat-gateway"
    title = "Where does the NAT gateway go?"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        base = vpc_base(rng)
        zones = azs(rng, 2)
        w = words(fake, 4)
        third = rng.randrange(0, 200, 4)
        cidr = f"{dotted(base)}/16"
        igw, nat = hex_id(rng, "igw"), hex_id(rng, "nat")
        rtb_main, rtb_pub, rtb_priv = hex_id(rng, "rtb"), hex_id(rng, "rtb"), hex_id(rng, "rtb")
        roles = [("public", rtb_pub, zones[0]), ("private", rtb_priv, zones[0]), ("private", rtb_priv, zones[1]),
                 ("isolated", None, zones[1])]
        order = list(range(4))
        rng.shuffle(order)
        subnets = []
        for k, (role, rtb, zone) in enumerate(roles):
            subnets.append({"id": hex_id(rng, "subnet"), "name": f"{w[k]}-{role}", "cidr": block(base, third + order[k]),
                            "az": zone, "rtb": rtb})
        source = subnets[1]
        p: Params = {
            "vpc": {"id": hex_id(rng, "vpc"), "cidr": cidr, "igw": igw},
            "subnets": subnets,
            "route_tables": [
                {"id": rtb_main, "main": True, "routes": [[cidr, "local"]]},
                {"id": rtb_pub, "main": False, "routes": [[cidr, "local"], ["0.0.0.0/0", igw]]},
                {"id": rtb_priv, "main": False, "routes": [[cidr, "local"], ["0.0.0.0/0", nat]]},
            ],
            "nat": nat,
            "remote": internet_host(rng),
        }
        remote = addr(p["remote"])
        # Where each table sends the remote host (two private subnets share a table).
        sends: dict[str, tuple[bool, str]] = {}
        for t in p["route_tables"]:
            decision = longest_prefix_match(route_table(t), remote)
            sends[t["id"]] = (decision.route is not None and decision.route.kind is TargetKind.INTERNET_GATEWAY,
                              decision.explain())
        outcomes = [(s, *sends[s["rtb"] or rtb_main]) for s in subnets]
        right = [s for s, ok, _ in outcomes if ok]
        assert len(right) == 1
        label = {id(s): f"`{s['id']}` ({s['name']}, {s['az']})" for s in subnets}
        misconceptions = {
            id(subnets[1]): "put the NAT gateway in the private subnet whose traffic it serves",
            id(subnets[2]): "put the NAT gateway in a private subnet",
            id(subnets[3]): "think a NAT gateway reaches the internet by itself, without a route to an internet gateway",
        }
        distractors = [Distractor(label[id(s)], misconceptions[id(s)]) for s, ok, _ in outcomes if not ok]
        rows = [
            "| Subnet | Name | CIDR | AZ | Route table |", "|---|---|---|---|---|",
            *(f"| `{s['id']}` | {s['name']} | `{s['cidr']}` | {s['az']} | "
              f"{'`' + s['rtb'] + '`' if s['rtb'] else '(no explicit association)'} |" for s in subnets),
        ]
        tables_md = "\n\n".join(route_table_md(t) for t in p["route_tables"])
        trace = "\n".join(f"- NAT gateway in `{s['id']}`: {why}" for s, _, why in outcomes)
        return Body(
            prompt=(f"VPC `{p['vpc']['id']}` (`{cidr}`) has internet gateway `{igw}` attached.\n\n" + "\n".join(rows)
                    + f"\n\n{tables_md}\n\nInstances in `{source['id']}` must reach hosts on the internet such as "
                    f"`{p['remote']}`. You create NAT gateway `{nat}` with an Elastic IP address; route table "
                    f"`{rtb_priv}` already sends `0.0.0.0/0` to it. In which subnet must `{nat}` be created?"),
            params=p,
            explanation=("A NAT gateway forwards what it receives according to the route table of the subnet it "
                         f"sits in. Where would it send `{p['remote']}`?\n\n{trace}\n\nOnly a public subnet (one with a "
                         "route to the internet gateway) works."),
            choices=single_choice(rng, label[id(right[0])], distractors),
        )


_ANYWHERE = v4net("0.0.0.0/0")


def _zonal_scenario(rng: random.Random, fake: Faker) -> tuple[Params, Vpc, list[dict[str, Any]], str]:
    """Three zones, a public subnet in each, NAT gateways in some of them,
    and private subnets routing 0.0.0.0/0 to some NAT gateway."""
    base = vpc_base(rng)
    zones = azs(rng, 3)
    w = words(fake, 6)
    cidr = f"{dotted(base)}/16"
    acl = hex_id(rng, "acl")
    nat_zones = sorted(sample(rng, range(3), 1 + below(rng, 3)))
    subnets: list[dict[str, Any]] = []
    nats: list[dict[str, Any]] = []
    local = Route(v4net(cidr), "local")
    tables = [RouteTable(hex_id(rng, "rtb"), (local,), main=True)]
    to_nat: dict[str, Route] = {}  # the default route to each NAT gateway, shared by the tables that have it
    for z in range(3):
        if z in nat_zones:
            sub_cidr = block(base, 10 * z)
            sub = {"id": hex_id(rng, "subnet"), "name": f"public-{zones[z][-1]}", "cidr": sub_cidr, "az": zones[z], "acl": acl}
            subnets.append(sub)
            nats.append({"id": hex_id(rng, "nat"), "subnet": sub["id"], "ip": host(sub_cidr, 4 + below(rng, 246)),
                         "eip": internet_host(rng), "az": zones[z]})
    private: list[dict[str, Any]] = []
    k = 0
    for z in range(3):
        own = [x for x in nats if x["az"] == zones[z]]
        for n in range(1 + below(rng, 2)):
            nat = own[0] if own and rng.random() < 0.5 else pick(rng, nats)
            rtb = hex_id(rng, "rtb")
            route = to_nat.get(nat["id"]) or to_nat.setdefault(nat["id"], Route(_ANYWHERE, nat["id"]))
            tables.append(RouteTable(rtb, (local, route)))
            sub = {"id": hex_id(rng, "subnet"), "name": f"{w[k % 6]}-{zones[z][-1]}", "cidr": block(base, 10 * z + 1 + n),
                   "az": zones[z], "acl": acl, "rtb": rtb, "nat": nat["id"]}
            private.append(sub)
            k += 1
    subnets += private
    nat_zone = {x["id"]: x["az"] for x in nats}
    crossing = sorted({nat_zone[s["nat"]] for s in private if nat_zone[s["nat"]] != s["az"]})
    failed = pick(rng, crossing) if crossing and rng.random() < 0.85 else pick(rng, [x["az"] for x in nats])
    p: Params = {
        "vpc": {"id": hex_id(rng, "vpc"), "cidr": cidr},
        "nat_gateways": nats,
        "private": [{"id": s["id"], "name": s["name"], "az": s["az"], "nat": s["nat"]} for s in private],
        "failed_az": failed,
        "remote": internet_host(rng),
    }
    vpc = Vpc(
        id=p["vpc"]["id"], cidr=v4net(cidr),
        subnets=tuple([Subnet(s["id"], v4net(s["cidr"]), s["az"], acl) for s in subnets]),
        route_tables=tuple(tables),
        nacls=(default_nacl(acl),), security_groups=(), instances=(),
        associations={s["id"]: s["rtb"] for s in private},
        nat_gateways=tuple([NatGateway(x["id"], x["subnet"], addr(x["ip"]), addr(x["eip"])) for x in nats]),
    )
    return p, vpc, private, failed


def _zonal_md(p: Params) -> str:
    nat_rows = ["| NAT gateway | Public subnet | AZ | Private IP | Elastic IP |", "|---|---|---|---|---|",
                *(f"| `{n['id']}` | `{n['subnet']}` | {n['az']} | `{n['ip']}` | `{n['eip']}` |" for n in p["nat_gateways"])]
    priv_rows = ["| Private subnet | Name | AZ | Route for `0.0.0.0/0` |", "|---|---|---|---|",
                 *(f"| `{s['id']}` | {s['name']} | {s['az']} | `{s['nat']}` |" for s in p["private"])]
    return (f"VPC `{p['vpc']['id']}` (`{p['vpc']['cidr']}`).\n\n" + "\n".join(nat_rows) + "\n\n" + "\n".join(priv_rows))


class AzFailureCount(Generator):
    """How many private subnets outside a failed zone lose internet access
    because their NAT gateway lived in that zone."""

    id = "routing.nat-az-failure"
    version = 1
    topic = "routing"
    kind = AnswerKind.NUMERIC
    note = "routing#nat-gateways-are-zonal"
    title = "What a zone failure takes down"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        p, vpc, private, failed = _zonal_scenario(rng, fake)
        remote = addr(p["remote"])
        nat_az = {n.id: vpc.subnet(n.subnet_id).az for n in vpc.nat_gateways}
        # The model's answer for each private subnet, asked once.
        through_failed = [s for s in private if loses_internet(vpc, s["id"], failed, remote)]
        lost = [s for s in through_failed if s["az"] != failed]
        outside = [s for s in private if s["az"] != failed]
        rows = "\n".join(
            f"- `{s['id']}` ({s['az']}) sends `{p['remote']}` to `{s['nat']}` in {nat_az[s['nat']]}: "
            + ("**loses internet access**" if s in lost else ("is itself in the failed zone" if s["az"] == failed else "keeps working"))
            for s in private
        )
        miscon = [
            {"value": 0, "misconception": "assume a NAT gateway fails over to another Availability Zone"},
            {"value": len(through_failed), "misconception": "count the private subnets inside the failed zone too"},
            {"value": len(outside), "misconception": "think every private subnet loses internet access when any NAT gateway's zone fails"},
        ]
        return Body(
            prompt=(f"{_zonal_md(p)}\n\nAvailability Zone **{failed}** goes down. Not counting the private subnets in "
                    f"{failed} itself, how many private subnets can no longer reach hosts on the internet such as "
                    f"`{p['remote']}`?"),
            params=p,
            explanation=(f"A NAT gateway lives in one zone and does not fail over. Subnet by subnet:\n\n{rows}\n\n"
                         f"So **{len(lost)}** private subnets outside {failed} lose internet access. One NAT gateway per "
                         "zone, with each private subnet routing to the one in its own zone, avoids this."),
            spec=NumericSpec(Decimal(len(lost)), Decimal(0), "subnets"),
            meta={"numeric_misconceptions": [m for m in miscon if m["value"] != len(lost)]},
        )


_DESIGNS = (
    ("one", "One NAT gateway in the first zone's public subnet; every private subnet routes `0.0.0.0/0` to it.",
     "use a single NAT gateway for the whole VPC, as if it were regional"),
    ("all-to-first", "A NAT gateway in each zone's public subnet; every private subnet routes `0.0.0.0/0` to the "
     "NAT gateway of the first zone.", "create a NAT gateway in every zone but leave every route pointing at one of them"),
    ("rotated", "A NAT gateway in each zone's public subnet; each private subnet routes `0.0.0.0/0` to the NAT "
     "gateway of the next zone.", "route each private subnet to a NAT gateway in another zone"),
    ("two-in-first", "Two NAT gateways in the first zone's public subnet; the private subnets are split between them.",
     "add a second NAT gateway in the same zone for redundancy"),
)
_RIGHT = ("own", "A NAT gateway in each zone's public subnet; each private subnet routes `0.0.0.0/0` to the NAT "
          "gateway in its own zone.")


class AzResilientDesign(Generator):
    """Which NAT layout keeps every surviving private subnet online when any
    one zone fails."""

    id = "routing.nat-az-design"
    version = 1
    topic = "routing"
    kind = AnswerKind.SINGLE
    note = "routing#nat-gateways-are-zonal"
    title = "A NAT layout that survives a zone failure"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        count = rng.choice((2, 3))
        zones = azs(rng, count)
        base = vpc_base(rng)
        name = words(fake, 1)[0]
        remote = internet_host(rng)
        results = {design: _survives(design, count) for design in [_RIGHT[0]] + [d[0] for d in _DESIGNS]}
        assert results["own"] and not any(results[d[0]] for d in _DESIGNS)
        picked = rng.sample(_DESIGNS, 3)
        p: Params = {"vpc": f"{dotted(base)}/16", "name": name, "zones": zones, "remote": remote}
        zone_list = ", ".join(zones)
        return Body(
            prompt=(f"VPC {name} (`{p['vpc']}`) spans {count} Availability Zones ({zone_list}), with one public and one "
                    f"private subnet in each. The private subnets need outbound access to hosts such as `{remote}`, "
                    "and must keep it when any one zone fails (apart from the subnets in the failed zone itself). "
                    "Which layout does that?"),
            params=p,
            explanation=("Each layout was checked against the failure of every zone in turn: a private subnet outside "
                         "the failed zone loses access when its route points at a NAT gateway in that zone.\n\n"
                         + "\n".join(f"- {text} {'Survives every single-zone failure.' if results[key] else 'Some surviving subnet loses access.'}"
                                     for key, text, *_ in (_RIGHT, *picked))),
            choices=single_choice(rng, _RIGHT[1], [Distractor(text, why) for _, text, why in picked]),
        )


@lru_cache(maxsize=32)
def _survives(design: str, count: int) -> bool:
    """Build the layout over `count` zones and fail each zone in turn (the
    answer depends only on the layout's shape, so it is computed once)."""
    zones = [f"zone-{z}" for z in range(count)]
    base = 10 << 24
    remote = "198.51.100.7"
    cidr = f"{dotted(base)}/16"
    acl = "acl-1"
    subnets, nats, tables, assoc = [], [], [{"id": "rtb-main", "main": True, "routes": [[cidr, "local"]]}], {}
    for z, zone in enumerate(zones):
        pub = Subnet(f"subnet-pub{z}", v4net(block(base, 2 * z)), zone, acl)
        subnets.append(pub)
        if design in ("own", "all-to-first", "rotated") or z == 0:
            nats.append(NatGateway(f"nat-{z}", pub.id, addr(host(block(base, 2 * z), 5)), addr(f"203.0.113.{z + 1}")))
        if design == "two-in-first" and z == 0:
            nats.append(NatGateway("nat-0b", pub.id, addr(host(block(base, 0), 6)), addr("203.0.113.9")))
    for z, zone in enumerate(zones):
        priv = Subnet(f"subnet-priv{z}", v4net(block(base, 2 * z + 1)), zone, acl)
        subnets.append(priv)
        target = {
            "own": f"nat-{z}", "one": "nat-0", "all-to-first": "nat-0",
            "rotated": f"nat-{(z + 1) % len(zones)}", "two-in-first": "nat-0" if z % 2 == 0 else "nat-0b",
        }[design]
        tables.append({"id": f"rtb-{z}", "main": False, "routes": [[cidr, "local"], ["0.0.0.0/0", target]]})
        assoc[priv.id] = f"rtb-{z}"
    vpc = Vpc("vpc-1", v4net(cidr), tuple(subnets), tuple(route_table(t) for t in tables),
              (default_nacl(acl),), (), (), associations=assoc, nat_gateways=tuple(nats))
    target_ip = addr(remote)
    for failed in zones:
        for s in subnets:
            if s.id.startswith("subnet-priv") and s.az != failed and loses_internet(vpc, s.id, failed, target_ip):
                return False
    return True


GENERATORS: list[type[Generator]] = [MissingRequirement, MissingRequirements, NatPlacement, AzFailureCount, AzResilientDesign]
