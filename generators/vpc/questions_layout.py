"""Generators about a VPC's layout: the subnets that fit in it, where an
address falls, and the default VPC's subnets."""

from __future__ import annotations

import random

from faker import Faker

from generators.base import Body, Distractor, Generator, multiple_choice, single_choice
from generators.vpc import default_vpc
from generators.vpc.layout import (
    AddressLookup,
    AddressStatus,
    Subnet,
    Vpc,
    check_subnet,
    locate_address,
)
from generators.vpc.model import (
    IPv4Address,
    IPv4Network,
    Reservation,
    ReservedRole,
    address_text,
    block_span,
    block_text,
    reserved_role,
)
from generators.vpc.scenarios import (
    REGIONS,
    free_start,
    random_block,
    random_subblock,
    secondary_block,
    subnet_layout,
    vpc_and_subnet_names,
)
from generators.vpc.wording import (
    FIRST_FIVE,
    FORGET_RESERVED,
    ON_PREMISES,
    bullets,
    misread_prefix,
    network_misconceptions,
    subnets_shown,
)
from quizapp.questions import AnswerKind, JSONValue, NetworkSpec

_NOUN = {
    ReservedRole.NETWORK: "network address",
    ReservedRole.ROUTER: "VPC router's address",
    ReservedRole.DNS: "Amazon DNS server's address",
    ReservedRole.FUTURE: "address reserved for future use",
    ReservedRole.BROADCAST: "broadcast address",
}


def _status_text(found: AddressLookup) -> str:
    if found.subnet is not None:
        return _in_subnet_text(found.subnet, found.role)
    if found.status is AddressStatus.NO_SUBNET:
        return "It cannot be assigned: it is in the VPC's range but in none of its subnets"
    return "It cannot be assigned: it is outside the VPC's blocks"


def _in_subnet_text(subnet: Subnet, role: ReservedRole | None) -> str:
    if role is None:
        return f"It can be assigned: it is an ordinary address of **{subnet.name}**"
    return f"It cannot be assigned: in **{subnet.name}** it is the {_NOUN[role]}"


def _with_block(vpc: Vpc, old: Subnet, block: IPv4Network) -> Vpc:
    """`vpc` with one subnet's block replaced: how a learner misreads it."""
    return Vpc(vpc.blocks, tuple(Subnet(s.name, block) if s is old else s for s in vpc.subnets))


_LAST_OCTET = "look only at the last octet, as if every subnet were a /24"

# Misconceptions about the reservation rule: the VPC read right, the rule wrong.
_RULE_MISTAKES = (
    (Reservation.ON_PREMISES, ON_PREMISES),
    (Reservation.NONE, FORGET_RESERVED),
    (Reservation.FIRST_FIVE, FIRST_FIVE),
)


def _rule_readings(truth: AddressLookup) -> list[tuple[str, str]]:
    """What each wrong reservation rule says about the address, with the
    misconception: the subnet that holds it does not depend on the rule,
    only the address's role in it does."""
    subnet = truth.subnet
    if subnet is None:
        text = _status_text(truth)
        return [(text, why) for _, why in _RULE_MISTAKES]
    return [
        (_in_subnet_text(subnet, reserved_role(subnet.block, truth.address, rule)), why)
        for rule, why in _RULE_MISTAKES
    ]


class _Misreadings:
    """The misconception runs for addresses near one target subnet: the
    reservation rule misread, the target's prefix length misread by one
    either way, and (for a target larger than a /24) the target read as the
    /24 around the address.  The misread VPCs are built once per question."""

    def __init__(self, vpc: Vpc, target: Subnet) -> None:
        self.vpc, self.target = vpc, target
        block = target.block
        self.first, self.last = block_span(block)
        self.long = block.prefixlen < 24
        wide = block.supernet()
        narrow = IPv4Network((self.first, block.prefixlen + 1))
        whose = f"the prefix length of {target.name}"
        self.prefix_runs = [
            (_with_block(vpc, target, wide), misread_prefix(block.prefixlen, wide.prefixlen, whose)),
            (_with_block(vpc, target, narrow), misread_prefix(block.prefixlen, narrow.prefixlen, whose)),
        ]
        self.by_24: dict[int, Vpc] = {}

    def of(self, address: IPv4Address) -> tuple[AddressLookup, list[tuple[str, str]]]:
        """The model's verdict on `address`, and the status text it gets
        under each misconception, with the misconception."""
        truth = locate_address(self.vpc, address)
        readings = _rule_readings(truth)
        readings += [(_status_text(locate_address(read, address)), why) for read, why in self.prefix_runs]
        value = int(address)
        if self.long and self.first <= value <= self.last:
            read = self.by_24.get(value >> 8)
            if read is None:
                read = self.by_24[value >> 8] = _with_block(self.vpc, self.target, IPv4Network((value >> 8 << 8, 24)))
            readings.append((_status_text(locate_address(read, address)), _LAST_OCTET))
        return truth, readings


