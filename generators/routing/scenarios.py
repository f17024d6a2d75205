"""Drawing and showing the VPC scenarios that the routing questions use.

A scenario is kept as JSON-ready `params` (strings, lists, dicts): the prompt
shows them verbatim and the model is built from them, so what the learner
reads is exactly what the answer was computed from.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from functools import lru_cache
from socket import inet_aton
from ipaddress import IPv4Address, IPv4Network, IPv6Network, ip_network
from typing import Any

from faker import Faker
from faker.providers.lorem.en_US import Provider as LoremProvider

from generators.base import faker_random
from generators.draws import below, choices, draws, hex_id, hex_ids, pick
from generators.routing.model import Route, RouteOrigin, RouteTable, parse_destination
from generators.routing.topology import Instance, NatGateway, Subnet, Vpc
from generators.security.model import (
    ALL_IPV4,
    ALL_IPV6,
    Action,
    NaclRule,
    NetworkAcl,
    Protocol,
    SecurityGroup,
    SgRule,
)

Params = dict[str, Any]
_from_bytes = int.from_bytes

REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1", "ca-central-1")
PUBLIC_OCTETS = (3, 13, 15, 18, 34, 35, 44, 52, 54, 63, 93, 104, 142, 151, 185)
"""First octets of public (non-reserved) IPv4 space for internet hosts and public IPs."""
SERVICE_PORTS = (3306, 5432, 6379, 8080, 8443, 9200, 27017, 1433, 5000, 8000)
"""Application ports a private tier listens on (all in 1024-32767)."""
S3_PREFIX_SETS = (
    ("52.216.0.0/15", "3.5.0.0/19", "54.231.0.0/16"),
    ("52.218.128.0/17", "3.5.160.0/22", "52.92.16.0/20"),
    ("3.5.208.0/21", "52.95.128.0/21", "54.230.0.0/17"),
    ("16.182.0.0/16", "52.219.64.0/18", "3.5.128.0/21"),
)
"""Plausible S3 address blocks for a scenario's prefix list (the real ones
vary by Region and change over time; the scenario states its own)."""


@lru_cache(maxsize=2048)
def net(text: str) -> IPv4Network | IPv6Network:
    """A CIDR block from text (cached: scenarios repeat the same blocks)."""
    if ":" in text:
        return ip_network(text)
    return v4net(text)


@lru_cache(maxsize=4096)
def v4net(text: str) -> IPv4Network:
    """An IPv4 CIDR block from text, cached (see `_v4_block`).

    >>> v4net("10.1.2.0/24")
    IPv4Network('10.1.2.0/24')
    """
    return _v4_block(text)


def _v4_block(text: str) -> IPv4Network:
    """An IPv4 CIDR block from well-formed text (scenario text is; parsing
    the octets by hand is several times faster than the general parser)."""
    address, _, prefix = text.partition("/")
    return IPv4Network((_from_bytes(inet_aton(address), "big"), int(prefix)))


def addr(text: str) -> IPv4Address:
    """An IPv4 address from well-formed dotted text.

    >>> addr("10.0.1.5")
    IPv4Address('10.0.1.5')
    """
    # inet_aton reads the four octets in C; scenario text is canonical.
    return IPv4Address(_from_bytes(inet_aton(text), "big"))


def dotted(value: int) -> str:
    """An IPv4 address as text, from its integer value."""
    return f"{value >> 24 & 255}.{value >> 16 & 255}.{value >> 8 & 255}.{value & 255}"


def internet_host(rng: random.Random) -> str:
    """A public IPv4 address on the internet."""
    return f"{pick(rng, PUBLIC_OCTETS)}.{below(rng, 256)}.{below(rng, 256)}.{1 + below(rng, 254)}"


def vpc_base(rng: random.Random) -> int:
    """The integer base of a 10.x.0.0/16 VPC block."""
    return (10 << 24) | (below(rng, 256) << 16)


def block(base: int, third: int, prefix: int = 24) -> str:
    """The /`prefix` block at 10.x.`third`.0 of a VPC base."""
    return f"{dotted(base + (third << 8))}/{prefix}"


def host(cidr: str, n: int) -> str:
    """The `n`-th address of a block (n >= 4 stays clear of reserved addresses)."""
    base = cidr.split("/")[0].split(".")
    return f"{base[0]}.{base[1]}.{base[2]}.{int(base[3]) + n}"


def azs(rng: random.Random, count: int) -> list[str]:
    """`count` Availability Zone names of one random Region."""
    region = pick(rng, REGIONS)
    return [f"{region}{letter}" for letter in "abcdef"[:count]]


LOREM_WORDS: tuple[str, ...] = tuple(LoremProvider.word_list)
"""Faker's en_US lorem words, the list ``fake.words()`` draws from."""


