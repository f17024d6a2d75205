"""VPC Flow Logs: a pure parser and reader of flow log records.

Facts encoded here (checked against AWS documentation):

- A flow log can be created for a VPC, a subnet or a network interface;
  it captures accepted, rejected or all traffic, and is published to
  CloudWatch Logs, Amazon S3 or Amazon Data Firehose (formerly Kinesis Data
  Firehose) (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html,
  https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-firehose.html).
- A record describes one flow (the 5-tuple: source and destination address
  and port, and protocol) on one network interface during an aggregation
  interval of at most 10 minutes by default, or 1 minute if chosen
  (same page, "Flow log records" and "Aggregation interval").
- The default format is, in order: version account-id interface-id srcaddr
  dstaddr srcport dstport protocol packets bytes start end action log-status;
  a field that does not apply is ``-``
  (https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html).
- ``action`` is ACCEPT or REJECT; ``log-status`` is OK, NODATA (no traffic
  in the interval) or SKIPDATA (records were skipped in the interval)
  (same page, and https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-records-examples.html).
- Security groups are stateful and network ACLs are stateless: an inbound
  request logged ACCEPT followed by its response logged REJECT means the
  network ACL dropped the response; a single inbound REJECT means a
  security group or network ACL refused the request
  (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-records-examples.html#flow-log-example-security-groups).
- Not logged: traffic to the Amazon DNS server (traffic to your own DNS
  server is logged), Windows license activation, 169.254.169.254 (instance
  metadata), 169.254.169.123 (Time Sync), DHCP, mirrored traffic, traffic to
  the reserved default-router address, and traffic between an endpoint
  network interface and a Network Load Balancer network interface; other
  load balancer traffic is logged
  (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html#flow-logs-limitations).
  Older study material says Network Load Balancer traffic is not logged and
  names 169.254.196.x; both are wrong.

>>> r = parse_record("2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK")
>>> r.dstport, r.action.value, protocol_name(r.protocol)
(22, 'ACCEPT', 'TCP')
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

DEFAULT_FORMAT: tuple[str, ...] = (
    "version",
    "account-id",
    "interface-id",
    "srcaddr",
    "dstaddr",
    "srcport",
    "dstport",
    "protocol",
    "packets",
    "bytes",
    "start",
    "end",
    "action",
    "log-status",
)
"""The fields of a default-format record, in order."""

FIVE_TUPLE: tuple[str, ...] = ("srcaddr", "dstaddr", "srcport", "dstport", "protocol")
DEFAULT_AGGREGATION_MINUTES = 10
SHORT_AGGREGATION_MINUTES = 1
DESTINATIONS = ("CloudWatch Logs", "Amazon S3", "Amazon Data Firehose")

_INT_FIELDS = frozenset({"version", "srcport", "dstport", "protocol", "packets", "bytes", "start", "end", "tcp-flags"})
_ADDRESS_FIELDS = frozenset({"srcaddr", "dstaddr", "pkt-srcaddr", "pkt-dstaddr"})
_TEXT_FIELDS = frozenset(
    {"account-id", "interface-id", "vpc-id", "subnet-id", "instance-id", "type", "region", "az-id", "flow-direction"}
)
KNOWN_FIELDS = _INT_FIELDS | _ADDRESS_FIELDS | _TEXT_FIELDS | {"action", "log-status"}

_PROTOCOLS = {1: "ICMP", 6: "TCP", 17: "UDP", 58: "ICMPv6"}


class FlowLogError(ValueError):
    """A record that does not parse with the given format."""


class Action(StrEnum):
    """What the security groups and network ACLs did with the flow."""

    ACCEPT = "ACCEPT"
    REJECT = "REJECT"


class LogStatus(StrEnum):
    """How logging went during the aggregation interval."""

    OK = "OK"
    NODATA = "NODATA"
    SKIPDATA = "SKIPDATA"

    @property
    def meaning(self) -> str:
        """What the status says about the interval.

        >>> LogStatus.NODATA.meaning
        'no traffic to or from the network interface during the interval'
        """
        return {
            "OK": "data was logged normally",
            "NODATA": "no traffic to or from the network interface during the interval",
            "SKIPDATA": "some records were skipped during the interval (capacity limit or internal error)",
        }[self.value]


@dataclass(frozen=True)
class Record:
    """One flow log record; fields absent from the format or shown as ``-`` are None."""

    values: Mapping[str, str | None]
    """Every field of the record's format, as text (None for ``-``)."""
    version: int | None = None
    account_id: str | None = None
    interface_id: str | None = None
    srcaddr: Address | None = None
    dstaddr: Address | None = None
    srcport: int | None = None
    dstport: int | None = None
    protocol: int | None = None
    packets: int | None = None
    bytes: int | None = None
    start: int | None = None
    end: int | None = None
    action: Action | None = None
    log_status: LogStatus | None = None
    extra: Mapping[str, int | str | Address | None] = field(default_factory=dict)
    """Fields of a custom format beyond the default ones (``tcp-flags``, ``pkt-srcaddr``...)."""


