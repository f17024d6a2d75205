"""Generators about security groups: union of groups, references, default and new groups."""

from __future__ import annotations

import random
from ipaddress import IPv4Address, IPv4Network

from faker import Faker

from generators.base import Body, Distractor, Generator, multiple_choice, single_choice
from generators.security import scenario as sc
from generators.security.flow import (
    Component,
    Endpoint,
    Leg,
    Step,
    blocking_step,
    evaluate_connection,
)
from generators.security.model import (
    ALL_IPV4,
    Direction,
    NetworkAcl,
    Packet,
    Protocol,
    SecurityGroup,
    SgRule,
    custom_nacl,
    default_nacl,
    default_security_group,
    evaluate_security_groups,
    new_security_group,
    security_groups_allow,
)
from quizapp.questions import AnswerKind, JSONValue

_DROPPED = "None of them: the packet is dropped"
_TCP = Protocol.TCP
_INBOUND = Direction.INBOUND
_ALL_OUT = (SgRule(Protocol.ALL, None, None, ALL_IPV4),)
"""The outbound rules of a group that allows all outbound traffic (rules are immutable, so one tuple serves all)."""


def _rule_text(group: SecurityGroup | None, rule: SgRule | None) -> str:
    if group is None or rule is None:
        return _DROPPED
    return f"{group.name}: {rule.describe(Direction.INBOUND)}"


def _misread(groups: list[SecurityGroup], change: str, packet: Packet, peers: frozenset[str]) -> str:
    """The rule a misreading picks, as a choice: the groups' inbound rules, each
    rewritten by `change` ("peer": any source matches; "ports": any protocol
    and port match), tried in the order `evaluate_security_groups` tries them;
    the first that allows the packet is named as it is written."""
    for g in groups:
        for r in g.inbound:
            misread = SgRule(r.protocol, r.port_from, r.port_to, ALL_IPV4) if change == "peer" else SgRule(Protocol.ALL, None, None, r.peer)
            if misread.matches(_INBOUND, packet, peers):
                return _rule_text(g, r)
    return _DROPPED