def words(fake: Faker, count: int) -> list[str]:
    """`count` distinct lowercase words for resource names.

    Drawn the way ``fake.words(count + 2)`` draws them for the en_US locale
    (``random.choices`` on the lorem list, with the Faker's own random), minus
    the copy of the whole list that Faker makes on every call.

    >>> from faker import Faker
    >>> a, b = Faker("en_US"), Faker("en_US")
    >>> a.seed_instance(3); b.seed_instance(3)
    >>> a.random.choices(LOREM_WORDS, k=6) == b.words(6)
    True
    """
    out: list[str] = []
    rng = faker_random(fake)
    while len(out) < count:
        for w in choices(rng, LOREM_WORDS, count + 2):
            w = w.lower()
            if w.isalpha() and len(w) > 2 and w not in out and len(out) < count:
                out.append(w)
    return out


# --- from params to the model ---------------------------------------------


_PROTOCOLS = {p.value: p for p in Protocol}
_ACTIONS = {a.value: a for a in Action}


def _ports(text: str) -> tuple[int | None, int | None]:
    if text == "all":
        return None, None
    low, _, high = text.partition("-")
    return int(low), int(high or low)


@lru_cache(maxsize=512)
def _nacl_head(number: str, action: str, protocol: str, ports: str) -> tuple[int, Action, Protocol, int | None, int | None]:
    """A network ACL row's fields before its block, read (rule numbers and
    ports come from short fixed lists, so few rows recur across scenarios)."""
    low, high = _ports(ports)
    return int(number), _ACTIONS[action], _PROTOCOLS[protocol], low, high


@lru_cache(maxsize=512)
def _nacl_rule(number: str, action: str, protocol: str, ports: str, cidr: str) -> NaclRule:
    return NaclRule(*_nacl_head(number, action, protocol, ports), _SHARED_NETS[cidr])


@lru_cache(maxsize=256)
def _sg_head(protocol: str, ports: str) -> tuple[Protocol, int | None, int | None]:
    """A security group row's protocol and ports, read."""
    low, high = _ports(ports)
    return _PROTOCOLS[protocol], low, high


@lru_cache(maxsize=512)
def _sg_rule(protocol: str, ports: str, peer: str) -> SgRule:
    return SgRule(*_sg_head(protocol, ports), _SHARED_NETS[peer])


def route_table(data: Mapping[str, Any]) -> RouteTable:
    """A route table from ``{"id", "main", "routes": [[destination, target], ...]}``."""
    return _Reader().route_table(data)


_ORIGINS = {o.value: o for o in RouteOrigin}


@lru_cache(maxsize=256)
def _listening(items: tuple[str, ...]) -> tuple[tuple[Protocol, int], ...]:
    """An instance's ``listens`` (``["tcp/443", ...]``), read (the lists are short and recur)."""
    out: list[tuple[Protocol, int]] = []
    for item in items:
        proto, _, port = item.partition("/")
        out.append((_PROTOCOLS[proto], int(port)))
    return tuple(out)


