"""Question generators over VPC Flow Logs records."""

from __future__ import annotations

import ipaddress
import random

from faker import Faker

from generators.base import Body, Distractor, Generator, multiple_choice, ordering_choices, single_choice
from generators.connectivity.drawing import account_id, hex_id
from generators.eni import model_flowlogs as f
from quizapp.questions import AnswerKind, TextSpec

_SERVICES = ((22, 6, "SSH"), (443, 6, "HTTPS"), (3389, 6, "RDP"), (5432, 6, "PostgreSQL"), (53, 17, "DNS over UDP"))


def _private(rng: random.Random) -> str:
    return f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(4, 251)}"


def _public(rng: random.Random) -> str:
    return f"{rng.choice((198, 203, 54, 18))}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def _line(values: dict[str, str]) -> str:
    return " ".join(values[name] for name in f.DEFAULT_FORMAT)


def _record(
    rng: random.Random,
    account: str,
    eni: str,
    src: str,
    dst: str,
    sport: int,
    dport: int,
    proto: int,
    action: str,
    start: int,
) -> dict[str, str]:
    packets = rng.randint(2, 40)
    return {
        "version": "2",
        "account-id": account,
        "interface-id": eni,
        "srcaddr": src,
        "dstaddr": dst,
        "srcport": str(sport),
        "dstport": str(dport),
        "protocol": str(proto),
        "packets": str(packets),
        "bytes": str(packets * rng.randint(52, 1400)),
        "start": str(start),
        "end": str(start + rng.randint(30, 600)),
        "action": action,
        "log-status": "OK",
    }


_FIELD_FORMS = {
    "srcaddr": ("source address",),
    "dstaddr": ("destination address",),
    "srcport": ("src-port", "source port"),
    "dstport": ("dst-port", "destination port"),
    "account-id": ("account id", "accountid"),
    "interface-id": ("interface id", "interfaceid"),
    "log-status": ("log status", "logstatus"),
    "packets": (),
    "bytes": (),
    "start": (),
    "end": (),
    "action": (),
    "protocol": (),
}


class FlowLogField(Generator):
    """Which field of a default flow log record holds a given value?"""

    id = "eni.flow-log-field"
    version = 1
    topic = "eni"
    kind = AnswerKind.TEXT
    note = "eni#record-format"
    title = "Reading a flow log record"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        port, proto, _ = rng.choice(_SERVICES)
        inbound = rng.random() < 0.5
        ours, theirs = _private(rng), _public(rng)
        ephemeral = rng.randint(32768, 65535)
        # The client always uses an ephemeral source port toward the service port.
        src, dst = (theirs, ours) if inbound else (ours, theirs)
        action = rng.choice(("ACCEPT", "REJECT"))
        start = rng.randint(1_600_000_000, 1_800_000_000)
        values = _record(rng, account_id(rng), hex_id(rng, "eni", 17), src, dst, ephemeral, port, proto, action, start)
        tokens = [values[n] for n in f.DEFAULT_FORMAT]
        candidates = [n for n in _FIELD_FORMS if tokens.count(values[n]) == 1]
        field = rng.choice(candidates)
        line = _line(values)
        record = f.parse_record(line)
        rows = "\n".join(f"| {name} | {record.values[name]} |" for name in f.DEFAULT_FORMAT)
        accepted = (field, *_FIELD_FORMS[field])
        return Body(
            prompt=(
                "A flow log in the default format contains this record:\n\n"
                f"```\n{line}\n```\n\n"
                f"Which field of the record holds the value `{values[field]}`? Answer with the field name."
            ),
            params={"record": line, "value": values[field]},
            explanation=(
                "The default format is always the same 14 fields, in order:\n\n"
                f"| Field | Value |\n|---|---|\n{rows}\n\n"
                f"So `{values[field]}` is **{field}**. "
                f"(Protocol {record.protocol} is {f.protocol_name(record.protocol)}; the 5-tuple of the flow is "
                "srcaddr, dstaddr, srcport, dstport, protocol.)"
            ),
            spec=TextSpec(accepted),
        )


_CASES = ("nacl_out", "nacl_in", "reject_in", "reject_out")


def _finding_text(finding: f.Finding) -> str:
    return finding.value[0].upper() + finding.value[1:]


