"""Question generators over the VPC addressing model: the sizes and reserved
addresses of one subnet, and the Amazon DNS address.  `GENERATORS` lists
every VPC generator, including those of `questions_layout` (subnets and
addresses in a VPC, the default VPC), `questions_association` (a VPC's own
blocks and their quota) and `questions_planning` (subnet plans)."""

from __future__ import annotations

import random
from decimal import Decimal

from faker import Faker

from generators.base import Body, Distractor, Generator, single_choice
from generators.vpc import association, layout, model
from generators.vpc.model import IPv4Network, Reservation, ReservedRole
from generators.vpc.questions_association import BlockQuota, SecondaryBlock
from generators.vpc.questions_layout import (
    AddressStatusQuestion,
    DefaultSubnetCidr,
    ValidSubnets,
)
from generators.vpc.questions_planning import GENERATORS as PLANNING
from generators.vpc.scenarios import (
    random_block,
    random_subblock,
    secondary_block,
    subnet_names,
    vpc_and_subnet_names,
)
from generators.vpc.wording import (
    FIRST_FIVE,
    FORGET_RESERVED,
    ON_PREMISES,
    blocks_shown,
    bullets,
    misread_prefix,
    network_misconceptions,
)
from quizapp.questions import AnswerKind, JSONValue, NetworkSpec, NumericSpec


def _subnet_name(rng: random.Random, fake: Faker) -> str:
    return subnet_names(rng, fake, 1)[0]


class UsableAddresses(Generator):
    """How many addresses of a subnet can be assigned to resources."""

    id = "vpc.subnet-usable-addresses"
    version = 2  # v2 draws /16 to /28 anywhere in RFC 1918 space
    topic = "vpc"
    kind = AnswerKind.NUMERIC
    note = "vpc#reserved-addresses"
    title = "Usable addresses in a subnet"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        subnet = random_block(rng, 16, 28)
        size = model.size_subnet(subnet)
        name = _subnet_name(rng, fake)
        prefix = subnet.prefixlen
        misconceptions: list[dict[str, JSONValue]] = [
            {"value": size.total, "misconception": FORGET_RESERVED},
            {"value": model.usable_addresses(subnet, Reservation.ON_PREMISES), "misconception": ON_PREMISES},
            {"value": 2 ** (32 - prefix - 1) - 5, "misconception": f"are off by one in the prefix length (a /{prefix + 1})"},
        ]
        if prefix > model.MIN_PREFIX:
            misconceptions.append(
                {"value": 2 ** (32 - prefix + 1) - 5, "misconception": f"are off by one in the prefix length (a /{prefix - 1})"}
            )
        return Body(
            prompt=(
                f"The subnet **{name}** has the CIDR block `{subnet}`. "
                "How many of its IPv4 addresses can be assigned to network interfaces?"
            ),
            params={"subnet": str(subnet), "name": name},
            explanation=bullets(size.trace) + f"\n\nSo **{size.usable:,}** addresses can be assigned.",
            spec=NumericSpec(Decimal(size.usable), Decimal(0), "addresses"),
            meta={"numeric_misconceptions": misconceptions},
        )


_ROLE_TEXT = {
    ReservedRole.NETWORK: "The network address, reserved by AWS",
    ReservedRole.ROUTER: "The VPC router's address, reserved by AWS",
    ReservedRole.DNS: "The Amazon DNS server's address, reserved by AWS",
    ReservedRole.FUTURE: "An address AWS reserves for future use",
    ReservedRole.BROADCAST: "The broadcast address, reserved by AWS although a VPC has no broadcast",
}
_ORDINARY = "An ordinary address that can be assigned to an instance"
_SHORT = {
    ReservedRole.NETWORK: "network address",
    ReservedRole.ROUTER: "VPC router",
    ReservedRole.DNS: "Amazon DNS server",
    ReservedRole.FUTURE: "future-use address",
    ReservedRole.BROADCAST: "broadcast address",
}


def _at(role: ReservedRole) -> str:
    return "the last address" if role is ReservedRole.BROADCAST else role.position