class _Reader:
    """Reads one scenario's params into model values.

    Values repeat inside a scenario (the VPC block in every table's local
    route, a subnet's block in rules and routes, the same route in several
    tables), so each block and each row is read once per scenario. Across
    scenarios only what names no scenario-specific block or id repeats (a
    rule for ``0.0.0.0/0`` on a fixed port): those go through the
    process-wide caches above. The rest lives as long as the scenario, so
    the caches do not fill with one-off values (which the garbage collector
    would then scan over and over).
    """

    __slots__ = ("nets", "values")

    def __init__(self) -> None:
        self.nets: dict[str, IPv4Network | IPv6Network] = {}
        self.values: dict[tuple[str, ...], Any] = {}

    def net(self, text: str) -> IPv4Network | IPv6Network:
        found = self.nets.get(text)
        if found is None:
            found = self.nets[text] = _SHARED_NETS.get(text) or _parse_net(text)
        return found

    def v4(self, text: str) -> IPv4Network:
        """An IPv4 block (a VPC's or a subnet's)."""
        nets = self.nets
        found = nets.get(text)
        if found is None:
            found = nets[text] = _SHARED_NETS.get(text) or _parse_net(text)
        if not isinstance(found, IPv4Network):
            raise ValueError(f"{text} is not an IPv4 block")
        return found

    def nacl_rules(self, rows: Sequence[Sequence[str]]) -> tuple[NaclRule, ...]:
        """Rows ``[number, action, protocol, ports, cidr]``."""
        values, nets = self.values, self.nets
        out: list[NaclRule] = []
        for number, action, protocol, ports, cidr in rows:
            if cidr in _SHARED_BLOCKS:
                out.append(_nacl_rule(number, action, protocol, ports, cidr))
                continue
            key = (number, action, protocol, ports, cidr)
            found: NaclRule | None = values.get(key)
            if found is None:
                found = values[key] = NaclRule(*_nacl_head(number, action, protocol, ports), nets.get(cidr) or self.net(cidr))
            out.append(found)
        return tuple(out)

    def sg_rules(self, rows: Sequence[Sequence[str]]) -> tuple[SgRule, ...]:
        """Rows ``[protocol, ports, peer]``."""
        values, nets = self.values, self.nets
        out: list[SgRule] = []
        for protocol, ports, peer in rows:
            if peer in _SHARED_BLOCKS:
                out.append(_sg_rule(protocol, ports, peer))
                continue
            key = (protocol, ports, peer)
            found: SgRule | None = values.get(key)
            if found is None:
                found = values[key] = SgRule(*_sg_head(protocol, ports),
                                             peer if peer.startswith("sg-") else nets.get(peer) or self.net(peer))
            out.append(found)
        return tuple(out)

    def route_table(self, data: Mapping[str, Any]) -> RouteTable:
        """``{"id", "main", "routes": [[destination, target(, origin)], ...]}``."""
        values, nets = self.values, self.nets
        routes: list[Route] = []
        for row in data["routes"]:
            key = tuple(row)
            found: Route | None = values.get(key)
            if found is None:
                destination = key[0]
                if destination.startswith("pl-"):
                    dest = parse_destination(destination)
                else:
                    dest = nets.get(destination) or self.net(destination)
                found = values[key] = Route(dest, key[1], _ORIGINS[key[2]] if len(key) > 2 else _STATIC)
            routes.append(found)
        return RouteTable(data["id"], tuple(routes), bool(data.get("main", False)))


_SHARED_NETS: dict[str, IPv4Network | IPv6Network] = {"0.0.0.0/0": ALL_IPV4, "::/0": ALL_IPV6}
"""The blocks for the whole internet, as the security model's constants (rules
built on them skip reading the block's integers)."""
_SHARED_BLOCKS = frozenset(_SHARED_NETS)
_STATIC = RouteOrigin.STATIC