class FlowLogDiagnosis(Generator):
    """What does a pair of flow log records say about security groups and network ACLs?"""

    id = "eni.flow-log-diagnosis"
    version = 1
    topic = "eni"
    kind = AnswerKind.SINGLE
    note = "eni#reading-accept-and-reject"
    title = "Diagnosing filters from flow log records"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        case = rng.choice(_CASES)
        port, proto, service = rng.choice(_SERVICES)
        account, eni = account_id(rng), hex_id(rng, "eni", 17)
        ours = _private(rng)
        peer = _public(rng) if case in ("nacl_out", "reject_in") else _private(rng)
        ephemeral = rng.randint(32768, 65535)
        start = rng.randint(1_600_000_000, 1_800_000_000)
        if case in ("nacl_out", "reject_in"):
            request = _record(rng, account, eni, peer, ours, ephemeral, port, proto, "ACCEPT" if case == "nacl_out" else "REJECT", start)
            response = _record(rng, account, eni, ours, peer, port, ephemeral, proto, "REJECT", start + 5) if case == "nacl_out" else None
            story = f"A client at `{peer}` tries to reach {service} (port {port}) on the instance at `{ours}`"
        else:
            request = _record(rng, account, eni, ours, peer, ephemeral, port, proto, "ACCEPT" if case == "nacl_in" else "REJECT", start)
            response = _record(rng, account, eni, peer, ours, port, ephemeral, proto, "REJECT", start + 5) if case == "nacl_in" else None
            story = f"The instance at `{ours}` tries to reach {service} (port {port}) on `{peer}`"
        lines = [_line(request)] + ([_line(response)] if response else [])
        req = f.parse_record(lines[0])
        rsp = f.parse_record(lines[1]) if response else None
        mine = [ipaddress.ip_address(ours)]
        finding = f.diagnose(req, rsp, mine)
        distractors = [
            Distractor(_finding_text(f.diagnose(req, rsp, mine, stateless_security_groups=True)), "think security groups are stateless"),
            Distractor(_finding_text(f.diagnose(req, rsp, mine, misread_direction=True)), "read srcaddr and dstaddr the wrong way round"),
            Distractor(_finding_text(f.diagnose(req, rsp, mine, accept_means_open=True)), "think an ACCEPT on the request means the connection works"),
        ]
        block = "\n".join(lines)
        direction = f.direction(req, mine)
        return Body(
            prompt=(
                f"{story}, and the connection fails. The flow log (default format, all traffic) for the instance's "
                f"network interface `{eni}` shows only:\n\n```\n{block}\n```\n\n"
                "What do these records tell you?"
            ),
            params={"records": lines, "instance": ours, "peer": peer, "port": port},
            explanation=(
                f"The first record is the request, {direction.value} on the interface "
                f"({req.srcaddr} → {req.dstaddr}, {req.action}). "
                + (f"The second is the response ({rsp.srcaddr} → {rsp.dstaddr}, {rsp.action}). " if rsp else "There is no response record. ")
                + "Security groups are stateful: once a request is accepted, its response passes the security "
                "group whatever its rules say. Network ACLs are stateless: the response needs its own rule. So an "
                "accepted request followed by a rejected response points at the network ACL; a rejected request "
                "points at the security group or the network ACL of that direction.\n\n"
                f"Here: **{_finding_text(finding)}**."
            ),
            choices=single_choice(rng, _finding_text(finding), distractors),
        )


_NOT_LOGGED_MISCONCEPTION = {
    f.Traffic.AMAZON_DNS: "think flow logs record queries to the Amazon DNS server",
    f.Traffic.METADATA: "think flow logs record instance metadata requests",
    f.Traffic.TIME_SYNC: "think flow logs record Amazon Time Sync traffic",
    f.Traffic.DHCP: "think flow logs record DHCP",
    f.Traffic.WINDOWS_ACTIVATION: "think flow logs record Windows license activation",
    f.Traffic.ROUTER_RESERVED: "think flow logs record traffic to the VPC router's reserved address",
    f.Traffic.MIRRORED: "think flow logs record mirrored copies of traffic",
    f.Traffic.ENDPOINT_TO_NLB: "think flow logs record traffic between endpoint and Network Load Balancer interfaces",
}


