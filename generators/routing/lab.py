"""The route-table lab: write the routes of a private subnet.

The learner completes the route table of a private subnet so that it reaches
the internet through a NAT gateway and S3 through a gateway endpoint (and,
in some scenarios, a peered VPC), without a forbidden path. The grader builds
the VPC with the learner's table and walks each required and forbidden flow
through the model: any table that satisfies them all is correct.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from faker import Faker

from generators.base import Body, Generator, LabGenerator
from generators.draws import hex_id
from generators.routing.model import (
    Route,
    RouteTable,
    RouteTableError,
    TargetKind,
    check_route_table,
    longest_prefix_match,
    parse_destination,
    target_kind,
)
from generators.routing.reachability import Flow, HopKind, walk
from generators.routing.scenarios import (
    S3_PREFIX_SETS,
    Params,
    addr,
    azs,
    block,
    dotted,
    host,
    internet_host,
    net,
    v4net,
    vpc_base,
    words,
)
from generators.routing.topology import Instance, NatGateway, Subnet, Vpc
from generators.security.model import ALL_IPV4, Protocol, SecurityGroup, SgRule, default_nacl
from quizapp.questions import JSONValue, LabCheck, LabReport, LabSpec, LabSyntaxError

SYNTAX = """One route per line: the destination, then the target, separated by spaces.

    <destination> <target>

- The destination is an IPv4 CIDR block (`0.0.0.0/0`, `172.20.0.0/16`) or a prefix-list id (`pl-...`).
- The target is the id of a gateway, endpoint or connection of the scenario (`nat-...`, `igw-...`, `vpce-...`,
  `pcx-...`).
- The local route is always there; you may write it (`<VPC CIDR> local`) or leave it out.
- `#` starts a comment, to the end of the line; blank lines are ignored.
- A destination may appear once. A gateway endpoint's route takes the endpoint's prefix list as destination.

Example:

    # default route
    0.0.0.0/0  nat-0a1b2c3d
    pl-0f00ba47  vpce-0123abcd
"""


def parse_routes(text: str, p: Mapping[str, Any]) -> list[Route]:
    """The learner's routes, checked the way AWS would check them when
    creating them. Raises LabSyntaxError with the 1-based line number."""
    vpc_cidr = p["vpc"]["cidr"]
    targets = _targets(p)
    lists = {p["prefix_list"]["id"]}
    endpoint = p["endpoint"]["id"]
    routes: list[Route] = []
    seen: dict[str, int] = {}
    subnets = [v4net(s["cidr"]) for s in p["subnets"]]
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if len(fields) != 2:
            raise LabSyntaxError(f"expected '<destination> <target>', got {line!r}", number)
        dest_text, target = fields
        try:
            dest = parse_destination(dest_text)
            kind = target_kind(target)
        except RouteTableError as exc:
            raise LabSyntaxError(str(exc), number) from None
        key = str(dest)
        if key in seen:
            raise LabSyntaxError(f"{key} already has a route (line {seen[key]}); a destination appears once", number)
        seen[key] = number
        if kind is TargetKind.LOCAL:
            if key != vpc_cidr:
                raise LabSyntaxError(f"the local route's destination is the VPC CIDR {vpc_cidr}, not {key}", number)
            continue
        if isinstance(dest, str) and dest not in lists:
            raise LabSyntaxError(f"there is no prefix list {dest} in this scenario (it has {', '.join(sorted(lists))})", number)
        if target not in targets:
            raise LabSyntaxError(f"there is no {target} in this VPC; the targets are {', '.join(sorted(targets))}", number)
        if target == endpoint and not isinstance(dest, str):
            raise LabSyntaxError(f"{endpoint} is a gateway endpoint: its route takes the prefix list as destination", number)
        try:
            route = Route(dest, target)
            check_route_table(RouteTable("check", (Route(v4net(vpc_cidr), "local"), route)), subnets)
        except RouteTableError as exc:
            raise LabSyntaxError(str(exc), number) from None
        routes.append(route)
    return routes


def _targets(p: Mapping[str, Any]) -> set[str]:
    found = {p["vpc"]["igw"], p["nat"]["id"], p["endpoint"]["id"]}
    if p.get("peer"):
        found.add(p["peer"]["pcx"])
    return found


def build_lab_vpc(p: Mapping[str, Any], routes: list[Route]) -> Vpc:
    """The scenario's VPC with the learner's routes in the private subnet's table."""
    vpc_cidr = v4net(p["vpc"]["cidr"])
    local = Route(vpc_cidr, "local")
    public, private = p["subnets"]
    inst = p["instance"]
    pl = p["prefix_list"]
    nat = p["nat"]
    return Vpc(
        id=p["vpc"]["id"],
        cidr=vpc_cidr,
        subnets=(
            Subnet(public["id"], v4net(public["cidr"]), public["az"], "acl-default"),
            Subnet(private["id"], v4net(private["cidr"]), private["az"], "acl-default"),
        ),
        route_tables=(
            RouteTable("rtb-main", (local,), main=True),
            RouteTable(p["public_table"], (local, Route(ALL_IPV4, p["vpc"]["igw"]))),
            RouteTable(p["table"], (local, *routes)),
        ),
        associations={public["id"]: p["public_table"], private["id"]: p["table"]},
        nacls=(default_nacl("acl-default"),),
        security_groups=(SecurityGroup("sg-app", "app", (), (SgRule(Protocol.ALL, None, None, ALL_IPV4),)),),
        instances=(Instance(inst["id"], private["id"], addr(inst["ip"]), ("sg-app",),
                            addr(inst["public_ip"]) if inst.get("public_ip") else None, name=inst["name"]),),
        nat_gateways=(NatGateway(nat["id"], public["id"], addr(nat["ip"]), addr(nat["eip"])),),
        internet_gateway=p["vpc"]["igw"],
        gateway_endpoints=(p["endpoint"]["id"],),
        prefix_lists={pl["id"]: tuple(net(c) for c in pl["cidrs"])},
    )


