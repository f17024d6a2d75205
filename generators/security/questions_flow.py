"""Generators about connections: stateless network ACLs, ephemeral ports, and the path through both filters."""

from __future__ import annotations

import random
from dataclasses import dataclass
from ipaddress import IPv4Address

from faker import Faker

from generators.base import (
    Body,
    Distractor,
    Generator,
    multiple_choice,
    ordering_choices,
    single_choice,
)
from generators.security import scenario as sc
from generators.security.flow import (
    Component,
    Endpoint,
    Leg,
    Step,
    blocking_step,
    connection_works,
    evaluate_connection,
    failing_steps,
)
from generators.security.model import (
    ALL_IPV4,
    Action,
    Direction,
    NaclReading,
    NaclRule,
    NetworkAcl,
    Packet,
    Protocol,
    SecurityGroup,
    SgRule,
    ephemeral_ports,
    evaluate_nacl,
    evaluate_nacl_readings,
    nacl_allows,
    security_groups_allow,
)
from quizapp.questions import AnswerKind, JSONValue, TextSpec

_TCP = Protocol.TCP
_ALLOW, _DENY = Action.ALLOW, Action.DENY
_INBOUND, _OUTBOUND = Direction.INBOUND, Direction.OUTBOUND


def _response_text(allowed: bool, rule: NaclRule | None) -> str:
    if rule is None:
        return "No: no outbound rule matches, so the * rule denies it"
    if allowed:
        return f"Yes: outbound rule {rule.number} allows it"
    return f"No: outbound rule {rule.number} denies it"


def _works_for_range(
    client: Endpoint, server: Endpoint, port: int, low: int, high: int, *, nacl_stateful: bool = False
) -> bool:
    """True when the connection works from both ends of the client's ephemeral range."""
    return all(connection_works(client, server, Protocol.TCP, port, p, nacl_stateful=nacl_stateful) for p in (low, high))


class NaclResponseAllowed(Generator):
    """Does the response to an allowed request leave the subnet? Network ACLs are stateless."""

    id = "security.nacl-response-allowed"
    version = 1
    topic = "security"
    kind = AnswerKind.SINGLE
    note = "security#stateful-and-stateless"
    title = "Is the response allowed out?"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        name = sc.label(fake, sc.pick(rng, ["web", "api", "edge"]))
        subnet = sc.one_subnet(rng)
        server = sc.host(rng, subnet)
        service, port = sc.pick(rng, [s for s in sc.SERVICES if s[1] in (443, 80, 22, 3389)])
        os_name, family = sc.pick(rng, sc.OS_CLIENTS)
        low, high = ephemeral_ports(family)
        client = sc.public_address(rng)
        cport = sc.between(rng, low, high)
        client_net = sc.block_of(client, 24)
        variant = sc.below(rng, 5)
        outbound: list[NaclRule] = []
        if variant == 0:
            outbound.append(NaclRule(100, _ALLOW, _TCP, 1024, 65535, ALL_IPV4))
        elif variant == 1:
            outbound.append(NaclRule(100, _ALLOW, _TCP, 32768, 61000, ALL_IPV4))
        elif variant == 2:
            outbound.append(NaclRule(100, _ALLOW, _TCP, 49152, 65535, ALL_IPV4))
        elif variant == 3:
            outbound.append(NaclRule(100, _ALLOW, _TCP, port, port, ALL_IPV4))
        else:
            outbound.append(NaclRule(90, _DENY, Protocol.ALL, None, None, client_net))
            outbound.append(NaclRule(100, _ALLOW, _TCP, 1024, 65535, ALL_IPV4))
        if rng.random() < 0.5:
            outbound.append(NaclRule(200, _ALLOW, _TCP, 443, 443, ALL_IPV4))
        inbound = (NaclRule(100, _ALLOW, _TCP, port, port, ALL_IPV4),)
        acl = NetworkAcl(sc.hex_id(rng, "acl"), inbound, tuple(outbound))
        response = Packet(_TCP, server, client, port, cport)
        readings = evaluate_nacl_readings(acl, _OUTBOUND, response)
        decision = readings[NaclReading.RULE_NUMBER]
        answer = _response_text(decision.allowed, decision.rule)
        by_server_port = evaluate_nacl(acl, _OUTBOUND, Packet(_TCP, server, client, cport, port))
        last = readings[NaclReading.LAST_MATCH]
        distractors = [
            Distractor("Yes: it answers a request the network ACL let in, so no outbound rule is needed", "treat the network ACL as stateful"),
            Distractor(
                _response_text(by_server_port.allowed, by_server_port.rule),
                f"match the outbound rule against the server's port {port} instead of the client's port {cport}",
            ),
            Distractor(_response_text(last.allowed, last.rule), "expect a later rule to override an earlier one"),
        ]
        inbound_table, inbound_rows = sc.nacl_shown(acl.inbound, _INBOUND)
        outbound_table, outbound_rows = sc.nacl_shown(acl.outbound, _OUTBOUND)
        prompt = (
            f"The subnet **{name}** (`{subnet}`) uses network ACL {acl.id}. Inbound rules:\n\n"
            f"{inbound_table}\n\nOutbound rules:\n\n{outbound_table}\n\n"
            f"A client on the internet running {os_name} opens {sc.article(service)} {service} connection from "
            f"`{sc.endpoint_text(client, cport)}` to `{sc.endpoint_text(server, port)}`. The request is let in by "
            f"inbound rule 100 and the instance's security group allows it. Does the server's response leave the subnet?"
        )
        explanation = (
            "A network ACL is stateless: it does not remember that it let the request in, so the response is a "
            f"new packet checked against the outbound rules. The response goes from `{sc.endpoint_text(server, port)}` "
            f"back to the client's ephemeral port, `{sc.endpoint_text(client, cport)}`, and an outbound rule's port "
            f"range is compared with that destination port, {cport}:\n\n"
            f"{sc.nacl_walk(acl, Direction.OUTBOUND, response)}\n\n"
            f"{decision.explain()} ({os_name} picks its ports from {low}-{high}.)"
        )
        params: dict[str, JSONValue] = {
            "name": name,
            "subnet": sc.text(subnet),
            "acl": acl.id,
            "inbound": inbound_rows,
            "outbound": outbound_rows,
            "os": os_name,
            "service": service,
            "client": sc.text(client),
            "client_port": cport,
            "server": sc.text(server),
            "port": port,
        }
        return Body(prompt, params, explanation, choices=single_choice(rng, answer, distractors))