def _parse_net(text: str) -> IPv4Network | IPv6Network:
    """`net` without its process-wide cache (for the per-scenario reader)."""
    return ip_network(text) if ":" in text else _v4_block(text)


def build_vpc(p: Mapping[str, Any]) -> Vpc:
    """The model's VPC from scenario params."""
    # Plain loops rather than comprehensions: each comprehension is a
    # function call, and a scenario has only a few of each part.
    read = _Reader()
    vpc = p["vpc"]
    v4, route_table, nacl_rules, sg_rules = read.v4, read.route_table, read.nacl_rules, read.sg_rules
    cidr = v4(vpc["cidr"])
    subnets: list[Subnet] = []
    associations: dict[str, str] = {}
    for s in p["subnets"]:
        subnet_id = s["id"]
        subnets.append(Subnet(subnet_id, v4(s["cidr"]), s["az"], s["acl"]))
        rtb = s.get("rtb")
        if rtb:
            associations[subnet_id] = rtb
    tables: list[RouteTable] = []
    for t in p["route_tables"]:
        tables.append(route_table(t))
    acls: list[NetworkAcl] = []
    for a in p["acls"]:
        acls.append(NetworkAcl(a["id"], nacl_rules(a["inbound"]), nacl_rules(a["outbound"])))
    groups: list[SecurityGroup] = []
    for g in p["groups"]:
        groups.append(SecurityGroup(g["id"], g["name"], sg_rules(g["inbound"]), sg_rules(g["outbound"])))
    instances: list[Instance] = []
    for i in p["instances"]:
        public = i.get("public_ip")
        listens = i.get("listens")
        instances.append(Instance(
            i["id"], i["subnet"], addr(i["ip"]), tuple(i["groups"]), addr(public) if public else None, None,
            _listening(tuple(listens)) if listens else (), i.get("os", "linux"), i.get("source_dest_check", True),
            i["name"],
        ))
    nats: list[NatGateway] = []
    for n in p.get("nat_gateways", ()):
        eip = n.get("eip")
        nats.append(NatGateway(n["id"], n["subnet"], addr(n["ip"]), addr(eip) if eip else None))
    endpoints = p.get("endpoints")
    prefix_lists = p.get("prefix_lists")
    failed = p.get("failed_az")
    return Vpc(
        vpc["id"], cidr, tuple(subnets), tuple(tables), tuple(acls), tuple(groups), tuple(instances), associations,
        tuple(nats), vpc.get("igw"), (), tuple([e["id"] for e in endpoints]) if endpoints else (),
        {pl["id"]: tuple([read.net(c) for c in pl["cidrs"]]) for pl in prefix_lists} if prefix_lists else {},
        None, frozenset([failed]) if failed else _NO_AZS,
    )


_NO_AZS: frozenset[str] = frozenset()


# --- showing params ---------------------------------------------------------


def live_targets(p: Mapping[str, Any]) -> set[str]:
    """Route targets that exist in the scenario."""
    live: set[str] = set()
    for kind in ("nat_gateways", "endpoints", "instances"):
        for part in p.get(kind, ()):
            live.add(part["id"])
    igw = p["vpc"].get("igw")
    if igw:
        live.add(igw)
    return live


def route_table_md(table: Mapping[str, Any], live: set[str] | None = None, subnets: Sequence[str] = ()) -> str:
    """A route table as a markdown table (with the blackhole state when a
    target does not exist)."""
    out: list[str] = []
    _route_table_rows(out, table, live, subnets)
    return "\n".join(out)


def nacl_md(acl: Mapping[str, Any]) -> str:
    """A network ACL's rules, in the order they are stored, with the final ``*`` rule."""
    out: list[str] = []
    _nacl_rows(out, acl)
    return "\n".join(out)


def sg_md(group: Mapping[str, Any]) -> str:
    """A security group's rules."""
    out: list[str] = []
    _sg_rows(out, group)
    return "\n".join(out)