class SgUnion(Generator):
    """Several security groups on one interface: a packet gets in if any rule of any group allows it."""

    id = "security.sg-union"
    version = 1
    topic = "security"
    kind = AnswerKind.SINGLE
    note = "security#several-groups-on-one-interface"
    title = "Several security groups on one interface"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        vpc = sc.vpc_block(rng)
        net_src, net_dst, net_other = sc.subnets(rng, vpc, 3)
        target_ip = sc.host(rng, net_dst)
        service, port = sc.pick(rng, [s for s in sc.SERVICES if s[1] != 22])
        internal = rng.random() < 0.5
        count = sc.between(rng, 2, 3)
        word_list = sc.words(fake, count + 1)
        client_group = SecurityGroup(sc.hex_id(rng, "sg"), f"{word_list[0]}-sg", (), ())
        source: IPv4Address = sc.host(rng, net_src) if internal else sc.public_address(rng)
        names = [f"{word}-{suffix}" for word, suffix in zip(word_list[1:], ("sg", "access", "ops"), strict=False)]
        ids = [sc.hex_id(rng, "sg") for _ in names]
        rules: list[list[SgRule]] = [[] for _ in names]
        # A decoy in the first group: right port, wrong source.
        if internal:
            decoy_options: list[IPv4Network | str] = [net_other, sc.hex_id(rng, "sg")]
            decoy_peer: IPv4Network | str = sc.pick(rng, decoy_options)
        else:
            decoy_net = sc.pick(rng, [vpc, sc.public_block(rng)])
            while source in decoy_net:
                decoy_net = sc.public_block(rng)
            decoy_peer = decoy_net
        rules[0].append(SgRule(Protocol.TCP, port, port, decoy_peer))
        admin = sc.public_block(rng)
        rules[sc.below(rng, count)].append(SgRule(Protocol.TCP, 22, 22, admin))
        allowed_case = rng.random() < 0.75
        if allowed_case:
            k = sc.in_range(rng, 1, count)
            if internal:
                peer_options: list[IPv4Network | str] = [net_src, vpc, client_group.id]
                peer: IPv4Network | str = sc.pick(rng, peer_options)
            else:
                peer = sc.pick(rng, [ALL_IPV4, sc.block_of(source, 24)])
            low = port if rng.random() < 0.6 else max(1, port - sc.between(rng, 1, 20))
            rules[k].append(SgRule(Protocol.TCP, low, port + sc.between(rng, 0, 10), peer))
        else:
            other_port = sc.pick(rng, [p for _, p in sc.SERVICES if p not in (port, 22)])
            k = sc.below(rng, count)
            rules[k].append(SgRule(Protocol.TCP, other_port, other_port, ALL_IPV4 if not internal else net_src))
        for group_rules in rules:
            sc.shuffle(rng, group_rules)
        groups = [SecurityGroup(i, n, tuple(gr), _ALL_OUT) for i, n, gr in zip(ids, names, rules, strict=True)]
        cport = sc.between(rng, 32768, 60999)
        packet = Packet(_TCP, source, target_ip, cport, port)
        peers = frozenset({client_group.id}) if internal else frozenset()
        decision = evaluate_security_groups(groups, _INBOUND, packet, peers)
        answer = _rule_text(decision.group, decision.rule)
        first = evaluate_security_groups(groups[:1], _INBOUND, packet, peers)
        every = first.allowed and all(security_groups_allow((g,), _INBOUND, packet, peers) for g in groups[1:])
        distractors = [
            Distractor(_rule_text(first.group, first.rule), "think only the first security group attached to the interface counts"),
            Distractor(
                _rule_text(first.group, first.rule) if every else _DROPPED,
                "think every attached security group must allow the packet",
            ),
        ]
        for change, misconception in (("peer", "ignore the source of a rule"), ("ports", "ignore the port range of a rule")):
            distractors.append(Distractor(_misread(groups, change, packet, peers), misconception))
        source_text = sc.text(source)
        who = (
            f"the instance `{source_text}` in the subnet `{sc.text(net_src)}`, whose only security group is {client_group.name} ({client_group.id})"
            if internal
            else f"the host `{source_text}` on the internet"
        )
        shown = [sc.sg_shown(g.inbound, _INBOUND) for g in groups]
        tables = "\n\n".join([f"**{g.name}** ({g.id}), inbound:\n\n{table}" for g, (table, _) in zip(groups, shown, strict=True)])
        prompt = (
            f"An instance at `{sc.text(target_ip)}` in the VPC `{sc.text(vpc)}` has {count} security groups attached to its network "
            f"interface:\n\n{tables}\n\n(Each also allows all outbound traffic.) {sc.article(service, capital=True)} {service} request arrives from "
            f"{who}: a TCP packet from `{sc.endpoint_text(source, cport)}` to `{sc.endpoint_text(target_ip, port)}`. "
            "Which rule lets it in?"
        )
        checks = []
        for g in groups:
            for r in g.inbound:
                why = r.mismatch(_INBOUND, packet, peers)
                checks.append(f"- {g.name}: {r.describe(_INBOUND)}: {'**allows it**' if why is None else 'no (' + why + ')'}")
        explanation = (
            "The rules of every group attached to an interface are pooled into one set, and a packet gets in if "
            "any rule in the pool allows it; there are no deny rules, and the order of the groups does not "
            "matter.\n\n" + "\n".join(checks) + f"\n\n{decision.explain()}"
        )
        params: dict[str, JSONValue] = {
            "vpc": sc.text(vpc),
            "target": sc.text(target_ip),
            "groups": [{"id": g.id, "name": g.name, "inbound": rows} for g, (_, rows) in zip(groups, shown, strict=True)],
            "source": source_text,
            "source_port": cport,
            "port": port,
            "service": service,
        }
        if internal:
            params["client_group"] = {"id": client_group.id, "name": client_group.name}
            params["source_subnet"] = sc.text(net_src)
        return Body(prompt, params, explanation, choices=single_choice(rng, answer, distractors))


def _outcome(step: Step | None, subnet_of: dict[str, str]) -> str:
    """A flow's outcome as a choice, from the first step that drops it (None: it works)."""
    if step is None:
        return "The connection works"
    what = "request" if step.leg in (Leg.REQUEST_OUT, Leg.REQUEST_IN) else "response"
    if step.component is Component.SECURITY_GROUP:
        return f"It fails: the security group of {step.endpoint} drops the {what}"
    return f"It fails: the network ACL of the subnet {subnet_of[step.endpoint]} denies the {what}"