@dataclass(frozen=True)
class _RangeCase:
    """One ephemeral-port scenario: who picks the port and where the rule goes."""

    prompt: str
    low: int
    high: int
    why: str
    params: dict[str, JSONValue]


def _range_case(rng: random.Random, fake: Faker) -> _RangeCase:
    vpc = sc.vpc_block(rng)
    first, second = sc.subnets(rng, vpc, 2)
    name_a, name_b = sc.label(fake, "public"), sc.label(fake, "private")
    case = sc.below(rng, 5)
    if case <= 1:
        os_name, family = sc.pick(rng, sc.OS_CLIENTS)
        low, high = ephemeral_ports(family)
        if case == 0:
            text = (
                f"Clients on the internet running {os_name} browse a web site on instances in the subnet **{name_a}** "
                f"(`{first}`). Which destination port range must an outbound rule of {name_a}'s network ACL allow "
                "so that the responses reach those clients?"
            )
            why = f"The clients open the connections, so they pick the ports: {os_name} uses {low}-{high}."
        else:
            text = (
                f"Instances running {os_name} in the subnet **{name_a}** (`{first}`) download updates over HTTPS "
                f"from the internet. Which destination port range must an inbound rule of {name_a}'s network ACL "
                "allow so that the responses get back to the instances?"
            )
            why = f"The instances open the connections, so they pick the ports: {os_name} uses {low}-{high}."
        return _RangeCase(text, low, high, why, {"os": os_name, "name": name_a, "subnet": str(first)})
    low, high = ephemeral_ports({2: "nat-gateway", 3: "elb", 4: "lambda"}[case])
    if case == 2:
        text = (
            f"Instances in the private subnet **{name_b}** (`{second}`) reach the internet through a NAT gateway "
            f"in the public subnet **{name_a}** (`{first}`). Which destination port range must an inbound rule of "
            f"{name_a}'s network ACL allow so that the responses from the internet get back to the NAT gateway?"
        )
        why = "The NAT gateway rewrites each connection's source to its own address and a port it picks from 1024-65535."
    elif case == 3:
        text = (
            f"An Application Load Balancer in the subnet **{name_a}** (`{first}`) forwards requests to targets in "
            f"the subnet **{name_b}** (`{second}`). Which destination port range must an outbound rule of "
            f"{name_b}'s network ACL allow towards `{first}` so that the targets' responses reach the load balancer?"
        )
        why = "The load balancer opens the connections to the targets, and Elastic Load Balancing uses ports 1024-65535."
    else:
        text = (
            f"A Lambda function attached to the subnet **{name_a}** (`{first}`) queries a database in the subnet "
            f"**{name_b}** (`{second}`). Which destination port range must an outbound rule of {name_b}'s network "
            f"ACL allow towards `{first}` so that the database's responses reach the function?"
        )
        why = "The function opens the connections, and Lambda uses ports 1024-65535."
    return _RangeCase(text, low, high, why, {"public": name_a, "public_subnet": str(first), "private": name_b, "private_subnet": str(second)})