class AddressStatusQuestion(Generator):
    """Which subnet an address falls in, and whether it can be assigned."""

    id = "vpc.address-status"
    version = 1
    topic = "vpc"
    kind = AnswerKind.SINGLE
    note = "vpc#where-an-address-falls"
    title = "Can this address be assigned?"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        while True:
            primary = random_block(rng, 16, 22)
            blocks = subnet_layout(rng, primary, 3, primary.prefixlen + 2, min(27, primary.prefixlen + 8))
            if len(blocks) >= 2:
                break
        name, labels = vpc_and_subnet_names(rng, fake, len(blocks))
        vpc = Vpc((primary,), tuple(Subnet(n, b) for n, b in zip(labels, blocks, strict=True)))
        target = rng.choice(vpc.subnets)
        misreadings = _Misreadings(vpc, target)
        base, last = misreadings.first, misreadings.last
        values = [base + 1, base + 2, base + 3, base + 4, last, last - 1, last + 1, base - 1]
        if misreadings.long:  # a .0 or .255 in the middle of a large subnet
            inner = 256 * rng.randrange(1, (last - base + 1) // 256)
            values += [base + inner, base + inner - 1]
        rng.shuffle(values)
        wanted = 2 if rng.random() < 0.6 else 1  # mostly three choices, yet every kind of address
        best: tuple[int, IPv4Address, AddressLookup, list[tuple[str, str]]] | None = None
        for value in values:
            address = IPv4Address(value)
            truth, readings = misreadings.of(address)
            differing = len({text for text, _ in readings} - {_status_text(truth)})
            if best is None or differing > best[0]:
                best = (differing, address, truth, readings)
            if differing >= wanted:
                break
        assert best is not None and best[0] >= 1
        _, address, truth, readings = best
        distractors = [Distractor(text, why) for text, why in readings]
        answer = _status_text(truth)
        table, subnets = subnets_shown(vpc.subnets)
        primary_text, address_shown = block_text(primary), address_text(address)
        return Body(
            prompt=(
                f"The VPC **{name}** has the IPv4 block `{primary_text}` and these subnets:\n\n{table}\n\n"
                f"Can the private IPv4 address `{address_shown}` be assigned to a new network interface in this VPC?"
            ),
            params={"vpc": name, "block": primary_text, "subnets": subnets, "address": address_shown},
            explanation=bullets(truth.trace) + f"\n\nSo: {answer}.",
            choices=single_choice(rng, answer, distractors),
        )

class ValidSubnets(Generator):
    """Choose the two subnet blocks that can be created in a VPC."""

    id = "vpc.valid-subnets"
    version = 1
    topic = "vpc"
    kind = AnswerKind.MULTIPLE
    note = "vpc#subnets"
    title = "Which subnets can be created?"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        primary = random_block(rng, 16, 22)
        p = primary.prefixlen
        blocks = [primary]
        if rng.random() < 0.4:
            secondary = secondary_block(rng, blocks, 18, 24)
            if not secondary.overlaps(primary.supernet()):  # keep the block next to the primary free
                blocks.append(secondary)
        layout = subnet_layout(rng, primary, 3, p + 2, min(27, p + 6))
        label, labels = vpc_and_subnet_names(rng, fake, len(layout))
        vpc = Vpc(tuple(blocks), tuple(Subnet(n, b) for n, b in zip(labels, layout, strict=True)))

        taken = [span for _, span in vpc.subnet_spans]  # grows with each block placed
        tiny_start = None
        while tiny_start is None:
            tiny_prefix = rng.randint(29, 30)
            tiny_start = free_start(rng, vpc.block_spans[0][1], taken, tiny_prefix)
        tiny = IPv4Network((tiny_start, tiny_prefix))
        taken.append(block_span(tiny))
        outers = [(span, b.prefixlen) for b, span in vpc.block_spans]
        right: list[IPv4Network] = []
        while len(right) < 2:
            outer, outer_prefix = rng.choice(outers)
            prefix = rng.randint(min(28, outer_prefix + 1), min(28, outer_prefix + 6))
            first = free_start(rng, outer, taken, prefix)
            if first is not None:
                right.append(IPv4Network((first, prefix)))
                taken.append(block_span(right[-1]))
        near = rng.choice(layout)
        near_prefix = near.prefixlen
        if rng.random() < 0.5 and near_prefix - 1 > p:
            overlapping = near.supernet(rng.randint(1, near_prefix - p - 1))
        else:
            overlapping = random_subblock(rng, near, rng.randint(near_prefix, 28))
        # the other half of the primary's supernet: flip the bit that the supernet drops
        p_first, p_last = vpc.block_spans[0][1]
        other_half = IPv4Network((p_first ^ (p_last - p_first + 1), p))
        outside = random_subblock(rng, other_half, rng.randint(p, min(28, p + 6)))
        distractors = [
            Distractor(f"`{block_text(overlapping)}`", "skip the check against the subnets that already exist"),
            Distractor(f"`{block_text(tiny)}`", "think a subnet can be smaller than /28"),
            Distractor(f"`{block_text(outside)}`", misread_prefix(p, p - 1, "the VPC block's prefix length")),
        ]
        table, subnets = subnets_shown(vpc.subnets)
        block_texts: list[JSONValue] = [block_text(b) for b in blocks]
        shown = " and ".join(f"`{b}`" for b in block_texts)
        lines = []
        for block in (*right, overlapping, tiny, outside):
            check = check_subnet(vpc, block)
            verdict = "Can be created" if check.ok else "Cannot be created"
            lines.append(f"{verdict}: " + " ".join(check.trace))
        return Body(
            prompt=(
                f"The VPC **{label}** has the IPv4 block{'s' if len(blocks) > 1 else ''} {shown} "
                f"and these subnets:\n\n{table}\n\n"
                "Which **two** of these CIDR blocks can be created as new subnets in it?"
            ),
            params={
                "vpc": label,
                "blocks": block_texts,
                "subnets": subnets,
            },
            explanation=bullets(lines),
            choices=multiple_choice(rng, [f"`{block_text(b)}`" for b in right], distractors),
        )

class DefaultSubnetCidr(Generator):
    """The /20 a new default subnet gets in the default VPC."""

    id = "vpc.default-subnet-cidr"
    version = 1
    topic = "vpc"
    kind = AnswerKind.NETWORK
    note = "vpc#the-default-vpc"
    title = "Next default subnet"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        region = rng.choice(REGIONS)
        zones = rng.randint(2, 6)
        new_zone = f"{region}{'abcdefgh'[zones]}"
        existing = [default_vpc.default_subnet(i).block for i in range(1, zones + 1)]
        found = default_vpc.next_default_subnet(existing)
        step = found.block.num_addresses // 256
        third = (found.position - 1) * step
        candidates = [
            (str(IPv4Network(f"172.31.{found.position - 1}.0/24")), "think default subnets are /24 blocks"),
            (str(IPv4Network(f"10.0.{third}.0/20")), "think the default VPC is 10.0.0.0/16"),
            (str(existing[-1]), f"are off by one in counting: the {zones} existing subnets take the first {zones} blocks"),
            (str(IPv4Network(f"172.{31 + found.position - 1}.0.0/16")), "think each default subnet is a /16"),
        ]
        return Body(
            prompt=(
                f"In the Region `{region}`, the default VPC has a default subnet in each of its {zones} "
                "Availability Zones, and those subnets fill the start of the default VPC's range one after "
                f"another, with no gaps. AWS opens a new zone, `{new_zone}`, and creates its default subnet in the "
                "next available contiguous space. Which CIDR block does the new default subnet get?"
            ),
            params={"region": region, "zones": zones, "new_zone": new_zone},
            explanation=bullets(found.trace) + f"\n\nSo `{new_zone}` gets **`{found.block}`**.",
            spec=NetworkSpec(str(found.block)),
            meta={"network_misconceptions": network_misconceptions(str(found.block), candidates)},
        )


GENERATORS: list[type[Generator]] = [AddressStatusQuestion, ValidSubnets, DefaultSubnetCidr]
