"""Generators about network ACL rules: order, first match, the `*` rule, IPv4 vs IPv6."""

from __future__ import annotations

import random
from decimal import Decimal
from ipaddress import IPv4Address, IPv4Network, IPv6Network

from faker import Faker

from generators.base import Body, Distractor, Generator, ordering_choices, single_choice
from generators.security import scenario as sc
from generators.security.model import (
    ALL_IPV4,
    ALL_IPV6,
    Action,
    Direction,
    NaclReading,
    NaclRule,
    NetworkAcl,
    Packet,
    Protocol,
    ephemeral_ports,
    evaluate_nacl,
    evaluate_nacl_readings,
    nacl_allows,
)
from quizapp.questions import AnswerKind, JSONValue, NumericSpec

_MISREADINGS: tuple[tuple[NaclReading, str], ...] = (
    (NaclReading.LAST_MATCH, "expect a later rule to override an earlier one"),
    (NaclReading.LISTED_ORDER, "read the rules top to bottom as listed instead of by rule number"),
    (NaclReading.DENY_WINS, "expect a matching deny rule to win over any allow rule, whatever the numbers"),
)


_TCP, _ALL = Protocol.TCP, Protocol.ALL
_ALLOW, _DENY = Action.ALLOW, Action.DENY
_ACTIONS = tuple(Action)
_INBOUND, _OUTBOUND = Direction.INBOUND, Direction.OUTBOUND
_DIRECTIONS = (_INBOUND, _OUTBOUND)
_RULE_NUMBER = NaclReading.RULE_NUMBER
_DOC_V6 = 0x20010DB8 << 96
"""2001:db8::, the IPv6 documentation prefix, as an integer."""
_SERVER_V6 = IPv6Network("2600:1f18:ab00:1200::/64")

_SOURCE_PORT = "compare a rule's port range with the packet's source port instead of its destination port"


def _by_source_port(packet: Packet) -> Packet:
    """The packet as someone who matches rules on the source port sees it."""
    return Packet(packet.protocol, packet.source, packet.destination, packet.destination_port, packet.source_port)


_TENS = tuple(range(10, 500, 10))