def parse_record(line: str, fmt: Sequence[str] = DEFAULT_FORMAT) -> Record:
    """Parse one space-separated record written in format `fmt`.

    >>> parse_record("2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA").log_status
    <LogStatus.NODATA: 'NODATA'>
    >>> parse_record("2 1 eni-1 10.0.0.1")
    Traceback (most recent call last):
    ...
    generators.eni.model_flowlogs.FlowLogError: the record has 4 fields, the format has 14
    """
    tokens = line.split()
    if len(tokens) != len(fmt):
        raise FlowLogError(f"the record has {len(tokens)} fields, the format has {len(fmt)}")
    values: dict[str, str | None] = {}
    typed: dict[str, int | str | Address | Action | LogStatus | None] = {}
    for name, token in zip(fmt, tokens, strict=True):
        if name not in KNOWN_FIELDS:
            raise FlowLogError(f"unknown flow log field {name!r}")
        raw = None if token == "-" else token
        values[name] = raw
        typed[name] = None if raw is None else _convert(name, raw)

    def number(name: str) -> int | None:
        value = typed.get(name)
        return value if isinstance(value, int) else None

    def text(name: str) -> str | None:
        value = typed.get(name)
        return value if isinstance(value, str) else None

    def address(name: str) -> Address | None:
        value = typed.get(name)
        return value if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)) else None

    action, status = typed.get("action"), typed.get("log-status")
    extra: dict[str, int | str | Address | None] = {}
    for name, value in typed.items():
        if name not in DEFAULT_FORMAT and not isinstance(value, (Action, LogStatus)):
            extra[name] = value
    return Record(
        values=values,
        version=number("version"),
        account_id=text("account-id"),
        interface_id=text("interface-id"),
        srcaddr=address("srcaddr"),
        dstaddr=address("dstaddr"),
        srcport=number("srcport"),
        dstport=number("dstport"),
        protocol=number("protocol"),
        packets=number("packets"),
        bytes=number("bytes"),
        start=number("start"),
        end=number("end"),
        action=action if isinstance(action, Action) else None,
        log_status=status if isinstance(status, LogStatus) else None,
        extra=extra,
    )


def _convert(name: str, raw: str) -> int | str | Address | Action | LogStatus:
    try:
        if name in _INT_FIELDS:
            return int(raw)
        if name in _ADDRESS_FIELDS:
            return ipaddress.ip_address(raw)
        if name == "action":
            return Action(raw)
        if name == "log-status":
            return LogStatus(raw)
    except ValueError:
        raise FlowLogError(f"{raw!r} is not a valid {name}") from None
    return raw


def protocol_name(number: int | None) -> str:
    """The name of an IANA protocol number common in flow logs.

    >>> protocol_name(17)
    'UDP'
    """
    if number is None:
        return "-"
    return _PROTOCOLS.get(number, f"protocol {number}")


