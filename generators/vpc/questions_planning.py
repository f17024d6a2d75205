"""Generators about subnet plans: given a VPC block and the addresses each
tier needs per Availability Zone, where the subnets go and whether they fit."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cached_property

from faker import Faker

from generators.base import Body, Distractor, Generator, ordering_choices, single_choice
from generators.vpc import model, planning
from generators.vpc.model import IPv4Network, Reservation, cidr_text
from generators.vpc.planning import PlanStep, SubnetPlan, SubnetRequest
from generators.vpc.scenarios import REGIONS, TIERS, random_block
from generators.vpc.wording import (
    FORGET_RESERVED,
    ON_PREMISES,
    bullets,
    misread_prefix,
    network_misconceptions,
)
from quizapp.questions import AnswerKind, JSONValue, NetworkSpec

LISTED_ORDER = "allocate the subnets in the order of the table instead of largest first"

RULES = (
    "Plan: each subnet gets the smallest block that gives it the addresses it needs; blocks are "
    "allocated largest first, each at the lowest free address of the VPC block that is a multiple of "
    "its size; subnets needing the same size go in the order of the table"
)


@dataclass(frozen=True)
class _Scenario:
    vpc_block: IPv4Network
    zones: tuple[str, ...]
    tiers: tuple[tuple[str, int], ...]

    @cached_property
    def requests(self) -> tuple[SubnetRequest, ...]:
        return planning.requests_per_zone(self.tiers, self.zones or ("",))

    def plan(self, reservation: Reservation = Reservation.AWS, *, largest_first: bool = True,
             vpc_block: IPv4Network | None = None) -> SubnetPlan:
        return planning.plan_subnets(vpc_block or self.vpc_block, self.requests,
                                  reservation=reservation, largest_first=largest_first)

    def prompt(self) -> str:
        rows = "\n".join(f"| {name} | {hosts:,} |" for name, hosts in self.tiers)
        if self.zones:
            where = ", ".join(f"`{z}`" for z in self.zones)
            each = f"Each tier below needs one subnet in each of the Availability Zones {where}"
            order = f"{RULES}, zone by zone in the order given."
        else:
            each = "Each tier below needs one subnet"
            order = f"{RULES}."
        return (
            f"A VPC has the IPv4 block `{self.vpc_block}`. {each}; the number is how many addresses "
            f"each of those subnets must be able to assign.\n\n| Tier | Addresses per subnet |\n|---|---|\n{rows}\n\n"
            f"{order}"
        )

    def params(self) -> dict[str, JSONValue]:
        return {
            "vpc_block": str(self.vpc_block),
            "zones": list(self.zones),
            "tiers": [{"name": n, "hosts": h} for n, h in self.tiers],
        }


def _hosts_for(rng: random.Random, prefix: int) -> int:
    """A host count whose smallest subnet is exactly /`prefix`; often one in
    the band where forgetting the five reserved addresses picks a smaller one."""
    size = 2 ** (32 - prefix)
    if prefix == model.MAX_PREFIX:
        return rng.randint(1, size - 5)
    if rng.random() < 0.4:
        return rng.randint(size // 2 - 4, size // 2)
    return rng.randint(size // 2 - 4, size - 5)


def _draw(rng: random.Random, zone_count: int, tier_count: int, want_fit: bool) -> _Scenario:
    """A scenario whose plan fits (or not) by construction: with power-of-two
    blocks allocated largest first, the plan fits exactly when the blocks add
    up to no more than the VPC block."""
    region = rng.choice(REGIONS)
    zones = tuple(f"{region}{letter}" for letter in "abc"[:zone_count])
    per_tier = max(zone_count, 1)
    bits = (tier_count * per_tier - 1).bit_length()  # a block per subnet, rounded up to a power of two
    prefix = rng.randint(16, 24)
    vpc_block = random_block(rng, prefix, prefix)
    low, high = min(28, prefix + bits - 1), min(28, prefix + bits + 3)
    sizes = [rng.randint(low, high) for _ in range(tier_count)]

    def total() -> int:
        return per_tier * sum(1 << (32 - q) for q in sizes)

    room = vpc_block.num_addresses
    if want_fit:
        while total() > room:  # halve the largest tier's blocks
            sizes[sizes.index(min(sizes))] += 1
    else:
        while total() <= room:  # double a random tier's blocks
            i = rng.randrange(tier_count)
            sizes[i] = max(prefix, sizes[i] - 1)
    tiers = tuple((name, _hosts_for(rng, q)) for name, q in zip(rng.sample(TIERS, tier_count), sizes, strict=True))
    return _Scenario(vpc_block, zones, tiers)


class PlanSubnetCidr(Generator):
    """The block one subnet gets in a largest-first plan."""

    id = "vpc.plan-subnet-cidr"
    version = 1
    topic = "vpc"
    kind = AnswerKind.NETWORK
    note = "vpc#planning-subnets"
    title = "Subnet plan: where does this subnet go?"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        scenario = _draw(rng, rng.randint(2, 3), rng.randint(2, 3), want_fit=True)
        plan = scenario.plan()
        assert plan.fits
        wrong = [
            (scenario.plan(Reservation.NONE), FORGET_RESERVED),
            (scenario.plan(Reservation.ON_PREMISES), ON_PREMISES),
            (scenario.plan(largest_first=False), LISTED_ORDER),
        ]
        by_request = [({(s.request.name, s.request.zone): s for s in other.steps}, why) for other, why in wrong]

        def misreadings(step: PlanStep) -> list[tuple[PlanStep, str]]:
            """Where `step`'s request goes under each misconception, when that differs."""
            found = []
            for steps, why in by_request:
                other = steps[(step.request.name, step.request.zone)]
                if other.start is not None and (other.start, other.prefix) != (step.start, step.prefix):
                    found.append((other, why))
            return found

        telling = [s for s in plan.steps if misreadings(s)]
        step = rng.choice(telling or list(plan.steps))
        asked = step.request
        assert step.start is not None and step.prefix is not None
        answer = cidr_text(step.start, step.prefix)
        candidates = [(cidr_text(other.start, other.prefix), why) for other, why in misreadings(step)
                      if other.start is not None and other.prefix is not None]
        params = scenario.params()
        params["ask"] = {"tier": asked.name, "zone": asked.zone}
        return Body(
            prompt=scenario.prompt() + f"\n\nWhich CIDR block does the **{asked.name}** subnet in `{asked.zone}` get?",
            params=params,
            explanation=bullets(plan.trace) + f"\n\nSo **{asked.label}** gets **`{answer}`**.",
            spec=NetworkSpec(answer),
            meta={"network_misconceptions": network_misconceptions(answer, candidates)},
        )