class DefaultAndNew(Generator):
    """What the VPC's default security group and network ACL allow, against new ones."""

    id = "security.default-vs-new"
    version = 1
    topic = "security"
    kind = AnswerKind.SINGLE
    note = "security#default-and-new-filters"
    title = "Default and new security groups and network ACLs"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        vpc = sc.vpc_block(rng)
        net_a, net_b = sc.subnets(rng, vpc, 2)
        sub_a, sub_b = sc.label(fake, "app"), sc.label(fake, "data")
        service, port = sc.pick(rng, [("PostgreSQL", 5432), ("MySQL", 3306), ("HTTP", 8080), ("Redis", 6379)])
        name_a, name_b = f"{sc.word(fake)}-1", f"{sc.word(fake)}-db"
        if name_a == name_b:
            name_b += "2"
        default_sg = default_security_group(sc.hex_id(rng, "sg"))
        fresh = new_security_group(sc.hex_id(rng, "sg"), f"{sc.word(fake)}-sg")
        variant = sc.pick(rng, ["both-default", "default-and-new", "both-new", "custom-nacl", "default-nacl"])
        same_subnet = variant in ("both-default", "default-and-new", "both-new")
        acl_a = default_nacl(sc.hex_id(rng, "acl"))
        acl_b = custom_nacl(sc.hex_id(rng, "acl")) if variant == "custom-nacl" else default_nacl(sc.hex_id(rng, "acl"))
        if same_subnet:
            acl_b = acl_a
        host_a = sc.host(rng, net_a)
        host_b = sc.host(rng, net_a if same_subnet else net_b)
        subnet_of = {name_a: sub_a, name_b: sub_a if same_subnet else sub_b}

        def run(groups_a: tuple[SecurityGroup, ...], groups_b: tuple[SecurityGroup, ...], nacl_b: NetworkAcl) -> str:
            a = Endpoint(name_a, host_a, acl_a, groups_a, sub_a)
            b = Endpoint(name_b, host_b, nacl_b, groups_b, subnet_of[name_b])
            return _outcome(blocking_step(a, b, _TCP, port, 40000), subnet_of)

        d, f = (default_sg,), (fresh,)
        groups_a = f if variant in ("default-and-new", "both-new") else d
        groups_b = f if variant == "both-new" else d
        a = Endpoint(name_a, host_a, acl_a, groups_a, sub_a)
        b = Endpoint(name_b, host_b, acl_b, groups_b, subnet_of[name_b])
        # The model's full walk of the scenario: it explains the answer, and its first drop is the answer.
        trace = evaluate_connection(a, b, _TCP, port, 40000)
        answer = _outcome(trace.blocking, subnet_of)
        if variant == "both-default":
            setup = f"Both instances use only the VPC's default security group ({default_sg.id})"
            no_inbound_default = (SecurityGroup(default_sg.id, default_sg.name, (), default_sg.outbound),)
            cases = [(run(no_inbound_default, no_inbound_default, acl_b), "forget that the default security group allows inbound traffic from its own members")]
        elif variant == "default-and-new":
            setup = (f"`{name_b}` uses only the VPC's default security group ({default_sg.id}); `{name_a}` uses only "
                     f"{fresh.name} ({fresh.id}), a security group created a minute ago with its initial rules")
            all_in_default = SecurityGroup(default_sg.id, default_sg.name, (SgRule(Protocol.ALL, None, None, ALL_IPV4),), default_sg.outbound)
            cases = [(run(f, (all_in_default,), acl_b), "think the default security group allows all inbound traffic")]
        elif variant == "both-new":
            setup = (f"Both instances use only {fresh.name} ({fresh.id}), a security group created a minute ago with "
                     "its initial rules")
            fresh_like_default = (SecurityGroup(fresh.id, fresh.name, (SgRule(Protocol.ALL, None, None, fresh.id),), fresh.outbound),)
            cases = [(run(fresh_like_default, fresh_like_default, acl_b), "expect a new security group to allow traffic from its own members, like the default group")]
        elif variant == "custom-nacl":
            setup = (f"Both instances use only the VPC's default security group ({default_sg.id}). `{sub_a}` uses the "
                     f"VPC's default network ACL; `{sub_b}` was just associated with {acl_b.id}, a network ACL created "
                     "a minute ago with no rules added")
            cases = [(run(d, d, default_nacl(acl_b.id)), "think a new custom network ACL allows all traffic, like the default one")]
        else:
            setup = (f"Both instances use only the VPC's default security group ({default_sg.id}), and both subnets use "
                     f"the VPC's default network ACL ({acl_a.id} and {acl_b.id})")
            cases = [(run(d, d, NetworkAcl(acl_b.id, (), acl_b.outbound)), "think the default network ACL denies all inbound traffic, like a new security group")]
        cases.append((run(d, d, acl_b) if variant in ("both-new", "default-and-new") else run(f, f, acl_b),
                      "mix up the default security group and a newly created one"))
        stateless = blocking_step(a, b, _TCP, port, 40000, sg_stateless=True)
        cases.append((_outcome(stateless, subnet_of), "treat security groups as stateless, so responses need rules of their own"))
        distractors = [Distractor(text, m) for text, m in cases]
        net_a_text, host_b_text = sc.text(net_a), sc.text(host_b)
        where = (f"in the same subnet **{sub_a}** (`{net_a_text}`)" if same_subnet
                 else f"in the subnets **{sub_a}** (`{net_a_text}`) and **{sub_b}** (`{sc.text(net_b)}`)")
        prompt = (
            f"In the VPC `{sc.text(vpc)}`, the instances `{name_a}` (`{sc.text(host_a)}`) and `{name_b}` (`{host_b_text}`) are {where}. "
            f"{setup}. Nothing else has been changed. `{name_a}` opens {sc.article(service)} {service} connection to "
            f"`{host_b_text}:{port}`. What happens?"
        )
        explanation = (
            "A VPC's default security group allows inbound traffic from interfaces in that same group and all "
            "outbound traffic; a security group you create starts with no inbound rule and one rule allowing all "
            "outbound traffic. The VPC's default network ACL allows everything in and out; a network ACL you "
            "create denies everything until you add rules. Traffic between two instances of the same subnet does "
            "not cross its network ACL. Step by step (client port 40000):\n\n"
            + "\n".join([f"- {s.explain()}" for s in trace.steps])
            + f"\n\nSo: **{answer}**."
        )
        params: dict[str, JSONValue] = {
            "vpc": sc.text(vpc), "a": name_a, "b": name_b, "a_ip": sc.text(host_a), "b_ip": host_b_text,
            "subnet_a": sub_a, "net_a": net_a_text, "port": port, "service": service,
        }
        if variant != "both-new":
            params["default_sg"] = default_sg.id
        if not same_subnet:
            params.update({"subnet_b": sub_b, "net_b": sc.text(net_b), "acl_b": acl_b.id})
        if variant in ("default-and-new", "both-new"):
            params.update({"fresh": fresh.name, "fresh_id": fresh.id})
        return Body(prompt, params, explanation, choices=single_choice(rng, answer, distractors))


