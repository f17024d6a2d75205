"""Question generators over the VPC addressing model."""

from __future__ import annotations

import random
from decimal import Decimal

from faker import Faker

from generators.base import Body, Generator
from generators.vpc import model
from quizapp.questions import AnswerKind, NumericSpec


def _random_subnet(rng: random.Random, low: int = 16, high: int = 28) -> model.IPv4Network:
    """A random private subnet with a prefix between `low` and `high`."""
    prefix = rng.randint(low, high)
    second = rng.randrange(256)
    base = int(model.IPv4Address(f"10.{second}.0.0"))
    offset = rng.randrange(2 ** (16 - min(prefix, 16)) if prefix < 16 else 2 ** (prefix - 16)) << (32 - prefix)
    return model.IPv4Network((base + offset, prefix))


class UsableAddresses(Generator):
    """How many addresses of a subnet can be assigned to resources."""

    id = "vpc.subnet-usable-addresses"
    version = 1
    topic = "vpc"
    kind = AnswerKind.NUMERIC
    note = "vpc#reserved-addresses"
    title = "Usable addresses in a subnet"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        subnet = _random_subnet(rng, 20, 28)
        usable = model.usable_addresses(subnet)
        total = model.total_addresses(subnet)
        name = f"{fake.word()}-{rng.choice(['app', 'data', 'web', 'mgmt'])}"
        reserved = model.reserved_addresses(subnet)
        rows = "\n".join(f"- `{r.address}`: {r.role}" for r in reserved)
        return Body(
            prompt=(
                f"The subnet **{name}** has the CIDR block `{subnet}`. "
                "How many of its IPv4 addresses can be assigned to network interfaces?"
            ),
            params={"subnet": str(subnet), "name": name},
            explanation=(
                f"A /{subnet.prefixlen} holds 2^(32-{subnet.prefixlen}) = {total:,} addresses. "
                f"AWS reserves {model.RESERVED_PER_SUBNET} of them in every subnet:\n\n{rows}\n\n"
                f"So {total:,} - {model.RESERVED_PER_SUBNET} = **{usable:,}** can be assigned."
            ),
            spec=NumericSpec(Decimal(usable), Decimal(0), "addresses"),
            meta={
                "numeric_misconceptions": [
                    {"value": total, "misconception": "forget that AWS reserves five addresses"},
                    {"value": total - 2, "misconception": "reserve only the network and broadcast addresses, as on premises"},
                    {"value": 2 ** (32 - subnet.prefixlen - 1) - 5, "misconception": "are off by one in the prefix length"},
                ]
            },
        )


GENERATORS: list[type[Generator]] = [UsableAddresses]