# The tables are written line by line into one list, which the caller joins
# once: a prompt shows a dozen tables, and plain loops over their rows cost
# less than a comprehension and a join per table.

_ROUTE_HEAD = ("| Destination | Target | Status |", "|---|---|---|")
_ROUTE_HEAD_ORIGIN = ("| Destination | Target | Status | Origin |", "|---|---|---|---|")
_NACL_HEAD = "| Direction | Rule # | Action | Protocol | Ports | Source / destination |\n|---|---|---|---|---|---|"
_SG_HEAD = "| Direction | Protocol | Ports | Source / destination |\n|---|---|---|---|"
_SUBNET_HEAD = ("| Subnet | Name | CIDR | AZ | Route table | Network ACL |", "|---|---|---|---|---|---|")
_INSTANCE_HEAD = ("| Instance | Name | Subnet | Private IP | Public IP | Security groups | Listening | Client OS |",
                  "|---|---|---|---|---|---|---|---|")


def _route_table_rows(out: list[str], table: Mapping[str, Any], live: set[str] | None, subnets: Sequence[str] = ()) -> None:
    main = " (main route table)" if table.get("main") else ""
    used = f", used by {', '.join(subnets)}" if subnets else ""
    out.append(f"Route table `{table['id']}`{main}{used}:")
    out.append("")
    routes = table["routes"]
    for row in routes:
        if len(row) != 2:
            break
    else:  # no row names its origin
        out += _ROUTE_HEAD
        for destination, target in routes:
            state = "active" if live is None or target == "local" or target in live else "blackhole"  # _state
            out.append(f"| `{destination}` | `{target}` | {state} |")
        return
    out += _ROUTE_HEAD_ORIGIN
    for row in routes:
        out.append(f"| `{row[0]}` | `{row[1]}` | {_state(row[1], live)} | {row[2] if len(row) > 2 else 'static'} |")


def _state(target: str, live: set[str] | None) -> str:
    return "active" if live is None or target == "local" or target in live else "blackhole"


def _nacl_rows(out: list[str], acl: Mapping[str, Any]) -> None:
    out.append(f"Network ACL `{acl['id']}`:\n\n{_NACL_HEAD}")
    for number, action, protocol, ports, cidr in acl["inbound"]:
        out.append(f"| inbound | {number} | {action} | {protocol} | {ports} | `{cidr}` |")
    out.append("| inbound | * | deny | all | all | `0.0.0.0/0` |")
    for number, action, protocol, ports, cidr in acl["outbound"]:
        out.append(f"| outbound | {number} | {action} | {protocol} | {ports} | `{cidr}` |")
    out.append("| outbound | * | deny | all | all | `0.0.0.0/0` |")


def _sg_rows(out: list[str], group: Mapping[str, Any]) -> None:
    out.append(f"Security group `{group['id']}` ({group['name']}):\n\n{_SG_HEAD}")
    for direction in ("inbound", "outbound"):
        rules = group[direction]
        if not rules:
            out.append(f"| {direction} | (no rules) | | |")
        for protocol, ports, peer in rules:
            out.append(f"| {direction} | {protocol} | {ports} | `{peer}` |")


