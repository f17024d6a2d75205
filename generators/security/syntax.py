"""The lab syntax: network ACL and security-group rules as lines of text.

One rule per line, fields separated by spaces, ``#`` starts a comment, blank
lines are ignored, keywords are case-insensitive.

Network ACL rules::

    <direction> <number> <action> <protocol> [<ports>] <cidr>
    inbound  100 allow tcp 443        0.0.0.0/0
    outbound 100 allow tcp 1024-65535 0.0.0.0/0
    inbound  90  deny  all            203.0.113.0/24

Security-group rules (allow only)::

    <group> <direction> <protocol> [<ports>] <peer>
    web inbound  tcp 443  0.0.0.0/0
    app inbound  tcp 8080 sg:web
    web outbound all      0.0.0.0/0

`<ports>` is a port (``443``), a range (``1024-65535``) or ``all``; tcp and
udp rules need it, icmp and all rules leave it out.  A peer is a CIDR block
or ``sg:<group>``.  Every error names the line and what is wrong.

>>> acl = parse_nacl_config("inbound 100 allow tcp 443 0.0.0.0/0  # HTTPS")
>>> acl.inbound[0].describe(Direction.INBOUND)
'rule 100: allow tcp 443 from 0.0.0.0/0'
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from generators.security.model import (
    MAX_RULE_NUMBER,
    Action,
    Direction,
    NaclRule,
    NetworkAcl,
    Protocol,
    SecurityGroup,
    SecurityModelError,
    SgRule,
)

__all__ = [
    "ConfigSyntaxError",
    "format_nacl_rule",
    "format_sg_rule",
    "group_id",
    "parse_nacl_config",
    "parse_sg_config",
]

NACL_FORM = "<direction> <number> <action> <protocol> [<ports>] <cidr>"
SG_FORM = "<group> <direction> <protocol> [<ports>] <peer>"


class ConfigSyntaxError(SecurityModelError):
    """A line of a lab configuration that cannot be read.

    `line` is 1-based; `message` says what is wrong without the line prefix.
    """

    def __init__(self, message: str, line: int) -> None:
        self.message = message
        self.line = line
        super().__init__(f"line {line}: {message}")


@dataclass(frozen=True)
class _Line:
    number: int
    fields: tuple[str, ...]


def _lines(text: str) -> list[_Line]:
    out = []
    for number, raw in enumerate(text.splitlines(), 1):
        content = raw.split("#", 1)[0].strip()
        if content:
            out.append(_Line(number, tuple(content.split())))
    return out


def group_id(name: str) -> str:
    """The security-group id the lab gives the group called `name`.

    >>> group_id("web")
    'sg-web'
    """
    return f"sg-{name}"


def _direction(token: str, line: int) -> Direction:
    try:
        return Direction(token.lower())
    except ValueError:
        raise ConfigSyntaxError(f"expected 'inbound' or 'outbound', got {token!r}", line) from None


def _protocol(token: str, line: int) -> Protocol:
    try:
        return Protocol(token.lower())
    except ValueError:
        hint = " (name the protocol, tcp, and put the port after it)" if token.lower() in _SERVICE_NAMES else ""
        raise ConfigSyntaxError(f"protocol must be tcp, udp, icmp or all, got {token!r}{hint}", line) from None


_SERVICE_NAMES = {"http", "https", "ssh", "rdp", "dns", "mysql", "postgres", "postgresql"}


def _port(token: str, line: int) -> int:
    if not token.isdigit():
        raise ConfigSyntaxError(f"port {token!r} is not a number", line)
    value = int(token)
    if value > 65535:
        raise ConfigSyntaxError(f"port {value} is above 65535", line)
    return value


def _ports(protocol: Protocol, token: str | None, line: int) -> tuple[int | None, int | None]:
    if not protocol.has_ports:
        if token is not None and token.lower() != "all":
            raise ConfigSyntaxError(f"a rule for protocol {protocol} takes no port range, got {token!r}", line)
        return None, None
    if token is None:
        raise ConfigSyntaxError(f"a {protocol} rule needs a port or range (like 443 or 1024-65535) before the address", line)
    if token.lower() == "all":
        return 0, 65535
    low_text, dash, high_text = token.partition("-")
    low = _port(low_text, line)
    high = _port(high_text, line) if dash else low
    if low > high:
        raise ConfigSyntaxError(f"port range {token} runs backwards: write the lower port first", line)
    return low, high


def _cidr(token: str, line: int) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    if "/" not in token:
        raise ConfigSyntaxError(f"{token!r} is not a CIDR block: write address/prefix, like 0.0.0.0/0 or 198.51.100.0/24", line)
    try:
        return ipaddress.ip_network(token)
    except ValueError:
        try:
            loose = ipaddress.ip_network(token, strict=False)
        except ValueError:
            raise ConfigSyntaxError(f"{token!r} is not a CIDR block", line) from None
        raise ConfigSyntaxError(f"{token} has host bits set; did you mean {loose}?", line) from None


def _split_ports(fields: Sequence[str], protocol: Protocol, line: int, form: str) -> tuple[str | None, str]:
    """The optional ports field and the address field that end a rule."""
    if len(fields) == 1:
        return None, fields[0]
    if len(fields) == 2:
        return fields[0], fields[1]
    if not fields:
        raise ConfigSyntaxError(f"the rule ends too early: expected {form}", line)
    raise ConfigSyntaxError(f"too many fields ({' '.join(fields)}): expected {form}", line)


def parse_nacl_config(text: str, acl_id: str = "acl-lab") -> NetworkAcl:
    """Read network ACL rules, one per line, into a NetworkAcl.

    >>> acl = parse_nacl_config('''
    ... inbound 100 allow tcp 443 0.0.0.0/0
    ... outbound 100 allow tcp 1024-65535 0.0.0.0/0
    ... ''')
    >>> [r.describe(Direction.OUTBOUND) for r in acl.outbound]
    ['rule 100: allow tcp 1024-65535 to 0.0.0.0/0']
    >>> parse_nacl_config("inbound 100 allow tcp 443 0.0.0.0/0\\ninbound 100 deny all 10.0.0.0/8")
    Traceback (most recent call last):
    ...
    generators.security.syntax.ConfigSyntaxError: line 2: inbound rule 100 is already on line 1 (rule numbers are unique per direction)
    >>> parse_nacl_config("inbound 100 allow tcp 0.0.0.0/0")
    Traceback (most recent call last):
    ...
    generators.security.syntax.ConfigSyntaxError: line 1: a tcp rule needs a port or range (like 443 or 1024-65535) before the address
    """
    rules: dict[Direction, list[NaclRule]] = {Direction.INBOUND: [], Direction.OUTBOUND: []}
    seen: dict[tuple[Direction, int], int] = {}
    for item in _lines(text):
        line, fields = item.number, item.fields
        if len(fields) < 5:
            raise ConfigSyntaxError(f"too few fields: expected {NACL_FORM}", line)
        direction = _direction(fields[0], line)
        if fields[1] == "*":
            raise ConfigSyntaxError("the * rule is built in and cannot be written: leave it out", line)
        if not fields[1].isdigit():
            raise ConfigSyntaxError(f"rule number {fields[1]!r} is not a whole number", line)
        number = int(fields[1])
        if not 1 <= number <= MAX_RULE_NUMBER:
            raise ConfigSyntaxError(f"rule number {number} is outside 1-{MAX_RULE_NUMBER}", line)
        if (direction, number) in seen:
            raise ConfigSyntaxError(
                f"{direction} rule {number} is already on line {seen[direction, number]} (rule numbers are unique per direction)",
                line,
            )
        seen[direction, number] = line
        try:
            action = Action(fields[2].lower())
        except ValueError:
            raise ConfigSyntaxError(f"action must be 'allow' or 'deny', got {fields[2]!r}", line) from None
        protocol = _protocol(fields[3], line)
        port_token, address = _split_ports(fields[4:], protocol, line, NACL_FORM)
        port_from, port_to = _ports(protocol, port_token, line)
        rules[direction].append(NaclRule(number, action, protocol, port_from, port_to, _cidr(address, line)))
    return NetworkAcl(acl_id, tuple(rules[Direction.INBOUND]), tuple(rules[Direction.OUTBOUND]))


def parse_sg_config(
    text: str,
    editable: Sequence[str],
    fixed: Mapping[str, SecurityGroup] | None = None,
) -> dict[str, SecurityGroup]:
    """Read security-group rules, one per line, into one group per name.

    `editable` names the groups the configuration writes (each gets id
    ``sg-<name>`` and exactly the rules listed, so a group with no outbound
    line sends nothing); `fixed` are groups that rules may reference with
    ``sg:<name>`` but not change.

    >>> groups = parse_sg_config('''
    ... web inbound tcp 443 0.0.0.0/0
    ... app inbound tcp 8080 sg:web
    ... web outbound all 0.0.0.0/0
    ... ''', ["web", "app"])
    >>> [r.describe(Direction.INBOUND) for r in groups["app"].inbound]
    ['tcp 8080 from sg-web']
    >>> parse_sg_config("app inbound tcp 8080 sg:wbe", ["web", "app"])
    Traceback (most recent call last):
    ...
    generators.security.syntax.ConfigSyntaxError: line 1: sg:wbe names no group; the groups are web, app
    >>> parse_sg_config("db inbound deny tcp 22 0.0.0.0/0", ["db"])
    Traceback (most recent call last):
    ...
    generators.security.syntax.ConfigSyntaxError: line 1: security groups have no deny rules: every rule allows, and whatever no rule allows is dropped
    """
    fixed = dict(fixed or {})
    known = list(editable) + [n for n in fixed if n not in editable]
    rules: dict[str, dict[Direction, list[SgRule]]] = {n: {d: [] for d in Direction} for n in editable}
    for item in _lines(text):
        line, fields = item.number, item.fields
        name = fields[0]
        if name not in rules:
            if name in fixed:
                raise ConfigSyntaxError(f"group {name} is given and cannot be changed; write rules for {', '.join(editable)}", line)
            raise ConfigSyntaxError(f"there is no group {name!r}; the groups you write are {', '.join(editable)}", line)
        if len(fields) < 4:
            raise ConfigSyntaxError(f"too few fields: expected {SG_FORM}", line)
        direction = _direction(fields[1], line)
        if fields[2].lower() == "deny":
            raise ConfigSyntaxError(
                "security groups have no deny rules: every rule allows, and whatever no rule allows is dropped", line
            )
        if fields[2].lower() == "allow":
            raise ConfigSyntaxError("leave out 'allow': every security-group rule allows", line)
        protocol = _protocol(fields[2], line)
        port_token, peer_text = _split_ports(fields[3:], protocol, line, SG_FORM)
        port_from, port_to = _ports(protocol, port_token, line)
        peer: ipaddress.IPv4Network | ipaddress.IPv6Network | str
        if peer_text.lower().startswith("sg:"):
            ref = peer_text[3:]
            if ref not in known:
                raise ConfigSyntaxError(f"{peer_text} names no group; the groups are {', '.join(known)}", line)
            peer = fixed[ref].id if ref in fixed and ref not in rules else group_id(ref)
        else:
            peer = _cidr(peer_text, line)
        rules[name][direction].append(SgRule(protocol, port_from, port_to, peer))
    return {
        n: SecurityGroup(group_id(n), n, tuple(r[Direction.INBOUND]), tuple(r[Direction.OUTBOUND])) for n, r in rules.items()
    }


def _ports_field(protocol: Protocol, port_from: int | None, port_to: int | None) -> str:
    if not protocol.has_ports or port_from is None or port_to is None:
        return ""
    return f" {port_from}" if port_from == port_to else f" {port_from}-{port_to}"


def format_nacl_rule(direction: Direction, rule: NaclRule) -> str:
    """One network ACL rule as a line of the lab syntax.

    >>> from generators.security.model import ALL_IPV4
    >>> format_nacl_rule(Direction.INBOUND, NaclRule(120, Action.ALLOW, Protocol.TCP, 22, 22, ALL_IPV4))
    'inbound 120 allow tcp 22 0.0.0.0/0'
    """
    ports = _ports_field(rule.protocol, rule.port_from, rule.port_to)
    return f"{direction} {rule.number} {rule.action} {rule.protocol}{ports} {rule.cidr}"


def format_sg_rule(group: str, direction: Direction, rule: SgRule, names: Mapping[str, str] | None = None) -> str:
    """One security-group rule as a line of the lab syntax; `names` maps
    group ids to the names the syntax uses (default: strip ``sg-``).

    >>> format_sg_rule("db", Direction.INBOUND, SgRule(Protocol.TCP, 5432, 5432, "sg-app"))
    'db inbound tcp 5432 sg:app'
    """
    ports = _ports_field(rule.protocol, rule.port_from, rule.port_to)
    if isinstance(rule.peer, str):
        peer = "sg:" + (names or {}).get(rule.peer, rule.peer.removeprefix("sg-"))
    else:
        peer = str(rule.peer)
    return f"{group} {direction} {rule.protocol}{ports} {peer}"