class EphemeralPortRange(Generator):
    """Which ephemeral port range a network ACL must allow for the responses, by client type."""

    id = "security.ephemeral-port-range"
    version = 1
    topic = "security"
    kind = AnswerKind.TEXT
    note = "security#ephemeral-ports"
    title = "Ephemeral ports for the return traffic"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        case = _range_case(rng, fake)
        low, high = case.low, case.high
        accepted = (
            f"{low}-{high}",
            f"{low} - {high}",
            f"{low} to {high}",
            f"{low}–{high}",
            f"{low:,}-{high:,}",
            f"{low:,} to {high:,}",
            f"tcp {low}-{high}",
        )
        # Check, with the evaluator, that the rule covers even the top of the range.
        probe = NetworkAcl("acl-probe", (), (NaclRule(100, Action.ALLOW, Protocol.TCP, low, high, ALL_IPV4),))
        top = evaluate_nacl(probe, Direction.OUTBOUND, Packet(Protocol.TCP, IPv4Address("10.0.0.10"), IPv4Address("10.0.1.10"), 443, high))
        explanation = (
            f"{case.why} The response travels back to that port, so the port range of the rule for the return "
            f"traffic is the initiator's ephemeral range: **{low}-{high}**. A rule for {low}-{high} covers even the "
            f"highest port, {high} ({top.explain()[0].lower() + top.explain()[1:]}). A wider range such as 1024-65535 also works "
            "but opens more; network ACLs are stateless, so nothing lets the responses through on its own. "
            "Write the answer as `low-high`."
        )
        prompt = case.prompt + " Answer as a range, like `1000-2000`."
        return Body(prompt, case.params, explanation, spec=TextSpec(accepted))


_Change = tuple[str, NaclRule | SgRule]
"""A change to the scenario: where a rule is added ("nacl-in", "nacl-out", "sg-in", "sg-out") and the rule."""


_SERVER_FILTERS = ("nacl-in", "sg-in", "nacl-out")
"""The server-side filters a connection from the internet crosses (a stateful group's outbound rules are not among them)."""