class ReservedAddressRole(Generator):
    """What one of the first or last addresses of a subnet is for."""

    id = "vpc.reserved-address-role"
    version = 1
    topic = "vpc"
    kind = AnswerKind.SINGLE
    note = "vpc#reserved-addresses"
    title = "What a reserved address is for"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        subnet = random_block(rng, 16, 28)
        name = _subnet_name(rng, fake)
        roles = list(ReservedRole)
        reserved = model.reserved_addresses(subnet)
        pick = rng.randrange(len(reserved) + 1)
        if pick == len(reserved):  # base + 4: the first assignable address
            address = subnet.network_address + 4
            answer = _ORDINARY
            distractors = [Distractor(_ROLE_TEXT[ReservedRole.FUTURE], FIRST_FIVE)]
            distractors += [
                Distractor(_ROLE_TEXT[r], f"put the {_SHORT[r]} at base + 4 instead of at {_at(r)}")
                for r in (ReservedRole.DNS, ReservedRole.ROUTER)
            ]
        else:
            address, role = reserved[pick].address, reserved[pick].role
            answer = _ROLE_TEXT[role]
            scheme, mistake = (
                (Reservation.ON_PREMISES, ON_PREMISES)
                if role in (ReservedRole.ROUTER, ReservedRole.DNS, ReservedRole.FUTURE)
                else (Reservation.NONE, FORGET_RESERVED)
            )
            assert model.reserved_role(subnet, address, scheme) is None
            distractors = [Distractor(_ORDINARY, mistake)]
            index = roles.index(role)
            for other in (roles[(index + 1) % len(roles)], roles[index - 1]):
                distractors.append(
                    Distractor(_ROLE_TEXT[other], f"put the {_SHORT[other]} at {_at(role)} instead of at {_at(other)}")
                )
        lookup = layout.locate_address(layout.Vpc((subnet,), (layout.Subnet(name, subnet),)), address)
        rows = "\n".join(f"| `{r.address}` | {r.role.position} | {r.role} |" for r in reserved)
        return Body(
            prompt=f"The subnet **{name}** has the CIDR block `{subnet}`. What is the address `{address}` of this subnet?",
            params={"subnet": str(subnet), "name": name, "address": str(address)},
            explanation=(
                f"{bullets(lookup.trace)}\n\nThe five addresses AWS reserves in `{subnet}`:\n\n"
                f"| Address | Position | Role |\n|---|---|---|\n{rows}"
            ),
            choices=single_choice(rng, answer, distractors),
        )


class AssignableRange(Generator):
    """The first or the last address of a subnet that an instance can get."""

    id = "vpc.assignable-range"
    version = 1
    topic = "vpc"
    kind = AnswerKind.NETWORK
    note = "vpc#reserved-addresses"
    title = "First or last assignable address"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        subnet = random_block(rng, 16, 27)
        name = _subnet_name(rng, fake)
        first = rng.random() < 0.5
        narrow = random_subblock(rng, subnet, subnet.prefixlen + 1)
        if first:
            which = "lowest"
            answer = model.first_usable(subnet)
            candidates = [
                (str(model.first_usable(subnet, Reservation.ON_PREMISES)), ON_PREMISES),
                (str(model.first_usable(subnet, Reservation.NONE)), FORGET_RESERVED),
                (str(model.first_usable(subnet, Reservation.FIRST_FIVE)), FIRST_FIVE),
                (str(model.first_usable(narrow)), misread_prefix(subnet.prefixlen, narrow.prefixlen)),
            ]
        else:
            which = "highest"
            answer = model.last_usable(subnet)
            candidates = [
                (str(model.last_usable(subnet, Reservation.NONE)), FORGET_RESERVED),
                (str(model.last_usable(subnet, Reservation.FIRST_FIVE)), FIRST_FIVE),
                (str(model.last_usable(narrow)), misread_prefix(subnet.prefixlen, narrow.prefixlen)),
            ]
        size = model.size_subnet(subnet)
        return Body(
            prompt=(
                f"The subnet **{name}** has the CIDR block `{subnet}`. "
                f"What is the {which} IPv4 address in it that can be assigned to an instance?"
            ),
            params={"subnet": str(subnet), "name": name, "which": which},
            explanation=(
                f"`{subnet}` runs from `{subnet.network_address}` to `{subnet.broadcast_address}`.\n\n"
                + bullets(size.trace[1:-1])
                + f"\n\nThe assignable range is `{model.first_usable(subnet)}` to `{model.last_usable(subnet)}`, "
                f"so the {which} assignable address is **`{answer}`**."
            ),
            spec=NetworkSpec(str(answer), expect="address"),
            meta={"network_misconceptions": network_misconceptions(str(answer), candidates)},
        )


