"""Lab generators: the learner writes network ACL or security-group rules and
the evaluators check them against the scenario's required and forbidden flows.

Any configuration under which every required flow works and every forbidden
flow is stopped is correct; the reference configuration is one of many.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from ipaddress import IPv4Address, IPv6Address, ip_address

from faker import Faker

from generators.base import Body, LabGenerator
from generators.security import scenario as sc
from generators.security.flow import Endpoint, connection_works, evaluate_connection
from generators.security.model import (
    ALL_IPV4,
    Direction,
    NetworkAcl,
    Packet,
    Protocol,
    SecurityGroup,
    SgRule,
    ephemeral_ports,
    evaluate_nacl,
)
from generators.security.syntax import (
    ConfigSyntaxError,
    group_id,
    parse_nacl_config,
    parse_sg_config,
)
from quizapp.questions import JSONValue, LabCheck, LabReport, LabSpec, LabSyntaxError

NACL_SYNTAX = """\
One network ACL rule per line:

    <direction> <number> <action> <protocol> [<ports>] <cidr>

- `direction`: `inbound` (the CIDR is the source) or `outbound` (the CIDR is the destination)
- `number`: 1 to 32766, unique per direction; rules are read lowest number first and the first match decides
- `action`: `allow` or `deny`
- `protocol`: `tcp`, `udp`, `icmp` or `all`
- `ports`: a port (`443`), a range (`1024-65535`) or `all`, always the packet's *destination* port; only for tcp and udp
- `cidr`: an IPv4 or IPv6 block such as `0.0.0.0/0` or `198.51.100.0/24`

The final `*` rule, which denies whatever no rule matched, is built in: do not write it.
`#` starts a comment; blank lines are ignored.

    inbound  100 allow tcp 443 0.0.0.0/0
    outbound 100 allow tcp 1024-65535 0.0.0.0/0   # responses to clients
"""

SG_SYNTAX = """\
One security-group rule per line:

    <group> <direction> <protocol> [<ports>] <peer>

- `group`: the group the rule belongs to (the scenario names the groups you write)
- `direction`: `inbound` (the peer is the source) or `outbound` (the peer is the destination)
- `protocol`: `tcp`, `udp`, `icmp` or `all`
- `ports`: a port (`443`), a range (`8000-8100`) or `all`; only for tcp and udp
- `peer`: a CIDR block (`0.0.0.0/0`, `203.0.113.0/24`) or another group as `sg:<group>`

Rules only allow: there is no deny, and whatever no rule allows is dropped. Security groups
are stateful, so responses need no rule. A group has exactly the rules you write (a group
with no outbound line sends nothing). `#` starts a comment; blank lines are ignored.

    web inbound tcp 443 0.0.0.0/0
    app inbound tcp 8080 sg:web
    web outbound tcp 8080 sg:app
"""


def _syntax_error(exc: ConfigSyntaxError) -> LabSyntaxError:
    return LabSyntaxError(exc.message, exc.line)


def _ports(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    return int(low), int(high or low)


# --- Network ACL lab --------------------------------------------------------

_CLIENT_MIXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Windows 11 and Ubuntu 24.04 desktops", ("windows", "linux")),
    ("Windows 11 laptops", ("windows",)),
    ("Ubuntu 24.04 desktops", ("linux",)),
    ("a corporate NAT gateway", ("nat-gateway",)),
)


def _range_of(families: Sequence[str]) -> tuple[int, int]:
    """The smallest single range covering every family's ephemeral ports (they overlap)."""
    ranges = [ephemeral_ports(f) for f in families]
    return min(r[0] for r in ranges), max(r[1] for r in ranges)