class FixTheFlow(Generator):
    """Choose the two changes that make a failing connection work."""

    id = "security.fix-flow"
    version = 1
    topic = "security"
    kind = AnswerKind.MULTIPLE
    note = "security#a-connection-through-both-filters"
    title = "Two changes that fix the connection"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        name = sc.label(fake, sc.pick(rng, ["web", "api", "portal"]))
        subnet = sc.one_subnet(rng)
        server_ip = sc.host(rng, subnet)
        service, port = sc.pick(rng, [("HTTPS", 443), ("HTTP", 80), ("RDP", 3389), ("SSH", 22)])
        os_name, family = sc.pick(rng, sc.OS_CLIENTS)
        low, high = ephemeral_ports(family)
        client_ip = sc.public_address(rng)
        admin = sc.public_block(rng)
        other_low, other_high = ephemeral_ports("linux" if family == "windows" else "windows")
        ret_low, ret_high = sc.pick(rng, [(low, high), (1024, 65535)])
        variant = sc.pick(rng, ["nacl", "sg-out", "sg-in"])
        number = sc.pick(rng, [100, 110, 120, 130])
        admin_rule = NaclRule(number + 100, _ALLOW, _TCP, 22, 22, admin)
        inbound: tuple[NaclRule, ...] = (admin_rule,)
        outbound: tuple[NaclRule, ...] = (NaclRule(number + 100, _ALLOW, _TCP, 443, 443, ALL_IPV4),)
        sg_in: tuple[SgRule, ...] = (SgRule(_TCP, 22, 22, admin),)
        nacl_in_rule = NaclRule(number, _ALLOW, _TCP, port, port, ALL_IPV4)
        sg_in_rule = SgRule(_TCP, port, port, ALL_IPV4)
        if variant == "nacl":
            sg_in += (sg_in_rule,)
        if variant == "sg-out":
            inbound += (nacl_in_rule,)
        if variant == "sg-in":
            outbound += (NaclRule(number, _ALLOW, _TCP, 1024, 65535, ALL_IPV4),)
        acl = NetworkAcl(sc.hex_id(rng, "acl"), inbound, outbound)
        sg = SecurityGroup(sc.hex_id(rng, "sg"), f"{name}-sg", sg_in, ())
        nacl_in: tuple[str, _Change] = (f"Network ACL: add inbound rule {number}, allow tcp {port} from 0.0.0.0/0", ("nacl-in", nacl_in_rule))
        nacl_out: tuple[str, _Change] = (
            f"Network ACL: add outbound rule {number}, allow tcp {ret_low}-{ret_high} to 0.0.0.0/0",
            ("nacl-out", NaclRule(number, _ALLOW, _TCP, ret_low, ret_high, ALL_IPV4)),
        )
        sg_add: tuple[str, _Change] = (f"Security group: add inbound rule tcp {port} from 0.0.0.0/0", ("sg-in", sg_in_rule))
        correct = {"nacl": [nacl_in, nacl_out], "sg-out": [sg_add, nacl_out], "sg-in": [sg_add, nacl_in]}[variant]
        wrong_number = number + 10
        candidates: list[tuple[str, _Change, str]] = [
            (f"Security group: add outbound rule tcp {low}-{high} to 0.0.0.0/0",
             ("sg-out", SgRule(_TCP, low, high, ALL_IPV4)),
             "treat the security group as stateless, so that its responses need an outbound rule"),
            (f"Network ACL: add inbound rule {wrong_number}, allow tcp {low}-{high} from 0.0.0.0/0",
             ("nacl-in", NaclRule(wrong_number, _ALLOW, _TCP, low, high, ALL_IPV4)),
             "put the rule for the return traffic in the wrong direction"),
            (f"Network ACL: add outbound rule {wrong_number}, allow tcp {port} to 0.0.0.0/0",
             ("nacl-out", NaclRule(wrong_number, _ALLOW, _TCP, port, port, ALL_IPV4)),
             f"expect the response to go to port {port} rather than to the client's ephemeral port"),
            (f"Network ACL: add outbound rule {wrong_number}, allow tcp {other_low}-{other_high} to 0.0.0.0/0",
             ("nacl-out", NaclRule(wrong_number, _ALLOW, _TCP, other_low, other_high, ALL_IPV4)),
             f"use the ephemeral range of another operating system than {os_name}"),
        ]
        client = Endpoint("client", client_ip)
        # The client is outside the VPC, so the connection works when, for a
        # client port at each end of its range, the server subnet's network
        # ACL lets the request in, the server's security group lets the
        # request in, and the network ACL lets the response out: the legs
        # `connection_works` checks for such a client (the security group is
        # stateful, so its outbound rules never matter).  Each filter is
        # checked once per set of added rules with the yes/no evaluators.
        requests = (Packet(_TCP, client_ip, server_ip, low, port), Packet(_TCP, client_ip, server_ip, high, port))
        responses = (requests[0].reply(), requests[1].reply())
        changes = [c[1] for c in correct] + [c[1] for c in candidates]

        def passes(where: str, added: tuple[NaclRule | SgRule, ...]) -> bool:
            """Whether one filter of the server, with `added` rules, lets both connections' packets through."""
            if where == "sg-in":
                sg_rules = tuple([r for r in added if isinstance(r, SgRule)])
                group = (SecurityGroup(sg.id, sg.name, sg.inbound + sg_rules, sg.outbound),)
                return security_groups_allow(group, _INBOUND, requests[0]) and security_groups_allow(group, _INBOUND, requests[1])
            rules = tuple([r for r in added if isinstance(r, NaclRule)])
            # Only the direction this filter reads is built.
            if where == "nacl-in":
                changed = NetworkAcl(acl.id, acl.inbound + rules, ())
                return nacl_allows(changed, _INBOUND, requests[0]) and nacl_allows(changed, _INBOUND, requests[1])
            changed = NetworkAcl(acl.id, (), acl.outbound + rules)
            return nacl_allows(changed, _OUTBOUND, responses[0]) and nacl_allows(changed, _OUTBOUND, responses[1])

        verdicts: dict[tuple[str, int, int], bool] = {}  # (filter, changes applied to it, -1 for none) -> passes

        def works(i: int, j: int) -> bool:
            """The connection with changes i and j applied: every filter on its path passes
            (filters already known to drop it are looked at first)."""
            where_i, where_j = changes[i][0], changes[j][0]
            keys = []
            for where in _SERVER_FILTERS:
                a, b = i if where_i == where else -1, j if where_j == where else -1
                key = (where, a, b) if a >= b else (where, b, a)
                if verdicts.get(key) is False:
                    return False
                keys.append(key)
            for key in keys:
                verdict = verdicts.get(key)
                if verdict is None:
                    where, a, b = key
                    verdict = verdicts[key] = passes(where, tuple([changes[k][1] for k in (a, b) if k >= 0]))
                if not verdict:
                    return False
            return True

        # Both fixes are needed and enough (tests check that neither alone is).
        assert works(0, 1)
        distractors = []
        for k, (text, _, misconception) in enumerate(candidates, 2):
            if not works(0, k) and not works(1, k):
                distractors.append(Distractor(text, misconception))
        sc.shuffle(rng, distractors)
        failing = failing_steps(client, Endpoint(name, server_ip, acl, (sg,), name), _TCP, port, high)
        inbound_table, inbound_rows = sc.nacl_shown(acl.inbound, _INBOUND)
        outbound_table, outbound_rows = sc.nacl_shown(acl.outbound, _OUTBOUND)
        sg_table, sg_rows = sc.sg_shown(sg.inbound, _INBOUND)
        prompt = (
            f"Users running {os_name} cannot reach the {service} service on `{sc.endpoint_text(server_ip, port)}` in the "
            f"subnet **{name}** (`{subnet}`); their connections time out. The subnet's network ACL {acl.id} has these rules.\n\n"
            f"Inbound:\n\n{inbound_table}\n\nOutbound:\n\n{outbound_table}\n\n"
            f"The instance's only security group, {sg.name}, has these inbound rules:\n\n{sg_table}\n\n"
            f"and no outbound rules. Which two changes together make the connection work for every client? (Choose two.)"
        )
        explanation = (
            f"Walking a connection from a client port in {low}-{high} step by step, these steps fail today:\n\n"
            + "\n".join(f"- {s.explain()}" for s in failing)
            + "\n\nThe fixes: "
            + "; ".join(f"**{c[0]}**" for c in correct)
            + ". With both, the request gets in and the response gets out and the response out from both ends of the client's "
            "ephemeral range. The security group needs no rule for the response because it is stateful (the "
            "empty outbound list does not matter); the network ACL is stateless, so its response rule must be "
            "outbound and cover the client's ephemeral ports, not the service port."
        )
        params: dict[str, JSONValue] = {
            "name": name,
            "subnet": str(subnet),
            "acl": acl.id,
            "inbound": inbound_rows,
            "outbound": outbound_rows,
            "group": sg.name,
            "group_rules": sg_rows,
            "os": os_name,
            "server": str(server_ip),
            "port": port,
            "service": service,
        }
        return Body(prompt, params, explanation, choices=multiple_choice(rng, [c[0] for c in correct], distractors))


