"""The flow log parser and reader on AWS's documented example records."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generators.eni import model_flowlogs as f

# Records from "Flow log record examples" in the Amazon VPC User Guide.
ACCEPTED_SSH = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK"
REJECTED_RDP = "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK"
NO_DATA = "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA"
SKIPPED = "2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA"
PING_IN = "2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK"
PING_OUT = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK"
IPV6_SSH = (
    "2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 "
    "2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK"
)
TCP_FLAGS_FORMAT = (
    "version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport "
    "pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status"
).split()
SYN_ACK = (
    "3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789010 "
    "IPv4 10.0.0.62 52.213.180.42 5001 43416 10.0.0.62 52.213.180.42 6 376 7 1566848875 1566848933 ACCEPT 18 OK"
)
TGW_FORMAT = (
    "version interface-id account-id vpc-id subnet-id instance-id srcaddr dstaddr srcport dstport protocol "
    "tcp-flags type pkt-srcaddr pkt-dstaddr action log-status"
).split()
TGW_REQUEST = (
    "3 eni-11111111111111111 123456789010 vpc-abcdefab012345678 subnet-11111111aaaaaaaaa - 10.40.1.175 "
    "10.40.2.236 39812 80 6 3 IPv4 10.20.33.164 10.40.2.236 ACCEPT OK"
)


def test_accepted_and_rejected_examples() -> None:
    ssh = f.parse_record(ACCEPTED_SSH)
    assert (ssh.version, ssh.account_id, ssh.interface_id) == (2, "123456789010", "eni-1235b8ca123456789")
    assert (str(ssh.srcaddr), str(ssh.dstaddr), ssh.srcport, ssh.dstport) == ("172.31.16.139", "172.31.16.21", 20641, 22)
    assert (ssh.protocol, ssh.packets, ssh.bytes, ssh.start, ssh.end) == (6, 20, 4249, 1418530010, 1418530070)
    assert ssh.action is f.Action.ACCEPT and ssh.log_status is f.LogStatus.OK
    rdp = f.parse_record(REJECTED_RDP)
    assert rdp.dstport == 3389 and rdp.action is f.Action.REJECT
    assert f.protocol_name(rdp.protocol) == "TCP"


def test_no_data_and_skipped_examples() -> None:
    for line, status in ((NO_DATA, f.LogStatus.NODATA), (SKIPPED, f.LogStatus.SKIPDATA)):
        record = f.parse_record(line)
        assert record.log_status is status and record.action is None
        assert record.srcaddr is record.dstaddr is record.protocol is None
        assert record.values["srcaddr"] is None and record.start == 1431280876


def test_ipv6_example() -> None:
    record = f.parse_record(IPV6_SSH)
    assert isinstance(record.srcaddr, ipaddress.IPv6Address) and record.dstport == 22


def test_custom_formats() -> None:
    syn_ack = f.parse_record(SYN_ACK, TCP_FLAGS_FORMAT)
    assert syn_ack.version == 3 and syn_ack.extra["tcp-flags"] == 18 and syn_ack.srcport == 5001
    assert syn_ack.extra["vpc-id"] == "vpc-abcdefab012345678"
    tgw = f.parse_record(TGW_REQUEST, TGW_FORMAT)
    # The transit gateway's interface is requester-managed: no instance id; pkt-srcaddr keeps the client.
    assert tgw.extra["instance-id"] is None
    assert str(tgw.srcaddr) == "10.40.1.175" and str(tgw.extra["pkt-srcaddr"]) == "10.20.33.164"


def test_documented_ping_diagnosis() -> None:
    # Security group and network ACL rules example: inbound ping accepted, response rejected by the NACL.
    eni = [ipaddress.ip_address("172.31.16.139")]
    request, response = f.parse_record(PING_IN), f.parse_record(PING_OUT)
    assert f.direction(request, eni) is f.Direction.INBOUND and f.direction(response, eni) is f.Direction.OUTBOUND
    assert f.diagnose(request, response, eni) is f.Finding.RESPONSE_DROPPED_BY_NACL_OUTBOUND
    assert f.diagnose(request, response, eni, stateless_security_groups=True) is f.Finding.RESPONSE_DROPPED_BY_SG_OUTBOUND
    # "If your network ACL permits outbound ICMP traffic, the flow log displays two ACCEPT records."
    allowed = f.parse_record(PING_OUT.replace("REJECT", "ACCEPT"))
    assert f.diagnose(request, allowed, eni) is f.Finding.BOTH_ALLOWED
    # "If your security group denies inbound ICMP traffic, the flow log displays a single REJECT record."
    refused = f.parse_record(PING_IN.replace("ACCEPT", "REJECT"))
    assert f.diagnose(refused, None, eni) is f.Finding.REQUEST_REJECTED_INBOUND


def test_malformed_records() -> None:
    with pytest.raises(f.FlowLogError, match="14"):
        f.parse_record("2 123456789010 eni-1 ACCEPT OK")
    with pytest.raises(f.FlowLogError, match="srcport"):
        f.parse_record(ACCEPTED_SSH.replace("20641", "port"))
    with pytest.raises(f.FlowLogError, match="unknown"):
        f.parse_record("x", ["no-such-field"])


def test_what_is_not_logged() -> None:
    assert not f.is_logged(f.Traffic.AMAZON_DNS) and f.is_logged(f.Traffic.OWN_DNS)
    assert not f.is_logged(f.Traffic.METADATA) and not f.is_logged(f.Traffic.TIME_SYNC)
    assert not f.is_logged(f.Traffic.ENDPOINT_TO_NLB) and f.is_logged(f.Traffic.CLIENT_TO_NLB)
    assert f.is_logged(f.Traffic.REJECTED_SCAN)
    assert all(f.is_logged(t, capture_all=True) for t in f.Traffic)
    assert f.DEFAULT_AGGREGATION_MINUTES == 10 and f.SHORT_AGGREGATION_MINUTES == 1


_ipv4 = st.integers(0, 2**32 - 1).map(lambda v: str(ipaddress.IPv4Address(v)))


@given(
    st.fixed_dictionaries(
        {
            "version": st.just("2"),
            "account-id": st.from_regex(r"\A[0-9]{12}\Z"),
            "interface-id": st.from_regex(r"\Aeni-[0-9a-f]{17}\Z"),
            "srcaddr": _ipv4,
            "dstaddr": _ipv4,
            "srcport": st.integers(0, 65535).map(str),
            "dstport": st.integers(0, 65535).map(str),
            "protocol": st.sampled_from(["1", "6", "17", "58"]),
            "packets": st.integers(1, 10**6).map(str),
            "bytes": st.integers(1, 10**9).map(str),
            "start": st.integers(10**9, 2 * 10**9).map(str),
            "end": st.integers(10**9, 2 * 10**9).map(str),
            "action": st.sampled_from(["ACCEPT", "REJECT"]),
            "log-status": st.just("OK"),
        }
    )
)
def test_parse_keeps_every_field(values: dict[str, str]) -> None:
    line = " ".join(values[name] for name in f.DEFAULT_FORMAT)
    record = f.parse_record(line)
    assert dict(record.values) == values
    assert str(record.srcaddr) == values["srcaddr"] and record.dstport == int(values["dstport"])