class NaclWebTierLab(LabGenerator):
    """Write a web subnet's network ACL: HTTPS from anywhere, SSH from the admins, nothing else."""

    id = "security.lab-nacl-web-tier"
    version = 1
    topic = "security"
    note = "security#lab-a-web-tier-network-acl"
    title = "Lab: the network ACL of a web tier"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        name = sc.label(fake, "web")
        subnet = sc.subnets(rng, sc.vpc_block(rng), 1)[0]
        server = sc.host(rng, subnet)
        admin = sc.block_of(sc.public_address(rng), sc.pick(rng, [24, 26, 28]))
        mix_text, families = sc.pick(rng, _CLIENT_MIXES)
        admin_os, admin_family = sc.pick(rng, [("Windows 11", "windows"), ("Ubuntu 24.04", "linux")])
        extra = sc.pick(rng, ["none", "http", "updates", "monitoring"])
        low, high = _range_of(families)
        a_low, a_high = ephemeral_ports(admin_family)
        internet = [sc.address_outside(rng, admin) for _ in range(2)]
        database, database_port = sc.pick(rng, [("MySQL", 3306), ("PostgreSQL", 5432)])
        admin_hosts = [admin.network_address + 1, admin.broadcast_address - 1]
        flows: list[dict[str, JSONValue]] = [
            {"must": "work", "what": "HTTPS", "from": ", ".join(map(str, internet)), "port": 443, "ports": f"{low}-{high}"},
            {"must": "work", "what": "SSH", "from": ", ".join(map(str, admin_hosts)), "port": 22, "ports": f"{a_low}-{a_high}"},
            {"must": "be denied on the way in", "what": "SSH", "from": str(internet[0]), "port": 22, "ports": f"{low}-{high}"},
            {"must": "be denied on the way in", "what": "RDP", "from": str(internet[1]), "port": 3389, "ports": f"{low}-{high}"},
            {"must": "be denied on the way in", "what": database, "from": str(internet[0]), "port": database_port, "ports": f"{low}-{high}"},
        ]
        monitor = sc.block_of(sc.address_outside(rng, admin), 28)
        update_os, update_family = sc.pick(rng, [("Amazon Linux 2023", "linux"), ("Windows Server 2022", "windows")])
        u_low, u_high = ephemeral_ports(update_family)
        mirror = sc.address_outside(rng, admin)
        if extra == "http":
            flows.insert(1, {"must": "work", "what": "HTTP", "from": str(internet[1]), "port": 80, "ports": f"{low}-{high}"})
        else:
            flows.append({"must": "be denied on the way in", "what": "HTTP", "from": str(internet[1]), "port": 80, "ports": f"{low}-{high}"})
        if extra == "monitoring":
            flows.insert(2, {"must": "work", "what": "metrics", "from": str(monitor.network_address + 2), "port": 9100, "ports": "32768-61000"})
            flows.append({"must": "be denied on the way in", "what": "metrics", "from": str(internet[0]), "port": 9100, "ports": f"{low}-{high}"})
        if extra == "updates":
            flows.insert(2, {"must": "work", "what": "HTTPS updates", "from": str(server), "to": str(mirror), "port": 443, "ports": f"{u_low}-{u_high}"})
        rows = []
        for f in flows:
            target = f.get("to", str(server))
            source = f["from"]
            rows.append(f"| {f['what']} | {source} | {target}:{f['port']} | {f['ports']} | {f['must']} |")
        extra_text = {
            "none": "",
            "http": " It also serves plain HTTP on port 80 (to redirect to HTTPS).",
            "updates": f" Its instances run {update_os} and download updates over HTTPS from the mirror `{mirror}`.",
            "monitoring": f" A Linux monitoring system in `{monitor}` scrapes metrics from the web server on TCP port 9100.",
        }[extra]
        prompt = (
            f"Write the network ACL of the web subnet **{name}** (`{subnet}`); the web server is `{server}`. "
            f"It serves HTTPS to the whole internet; its users reach it from {mix_text}. Administrators "
            f"connect over SSH from `{admin}` using {admin_os}.{extra_text} Nothing else may get in. The "
            "instances' security groups already allow everything these flows need; only the network ACL "
            "decides here.\n\nThe grader runs every flow below through the network ACL, both ways, from each "
            "source address shown and from both ends of the client's port range; a flow that must be denied "
            "has to be stopped by an inbound rule, on its way in.\n\n"
            "| Flow | From | To | Client ports | Must |\n|---|---|---|---|---|\n" + "\n".join(rows)
            + "\n\nWrite the inbound and outbound rules."
        )
        reference_lines = [
            "inbound 100 allow tcp 443 0.0.0.0/0",
            f"inbound 110 allow tcp 22 {admin}",
            f"outbound 100 allow tcp {low}-{high} 0.0.0.0/0",
            f"outbound 110 allow tcp {a_low}-{a_high} {admin}",
        ]
        if extra == "http":
            reference_lines.insert(2, "inbound 120 allow tcp 80 0.0.0.0/0")
        if extra == "monitoring":
            reference_lines.insert(2, f"inbound 120 allow tcp 9100 {monitor}")
            reference_lines.append(f"outbound 120 allow tcp 32768-61000 {monitor}")
        if extra == "updates":
            reference_lines.insert(2, f"inbound 120 allow tcp {u_low}-{u_high} {mirror}/32")
            reference_lines.append(f"outbound 120 allow tcp 443 {mirror}/32")
        starter = (
            f"# Network ACL of {name} ({subnet}): one rule per line, see the syntax help.\n"
            "# The * deny rule is built in.\n"
            "inbound 100 allow tcp 443 0.0.0.0/0\n"
        )
        params: dict[str, JSONValue] = {
            "name": name,
            "subnet": str(subnet),
            "server": str(server),
            "admin": str(admin),
            "clients": mix_text,
            "admin_os": admin_os,
            "flows": flows,
        }
        if extra == "monitoring":
            params["monitor"] = str(monitor)
        if extra == "updates":
            params["mirror"] = str(mirror)
            params["update_os"] = update_os
        explanation = (
            "A network ACL is stateless, so every flow needs two rules: one in the direction of the request "
            "(on the service port) and one in the other direction for the responses, on the *client's* "
            f"ephemeral ports. Clients of the site use ports {low}-{high}; the admins' {admin_os} uses "
            f"{a_low}-{a_high}. Anything not allowed falls to the `*` rule. One configuration that works:\n\n"
            + "\n".join(f"    {line}" for line in reference_lines)
            + "\n\nOther numbers, wider ranges (such as 1024-65535 for the responses) and explicit deny rules "
            "are just as correct as long as every flow in the table behaves as required."
        )
        return Body(
            prompt,
            params,
            explanation,
            spec=LabSpec(syntax=NACL_SYNTAX, starter=starter, reference="\n".join(reference_lines) + "\n"),
        )

    def check(self, params: Mapping[str, JSONValue], config: str) -> LabReport:
        try:
            acl = parse_nacl_config(config, "acl-lab")
        except ConfigSyntaxError as exc:
            raise _syntax_error(exc) from None
        subnet = str(params["subnet"])
        server = ip_address(str(params["server"]))
        checks = []
        for flow in params["flows"]:
            checks.append(_check_nacl_flow(acl, subnet, server, flow))
        return LabReport(tuple(checks))