def _step_text(step_component: Component, owner: str, direction: Direction) -> str:
    if step_component is Component.SECURITY_GROUP:
        return f"the security group {owner}, {direction}"
    return f"the network ACL {owner}, {direction}"


class ConnectionPathOrder(Generator):
    """In which order the request (or the response) meets the security groups and network ACLs."""

    id = "security.connection-path-order"
    version = 1
    topic = "security"
    kind = AnswerKind.ORDERING
    note = "security#a-connection-through-both-filters"
    title = "The path through the filters"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        vpc = sc.vpc_block(rng)
        net_a, net_b = sc.subnets(rng, vpc, 2)
        role_a, role_b, port = sc.pick(rng, [("web", "app", 8080), ("app", "db", 5432), ("app", "cache", 6379), ("web", "api", 8443)])
        sub_a, sub_b = sc.label(fake, role_a), sc.label(fake, role_b)
        acl_a = NetworkAcl(sc.hex_id(rng, "acl"), (NaclRule(100, Action.ALLOW, Protocol.ALL, None, None, vpc),),
                           (NaclRule(100, Action.ALLOW, Protocol.ALL, None, None, vpc),))
        acl_b = NetworkAcl(sc.hex_id(rng, "acl"), (NaclRule(100, Action.ALLOW, Protocol.TCP, port, port, net_a),),
                           (NaclRule(100, Action.ALLOW, Protocol.TCP, 1024, 65535, net_a),))
        id_a, id_b = sc.hex_id(rng, "sg"), sc.hex_id(rng, "sg")
        sg_a = SecurityGroup(id_a, f"{role_a}-sg", (), (SgRule(Protocol.TCP, port, port, id_b),))
        sg_b = SecurityGroup(id_b, f"{role_b}-sg", (SgRule(Protocol.TCP, port, port, id_a),), ())
        host_a, host_b = sc.host(rng, net_a), sc.host(rng, net_b)
        a = Endpoint(f"{role_a}-1", host_a, acl_a, (sg_a,), sub_a)
        b = Endpoint(f"{role_b}-1", host_b, acl_b, (sg_b,), sub_b)
        cport = sc.between(rng, 32768, 61000)
        result = evaluate_connection(a, b, Protocol.TCP, port, cport)
        assert result.works
        leg_set = sc.pick(rng, [(Leg.REQUEST_OUT, Leg.REQUEST_IN), (Leg.RESPONSE_OUT, Leg.RESPONSE_IN)])
        steps = [s for s in result.steps if s.leg in leg_set]
        owners = {a.name: (sg_a.name, f"{acl_a.id} of {sub_a}"), b.name: (sg_b.name, f"{acl_b.id} of {sub_b}")}

        def text(step: Step) -> str:
            sg_name, acl_name = owners[step.endpoint]
            owner = sg_name if step.component is Component.SECURITY_GROUP else acl_name
            return _step_text(step.component, owner, step.direction)

        which = "request" if leg_set[0] is Leg.REQUEST_OUT else "response"
        prompt = (
            f"The instance `{a.name}` (`{host_a}`, security group {sg_a.name}) in the subnet **{sub_a}** (`{net_a}`, "
            f"network ACL {acl_a.id}) connects to `{b.name}` (`{host_b}`, security group {sg_b.name}) on TCP port {port}; "
            f"`{b.name}` is in the subnet **{sub_b}** (`{net_b}`, network ACL {acl_b.id}). The connection works. "
            f"Put the filters in the order the **{which}** meets them."
        )
        explanation = (
            "A packet leaves through the sender's security group (attached to its network interface), then "
            "crosses its subnet's network ACL on the way out, then the receiving subnet's network ACL on the way "
            "in, then the receiver's security group. Step by step, for this connection:\n\n"
            + "\n".join(f"{i}. {s.explain()}" for i, s in enumerate(steps, 1))
        )
        params: dict[str, JSONValue] = {
            "a": a.name, "a_ip": str(host_a), "a_sg": sg_a.name, "a_subnet": sub_a, "a_net": str(net_a), "a_acl": acl_a.id,
            "b": b.name, "b_ip": str(host_b), "b_sg": sg_b.name, "b_subnet": sub_b, "b_net": str(net_b), "b_acl": acl_b.id,
            "port": port, "which": which,
        }
        return Body(prompt, params, explanation, choices=ordering_choices(rng, [text(s) for s in steps]))