class FlowLogCoverage(Generator):
    """Which traffic shows up in a flow log?"""

    id = "eni.flow-log-coverage"
    version = 1
    topic = "eni"
    kind = AnswerKind.MULTIPLE
    note = "eni#what-is-not-logged"
    title = "What flow logs capture"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        logged = [t for t in f.Traffic if f.is_logged(t)]
        skipped = [t for t in f.Traffic if not f.is_logged(t)]
        picked_ok = rng.sample(logged, rng.randint(2, 3))
        picked_bad = rng.sample(skipped, 5 - len(picked_ok))
        vpc = hex_id(rng, "vpc")
        destination = rng.choice(f.DESTINATIONS)
        return Body(
            prompt=(
                f"A flow log captures **all** traffic (accepted and rejected) for VPC `{vpc}` and publishes it to "
                f"{destination}. Which of these show up as flow log records? Choose {len(picked_ok)}."
            ),
            params={"vpc": vpc, "destination": destination},
            explanation=(
                "Flow logs record IP traffic to and from network interfaces, accepted and rejected, including "
                "traffic through load balancers and to DNS servers you run yourself. They skip traffic to the Amazon "
                "DNS server, the instance metadata (169.254.169.254) and Time Sync (169.254.169.123) addresses, "
                "DHCP, Windows license activation, the reserved router address, mirrored traffic, and traffic "
                "between an endpoint's network interface and a Network Load Balancer's.\n\n"
                + "\n".join(f"- {t.value}: {'logged' if f.is_logged(t) else 'not logged'}." for t in picked_ok + picked_bad)
            ),
            choices=multiple_choice(
                rng,
                [t.value for t in picked_ok],
                [Distractor(t.value, _NOT_LOGGED_MISCONCEPTION[t]) for t in picked_bad],
            ),
        )


class FlowLogFieldOrder(Generator):
    """Put default-format flow log fields in record order."""

    id = "eni.flow-log-field-order"
    version = 1
    topic = "eni"
    kind = AnswerKind.ORDERING
    note = "eni#record-format"
    title = "The default flow log format"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        picked = rng.sample(f.DEFAULT_FORMAT, rng.randint(4, 6))
        ordered = [name for name in f.DEFAULT_FORMAT if name in picked]
        return Body(
            prompt=(
                "In a flow log record written in the default format, in which order do these fields appear? "
                "Order them from first to last: " + ", ".join(f"`{n}`" for n in picked) + "."
            ),
            params={"fields": picked},
            explanation=(
                "The default format is: " + " ".join(f"`{n}`" for n in f.DEFAULT_FORMAT) + ". It starts with who "
                "(version, account, interface), then the 5-tuple with packets and bytes, then the time window, and "
                "ends with the action and the log status.\n\n" + "\n".join(f"{i}. `{n}`" for i, n in enumerate(ordered, 1))
            ),
            choices=ordering_choices(rng, [f"`{n}`" for n in ordered]),
        )


class FlowLogStatus(Generator):
    """What does a record's log-status (and its dashes) mean?"""

    id = "eni.flow-log-status"
    version = 1
    topic = "eni"
    kind = AnswerKind.SINGLE
    note = "eni#log-status"
    title = "Flow log status values"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        status = rng.choice(list(f.LogStatus))
        account, eni = account_id(rng), hex_id(rng, "eni", 17)
        start = rng.randint(1_600_000_000, 1_800_000_000)
        if status is f.LogStatus.OK:
            values = _record(rng, account, eni, _public(rng), _private(rng), rng.randint(32768, 65535), 443, 6, "ACCEPT", start)
            line = _line(values)
        else:
            line = f"2 {account} {eni} - - - - - - - {start} {start + rng.randint(55, 600)} - {status.value}"
        record = f.parse_record(line)
        assert record.log_status is not None
        options = {s: f"{s.value}: {s.meaning}" for s in f.LogStatus}
        distractors = [
            Distractor(options[s], "confuse the log-status values") for s in f.LogStatus if s is not record.log_status
        ]
        distractors.append(
            Distractor(
                f"{record.log_status.value}: the flow was rejected by a security group or network ACL",
                "confuse log-status with the action field",
            )
        )
        return Body(
            prompt=(
                f"A flow log shows this default-format record for network interface `{eni}`:\n\n```\n{line}\n```\n\n"
                "What does its last field tell you about this aggregation interval?"
            ),
            params={"record": line},
            explanation=(
                "The last field is log-status, about logging rather than traffic: OK means the data was logged "
                "normally, NODATA that the interface had no traffic during the interval, SKIPDATA that some "
                "records were skipped (capacity or an internal error). Whether traffic was allowed is the action "
                "field (ACCEPT or REJECT), just before it. Fields that do not apply show `-`.\n\n"
                f"Here it is **{options[record.log_status]}**."
            ),
            choices=single_choice(rng, options[record.log_status], distractors),
        )


GENERATORS: list[type[Generator]] = [FlowLogField, FlowLogDiagnosis, FlowLogCoverage, FlowLogFieldOrder, FlowLogStatus]