def check_routes(p: Mapping[str, Any], config: str) -> LabReport:
    """Grade a learner's route table against the scenario's flows."""
    routes = parse_routes(config, p)
    vpc = build_lab_vpc(p, routes)
    table = vpc.route_table_of(p["subnets"][1]["id"])
    inst = p["instance"]["id"]
    nat, vpce, igw = p["nat"]["id"], p["endpoint"]["id"], p["vpc"]["igw"]
    lists = vpc.prefix_lists
    checks: list[LabCheck] = []

    def decided(address: str) -> str:
        return longest_prefix_match(table, addr(address), lists).explain()

    web = walk(vpc, Flow(inst, p["internet_host"], Protocol.TCP, 443))
    via_nat = web.reachable and any(h.kind is HopKind.NAT_GATEWAY for h in web.hops)
    why = decided(p["internet_host"])
    if web.reachable and not via_nat:
        why += f" The connection works, but not through {nat}."
    elif not web.reachable and web.blocking is not None:
        why += f" It fails at {web.blocking.label}: {web.blocking.detail}"
    checks.append(LabCheck(f"{inst} reaches {p['internet_host']} (TCP 443) through {nat}", via_nat, why))

    s3 = walk(vpc, Flow(inst, p["s3_host"], Protocol.TCP, 443))
    via_endpoint = s3.reachable and any(h.kind is HopKind.GATEWAY_ENDPOINT for h in s3.hops)
    why = decided(p["s3_host"])
    if not s3.reachable and s3.blocking is not None:
        why += f" It fails at {s3.blocking.label}."
    checks.append(LabCheck(f"{inst} reaches S3 at {p['s3_host']} (TCP 443) through {vpce}", via_endpoint, why))

    if p.get("peer"):
        peer = p["peer"]
        decision = longest_prefix_match(table, addr(peer["host"]), lists)
        checks.append(LabCheck(f"{inst} reaches {peer['host']} in the peered VPC through {peer['pcx']}",
                               decision.target == peer["pcx"], decision.explain()))

    if p["forbid_igw"]:
        bad = [a for a in (p["internet_host"], p["s3_host"]) if longest_prefix_match(table, addr(a), lists).target == igw]
        checks.append(LabCheck(f"Forbidden: nothing from {p['subnets'][1]['id']} goes straight to {igw}", not bad,
                               " ".join(decided(a) for a in bad) or f"No route of {table.id} sends these flows to {igw}."))
    if p["forbid_nat_s3"]:
        s3_target = longest_prefix_match(table, addr(p["s3_host"]), lists).target
        checks.append(LabCheck(f"Forbidden: S3 traffic does not go through {nat}", s3_target != nat,
                               decided(p["s3_host"])))
    return LabReport(tuple(checks))


class RouteTableLab(LabGenerator):
    """Complete a private subnet's route table: internet through the NAT
    gateway, S3 through the gateway endpoint, nothing forbidden."""

    id = "routing.route-table-lab"
    version = 1
    topic = "routing"
    note = "routing#route-table-lab"
    title = "Lab: complete a private route table"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        base = vpc_base(rng)
        cidr = f"{dotted(base)}/16"
        zone = azs(rng, 1)[0]
        w = words(fake, 3)
        third = rng.randrange(0, 250, 2)
        pub_cidr, priv_cidr = block(base, third), block(base, third + 1)
        s3 = list(rng.choice(S3_PREFIX_SETS))
        forbid_igw, forbid_nat_s3 = rng.choice(((True, False), (False, True), (True, True)))
        inst_public = internet_host(rng) if forbid_igw else None
        p: Params = {
            "vpc": {"id": hex_id(rng, "vpc"), "cidr": cidr, "igw": hex_id(rng, "igw")},
            "subnets": [
                {"id": hex_id(rng, "subnet"), "name": f"{w[0]}-public", "cidr": pub_cidr, "az": zone},
                {"id": hex_id(rng, "subnet"), "name": f"{w[1]}-private", "cidr": priv_cidr, "az": zone},
            ],
            "public_table": hex_id(rng, "rtb"),
            "table": hex_id(rng, "rtb"),
            "nat": {"id": hex_id(rng, "nat"), "ip": host(pub_cidr, rng.randrange(4, 120)), "eip": internet_host(rng)},
            "prefix_list": {"id": hex_id(rng, "pl"), "cidrs": s3},
            "endpoint": {"id": hex_id(rng, "vpce")},
            "instance": {"id": hex_id(rng, "i"), "name": w[2], "ip": host(priv_cidr, rng.randrange(4, 250)),
                         "public_ip": inst_public},
            "internet_host": internet_host(rng),
            "s3_host": host(rng.choice(s3), rng.randrange(4, 250)),
            "forbid_igw": forbid_igw,
            "forbid_nat_s3": forbid_nat_s3,
        }
        if rng.random() < 0.4:
            peer_cidr = f"172.{rng.randrange(16, 32)}.0.0/16"
            p["peer"] = {"cidr": peer_cidr, "pcx": hex_id(rng, "pcx"),
                         "host": f"{peer_cidr.split('.')[0]}.{peer_cidr.split('.')[1]}.{rng.randrange(256)}.{rng.randrange(4, 250)}"}
        return _body(p)

    def check(self, params: Mapping[str, JSONValue], config: str) -> LabReport:
        return check_routes(params, config)