class EphemeralRuleDirection(Generator):
    """Which network ACL rule an instance needs for the responses to the connections it opens."""

    id = "security.ephemeral-rule-direction"
    version = 1
    topic = "security"
    kind = AnswerKind.SINGLE
    note = "security#ephemeral-ports"
    title = "The rule for the responses"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        name = sc.label(fake, sc.pick(rng, ["app", "batch", "worker"]))
        subnet = sc.one_subnet(rng)
        ip = sc.host(rng, subnet)
        os_name, family = sc.pick(rng, sc.OS_CLIENTS)
        low, high = ephemeral_ports(family)
        other_low, other_high = ephemeral_ports("linux" if family == "windows" else "windows")
        service, port = sc.pick(rng, [("HTTPS", 443), ("HTTP", 80), ("SMTP", 25)])
        remote = sc.public_address(rng)
        admin = sc.public_block(rng)
        acl = NetworkAcl(
            sc.hex_id(rng, "acl"),
            (NaclRule(100, _ALLOW, _TCP, 22, 22, admin),),
            (NaclRule(100, _ALLOW, _TCP, port, port, ALL_IPV4),),
        )
        options = [
            (f"Inbound rule 110: allow tcp {low}-{high} from 0.0.0.0/0", _INBOUND, (low, high), None),
            (f"Outbound rule 110: allow tcp {low}-{high} to 0.0.0.0/0", _OUTBOUND, (low, high), "put the rule for the return traffic in the wrong direction"),
            (f"Inbound rule 110: allow tcp {port} from 0.0.0.0/0", _INBOUND, (port, port), f"expect the response to come back to port {port}"),
            (f"Inbound rule 110: allow tcp {other_low}-{other_high} from 0.0.0.0/0", _INBOUND, (other_low, other_high), f"use the ephemeral range of another operating system than {os_name}"),
        ]
        # The instance has only its subnet's network ACL and the server is on
        # the internet, so (as `connection_works` walks it) a connection works
        # when the ACL lets the request out and the response in; checked from
        # both ends of the client's ephemeral range with the yes/no evaluator.
        flows = [(r, r.reply()) for r in (Packet(_TCP, ip, remote, low, port), Packet(_TCP, ip, remote, high, port))]
        answer = ""
        distractors = []
        for text, direction, (lo, hi), misconception in options:
            rule = NaclRule(110, _ALLOW, _TCP, lo, hi, ALL_IPV4)
            if direction is _INBOUND:
                changed = NetworkAcl(acl.id, acl.inbound + (rule,), acl.outbound)
            else:
                changed = NetworkAcl(acl.id, acl.inbound, acl.outbound + (rule,))
            ok = all(nacl_allows(changed, _OUTBOUND, out) and nacl_allows(changed, _INBOUND, back) for out, back in flows)
            assert ok == (misconception is None), text
            if misconception is None:
                answer = text
            else:
                distractors.append(Distractor(text, misconception))
        # A network ACL taken to be stateful would let every response back in after its request went out.
        assert all(nacl_allows(acl, _OUTBOUND, out) for out, _ in flows)
        distractors.append(Distractor("None: the responses are let in because the requests were let out", "treat the network ACL as stateful"))
        sc.shuffle(rng, distractors)
        blocking = blocking_step(Endpoint(name, ip, acl, None, name), Endpoint(service, remote), _TCP, port, high)
        assert blocking is not None
        inbound_table, inbound_rows = sc.nacl_shown(acl.inbound, _INBOUND)
        outbound_table, outbound_rows = sc.nacl_shown(acl.outbound, _OUTBOUND)
        prompt = (
            f"Instances running {os_name} in the subnet **{name}** (`{subnet}`) must open {service} connections to "
            f"`{sc.endpoint_text(remote, port)}` on the internet. The subnet's network ACL {acl.id} has:\n\n"
            f"Inbound:\n\n{inbound_table}\n\nOutbound:\n\n{outbound_table}\n\n"
            "The requests leave, but no response ever arrives. Which rule fixes this with the least opening?"
        )
        explanation = (
            f"Today the response is stopped here: {blocking.explain()} The instance opened the connection, so "
            f"the response comes back to the port it picked from {os_name}'s ephemeral range, {low}-{high}, and it "
            f"is coming *in*: the fix is **{answer}**. Network ACLs do not remember the request (they are stateless), "
            "so without that rule the `*` rule drops every response."
        )
        params: dict[str, JSONValue] = {
            "name": name, "subnet": sc.text(subnet), "acl": acl.id, "os": os_name, "service": service,
            "remote": sc.text(remote), "port": port,
            "inbound": inbound_rows, "outbound": outbound_rows,
        }
        return Body(prompt, params, explanation, choices=single_choice(rng, answer, distractors, count=5))


GENERATORS: list[type[Generator]] = [
    NaclResponseAllowed,
    EphemeralPortRange,
    FixTheFlow,
    ConnectionPathOrder,
    EphemeralRuleDirection,
]