class SgReferenceMembers(Generator):
    """Who a security-group reference lets in: the members of that group, nothing else."""

    id = "security.sg-reference-members"
    version = 1
    topic = "security"
    kind = AnswerKind.MULTIPLE
    note = "security#rules-and-references"
    title = "Who does a security-group reference let in?"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        vpc = sc.vpc_block(rng)
        net_app, net_app2, net_db, net_web = sc.subnets(rng, vpc, 4)
        engine, port = sc.pick(rng, [("PostgreSQL", 5432), ("MySQL", 3306), ("SQL Server", 1433), ("Oracle", 1521)])
        word = sc.word(fake)
        app = new_security_group(sc.hex_id(rng, "sg"), f"{word}-app")
        monitor = new_security_group(sc.hex_id(rng, "sg"), f"{word}-monitor")
        batch = new_security_group(sc.hex_id(rng, "sg"), f"{word}-batch")
        db = SecurityGroup(sc.hex_id(rng, "sg"), f"{word}-db", (SgRule(_TCP, port, port, app.id),), app.outbound)
        web = SecurityGroup(sc.hex_id(rng, "sg"), f"{word}-web", (SgRule(_TCP, 443, 443, ALL_IPV4),), (SgRule(_TCP, port, port, db.id),))
        acl = default_nacl(sc.hex_id(rng, "acl"))
        db_host = Endpoint("db-1", sc.host(rng, net_db), acl, (db,), "db")
        people = sc.words(fake, 6)
        candidates: list[tuple[str, IPv4Address, tuple[SecurityGroup, ...], str, str | None]] = [
            (f"{people[0]}-app", sc.host(rng, net_app), (app,), "app-a", None),
            (f"{people[1]}-app", sc.host(rng, net_app2), (monitor, app), "app-b", None),
            (f"{people[2]}-batch", sc.host(rng, net_app), (batch,), "app-a", "think a security-group reference allows the whole subnet its members are in"),
            (f"{people[3]}-db", sc.host(rng, net_db), (db,), "db", "expect members of a security group to reach each other without a rule that references the group"),
            (f"{people[4]}-web", sc.host(rng, net_web), (web,), "web", "think an outbound rule in the client's group is enough without a matching inbound rule on the server's group"),
        ]
        if rng.random() < 0.5:
            candidates.append((f"{people[5]}-app", sc.host(rng, net_app2), (app, batch), "app-b", None))
        answers: list[str] = []
        distractors: list[Distractor] = []
        rows: list[str] = []
        trace: list[str] = []
        instances: list[JSONValue] = []
        seen: set[str] = set()
        for i, (drawn, ip, groups, subnet, misconception) in enumerate(candidates):
            name = f"{drawn}{i}" if drawn in seen else drawn
            seen.add(drawn)
            client = Endpoint(name, ip, acl, groups, subnet)
            cport = sc.between(rng, 32768, 61000)
            step = blocking_step(client, db_host, _TCP, port, cport)
            works = step is None
            assert works == (misconception is None), name
            group_names = ", ".join([g.name for g in groups])
            ip_text = sc.text(ip)
            text = f"{name} (`{ip_text}`, groups: {group_names})"
            if misconception is None:
                answers.append(text)
            else:
                distractors.append(Distractor(text, misconception))
            rows.append(f"| {name} | `{ip_text}` | {group_names} |")
            instances.append({"name": name, "address": ip_text})
            trace.append(f"- {name}: connects." if step is None else f"- {name}: {step.explain()}")
        db_ip = sc.text(db_host.address)
        prompt = (
            f"In the VPC `{sc.text(vpc)}`, the {engine} database `db-1` (`{db_ip}`) uses the security group "
            f"{db.name} ({db.id}), whose only inbound rule allows tcp {port} from {app.id} ({app.name}). "
            f"{web.name} ({web.id}) has one outbound rule, tcp {port} to {db.id}; every other group allows all outbound "
            f"traffic. All subnets use the default network ACL. These instances try to connect to `db-1` on port {port}:\n\n"
            "| Instance | Address | Security groups |\n|---|---|---|\n" + "\n".join(rows)
            + f"\n\nWhich of them can connect? (Choose {len(answers)}.)"
        )
        explanation = (
            f"A rule whose source is a security group ({app.id}) matches traffic from the network interfaces that "
            "group is attached to, whatever their subnet or address, and nothing else: not the rest of the subnet, "
            "not other members of the server's own group (only a rule that references a group lets its members in), "
            "and an outbound rule on the client does nothing without an inbound rule on the server. Instance "
            "by instance:\n\n" + "\n".join(trace)
        )
        params: dict[str, JSONValue] = {
            "vpc": sc.text(vpc), "engine": engine, "port": port, "db": db.name, "db_id": db.id, "app": app.name,
            "app_id": app.id, "web": web.name, "web_id": web.id, "db_ip": db_ip,
            "instances": instances,
        }
        return Body(prompt, params, explanation, choices=multiple_choice(rng, answers, distractors, count=len(answers) + 3))


GENERATORS: list[type[Generator]] = [SgUnion, DefaultAndNew, SgReferenceMembers]