def _verdict(plan: SubnetPlan) -> str:
    if plan.fits:
        return f"It fits, leaving {plan.free_addresses:,} addresses of the VPC block unallocated"
    return f"It does not fit: {plan.unplaced[0].label} is the first subnet left without room"


class PlanVerdict(Generator):
    """Whether a subnet plan fits in its VPC block."""

    id = "vpc.plan-verdict"
    version = 1
    topic = "vpc"
    kind = AnswerKind.SINGLE
    note = "vpc#planning-subnets"
    title = "Subnet plan: does it fit?"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        want_fit = rng.random() < 0.5
        while True:
            scenario = _draw(rng, rng.randint(2, 3), rng.randint(2, 3), want_fit=want_fit)
            plan = scenario.plan()
            block = scenario.vpc_block
            runs = [
                (scenario.plan(Reservation.NONE), FORGET_RESERVED),
                (scenario.plan(Reservation.ON_PREMISES), ON_PREMISES),
            ]
            if block.prefixlen < model.MAX_PREFIX:
                narrow = IPv4Network((int(block.network_address), block.prefixlen + 1))
                runs.append((scenario.plan(vpc_block=narrow),
                             misread_prefix(block.prefixlen, narrow.prefixlen, "the VPC block's prefix length")))
            if block.prefixlen > model.MIN_PREFIX:
                wide = block.supernet()
                runs.append((scenario.plan(vpc_block=wide),
                             misread_prefix(block.prefixlen, wide.prefixlen, "the VPC block's prefix length")))
            answer = _verdict(plan)
            distractors = [Distractor(_verdict(other), why) for other, why in runs]
            if any(d.text != answer for d in distractors):
                break
        return Body(
            prompt=scenario.prompt() + "\n\nDoes the plan fit in the VPC block?",
            params=scenario.params(),
            explanation=bullets(plan.trace) + f"\n\nSo: {answer}.",
            choices=single_choice(rng, answer, distractors),
        )


class PlanOrder(Generator):
    """The order in which a largest-first plan lays subnets out."""

    id = "vpc.plan-order"
    version = 1
    topic = "vpc"
    kind = AnswerKind.ORDERING
    note = "vpc#planning-subnets"
    title = "Subnet plan: in what order?"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        count = rng.randint(3, 5)
        while True:
            prefix = rng.randint(16, 22)
            vpc_block = random_block(rng, prefix, prefix)
            sizes = rng.sample(range(prefix + 1, min(28, prefix + 8) + 1), count)
            tiers = [(name, _hosts_for(rng, q)) for name, q in zip(rng.sample(TIERS, count), sizes, strict=True)]
            scenario = _Scenario(vpc_block, (), tuple(tiers))
            plan = scenario.plan()
            allocations = plan.allocations
            order = [a.request.name for a in allocations]
            if plan.fits and order != [n for n, _ in tiers]:
                break
        return Body(
            prompt=scenario.prompt() + "\n\nPut the tiers in the order of the addresses their subnets get, lowest first.",
            params=scenario.params(),
            explanation=bullets(plan.trace)
            + "\n\nLargest first from the start of the VPC block means the blocks come out in address order: "
            + ", ".join(f"**{a.request.name}** `{a.block}`" for a in allocations) + ".",
            choices=ordering_choices(rng, order),
        )


GENERATORS: list[type[Generator]] = [PlanSubnetCidr, PlanVerdict, PlanOrder]