def _body(p: Params) -> Body:
    public, private = p["subnets"]
    nat, pl, vpce, inst = p["nat"], p["prefix_list"], p["endpoint"]["id"], p["instance"]
    reference = [f"0.0.0.0/0 {nat['id']}", f"{pl['id']} {vpce}"]
    peer_md = ""
    required = [
        f"- `{inst['id']}` reaches `{p['internet_host']}` on the internet (TCP 443) through NAT gateway `{nat['id']}`;",
        f"- `{inst['id']}` reaches S3 at `{p['s3_host']}` (TCP 443) through gateway endpoint `{vpce}`;",
    ]
    if p.get("peer"):
        peer = p["peer"]
        peer_md = (f" It is peered with a VPC whose CIDR is `{peer['cidr']}` through `{peer['pcx']}` (the peer already "
                   "routes back).")
        required.append(f"- `{inst['id']}` reaches `{peer['host']}` in the peered VPC through `{peer['pcx']}`;")
        reference.append(f"{peer['cidr']} {peer['pcx']}")
    forbidden = []
    if p["forbid_igw"]:
        forbidden.append(f"- no traffic from `{private['id']}` goes straight to internet gateway `{p['vpc']['igw']}` "
                         f"(even though `{inst['id']}` has the public address `{inst['public_ip']}`);")
    if p["forbid_nat_s3"]:
        forbidden.append(f"- S3 traffic does not go through `{nat['id']}` (it would pay NAT data processing);")
    address = f", public `{inst['public_ip']}`" if inst.get("public_ip") else ""
    prompt = (
        f"VPC `{p['vpc']['id']}` (`{p['vpc']['cidr']}`) has internet gateway `{p['vpc']['igw']}` attached.{peer_md}\n\n"
        f"- Public subnet `{public['id']}` ({public['name']}, `{public['cidr']}`, {public['az']}) uses route table "
        f"`{p['public_table']}`: `{p['vpc']['cidr']}` local, `0.0.0.0/0` to `{p['vpc']['igw']}`. NAT gateway "
        f"`{nat['id']}` sits in it (private address `{nat['ip']}`, Elastic IP `{nat['eip']}`).\n"
        f"- Private subnet `{private['id']}` ({private['name']}, `{private['cidr']}`, {private['az']}) uses route "
        f"table `{p['table']}`, which has only its local route. Instance `{inst['id']}` ({inst['name']}, "
        f"`{inst['ip']}`{address}) runs there; its security group and the network ACLs allow everything.\n"
        f"- Gateway endpoint `{vpce}` serves S3; S3's prefix list `{pl['id']}` holds "
        + ", ".join(f"`{c}`" for c in pl["cidrs"]) + ".\n\n"
        f"Write the routes of `{p['table']}` so that:\n\n" + "\n".join(required) + "\n\nand so that:\n\n"
        + "\n".join(forbidden)
    )
    starter = (f"# Routes of {p['table']} (subnet {private['id']}).\n"
               "# One route per line: <destination CIDR or prefix-list id> <target id>\n"
               f"# The local route ({p['vpc']['cidr']} local) is always there.\n")
    explanation = (
        "A route table sends each packet by its most specific matching route. `0.0.0.0/0` to the NAT gateway sends "
        "internet traffic out through the public subnet (whose own table points at the internet gateway); the "
        "prefix-list route to the gateway endpoint is more specific than `0.0.0.0/0` for S3 addresses, so S3 "
        "traffic skips the NAT gateway. One table that works:\n\n```\n" + "\n".join(reference) + "\n```\n\n"
        "Others work too: for instance `0.0.0.0/1` and `128.0.0.0/1` to the NAT gateway instead of `0.0.0.0/0`."
    )
    return Body(prompt=prompt, params=p, explanation=explanation,
                spec=LabSpec(SYNTAX, starter, "\n".join(reference) + "\n"))


GENERATORS: list[type[Generator]] = [RouteTableLab]