def _check_nacl_flow(
    acl: NetworkAcl, subnet: str, server: IPv4Address | IPv6Address, flow: Mapping[str, JSONValue]
) -> LabCheck:
    """One flow of the network ACL lab: required flows must work both ways from
    every source and both ends of the client's port range; forbidden ones must
    be denied by an inbound rule."""
    low, high = _ports(str(flow["ports"]))
    port = int(flow["port"])
    must_work = flow["must"] == "work"
    inside = Endpoint("the web subnet", ip_address(str(flow["from"] if "to" in flow else server)), acl, None, subnet)
    sources = [ip_address(s.strip()) for s in str(flow["from"]).split(",")]
    label = f"{flow['what']} from {flow['from']} to {flow.get('to', server)}:{port} must {flow['must']}"
    if "to" in flow:
        # Opened from inside the subnet towards the internet.
        outside = Endpoint("the internet host", ip_address(str(flow["to"])))
        pairs = [(inside, outside, p) for p in (low, high)]
    else:
        pairs = [(Endpoint("the client", src), inside, p) for src in sources for p in (low, high)]
    if must_work:
        for client, target, p in pairs:
            if not connection_works(client, target, Protocol.TCP, port, p):
                result = evaluate_connection(client, target, Protocol.TCP, port, p, until_blocked=True)
                blocking = result.blocking
                assert blocking is not None
                return LabCheck(label, False, f"fails from {client.address} port {p}: {blocking.explain()}")
        client, target, _ = pairs[0]
        request = Packet(Protocol.TCP, client.address, target.address, low, port)
        first = evaluate_nacl(acl, Direction.OUTBOUND if "to" in flow else Direction.INBOUND, request)
        back = evaluate_nacl(acl, Direction.INBOUND if "to" in flow else Direction.OUTBOUND, request.reply())
        return LabCheck(
            label,
            True,
            f"works from every source and client port {low}-{high}: the request passes rule {first.rule_label}, "
            f"the response passes rule {back.rule_label}.",
        )
    for client, target, p in pairs:
        request = Packet(Protocol.TCP, client.address, target.address, p, port)
        decision = evaluate_nacl(acl, Direction.INBOUND, request)
        if decision.allowed:
            return LabCheck(label, False, f"the request from {client.address} port {p} gets in: {decision.explain()}")
    decision = evaluate_nacl(acl, Direction.INBOUND, Packet(Protocol.TCP, sources[0], ip_address(str(server)), low, port))
    return LabCheck(label, True, f"denied on the way in: {decision.explain()}")