class Direction(StrEnum):
    """Traffic direction relative to the logged network interface."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


def direction(record: Record, interface_addresses: Sequence[Address]) -> Direction:
    """Inbound when the destination is one of the interface's addresses, else outbound.

    >>> r = parse_record("2 1 eni-1 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK")
    >>> direction(r, [ipaddress.ip_address("172.31.16.139")])
    <Direction.INBOUND: 'inbound'>
    """
    if record.dstaddr is not None and record.dstaddr in interface_addresses:
        return Direction.INBOUND
    if record.srcaddr is not None and record.srcaddr in interface_addresses:
        return Direction.OUTBOUND
    raise FlowLogError("neither address of the record belongs to the interface")


class Finding(StrEnum):
    """What a request record and its response record say about the filters."""

    BOTH_ALLOWED = "both directions were accepted: security groups and network ACLs let the flow through"
    RESPONSE_DROPPED_BY_NACL_OUTBOUND = "the response was rejected leaving the interface: the network ACL's outbound rules"
    RESPONSE_DROPPED_BY_NACL_INBOUND = "the response was rejected arriving at the interface: the network ACL's inbound rules"
    REQUEST_REJECTED_INBOUND = "the request was rejected arriving: the security group's or the network ACL's inbound rules"
    REQUEST_REJECTED_OUTBOUND = "the request was rejected leaving: the security group's or the network ACL's outbound rules"
    RESPONSE_DROPPED_BY_SG_OUTBOUND = "the response was rejected leaving: the security group's outbound rules"
    RESPONSE_DROPPED_BY_SG_INBOUND = "the response was rejected arriving: the security group's inbound rules"


def diagnose(
    request: Record,
    response: Record | None,
    interface_addresses: Sequence[Address],
    *,
    stateless_security_groups: bool = False,
    misread_direction: bool = False,
    accept_means_open: bool = False,
) -> Finding:
    """Read a request record (and its response record, if any) for one interface.

    Misconception flags: `stateless_security_groups` ("think security groups
    are stateless", which blames a rejected response on the security group),
    `misread_direction` ("read srcaddr and dstaddr the wrong way round"),
    `accept_means_open` ("think an ACCEPT on the request means the
    connection works").

    >>> eni = [ipaddress.ip_address("172.31.16.139")]
    >>> req = parse_record("2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK")
    >>> rsp = parse_record("2 123456789010 eni-1235b8ca123456789 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK")
    >>> diagnose(req, rsp, eni).name
    'RESPONSE_DROPPED_BY_NACL_OUTBOUND'
    """
    inbound = direction(request, interface_addresses) is Direction.INBOUND
    if misread_direction:
        inbound = not inbound
    if request.action is Action.REJECT:
        return Finding.REQUEST_REJECTED_INBOUND if inbound else Finding.REQUEST_REJECTED_OUTBOUND
    if response is None or response.action is Action.ACCEPT or accept_means_open:
        return Finding.BOTH_ALLOWED
    if stateless_security_groups:
        return Finding.RESPONSE_DROPPED_BY_SG_OUTBOUND if inbound else Finding.RESPONSE_DROPPED_BY_SG_INBOUND
    # Security groups let responses to accepted requests through, so a
    # rejected response can only come from the stateless network ACL.
    return Finding.RESPONSE_DROPPED_BY_NACL_OUTBOUND if inbound else Finding.RESPONSE_DROPPED_BY_NACL_INBOUND


class Traffic(StrEnum):
    """Kinds of traffic a network interface may carry."""

    AMAZON_DNS = "DNS queries to the Amazon DNS server (VPC base + 2)"
    OWN_DNS = "DNS queries to a DNS server you run on an instance"
    METADATA = "requests to the instance metadata service at 169.254.169.254"
    TIME_SYNC = "requests to the Amazon Time Sync Service at 169.254.169.123"
    DHCP = "DHCP traffic"
    WINDOWS_ACTIVATION = "Windows license activation traffic to AWS"
    ROUTER_RESERVED = "traffic to the reserved IP address of the default VPC router"
    MIRRORED = "mirrored traffic sent to a Traffic Mirroring target"
    ENDPOINT_TO_NLB = "traffic between an interface endpoint's network interface and a Network Load Balancer's"
    CLIENT_TO_NLB = "traffic from internet clients to an internet-facing Network Load Balancer"
    SSH = "SSH from an administrator's laptop to an instance"
    REJECTED_SCAN = "port scans from the internet that the security group rejects"
    INSTANCE_TO_INSTANCE = "HTTPS between two instances in the VPC"


NOT_LOGGED: frozenset[Traffic] = frozenset(
    {
        Traffic.AMAZON_DNS,
        Traffic.METADATA,
        Traffic.TIME_SYNC,
        Traffic.DHCP,
        Traffic.WINDOWS_ACTIVATION,
        Traffic.ROUTER_RESERVED,
        Traffic.MIRRORED,
        Traffic.ENDPOINT_TO_NLB,
    }
)


def is_logged(traffic: Traffic, *, capture_all: bool = False) -> bool:
    """Does a flow log that captures all traffic record this kind of traffic?

    `capture_all=True` is the misconception "think flow logs capture every packet".

    >>> is_logged(Traffic.CLIENT_TO_NLB), is_logged(Traffic.METADATA)
    (True, False)
    """
    return capture_all or traffic not in NOT_LOGGED