def topology_md(p: Mapping[str, Any], *, filters: bool = True) -> str:
    """The whole scenario: VPC, subnets, route tables, instances, gateways,
    and (when `filters`) the network ACLs and security groups."""
    vpc = p["vpc"]
    igw = f"internet gateway `{vpc['igw']}` attached" if vpc.get("igw") else "no internet gateway attached"
    out = [f"VPC `{vpc['id']}` (`{vpc['cidr']}`), {igw}."]
    if p.get("failed_az"):
        out.append(f"Availability Zone **{p['failed_az']}** is down.")
    out.append("")
    out += _SUBNET_HEAD
    for s in p["subnets"]:
        rtb = s.get("rtb")
        out.append(f"| `{s['id']}` | {s['name']} | `{s['cidr']}` | {s['az']} | "
                   f"{f'`{rtb}`' if rtb else '(no explicit association)'} | `{s['acl']}` |")
    live = live_targets(p)
    for t in p["route_tables"]:
        out.append("")
        _route_table_rows(out, t, live)
    for pl in p.get("prefix_lists", ()):
        out += ["", f"Prefix list `{pl['id']}` holds {', '.join([f'`{c}`' for c in pl['cidrs']])}."]
    for e in p.get("endpoints", ()):
        out += ["", f"Gateway endpoint `{e['id']}` for {e['service']} (prefix list `{e['prefix_list']}`)."]
    for n in p.get("nat_gateways", ()):
        eip = f"Elastic IP `{n['eip']}`" if n.get("eip") else "no Elastic IP (private NAT gateway)"
        out += ["", f"NAT gateway `{n['id']}` in `{n['subnet']}`, private address `{n['ip']}`, {eip}."]
    out.append("")
    out += _INSTANCE_HEAD
    for i in p["instances"]:
        public = i.get("public_ip")
        out.append(f"| `{i['id']}` | {i['name']} | `{i['subnet']}` | `{i['ip']}` | "
                   f"{f'`{public}`' if public else 'none'} | "
                   f"{', '.join([f'`{g}`' for g in i['groups']])} | {', '.join(i.get('listens', ())) or 'nothing'} | "
                   f"{i.get('os', 'linux')} |")
    if filters:
        for a in p["acls"]:
            out.append("")
            _nacl_rows(out, a)
        for g in p["groups"]:
            out.append("")
            _sg_rows(out, g)
    return "\n".join(out)


# --- a standard two-tier VPC ------------------------------------------------


_TWO_TIER_FIRST = (256, len(REGIONS), len(SERVICE_PORTS), 100)
_TWO_TIER_WEB = (246, len(PUBLIC_OCTETS), 256, 256, 254, 2)
_TWO_TIER_APP_NAT = (246, 246, len(PUBLIC_OCTETS), 256, 256, 254)