def _numbers(rng: random.Random, count: int) -> list[int]:
    """Distinct rule numbers, mostly in steps of 10 as AWS suggests."""
    low, middle = sc.between(rng, 1, 9), sc.between(rng, 101, 199)
    # The tens, `low` and `middle`, sorted and without repeats (`middle` may be a ten).
    pool = [low, *_TENS] if middle % 10 == 0 else [low, *_TENS[:middle // 10], middle, *_TENS[middle // 10:]]
    return sc.sample(rng, pool, count)


def _shuffled_unsorted(rng: random.Random, rules: list[NaclRule]) -> list[NaclRule]:
    """The rules in a random order that is not sorted by number."""
    listed = rules[:]
    sc.shuffle(rng, listed)
    previous = 0
    for rule in listed:
        if rule.number < previous:
            return listed
        previous = rule.number
    listed.reverse()
    return listed


_Shape = tuple[Protocol, int | None, int | None, IPv4Network | IPv6Network]
"""A rule without its number and action: protocol, port range, CIDR block."""


def _matching_rules(rng: random.Random, direction: Direction, packet: Packet) -> list[tuple[Protocol, int | None, int | None, int]]:
    """Rule shapes that match `packet` in `direction`; the last item is the prefix
    length of the block around the other end (0 for 0.0.0.0/0), made into a
    network by `_matching_shape` once a shape is chosen."""
    port = packet.destination_port or 0
    wide = (1024, 65535) if port >= 1024 else (0, 1023)
    return [
        (_TCP, port, port, 24),
        (_TCP, wide[0], wide[1], 0),
        (_ALL, None, None, 16),
        (_TCP, port, port, 0),
        (_ALL, None, None, sc.pick(rng, [8, 12])),
    ]


def _matching_shape(shape: tuple[Protocol, int | None, int | None, int], direction: Direction, packet: Packet) -> _Shape:
    protocol, low, high, prefix = shape
    other = packet.source if direction is _INBOUND else packet.destination
    assert isinstance(other, IPv4Address)
    return protocol, low, high, sc.block_of(other, prefix) if prefix else ALL_IPV4


def _missing_rules(
    rng: random.Random, direction: Direction, packet: Packet
) -> list[tuple[Protocol, int | None, int | None, IPv4Network | IPv6Network]]:
    """Rule shapes that do not match `packet` in `direction`, each for a different reason."""
    other = packet.source if direction is Direction.INBOUND else packet.destination
    port = packet.destination_port or 0
    elsewhere = sc.public_block(rng)
    while other in elsewhere:
        elsewhere = sc.public_block(rng)
    other_port = sc.pick(rng, [p for _, p in sc.SERVICES if p != port])
    below = (1024, port - 1) if port > 1024 else (port + 1, 65535)
    return [
        (Protocol.TCP, port, port, elsewhere),
        (Protocol.TCP, other_port, other_port, ALL_IPV4),
        (Protocol.UDP, port, port, ALL_IPV4),
        (Protocol.ALL, None, None, ALL_IPV6),
        (Protocol.TCP, below[0], below[1], ALL_IPV4),
    ]


def _packet_scene(rng: random.Random, fake: Faker) -> tuple[str, IPv4Network, Direction, Packet, str]:
    """A subnet, a direction and a TCP packet crossing it, with the sentence that describes the packet."""
    name = sc.label(fake, sc.pick(rng, ["web", "public", "edge", "app"]))
    subnet = sc.one_subnet(rng)
    server = sc.host(rng, subnet)
    service, port = sc.pick(rng, sc.SERVICES)
    _os_name, family = sc.pick(rng, sc.OS_CLIENTS)  # the client OS only sets the port range here
    low, high = ephemeral_ports(family)
    client = sc.public_address(rng)
    cport = sc.between(rng, low, high)
    direction = sc.pick(rng, _DIRECTIONS)
    if direction is _INBOUND:
        packet = Packet(Protocol.TCP, client, server, cport, port)
        what = (
            f"{sc.article(service, capital=True)} {service} request arrives from a client on the internet: a TCP packet from "
            f"`{sc.endpoint_text(client, cport)}` to the server `{sc.endpoint_text(server, port)}`."
        )
    else:
        packet = Packet(Protocol.TCP, server, client, port, cport)
        what = (
            f"The server answers {sc.article(service)} {service} client on the internet: a TCP packet from "
            f"`{sc.endpoint_text(server, port)}` to `{sc.endpoint_text(client, cport)}`."
        )
    return name, subnet, direction, packet, what


class NaclDecidingRule(Generator):
    """Which network ACL rule decides a packet: lowest number first, first match wins."""

    id = "security.nacl-deciding-rule"
    version = 1
    topic = "security"
    kind = AnswerKind.SINGLE
    note = "security#rule-order"
    title = "Which network ACL rule decides?"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        name, subnet, direction, packet, what = _packet_scene(rng, fake)
        matching = [_matching_shape(m, direction, packet) for m in sc.sample(rng, _matching_rules(rng, direction, packet), sc.between(rng, 2, 3))]
        missing = sc.sample(rng, _missing_rules(rng, direction, packet), sc.between(rng, 1, 3))
        numbers = _numbers(rng, len(matching) + len(missing))
        actions = [_ALLOW, _DENY] + [sc.pick(rng, _ACTIONS) for _ in matching[2:]]
        sc.shuffle(rng, actions)
        rules = [NaclRule(n, a, *shape) for n, a, shape in zip(numbers, actions, matching, strict=False)]
        rules += [NaclRule(n, sc.pick(rng, _ACTIONS), *shape) for n, shape in zip(numbers[len(matching) :], missing, strict=True)]
        listed = _shuffled_unsorted(rng, rules)
        acl_id = sc.hex_id(rng, "acl")
        acl = NetworkAcl(acl_id, tuple(listed), ()) if direction is _INBOUND else NetworkAcl(acl_id, (), tuple(listed))
        readings = evaluate_nacl_readings(acl, direction, packet)
        decision = readings[NaclReading.RULE_NUMBER]
        answer = sc.decision_text(decision.allowed, decision.rule)
        distractors = []
        for reading, misconception in _MISREADINGS:
            other = readings[reading]
            distractors.append(Distractor(sc.decision_text(other.allowed, other.rule), misconception))
        swapped = evaluate_nacl(acl, direction, _by_source_port(packet))
        distractors.append(Distractor(sc.decision_text(swapped.allowed, swapped.rule), _SOURCE_PORT))
        table, rows = sc.nacl_shown(listed, direction)
        prompt = (
            f"The subnet **{name}** (`{subnet}`) has a custom network ACL ({acl.id}) with these "
            f"{direction.value} rules, listed in the order they were added:\n\n"
            f"{table}\n\n{what}\n\n"
            "Which rule decides what happens to this packet at the subnet boundary?"
        )
        params: dict[str, JSONValue] = {
            "name": name,
            "subnet": sc.text(subnet),
            "acl": acl.id,
            "direction": direction.value,
            "rules": rows,
            "source": sc.text(packet.source),
            "source_port": packet.source_port,
            "destination": sc.text(packet.destination),
            "destination_port": packet.destination_port,
        }
        explanation = (
            f"Network ACL rules are read by rule number, lowest first, whatever order they are listed in; "
            f"the first rule that matches decides and nothing after it is read. For this {direction.value} packet "
            f"(destination port {packet.destination_port}):\n\n{sc.nacl_walk(acl, direction, packet)}\n\n"
            f"So the answer is **{answer.lower()}**. {decision.explain()}"
        )
        return Body(prompt, params, explanation, choices=single_choice(rng, answer, distractors))


class NaclDenyPlacement(Generator):
    """Where a deny rule must go to block a range: before the allow rule that matches it."""

    id = "security.nacl-deny-placement"
    version = 1
    topic = "security"
    kind = AnswerKind.SINGLE
    note = "security#rule-order"
    title = "Placing a network ACL deny rule"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        name = sc.label(fake, "web")
        subnet = sc.one_subnet(rng)
        server = sc.host(rng, subnet)
        allow_number = sc.pick(rng, [100, 110, 120, 200])
        attacker = sc.public_block(rng)
        friend = sc.address_outside(rng, attacker)
        bad = attacker.network_address + sc.in_range(rng, 1, 255)
        os_name, family = sc.pick(rng, sc.OS_CLIENTS)
        low, high = ephemeral_ports(family)
        service, port = sc.pick(rng, [("HTTPS", 443), ("HTTP", 80)])
        inbound = [NaclRule(allow_number, _ALLOW, _TCP, port, port, ALL_IPV4)]
        outbound = (NaclRule(500, _ALLOW, _TCP, 1024, 65535, ALL_IPV4),)
        if rng.random() < 0.5:
            inbound.append(NaclRule(allow_number + 10, _ALLOW, _TCP, 22, 22, sc.public_block(rng)))
        acl = NetworkAcl(sc.hex_id(rng, "acl"), tuple(inbound), outbound)
        early = allow_number - sc.pick(rng, [10, 20, 50])
        late = allow_number + sc.pick(rng, [50, 100, 150])
        blocked_text = sc.text(attacker)
        candidates: list[tuple[str, Direction, NaclRule, str | None]] = [
            (f"Add inbound rule {early}: deny tcp {port} from {blocked_text}", _INBOUND,
             NaclRule(early, _DENY, _TCP, port, port, attacker), None),
            (f"Add inbound rule {late}: deny tcp {port} from {blocked_text}", _INBOUND,
             NaclRule(late, _DENY, _TCP, port, port, attacker), "expect a later rule to override an earlier one"),
            (f"Add inbound rule {early}: deny tcp 1024-65535 from {blocked_text}", _INBOUND,
             NaclRule(early, _DENY, _TCP, 1024, 65535, attacker),
             "match an inbound rule against the client's source port instead of the destination port"),
            (f"Add outbound rule {early}: deny tcp {port} to {blocked_text}", _OUTBOUND,
             NaclRule(early, _DENY, _TCP, port, port, attacker),
             f"expect the response to go back to port {port}, when it goes to the client's ephemeral port"),
        ]
        # Both clients are on the internet and the server has only its subnet's
        # network ACL, so (as `connection_works` walks it) a connection works
        # when the ACL lets the request in and the response out; checked from
        # both ends of the clients' ephemeral range with the yes/no evaluator.
        attacks = [(r, r.reply()) for r in (Packet(_TCP, bad, server, low, port), Packet(_TCP, bad, server, high, port))]
        visits = [(r, r.reply()) for r in (Packet(_TCP, friend, server, low, port), Packet(_TCP, friend, server, high, port))]
        verdicts = []
        for text, direction, rule, misconception in candidates:
            if direction is _INBOUND:
                changed = NetworkAcl(acl.id, acl.inbound + (rule,), acl.outbound)
            else:
                changed = NetworkAcl(acl.id, acl.inbound, acl.outbound + (rule,))
            blocked = not any(nacl_allows(changed, _INBOUND, r) and nacl_allows(changed, _OUTBOUND, back) for r, back in attacks)
            kept = all(nacl_allows(changed, _INBOUND, r) and nacl_allows(changed, _OUTBOUND, back) for r, back in visits)
            verdicts.append((text, misconception, blocked and kept, blocked, kept))
        right = [v for v in verdicts if v[2]]
        assert len(right) == 1 and right[0][1] is None, verdicts
        answer = right[0][0]
        distractors = [Distractor(v[0], v[1]) for v in verdicts if v[1] is not None]
        sc.shuffle(rng, distractors)
        friend_text = sc.text(friend)
        inbound_table, inbound_rows = sc.nacl_shown(acl.inbound, _INBOUND)
        outbound_table, outbound_rows = sc.nacl_shown(acl.outbound, _OUTBOUND)
        prompt = (
            f"The web subnet **{name}** (`{subnet}`) uses network ACL {acl.id}. Inbound rules:\n\n"
            f"{inbound_table}\n\nOutbound rules:\n\n{outbound_table}\n\n"
            f"Requests from `{blocked_text}` are abusing the {service} site on `{sc.endpoint_text(server, port)}`. "
            f"Which single change stops {service} connections from `{blocked_text}` while clients everywhere else "
            f"(such as `{friend_text}`) keep working? The clients run {os_name} (ephemeral ports {low}-{high})."
        )
        lines = []
        for text, misconception, ok, blocked, kept in verdicts:
            if ok:
                lines.append(f"- **{text}**: blocks `{blocked_text}` and keeps everyone else. ")
            else:
                why = "it still lets the abusive requests through" if not blocked else "it also blocks other clients"
                lines.append(f"- {text}: {why}.")
        explanation = "Today: " + evaluate_nacl(acl, _INBOUND, attacks[1][0]).explain()
        explanation += (
            f" A deny rule only works if it is read before that allow rule, so it needs a lower number than "
            f"{allow_number}, must be inbound (requests come in), and must match the destination port {port}. "
            "Each option, tried for the abusive client and for another client:\n\n" + "\n".join(lines)
        )
        params: dict[str, JSONValue] = {
            "name": name,
            "subnet": sc.text(subnet),
            "acl": acl.id,
            "inbound": inbound_rows,
            "outbound": outbound_rows,
            "attacker": blocked_text,
            "friend": friend_text,
            "server": sc.text(server),
            "port": port,
            "os": os_name,
            "low": low,
            "high": high,
        }
        return Body(prompt, params, explanation, choices=single_choice(rng, answer, distractors))


_ORDER_POOLS = ((5, 50, 100, 110, 1000), (9, 90, 100, 200, 1100), (10, 20, 100, 150, 2000), (1, 15, 120, 300, 32766))


class NaclEvaluationOrder(Generator):
    """The order in which a network ACL's rules are read, ending with `*`."""

    id = "security.nacl-evaluation-order"
    version = 1
    topic = "security"
    kind = AnswerKind.ORDERING
    note = "security#rule-order"
    title = "Order of network ACL rule evaluation"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        numbers = sc.sample(rng, sc.pick(rng, _ORDER_POOLS), sc.between(rng, 3, 5))
        shapes: list[tuple[Protocol, int | None, int | None, IPv4Network | IPv6Network]] = [
            (Protocol.TCP, 443, 443, ALL_IPV4),
            (Protocol.TCP, 22, 22, sc.public_block(rng)),
            (Protocol.ALL, None, None, sc.public_block(rng, 16)),
            (Protocol.TCP, 1024, 65535, ALL_IPV4),
            (Protocol.UDP, 53, 53, sc.vpc_block(rng)),
            (Protocol.TCP, 80, 80, ALL_IPV6),
        ]
        sc.shuffle(rng, shapes)
        rules = [NaclRule(n, sc.pick(rng, _ACTIONS), *s) for n, s in zip(numbers, shapes, strict=False)]
        listed = _shuffled_unsorted(rng, rules)
        acl = NetworkAcl(sc.hex_id(rng, "acl"), tuple(listed), ())
        ordered = acl.ordered(_INBOUND)
        steps = [r.describe(_INBOUND) for r in ordered]
        steps.append("rule *: deny all traffic that no numbered rule matched")
        name = sc.label(fake, sc.pick(rng, ["app", "data", "web"]))
        table, rows = sc.nacl_shown(listed, _INBOUND)
        prompt = (
            f"Network ACL {acl.id} of the subnet **{name}** has these inbound rules, listed in the order "
            f"an engineer typed them:\n\n{table}\n\n"
            "Put the rules in the order in which they are evaluated for an incoming packet."
        )
        order = " → ".join([str(r.number) for r in ordered])
        explanation = (
            "Rules are read by rule number from the lowest up, compared as numbers (so 1000 comes after 110, "
            "even though it sorts before it as text), and the `*` rule comes last: it catches whatever no "
            f"numbered rule matched. The evaluation order here is {order} → `*`. The order in which the "
            "rules were typed does not matter."
        )
        params: dict[str, JSONValue] = {"acl": acl.id, "name": name, "rules": rows}
        return Body(prompt, params, explanation, choices=ordering_choices(rng, steps))


_EVERY_V4 = (4, 0, 0)
"""The containment key (version, mask, base) of 0.0.0.0/0."""


def _misread_v6(acl: NetworkAcl, direction: Direction, packet: Packet) -> tuple[bool, NaclRule | None]:
    """The decision someone who thinks IPv4 rules also match IPv6 traffic would reach."""
    if packet.source.version == 6:
        acl = _v6_twin(acl)
    decision = evaluate_nacl(acl, direction, packet)
    return decision.allowed, decision.rule


def _v6_twin(acl: NetworkAcl) -> NetworkAcl:
    """The ACL with every 0.0.0.0/0 rule read as ::/0 (for IPv6 packets under that misreading)."""

    def twin(rules: tuple[NaclRule, ...]) -> tuple[NaclRule, ...]:
        return tuple(
            [NaclRule(r.number, r.action, r.protocol, r.port_from, r.port_to, ALL_IPV6) if r._key == _EVERY_V4 else r for r in rules]
        )

    return NetworkAcl(acl.id, twin(acl.inbound), twin(acl.outbound))


class NaclIpv6Match(Generator):
    """An IPv6 packet against a network ACL with IPv4 rules: 0.0.0.0/0 never matches it."""

    id = "security.ipv6-rule-match"
    version = 1
    topic = "security"
    kind = AnswerKind.SINGLE
    note = "security#ipv4-and-ipv6-rules"
    title = "IPv4 and IPv6 network ACL rules"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        name = sc.label(fake, sc.pick(rng, ["web", "public", "edge"]))
        # 2600:1f18:xxxx:yy00::/56 and 2001:db8:zzzz::/48, built from integers rather than parsed.
        prefix = IPv6Network(((0x26001F18 << 96) | (sc.in_range(rng, 0x1000, 0xFFFF) << 80) | (sc.below(rng, 256) << 72), 56))
        subnet6 = IPv6Network((int(prefix.network_address) + (sc.below(rng, 256) << 64), 64))
        server = sc.ipv6_host(rng, subnet6)
        client_net = IPv6Network((_DOC_V6 | (sc.in_range(rng, 0x10, 0xFFFF) << 80), 48))
        client = sc.ipv6_host(rng, client_net)
        service, port = sc.pick(rng, [("HTTPS", 443), ("HTTP", 80), ("SSH", 22)])
        cport = sc.between(rng, 49152, 65535)
        packet = Packet(_TCP, client, server, cport, port)
        first = sc.pick(rng, [100, 110, 120])
        rules = [NaclRule(first, _ALLOW, _TCP, port, port, ALL_IPV4)]
        extra_shapes: list[tuple[Action, Protocol, int | None, int | None, IPv4Network | IPv6Network]] = [
            (_ALLOW, _TCP, port, port, ALL_IPV6),
            (_DENY, _ALL, None, None, client_net),
            (_ALLOW, _TCP, 1024, 65535, ALL_IPV6),
            (_DENY, _TCP, port, port, ALL_IPV6),
            (_ALLOW, _ALL, None, None, _TEN_SLASH_8),
        ]
        extra = sc.sample(rng, extra_shapes, sc.between(rng, 1, 3))
        later = sorted(sc.sample_range(rng, first + 5, first + 100, 5, len(extra)))
        for number, (action, protocol, lo, hi, cidr) in zip(later, extra, strict=True):
            rules.append(NaclRule(number, action, protocol, lo, hi, cidr))
        listed = _shuffled_unsorted(rng, rules) if rng.random() < 0.5 else rules  # `rules` are in number order
        acl = NetworkAcl(sc.hex_id(rng, "acl"), tuple(listed), ())
        readings = evaluate_nacl_readings(acl, _INBOUND, packet)
        decision = readings[NaclReading.RULE_NUMBER]
        answer = sc.decision_text(decision.allowed, decision.rule)
        wrong_allowed, wrong_rule = _misread_v6(acl, _INBOUND, packet)
        distractors = [
            Distractor(sc.decision_text(wrong_allowed, wrong_rule), "expect an IPv4 rule such as 0.0.0.0/0 to match IPv6 traffic too"),
        ]
        for reading, misconception in _MISREADINGS[:2]:
            other = readings[reading]
            distractors.append(Distractor(sc.decision_text(other.allowed, other.rule), misconception))
        swapped = evaluate_nacl(acl, _INBOUND, _by_source_port(packet))
        distractors.append(Distractor(sc.decision_text(swapped.allowed, swapped.rule), _SOURCE_PORT))
        table, rows = sc.nacl_shown(listed, _INBOUND)
        prompt = (
            f"The VPC has the IPv6 block `{sc.text(prefix)}` and the subnet **{name}** has `{sc.text(subnet6)}`. Its network ACL "
            f"{acl.id} has these inbound rules:\n\n{table}\n\n"
            f"{sc.article(service, capital=True)} {service} client connects over IPv6: a TCP packet from `{sc.endpoint_text(client, cport)}` to "
            f"`{sc.endpoint_text(server, port)}`. Which rule decides what happens to it?"
        )
        explanation = (
            "IPv4 and IPv6 traffic are evaluated separately: a rule whose block is IPv4 (even `0.0.0.0/0`) never "
            "matches an IPv6 packet, and IPv6 traffic needs rules with IPv6 blocks such as `::/0`. Reading the "
            f"rules lowest number first:\n\n{sc.nacl_walk(acl, _INBOUND, packet)}\n\n{decision.explain()}"
        )
        params: dict[str, JSONValue] = {
            "name": name,
            "vpc_ipv6": sc.text(prefix),
            "subnet": sc.text(subnet6),
            "acl": acl.id,
            "rules": rows,
            "client": sc.text(client),
            "client_port": cport,
            "server": sc.text(server),
            "port": port,
        }
        return Body(prompt, params, explanation, choices=single_choice(rng, answer, distractors))


_TEN_SLASH_8 = IPv4Network("10.0.0.0/8")


class NaclAllowedCount(Generator):
    """How many of several packets a network ACL lets in."""

    id = "security.nacl-allowed-count"
    version = 1
    topic = "security"
    kind = AnswerKind.NUMERIC
    note = "security#rule-order"
    title = "How many packets does the network ACL let in?"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        name = sc.label(fake, sc.pick(rng, ["web", "app", "edge"]))
        subnet = sc.one_subnet(rng)
        server = sc.host(rng, subnet)
        partner = sc.public_block(rng)
        blocked = sc.public_block(rng, 16)
        while sc.overlaps(blocked, partner):
            blocked = sc.public_block(rng, 16)
        numbers = sorted(sc.sample_range(rng, 10, 300, 10, 4))
        shapes: list[tuple[Action, Protocol, int | None, int | None, IPv4Network]] = [
            (Action.ALLOW, Protocol.TCP, 22, 22, partner),
            (Action.DENY, Protocol.ALL, None, None, blocked),
            (Action.ALLOW, Protocol.TCP, 443, 443, ALL_IPV4),
            (Action.DENY, Protocol.TCP, 22, 22, ALL_IPV4),
        ]
        sc.shuffle(rng, shapes)
        # Numbered after the shuffle, so the deny of `blocked` and the allow of 443 can come in either order.
        listed = _shuffled_unsorted(rng, [NaclRule(n, *shape) for n, shape in zip(numbers, shapes, strict=True)])
        acl = NetworkAcl(sc.hex_id(rng, "acl"), tuple(listed), ())
        partner_base, blocked_base = int(partner.network_address), int(blocked.network_address)
        outside = sc.outside_test(partner, blocked)
        sources = [
            (partner_base + sc.in_range(rng, 1, 255), 22),
            (blocked_base + sc.in_range(rng, 1, 65535), 443),
            (sc.public_int_outside(rng, outside), 443),
            (sc.public_int_outside(rng, outside), 22),
            (blocked_base + sc.in_range(rng, 1, 65535), 22),
            (sc.public_int_outside(rng, outside), 3389),
        ]
        chosen = sc.sample(rng, sources, sc.between(rng, 4, 6))
        packets = [Packet(_TCP, IPv4Address(src), server, sc.between(rng, 49152, 65535), port) for src, port in chosen]
        if rng.random() < 0.4:
            v6 = IPv6Network((_DOC_V6 | (sc.in_range(rng, 0x10, 0xFFFF) << 80), 48))  # 2001:db8:xxxx::/48
            server6 = sc.ipv6_host(rng, _SERVER_V6)
            packets.append(Packet(Protocol.TCP, sc.ipv6_host(rng, v6), server6, sc.between(rng, 49152, 65535), 443))
        # One pass over the packets: the model's verdict under each reading, and how the packet is shown.
        count, v6_value = 0, 0
        misread = [0, 0, 0]  # packets let in under each of the three _MISREADINGS
        rows = ["| # | Source | Destination |", "|---|---|---|"]
        shown: list[JSONValue] = []
        walk = []
        explained: dict[int, str] = {}  # packets decided by the same rule get the same sentence
        server_text = sc.text(server)
        for i, p in enumerate(packets, 1):
            verdict = evaluate_nacl_readings(acl, _INBOUND, p)
            d = verdict[_RULE_NUMBER]
            count += d.allowed
            misread[0] += verdict[_MISREADINGS[0][0]].allowed
            misread[1] += verdict[_MISREADINGS[1][0]].allowed
            misread[2] += verdict[_MISREADINGS[2][0]].allowed
            # Reading IPv4 rules as matching IPv6 changes nothing for an IPv4 packet.
            v6_value += _misread_v6(acl, _INBOUND, p)[0] if p.source.version == 6 else d.allowed
            source = sc.text(p.source)
            destination = server_text if p.destination is server else sc.text(p.destination)
            if p.source.version == 4:
                rows.append(f"| {i} | `{source}:{p.source_port}` | `{destination}:{p.destination_port}` |")
            else:
                rows.append(f"| {i} | `[{source}]:{p.source_port}` | `[{destination}]:{p.destination_port}` |")
            shown.append({"source": source, "source_port": p.source_port, "destination": destination, "port": p.destination_port})
            sentence = explained.get(id(d.rule))
            if sentence is None:
                sentence = explained[id(d.rule)] = d.explain()
            walk.append(f"{i}. {'**in**' if d.allowed else 'out'}: {sentence}")
        misreadings: list[dict[str, JSONValue]] = []
        for (_, misconception), value in zip(_MISREADINGS, misread, strict=True):
            if value != count and all(m["value"] != value for m in misreadings):
                misreadings.append({"value": value, "misconception": misconception})
        if v6_value != count and all(m["value"] != v6_value for m in misreadings):
            misreadings.append({"value": v6_value, "misconception": "expect an IPv4 rule such as 0.0.0.0/0 to match IPv6 traffic too"})
        table, rule_rows = sc.nacl_shown(listed, _INBOUND)
        subnet_text = sc.text(subnet)
        prompt = (
            f"The subnet **{name}** (`{subnet_text}`) has network ACL {acl.id} with these inbound rules:\n\n"
            f"{table}\n\n"
            f"These TCP packets arrive at the subnet:\n\n" + "\n".join(rows) + "\n\nHow many of them does the network ACL let in?"
        )
        explanation = (
            "Each packet is checked against the rules lowest number first, and the first match decides; "
            "IPv4 rules never match IPv6 packets.\n\n" + "\n".join(walk) + f"\n\nSo **{count}** packets get in."
        )
        params: dict[str, JSONValue] = {
            "name": name,
            "subnet": subnet_text,
            "acl": acl.id,
            "rules": rule_rows,
            "packets": shown,
        }
        return Body(
            prompt,
            params,
            explanation,
            spec=NumericSpec(Decimal(count), Decimal(0), "packets"),
            meta={"numeric_misconceptions": misreadings},
        )


GENERATORS: list[type[Generator]] = [
    NaclDecidingRule,
    NaclDenyPlacement,
    NaclEvaluationOrder,
    NaclIpv6Match,
    NaclAllowedCount,
]
