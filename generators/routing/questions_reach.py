"""Questions on the reachability walk: what blocks a flow, what the client
sees, and the order of the components a packet crosses."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

from faker import Faker

from generators.base import Body, Distractor, Generator, ordering_choices, single_choice
from generators.draws import below, hex_id, pick
from generators.routing.reachability import (
    Flow,
    HopKind,
    Leg,
    VERDICT_ONLY,
    Reachability,
    Verdict,
    WalkMisconception,
    verdict_under,
    walk,
    walks,
)
from generators.routing.scenarios import (
    Params,
    build_vpc,
    internet_host,
    topology_md,
    two_tier,
)
from generators.security.model import Protocol
from quizapp.questions import AnswerKind

M = WalkMisconception
NOTHING = "Nothing: the connection succeeds"


def _by_id(items: Sequence[dict[str, Any]], key: str) -> dict[str, Any]:
    for item in items:
        if item["id"] == key:
            return item
    raise KeyError(key)


def _parts(p: Params) -> tuple[dict[str, Any], ...]:
    """web instance, app instance, public ACL, private ACL, web SG, app SG, private route table."""
    web, app = p["instances"]
    pub_acl, priv_acl = p["acls"]
    sg_web, sg_app, _ = p["groups"]
    rtb_priv = p["route_tables"][2]
    return web, app, pub_acl, priv_acl, sg_web, sg_app, rtb_priv


def _client_flow(p: Params) -> Flow:
    web, app = p["instances"]
    return Flow(web["id"], app["id"], Protocol.TCP, int(p["port"]))


def _nat_flow(p: Params, rng: random.Random) -> Flow:
    p["remote"] = internet_host(rng)
    return Flow(p["instances"][1]["id"], p["remote"], Protocol.TCP, 443)


def _flow_md(p: Params, flow: Flow) -> str:
    def who(end: str) -> str:
        if end.startswith("i-"):
            inst = _by_id(p["instances"], end)
            return f"`{end}` ({inst['name']})"
        return f"the internet host `{end}`"

    return f"{who(flow.source)} opens a {flow.protocol.upper()} connection to {who(flow.destination)} on port {flow.port}."


# --- defects: each breaks one component and names the misconceptions that
# would look past it --------------------------------------------------------


def _deny_before(acl: dict[str, Any], direction: str, port: str, cidr: str) -> None:
    """Add a deny rule numbered below every rule but listed after them."""
    low = min(int(r[0]) for r in acl[direction])
    acl[direction].append([str(low - 5 if low > 5 else 1), "deny", "tcp", port, cidr])


def _src_sg_out(p: Params, rng: random.Random) -> tuple[Flow, list[M]]:
    _, _, _, _, sg_web, _, _ = _parts(p)
    sg_web["outbound"] = [["tcp", "443", "0.0.0.0/0"]]
    return _client_flow(p), [M.IGNORE_SG_OUTBOUND]


def _src_nacl_out(p: Params, rng: random.Random) -> tuple[Flow, list[M]]:
    _, app, pub_acl, _, _, _, _ = _parts(p)
    _deny_before(pub_acl, "outbound", p["port"], p["subnets"][1]["cidr"])
    return _client_flow(p), [M.NACL_LISTED_ORDER]


def _dst_nacl_in(p: Params, rng: random.Random) -> tuple[Flow, list[M]]:
    _, _, _, priv_acl, _, _, _ = _parts(p)
    _deny_before(priv_acl, "inbound", p["port"], p["subnets"][0]["cidr"])
    return _client_flow(p), [M.NACL_LISTED_ORDER]


def _dst_sg_in(p: Params, rng: random.Random) -> tuple[Flow, list[M]]:
    _, _, _, _, _, sg_app, _ = _parts(p)
    sg_app["inbound"] = [["tcp", p["port"], p["groups"][2]["id"]]]
    return _client_flow(p), [M.SG_REFERENCE_ANY]


def _dst_nacl_out(p: Params, rng: random.Random) -> tuple[Flow, list[M]]:
    _, _, _, priv_acl, _, _, _ = _parts(p)
    priv_acl["outbound"][1][3] = "1024-32767"
    return _client_flow(p), [pick(rng, (M.STATEFUL_NACL, M.RETURN_ON_SERVICE_PORT)), M.STATELESS_SG]


def _src_nacl_in(p: Params, rng: random.Random) -> tuple[Flow, list[M]]:
    _, _, pub_acl, _, _, _, _ = _parts(p)
    del pub_acl["inbound"][1]
    return _client_flow(p), [M.STATEFUL_NACL, M.STATELESS_SG]


def _nat_return(p: Params, rng: random.Random) -> tuple[Flow, list[M]]:
    _, _, pub_acl, _, _, _, _ = _parts(p)
    pub_acl["inbound"][1][3] = "32768-65535"
    return _nat_flow(p, rng), [M.STATEFUL_NACL, M.RETURN_ON_SERVICE_PORT]


def _blackhole(p: Params, rng: random.Random) -> tuple[Flow, list[M]]:
    _, _, _, _, _, _, rtb_priv = _parts(p)
    flow = _nat_flow(p, rng)
    partner = ".".join(p["remote"].split(".")[:3]) + ".0/24"
    gone = hex_id(rng, "nat")
    rtb_priv["routes"].append([partner, gone])
    return flow, [M.SKIP_BLACKHOLE, M.FIRST_MATCH_ROUTE]


Defect = Callable[[Params, random.Random], tuple[Flow, list[M]]]
DEFECTS: tuple[Defect, ...] = (
    _src_sg_out, _src_nacl_out, _dst_nacl_in, _dst_sg_in, _dst_nacl_out, _src_nacl_in, _nat_return, _blackhole,
)


def _answer(result: Reachability) -> str:
    hop = result.blocking
    if hop is None:
        return NOTHING
    if hop.kind is HopKind.APPLICATION:
        return f"The application on {hop.component}: nothing listens on the port"
    label = hop.label
    return label[:1].upper() + label[1:]


def _prompt(p: Params, flow: Flow, question: str) -> str:
    return f"{topology_md(p)}\n\n{_flow_md(p, flow)}\n\n{question}"


REQUEST_DEFECTS: tuple[Defect, ...] = (_src_sg_out, _src_nacl_out, _dst_nacl_in, _dst_sg_in)
RESPONSE_DEFECTS: tuple[Defect, ...] = (_dst_nacl_out, _src_nacl_in)


class BlockingComponent(Generator):
    """Which component drops a flow first, found by walking it like
    Reachability Analyzer."""

    id = "routing.blocking-component"
    version = 1
    topic = "routing"
    kind = AnswerKind.SINGLE
    note = "routing#the-path-of-a-packet"
    title = "Which component blocks the flow?"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        p = two_tier(rng, fake)
        defect = pick(rng, DEFECTS)
        flow, skip = defect(p, rng)
        beliefs: list[list[M]] = [[m] for m in skip]
        if defect in REQUEST_DEFECTS and rng.random() < 0.5:
            # A second fault further down the path: looking past the first
            # one (a misconception) lands on it.
            _, later = pick(rng, RESPONSE_DEFECTS)(p, rng)
            beliefs.append([skip[0], later[0]])
        vpc = build_vpc(p)
        result, *wrong = walks(vpc, flow, [(), *beliefs])
        answer = _answer(result)
        distractors = [
            Distractor(_answer(other), ", and ".join([m._value_ for m in ms])) for other, ms in zip(wrong, beliefs)
        ]
        hop = result.blocking
        assert hop is not None
        rule = f" (deciding rule: `{hop.rule}`)" if hop.rule else ""
        return Body(
            prompt=_prompt(p, flow, "Which component drops the packets first?"),
            params=p,
            explanation=f"Walking the flow hop by hop:\n\n{result.explain()}\n\n"
                        f"The first component that drops the packets is **{hop.label}**{rule}.",
            choices=single_choice(rng, answer, distractors),
        )


class TimeoutOrRefused(Generator):
    """What a client sees: success, a timeout (a filter or route dropped the
    packets) or a refusal (the packets arrived, nothing listens)."""

    id = "routing.timeout-or-refused"
    version = 1
    topic = "routing"
    kind = AnswerKind.SINGLE
    note = "routing#timeout-or-connection-refused"
    title = "Timeout or connection refused?"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        p = two_tier(rng, fake)
        case = below(rng, 4)
        flow = _client_flow(p)
        if case == 0:
            misconceptions = [M.STATELESS_SG]
        elif case == 1:
            app = p["instances"][1]
            other = int(p["port"]) + pick(rng, (1, 10, 100))
            app["listens"] = [f"tcp/{other}"]
            misconceptions = [M.IGNORE_APPLICATION, M.CLOSED_PORT_DROPS]
        elif case == 2:
            flow, _ = _dst_sg_in(p, rng)
            misconceptions = [M.FIREWALL_REJECTS, M.SG_REFERENCE_ANY]
        else:
            flow, _ = _dst_nacl_out(p, rng)
            misconceptions = [M.FIREWALL_REJECTS, M.STATEFUL_NACL]
        vpc = build_vpc(p)
        result, *walked = walks(vpc, flow, [(), *([m] for m in misconceptions if m not in VERDICT_ONLY)])
        others = iter(walked)
        answer = _verdict_text(result.verdict)
        distractors = [
            Distractor(_verdict_text(verdict_under(result, m) if m in VERDICT_ONLY else next(others).verdict), m._value_)
            for m in misconceptions
        ]
        meaning = {
            Verdict.REACHABLE: "Every hop lets the packets through and an application answers.",
            Verdict.TIMEOUT: "A component dropped the packets silently, so the client waits until it gives up: a timeout "
                             "points at a security group, a network ACL or a route, never at the application.",
            Verdict.REFUSED: "The packets reached the instance, so every filter and route is fine; the operating system "
                             "answered with a reset because nothing listens on the port.",
        }[result.verdict]
        return Body(
            prompt=_prompt(p, flow, "What does the client see?"),
            params=p,
            explanation=f"{result.explain()}\n\n{meaning}",
            choices=single_choice(rng, answer, distractors),
        )


def _verdict_text(verdict: Verdict) -> str:
    text = verdict._value_
    return text[:1].upper() + text[1:]


class PathOrder(Generator):
    """Put the components a packet crosses in order."""

    id = "routing.path-order"
    version = 1
    topic = "routing"
    kind = AnswerKind.ORDERING
    note = "routing#the-path-of-a-packet"
    title = "The order of components on a packet's path"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        p = two_tier(rng, fake)
        case = below(rng, 3)
        if case == 0:
            flow = _client_flow(p)
            scope = "the request and its response cross"
        elif case == 1:
            flow = _nat_flow(p, rng)
            scope = "the request crosses on its way to the internet"
        else:
            p["remote"] = internet_host(rng)
            flow = Flow(p["remote"], p["instances"][0]["id"], Protocol.TCP, 443)
            scope = "the request and its response cross"
        vpc = build_vpc(p)
        result = walk(vpc, flow)
        hops = [h for h in result.hops if h.kind is not HopKind.APPLICATION]
        if case == 1:
            hops = [h for h in hops if h.leg is Leg.REQUEST]
        steps = [label[:1].upper() + label[1:] for label in [h.label for h in hops]]
        return Body(
            prompt=_prompt(p, flow, f"Put the components that {scope} in order, first to last."),
            params=p,
            explanation=f"{result.explain()}\n\nSecurity groups are stateful, so the response does not cross them "
                        "again; network ACLs are stateless and are crossed again, on the client's ephemeral ports.",
            choices=ordering_choices(rng, steps),
        )


GENERATORS: list[type[Generator]] = [BlockingComponent, TimeoutOrRefused, PathOrder]