class SmallestSubnetPrefix(Generator):
    """The smallest subnet that gives a tier the addresses it needs."""

    id = "vpc.smallest-subnet-prefix"
    version = 1
    topic = "vpc"
    kind = AnswerKind.SINGLE
    note = "vpc#sizing-a-subnet"
    title = "Smallest subnet for a host count"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        prefix = rng.randint(17, 28)
        size = 2 ** (32 - prefix)
        low = 1 if prefix == model.MAX_PREFIX else size // 2 - 4
        if prefix < model.MAX_PREFIX and rng.random() < 0.5:
            hosts = rng.randint(low, size // 2)  # the band where forgetting the reserved five changes the answer
        else:
            hosts = rng.randint(low, size - 5)
        answer = model.smallest_prefix_for(hosts)
        assert answer == prefix
        name = _subnet_name(rng, fake)
        distractors = [
            Distractor(f"/{model.smallest_prefix_for(hosts, Reservation.NONE)}", FORGET_RESERVED),
            Distractor(f"/{model.smallest_prefix_for(hosts, Reservation.ON_PREMISES)}", ON_PREMISES),
            Distractor(f"/{32 - answer}", "write the number of host bits instead of the prefix length"),
            Distractor(f"/{answer + 1}", "are off by one in the prefix length (each extra bit halves the block)"),
        ]
        sizing = model.size_for_hosts(hosts)
        return Body(
            prompt=(
                f"The subnet **{name}** must be able to hold {hosts:,} network interfaces, one address each. "
                "What is the smallest subnet (the longest prefix length) that fits?"
            ),
            params={"name": name, "hosts": hosts},
            explanation=bullets(sizing.trace) + f"\n\nSo the answer is **/{sizing.prefix}**.",
            choices=single_choice(rng, f"/{answer}", distractors),
        )


class AmazonDnsAddress(Generator):
    """The in-VPC address of the Amazon DNS server."""

    id = "vpc.amazon-dns-address"
    version = 1
    topic = "vpc"
    kind = AnswerKind.NETWORK
    note = "vpc#amazon-dns-server"
    title = "Amazon DNS address in a VPC"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        home = rng.choice(association.RFC1918_RANGES)
        primary = random_block(rng, 16, 24, home)
        blocks = [primary]
        if rng.random() < 0.6:
            blocks.append(secondary_block(rng, blocks, 16, 24))
        holder = blocks[-1]
        subnet = random_subblock(rng, holder, rng.randint(holder.prefixlen + 1, min(28, holder.prefixlen + 6)))
        if subnet.network_address == primary.network_address:
            # the next block of the same size, so that the subnet's own base + 2 is a distinct mistake
            subnet = IPv4Network((int(subnet.network_address) + subnet.num_addresses, subnet.prefixlen))
        vpc = layout.Vpc(tuple(blocks))
        dns = layout.amazon_dns(vpc)
        vpc_label, (sub_label,) = vpc_and_subnet_names(rng, fake, 1)
        shown = blocks_shown(blocks)
        candidates = [
            (str(subnet.network_address + 2), "use base + 2 of the instance's own subnet"),
            (str(holder.network_address + 2), "use base + 2 of the VPC block the subnet is in, not of the primary block"),
            (str(primary.network_address + 1), "confuse the DNS server with the VPC router at base + 1"),
            (str(dns.link_local), "give the link-local address although the question asks for one in the VPC's range"),
        ]
        return Body(
            prompt=(
                f"The VPC **{vpc_label}** has the {shown}. An instance in its subnet "
                f"**{sub_label}** (`{subnet}`) sends DNS queries to the Amazon DNS server. "
                "Which address *inside the VPC's own ranges* does the Amazon DNS server answer on? "
                "(Not the link-local address.)"
            ),
            params={"vpc": vpc_label, "blocks": [str(b) for b in blocks], "subnet_name": sub_label, "subnet": str(subnet)},
            explanation=bullets(dns.trace) + f"\n\nSo the answer is **`{dns.in_vpc}`**.",
            spec=NetworkSpec(str(dns.in_vpc), expect="address"),
            meta={"network_misconceptions": network_misconceptions(str(dns.in_vpc), candidates)},
        )


GENERATORS: list[type[Generator]] = [
    UsableAddresses,
    ReservedAddressRole,
    AssignableRange,
    SmallestSubnetPrefix,
    AmazonDnsAddress,
    # the order of the curriculum: study sessions take a topic's skills in this order
    AddressStatusQuestion,
    SecondaryBlock,
    ValidSubnets,
    BlockQuota,
    DefaultSubnetCidr,
    *PLANNING,
]