def two_tier(rng: random.Random, fake: Faker) -> Params:
    """A VPC with a public web subnet (internet gateway, NAT gateway, web
    instance with a public address) and a private app subnet routing to the
    NAT gateway, custom network ACLs that allow exactly the expected traffic,
    and security groups web/app/ops. The app listens on a random port."""
    # The VPC is 10.x.0.0/16 (the words come from Faker's own random).
    x, region_at, port_at, half = draws(rng, _TWO_TIER_FIRST)
    region, port, third = REGIONS[region_at], str(SERVICE_PORTS[port_at]), 2 * half
    w = words(fake, 5)
    net = f"10.{x}."
    web_net, app_net = f"{net}{third}.", f"{net}{third + 1}."
    web_cidr, app_cidr = f"{web_net}0/24", f"{app_net}0/24"
    vpc_cidr = f"{net}0.0/16"
    (vpc_id, igw, nat, acl_pub, rtb_pub, acl_priv, rtb_priv, rtb_main, sub_pub, sub_priv, sg_web, sg_app,
     sg_ops) = hex_ids(rng, ("vpc", "igw", "nat", "acl", "rtb", "acl", "rtb", "rtb", "subnet", "subnet", "sg", "sg", "sg"))
    step_bit, zone_bit = draws(rng, (2, 2))
    step = 100 if step_bit else 10
    n = [str(step), str(2 * step), str(3 * step)]
    zone_a, zone_b = f"{region}a", f"{region}b"
    anywhere = "0.0.0.0/0"
    # The instances' and the NAT gateway's numbers, in the order they were
    # always drawn (each public address as `internet_host` draws it).
    web_id = hex_id(rng, "i")
    web_ip, a1, b1, c1, d1, windows = draws(rng, _TWO_TIER_WEB)
    app_id = hex_id(rng, "i")
    app_ip, nat_ip, a2, b2, c2, d2 = draws(rng, _TWO_TIER_APP_NAT)
    params: Params = {
        "vpc": {"id": vpc_id, "cidr": vpc_cidr, "igw": igw},
        "subnets": [
            {"id": sub_pub, "name": f"{w[0]}-public", "cidr": web_cidr, "az": zone_a, "acl": acl_pub, "rtb": rtb_pub},
            {"id": sub_priv, "name": f"{w[1]}-private", "cidr": app_cidr, "az": zone_b if zone_bit else zone_a,
             "acl": acl_priv, "rtb": rtb_priv},
        ],
        "route_tables": [
            {"id": rtb_main, "main": True, "routes": [[vpc_cidr, "local"]]},
            {"id": rtb_pub, "main": False, "routes": [[vpc_cidr, "local"], [anywhere, igw]]},
            {"id": rtb_priv, "main": False, "routes": [[vpc_cidr, "local"], [anywhere, nat]]},
        ],
        "acls": [
            {"id": acl_pub,
             "inbound": [[n[0], "allow", "tcp", "443", anywhere], [n[1], "allow", "tcp", "1024-65535", anywhere]],
             "outbound": [[n[0], "allow", "tcp", "443", anywhere], [n[1], "allow", "tcp", port, app_cidr],
                          [n[2], "allow", "tcp", "1024-65535", anywhere]]},
            {"id": acl_priv,
             "inbound": [[n[0], "allow", "tcp", port, web_cidr], [n[1], "allow", "tcp", "1024-65535", anywhere]],
             "outbound": [[n[0], "allow", "tcp", "443", anywhere], [n[1], "allow", "tcp", "1024-65535", vpc_cidr]]},
        ],
        "groups": [
            {"id": sg_web, "name": "web", "inbound": [["tcp", "443", anywhere]], "outbound": [["all", "all", anywhere]]},
            {"id": sg_app, "name": "app", "inbound": [["tcp", port, sg_web]], "outbound": [["tcp", "443", anywhere]]},
            {"id": sg_ops, "name": w[2], "inbound": [["tcp", "22", anywhere]], "outbound": [["all", "all", anywhere]]},
        ],
        "instances": [
            {"id": web_id, "name": w[3], "subnet": sub_pub, "ip": f"{web_net}{4 + web_ip}",
             "public_ip": f"{PUBLIC_OCTETS[a1]}.{b1}.{c1}.{1 + d1}", "groups": [sg_web], "listens": ["tcp/443"],
             "os": "windows" if windows else "linux"},
            {"id": app_id, "name": w[4], "subnet": sub_priv, "ip": f"{app_net}{4 + app_ip}",
             "public_ip": None, "groups": [sg_app], "listens": [f"tcp/{port}"], "os": "linux"},
        ],
        "nat_gateways": [{"id": nat, "subnet": sub_pub, "ip": f"{web_net}{4 + nat_ip}",
                          "eip": f"{PUBLIC_OCTETS[a2]}.{b2}.{c2}.{1 + d2}"}],
        "port": port,
    }
    if nat_ip == web_ip:
        # The only addresses that can clash share the web subnet (the app
        # instance is in the other one).
        fix_ips(rng, params)
    return params


def unique_ips(p: Params) -> bool:
    """True when no two interfaces of the scenario share a private address."""
    ips = [i["ip"] for i in p["instances"]] + [n["ip"] for n in p.get("nat_gateways", ())]
    return len(ips) == len(set(ips))


def fix_ips(rng: random.Random, p: Params) -> None:
    """Redraw clashing private addresses (rare) until all differ."""
    while not unique_ips(p):
        for n in p.get("nat_gateways", ()):
            subnet = next(s for s in p["subnets"] if s["id"] == n["subnet"])
            n["ip"] = host(subnet["cidr"], rng.randrange(4, 250))
