"""Drawing and showing security scenarios: addresses, names, ids, rule tables.

Shared by the security generators.  Randomness comes only from the `rng` and
`fake` passed in.  Tables are markdown; every value a table shows is also in
the row dicts returned for `params`, written the same way.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from functools import lru_cache
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from faker import Faker

# The draw helpers the security questions reach as sc.below, sc.pick...
from generators.draws import below as below
from generators.draws import between as between
from generators.draws import hex_id as hex_id
from generators.draws import in_range as in_range
from generators.draws import pick as pick
from generators.draws import sample as sample
from generators.draws import shuffle as shuffle
from generators.security.model import (
    Action,
    Direction,
    NaclRule,
    NetworkAcl,
    Packet,
    Protocol,
    SecurityGroup,
    SgRule,
    address_text,
    port_text,
)
from quizapp.questions import JSONValue

# Public ranges to draw internet hosts from (documentation ranges and a few
# ordinary public /8s), never the private ranges a VPC uses.
_PUBLIC_FIRST_OCTETS = (18, 34, 52, 81, 91, 145, 178, 185, 195, 212)
DOC_BLOCKS = (IPv4Network("192.0.2.0/24"), IPv4Network("198.51.100.0/24"), IPv4Network("203.0.113.0/24"))


OS_CLIENTS: tuple[tuple[str, str], ...] = (
    ("Amazon Linux 2023", "linux"),
    ("Ubuntu 24.04", "linux"),
    ("Red Hat Enterprise Linux 9", "linux"),
    ("Windows Server 2022", "windows"),
    ("Windows Server 2019", "windows"),
    ("Windows 11", "windows"),
)
"""Operating systems a client can run, with the ephemeral-port family they use."""

SERVICES: tuple[tuple[str, int], ...] = (
    ("HTTPS", 443),
    ("HTTP", 80),
    ("SSH", 22),
    ("RDP", 3389),
    ("PostgreSQL", 5432),
    ("MySQL", 3306),
    ("SMTP", 25),
    ("Redis", 6379),
)
"""Well-known TCP services and their ports."""


@lru_cache(maxsize=8)
def _word_list(fake: Faker) -> tuple[str, ...]:
    """The word list `fake.word()` draws from (its locale's lorem words), read once."""
    listed: list[str] = fake.get_words_list()
    return tuple(listed)


def word(fake: Faker) -> str:
    """A random word: the same draw as ``fake.word()``, which is a choice from
    the locale's word list with `fake`'s seeded random generator, minus the two
    copies of that 971-word list that ``fake.word()`` makes on every call.

    >>> from faker import Faker
    >>> fake = Faker("en_US")
    >>> fake.seed_instance(7); expected = fake.word(); fake.seed_instance(7)
    >>> word(fake) == expected
    True
    """
    generator: random.Random = fake.random
    return pick(generator, _word_list(fake))


def label(fake: Faker, role: str) -> str:
    """A short resource name: a random word and its role, like ``maple-web``."""
    return f"{word(fake)}-{role}"


def words(fake: Faker, count: int) -> list[str]:
    """`count` distinct random words: the same draw as ``fake.words(count, unique=True)``
    (a sample of the locale's word list with `fake`'s random generator), without
    copying the word list.

    >>> from faker import Faker
    >>> fake = Faker("en_US")
    >>> fake.seed_instance(7); expected = fake.words(4, unique=True); fake.seed_instance(7)
    >>> words(fake, 4) == expected
    True
    """
    generator: random.Random = fake.random
    return sample(generator, _word_list(fake), count)


def _public_int(rng: random.Random) -> int:
    first = pick(rng, _PUBLIC_FIRST_OCTETS)
    return (first << 24) | (rng.getrandbits(16) << 8) | in_range(rng, 1, 255)


def public_address(rng: random.Random) -> IPv4Address:
    """A random public IPv4 address."""
    return IPv4Address(_public_int(rng))


def public_block(rng: random.Random, prefix: int = 24) -> IPv4Network:
    """A random public IPv4 block of this prefix length."""
    mask = (0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF
    return IPv4Network((_public_int(rng) & mask, prefix))


def address_outside(rng: random.Random, *blocks: IPv4Network) -> IPv4Address:
    """A public address in none of `blocks`."""
    return IPv4Address(public_int_outside(rng, outside_test(*blocks)))


def outside_test(*blocks: IPv4Network) -> tuple[tuple[int, int], ...]:
    """(netmask, network address) of each block, for `public_int_outside`."""
    return tuple([(int(b.netmask), int(b.network_address)) for b in blocks])


def public_int_outside(rng: random.Random, blocks: tuple[tuple[int, int], ...]) -> int:
    """A public IPv4 address, as an integer, in none of the blocks given by `outside_test`
    (the same draw as `address_outside`)."""
    while True:
        value = _public_int(rng)
        for mask, base in blocks:
            if value & mask == base:
                break
        else:
            return value


def overlaps(a: IPv4Network | IPv6Network, b: IPv4Network | IPv6Network) -> bool:
    """`a.overlaps(b)`, on integers.

    >>> overlaps(IPv4Network("52.1.0.0/16"), IPv4Network("52.1.7.0/24")), overlaps(IPv4Network("52.1.0.0/16"), IPv4Network("52.2.7.0/24"))
    (True, False)
    """
    if a.version != b.version:
        return False
    a_low, b_low = int(a.network_address), int(b.network_address)
    a_high = a_low + (1 << (a.max_prefixlen - a.prefixlen)) - 1
    b_high = b_low + (1 << (b.max_prefixlen - b.prefixlen)) - 1
    return a_low <= b_high and b_low <= a_high


def vpc_block(rng: random.Random) -> IPv4Network:
    """A /16 VPC block in 10.0.0.0/8."""
    return IPv4Network(((10 << 24) | (below(rng, 256) << 16), 16))


def sample_range(rng: random.Random, start: int, stop: int, step: int, count: int) -> list[int]:
    """``rng.sample(range(start, stop, step), count)``: the same numbers from the same draws.

    >>> sample_range(random.Random(4), 10, 300, 10, 4) == random.Random(4).sample(range(10, 300, 10), 4)
    True
    """
    return sample(rng, range(start, stop, step), count)


def one_subnet(rng: random.Random) -> IPv4Network:
    """``subnets(rng, vpc_block(rng), 1)[0]``: the same /24 from the same draws,
    without building the VPC block.

    >>> import random
    >>> rng_a, rng_b = random.Random(9), random.Random(9)
    >>> one_subnet(rng_a) == subnets(rng_b, vpc_block(rng_b), 1)[0]
    True
    """
    second = below(rng, 256)
    return IPv4Network(((10 << 24) | (second << 16) | (below(rng, 256) << 8), 24))


def subnets(rng: random.Random, vpc: IPv4Network, count: int) -> list[IPv4Network]:
    """`count` distinct /24 subnets of `vpc`.

    Draws exactly what ``rng.sample(range(256), count)`` draws.
    """
    thirds = sample(rng, range(256), count)
    base = int(vpc.network_address)
    return [IPv4Network((base + (t << 8), 24)) for t in thirds]


def host(rng: random.Random, subnet: IPv4Network) -> IPv4Address:
    """A usable host address of `subnet` (past the four AWS reserves at the start)."""
    size = 1 << (32 - subnet.prefixlen)
    return IPv4Address(int(subnet.network_address) + in_range(rng, 4, size - 1))


def ipv6_host(rng: random.Random, block: IPv6Network) -> IPv6Address:
    """A random address in an IPv6 block."""
    return block.network_address + in_range(rng, 1, 2**32)


def client_port(rng: random.Random, low: int, high: int) -> int:
    """A source port drawn from an ephemeral range."""
    return between(rng, low, high)


text = address_text
"""`str(value)` of an address or network, remembered: IPv6 values are slow to format and rules repeat."""


_PLAIN: dict[str, str] = {m: m.value for e in (Action, Protocol, Direction) for m in e}
"""Each enum member's plain string (``.value`` is a slow property; params hold plain strings)."""

_NACL_HEAD = {
    Direction.INBOUND: "| Rule # | Protocol | Ports | Source | Action |\n|---|---|---|---|---|\n",
    Direction.OUTBOUND: "| Rule # | Protocol | Ports | Destination | Action |\n|---|---|---|---|---|\n",
}


def nacl_shown(rules: Sequence[NaclRule], direction: Direction) -> tuple[str, list[dict[str, JSONValue]]]:
    """One direction's rules as a question shows them, formatted once for both
    uses: the markdown table (in the order given, ending with the ``*`` row)
    and the same rules as params rows."""
    lines = [_NACL_HEAD[direction]]
    rows: list[dict[str, JSONValue]] = []
    for r in rules:
        # Rules for all protocols or ICMP have no ports (the model refuses them).
        ports = "all" if r.port_from is None else port_text(r.port_from, r.port_to)
        action, protocol, cidr = _PLAIN[r.action], _PLAIN[r.protocol], r.cidr_text
        lines.append(f"| {r.number} | {protocol} | {ports} | {cidr} | {action} |\n")
        rows.append({"number": r.number, "action": action, "protocol": protocol, "ports": ports, "cidr": cidr})
    lines.append("| * | all | all | all | deny |")
    return "".join(lines), rows


def nacl_rows(rules: Sequence[NaclRule]) -> list[dict[str, JSONValue]]:
    """The rules as params rows, in the order given."""
    return nacl_shown(rules, Direction.INBOUND)[1]


def nacl_table(acl: NetworkAcl, direction: Direction, *, listed: Sequence[NaclRule] | None = None) -> str:
    """A markdown table of one direction's rules, ending with the ``*`` row.

    Rules are shown in `listed` order when given (to show an unsorted list),
    otherwise in the order stored.
    """
    return nacl_shown(listed if listed is not None else acl.rules(direction), direction)[0]


def sg_shown(rules: Sequence[SgRule], direction: Direction) -> tuple[str, list[dict[str, JSONValue]]]:
    """Security-group rules as a question shows them: the markdown table (or a
    line saying there are none) and the params rows."""
    if not rules:
        return f"*(no {direction.value} rules)*", []
    lines = [_SG_HEAD[direction]]
    rows: list[dict[str, JSONValue]] = []
    for r in rules:
        protocol = _PLAIN[r.protocol]
        # Rules for all protocols or ICMP have no ports (the model refuses them).
        ports = "all" if r.port_from is None else port_text(r.port_from, r.port_to)
        peer = r.peer if isinstance(r.peer, str) else address_text(r.peer)
        lines.append(f"\n| {protocol} | {ports} | {peer} |")
        rows.append({"protocol": protocol, "ports": ports, "peer": peer})
    return "".join(lines), rows


_SG_HEAD = {
    Direction.INBOUND: "| Protocol | Ports | Source |\n|---|---|---|",
    Direction.OUTBOUND: "| Protocol | Ports | Destination |\n|---|---|---|",
}


def sg_rows(rules: Sequence[SgRule]) -> list[dict[str, JSONValue]]:
    """Security-group rules as params rows."""
    return sg_shown(rules, Direction.INBOUND)[1]


def sg_table(group: SecurityGroup, direction: Direction) -> str:
    """A markdown table of a group's rules in one direction (or a line saying there are none)."""
    return sg_shown(group.rules(direction), direction)[0]


def service_rule_ports(protocol: Protocol, port_from: int | None, port_to: int | None) -> str:
    """How a rule's protocol and ports read in a sentence: ``tcp 443``, ``all traffic``."""
    if protocol is Protocol.ALL:
        return "all traffic"
    if not protocol.has_ports:
        return str(protocol)
    return f"{protocol} {port_text(port_from, port_to)}"


def decision_text(allowed: bool, rule: NaclRule | None) -> str:
    """A network ACL decision as a choice: ``Rule 100, which allows it``."""
    if rule is None:
        return "The * rule, which denies it"
    return f"Rule {rule.number}, which {'allows' if allowed else 'denies'} it"


def nacl_walk(acl: NetworkAcl, direction: Direction, packet: Packet) -> str:
    """The model's trace of one network ACL evaluation, as a markdown list."""
    lines = []
    for rule in acl.ordered(direction):
        reason = rule.mismatch(direction, packet)
        if reason is None:
            verb = "allows" if rule.action.value == "allow" else "denies"
            lines.append(f"- **{rule.describe(direction)}**: matches, so it {verb} the packet; no later rule is read.")
            return "\n".join(lines)
        lines.append(f"- {rule.describe(direction)}: no match ({reason}).")
    lines.append("- No numbered rule matches, so the final `*` rule denies the packet.")
    return "\n".join(lines)


def endpoint_text(address: IPv4Address | IPv6Address, port: int | None) -> str:
    """An address and port as written in prompts: ``10.0.1.5:443`` or ``[2001:db8::5]:443``."""
    shown = address_text(address)
    if port is None:
        return shown
    return f"{shown}:{port}" if address.version == 4 else f"[{shown}]:{port}"


_AN = {"HTTPS", "HTTP", "SSH", "SMTP", "RDP", "HTTPS-only"}


def article(word: str, *, capital: bool = False) -> str:
    """The indefinite article for a service name, read aloud: "an HTTPS", "a MySQL"."""
    text = "an" if word in _AN or word[:1].lower() in "aeiou" else "a"
    return text.capitalize() if capital else text


def block_of(address: IPv4Address, prefix: int) -> IPv4Network:
    """The /`prefix` block that contains `address`.

    >>> block_of(IPv4Address("198.51.100.7"), 24)
    IPv4Network('198.51.100.0/24')
    """
    mask = (0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF
    return IPv4Network((int(address) & mask, prefix))