# --- Security-group lab ----------------------------------------------------

_APP_PORTS = (8080, 8443, 9000, 3000, 5000)
_DATABASES = (("PostgreSQL", 5432), ("MySQL", 3306), ("SQL Server", 1433), ("Redis", 6379))
_TIERS = ("web", "app", "db")


class SgThreeTierLab(LabGenerator):
    """Write the security groups of a three-tier application with group references."""

    id = "security.lab-sg-three-tier"
    version = 1
    topic = "security"
    note = "security#lab-a-three-tier-application"
    title = "Lab: security groups for three tiers"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        app_name = sc.word(fake)
        vpc = sc.vpc_block(rng)
        net_web, net_app, net_db = sc.subnets(rng, vpc, 3)
        app_port = sc.pick(rng, _APP_PORTS)
        engine, db_port = sc.pick(rng, _DATABASES)
        hosts = {
            "web-1": sc.host(rng, net_web),
            "app-1": sc.host(rng, net_app),
            "db-1": sc.host(rng, net_db),
            "reports-1": sc.host(rng, net_app),
        }
        while hosts["reports-1"] == hosts["app-1"]:
            hosts["reports-1"] = sc.host(rng, net_app)
        user = sc.public_address(rng)
        admin = sc.block_of(sc.address_outside(rng, sc.block_of(user, 24)), 24) if rng.random() < 0.5 else None
        stranger = sc.address_outside(rng, *(b for b in [admin] if b is not None))
        flows: list[dict[str, JSONValue]] = [
            {"must": "work", "from": str(user), "to": "web-1", "port": 443},
            {"must": "work", "from": "web-1", "to": "app-1", "port": app_port},
            {"must": "work", "from": "app-1", "to": "db-1", "port": db_port},
            {"must": "fail", "from": str(stranger), "to": "app-1", "port": app_port},
            {"must": "fail", "from": str(stranger), "to": "db-1", "port": db_port},
            {"must": "fail", "from": "web-1", "to": "db-1", "port": db_port},
            {"must": "fail", "from": "reports-1", "to": "db-1", "port": db_port},
            {"must": "fail", "from": str(stranger), "to": "web-1", "port": 22},
        ]
        if admin is not None:
            flows.insert(3, {"must": "work", "from": str(admin.network_address + 10), "to": "web-1", "port": 22})
        rows = [f"| {f['from']} | {f['to']} | {f['port']} | {f['must']} |" for f in flows]
        hosts_rows = [
            f"| {n} | `{ip}` | {g} |"
            for n, ip, g in (
                ("web-1", hosts["web-1"], "web"),
                ("app-1", hosts["app-1"], "app"),
                ("db-1", hosts["db-1"], "db"),
                ("reports-1", hosts["reports-1"], "reports (given: no inbound rules, all outbound)"),
            )
        ]
        admin_text = f" Administrators also need SSH to the web tier from `{admin}`." if admin else ""
        prompt = (
            f"The **{app_name}** application runs in the VPC `{vpc}`: web servers in `{net_web}`, application "
            f"servers on TCP port {app_port} in `{net_app}`, and a {engine} database on port {db_port} in "
            f"`{net_db}`. A reporting instance that must not touch the database shares the application subnet."
            f"{admin_text} Write the rules of the security groups `web`, `app` and `db` (all subnets use the "
            "default network ACL, and routing reaches every instance):\n\n"
            "| Instance | Address | Security group |\n|---|---|---|\n" + "\n".join(hosts_rows)
            + "\n\nThe grader opens each of these TCP connections (instances use ports 32768-61000 as clients):\n\n"
            "| From | To | Port | Must |\n|---|---|---|---|\n" + "\n".join(rows)
        )
        reference_lines = ["web inbound tcp 443 0.0.0.0/0"]
        if admin is not None:
            reference_lines.append(f"web inbound tcp 22 {admin}")
        reference_lines += [
            f"web outbound tcp {app_port} sg:app",
            f"app inbound tcp {app_port} sg:web",
            f"app outbound tcp {db_port} sg:db",
            f"db inbound tcp {db_port} sg:app",
        ]
        starter = (
            "# <group> <direction> <protocol> [<ports>] <peer>; peers are CIDR blocks or sg:<group>.\n"
            "# As AWS creates them, the three groups allow all outbound traffic and no inbound traffic:\n"
            "web outbound all 0.0.0.0/0\napp outbound all 0.0.0.0/0\ndb outbound all 0.0.0.0/0\n"
        )
        params: dict[str, JSONValue] = {
            "app": app_name,
            "vpc": str(vpc),
            "subnets": {"web": str(net_web), "app": str(net_app), "db": str(net_db)},
            "hosts": {n: str(ip) for n, ip in hosts.items()},
            "app_port": app_port,
            "engine": engine,
            "db_port": db_port,
            "flows": flows,
        }
        if admin is not None:
            params["admin"] = str(admin)
        explanation = (
            "Each tier accepts its port only from the group of the tier in front of it. A rule whose source is "
            "`sg:web` matches the interfaces in the web group, wherever they are; a CIDR rule for the application "
            "subnet would also let `reports-1` in, which shares that subnet. Outbound rules only matter for "
            "connections a group's instances open (security groups are stateful, so responses need nothing). "
            "One configuration that works:\n\n" + "\n".join(f"    {line}" for line in reference_lines)
            + "\n\nKeeping the default all-outbound rules works too: the inbound rules do the filtering here."
        )
        return Body(
            prompt,
            params,
            explanation,
            spec=LabSpec(syntax=SG_SYNTAX, starter=starter, reference="\n".join(reference_lines) + "\n"),
        )

    def check(self, params: Mapping[str, JSONValue], config: str) -> LabReport:
        reports = SecurityGroup(group_id("reports"), "reports", (), (SgRule(Protocol.ALL, None, None, ALL_IPV4),))
        try:
            groups = parse_sg_config(config, _TIERS, {"reports": reports})
        except ConfigSyntaxError as exc:
            raise _syntax_error(exc) from None
        hosts: Mapping[str, JSONValue] = params["hosts"]
        membership = {"web-1": groups["web"], "app-1": groups["app"], "db-1": groups["db"], "reports-1": reports}
        subnets = {"web-1": "web", "app-1": "app", "db-1": "db", "reports-1": "app"}

        def endpoint(name: str) -> Endpoint:
            if name in membership:
                return Endpoint(name, ip_address(str(hosts[name])), None, (membership[name],), subnets[name])
            return Endpoint(name, ip_address(name))

        checks = []
        for flow in params["flows"]:
            client, server = endpoint(str(flow["from"])), endpoint(str(flow["to"]))
            port = int(flow["port"])
            label = f"{flow['from']} to {flow['to']} on {port} must {flow['must']}"
            result = evaluate_connection(client, server, Protocol.TCP, port, 40000)
            blocking = result.blocking
            if flow["must"] == "work":
                if blocking is None:
                    inbound = next(s for s in result.steps if s.direction is Direction.INBOUND and s.sg is not None)
                    assert inbound.sg is not None
                    checks.append(LabCheck(label, True, f"works: {inbound.sg.explain()}"))
                else:
                    checks.append(LabCheck(label, False, f"fails: {blocking.explain()}"))
            elif blocking is None:
                inbound = next(s for s in result.steps if s.direction is Direction.INBOUND and s.sg is not None)
                assert inbound.sg is not None
                checks.append(LabCheck(label, False, f"it connects: {inbound.sg.explain()}"))
            else:
                checks.append(LabCheck(label, True, f"blocked: {blocking.explain()}"))
        return LabReport(tuple(checks))


LABS: list[type[LabGenerator]] = [NaclWebTierLab, SgThreeTierLab]

__all__ = ["LABS", "NACL_SYNTAX", "SG_SYNTAX", "NaclWebTierLab", "SgThreeTierLab"]
