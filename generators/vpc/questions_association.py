"""Generators about a VPC's own IPv4 blocks: which block may be added next
to the ones it has, and how many more its quota allows."""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal

from faker import Faker

from generators.base import Body, Distractor, Generator, single_choice
from generators.vpc import association
from generators.vpc.association import AssociationRule
from generators.vpc.model import IPv4Network, block_text
from generators.vpc.scenarios import (
    random_block,
    random_subblock,
    secondary_block,
    vpc_name,
)
from generators.vpc.wording import blocks_shown, bullets
from quizapp.questions import AnswerKind, JSONValue, NumericSpec

_TEN_ONE = IPv4Network("10.1.0.0/16")

# A refused candidate: the block, the misconception that would let it through, the model's verdict.
_Candidate = tuple[IPv4Network, str, association.AssociationCheck]


class SecondaryBlock(Generator):
    """Which block can be added to a VPC as a secondary IPv4 block."""

    id = "vpc.secondary-block"
    version = 1
    topic = "vpc"
    kind = AnswerKind.SINGLE
    note = "vpc#adding-ipv4-blocks"
    title = "Adding a secondary IPv4 block"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        home = rng.choice(association.RFC1918_RANGES)
        if home is association.RFC1918_RANGES[0] and rng.random() < 0.4:
            primary = random_block(rng, 16, 24, _TEN_ONE)  # where the 10.0.0.0/16 rule bites
        else:
            primary = random_block(rng, 16, 24, home)
        blocks = [primary]
        if rng.random() < 0.5:
            blocks.append(secondary_block(rng, blocks, 16, 24))
        route: IPv4Network | None = None
        if rng.random() < 0.4:
            for _ in range(8):
                candidate = random_block(rng, 20, 26, home)
                if association.check_association(blocks, candidate).allowed:
                    route = candidate
                    break
        routes = [route] if route is not None else []

        def refused(make: Callable[[], IPv4Network], rule: AssociationRule, why: str) -> _Candidate | None:
            """A block that `rule` alone refuses: ignoring the rule (the
            misconception) lets it through."""
            for _ in range(12):
                block = make()
                check = association.check_association(blocks, block, route_destinations=routes)
                if [r.rule for r in check.refusals] == [rule]:
                    loose = association.check_association(blocks, block, route_destinations=routes, ignore=frozenset({rule}))
                    if loose.allowed:
                        return block, why, check
            return None

        others = [r for r in association.RFC1918_RANGES if r is not home]
        makers: list[tuple[Callable[[], IPv4Network], AssociationRule, str]] = [
            (lambda: random_block(rng, 16, 24, rng.choice(others)), AssociationRule.RESTRICTED_RANGE,
             "think any RFC 1918 range can be added to any VPC"),
            (lambda: random_block(rng, 16, 24, association.BENCHMARK_198_19), AssociationRule.RESTRICTED_RANGE,
             "treat 198.19.0.0/16 like ordinary address space"),
            (lambda: random_block(rng, 15, 15, association.SHARED_ADDRESS_SPACE), AssociationRule.BLOCK_SIZE,
             "forget that every VPC block must be /16 to /28"),
            (lambda: random_subblock(rng, blocks[-1], rng.randint(blocks[-1].prefixlen, 26)), AssociationRule.OVERLAP,
             "check the new block for overlap against the primary block only" if len(blocks) > 1
             else "think a secondary block may be carved out of the primary block"),
        ]
        if home is association.RFC1918_RANGES[1]:
            makers.append((lambda: random_block(rng, 16, 24, association.DEFAULT_VPC_RANGE_172_31), AssociationRule.RESTRICTED_RANGE,
                           "forget that a VPC in 172.16.0.0/12 may not add blocks from 172.31.0.0/16"))
        if any(int(b.network_address) >> 17 == 10 << 7 for b in blocks):  # in 10.0.0.0/15: AWS's 10.0.0.0/16 rule applies
            makers.append((lambda: random_block(rng, 16, 24, association.TEN_ZERO_16), AssociationRule.RESTRICTED_RANGE,
                           "forget that 10.0.0.0/16 is off limits once a VPC block lies in 10.0.0.0/15"))
        if route is not None:
            covering = route  # a block that contains the route's destination

            def cover() -> IPv4Network:
                return covering.supernet(new_prefix=rng.randint(16, covering.prefixlen))

            makers.append((cover, AssociationRule.ROUTE_CONFLICT,
                           "forget that a new block may not cover the destination of an existing route"))
        rng.shuffle(makers)
        candidates: list[_Candidate] = []
        for make, rule, why in makers:
            found = refused(make, rule, why)
            if found is not None:
                candidates.append(found)
                if len(candidates) == 3:
                    break
        while True:
            pool = home if rng.random() < 0.6 else association.SHARED_ADDRESS_SPACE
            answer = random_block(rng, 16, 24, pool)
            allowed = association.check_association(blocks, answer, route_destinations=routes)
            if allowed.allowed:
                break
        label = vpc_name(fake)
        shown = blocks_shown(blocks)
        route_cidr = block_text(route) if route is not None else ""
        route_text = (
            f" Besides its local routes, one of its route tables sends `{route_cidr}` to a virtual private gateway."
            if route is not None else " Its route tables hold only the local routes."
        )
        answer_text = f"`{block_text(answer)}`"
        wrong = [(f"`{block_text(block)}`", why, check) for block, why, check in candidates]
        lines = [allowed.trace[-1].replace("Allowed:", f"{answer_text} is allowed:")]
        lines += [f"{text} is refused: {check.refusals[0].detail}." for text, _, check in wrong]
        params: dict[str, JSONValue] = {"vpc": label, "blocks": [block_text(b) for b in blocks]}
        if route is not None:
            params["route"] = route_cidr
        return Body(
            prompt=(
                f"The VPC **{label}** has the {shown}.{route_text} "
                "Which one of these blocks can you associate with it as an additional IPv4 CIDR block?"
            ),
            params=params,
            explanation=bullets(lines),
            choices=single_choice(rng, answer_text, [Distractor(text, why) for text, why, _ in wrong]),
        )


class BlockQuota(Generator):
    """How many more IPv4 blocks a VPC can take under its quota."""

    id = "vpc.block-quota"
    version = 1
    topic = "vpc"
    kind = AnswerKind.NUMERIC
    note = "vpc#the-blocks-per-vpc-quota"
    title = "IPv4 blocks per VPC"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        blocks = [random_block(rng, 16, 24)]
        for _ in range(rng.randint(0, 4)):
            blocks.append(secondary_block(rng, blocks, 16, 24))
        raised = rng.random() < 0.3
        quota = rng.choice([8, 10, 20, 50]) if raised else association.DEFAULT_IPV4_BLOCKS_PER_VPC
        headroom = association.quota_headroom(len(blocks), quota)
        label = vpc_name(fake)
        listed = ", ".join(f"`{b}`" for b in blocks)
        quota_text = f" The account's quota for IPv4 blocks per VPC has been raised to {quota}." if raised else (
            " The account uses the default quotas.")
        misconceptions: list[dict[str, JSONValue]] = [
            {"value": quota - len(blocks) + 1, "misconception": "forget that the primary block counts toward the quota"},
        ]
        if not raised:
            misconceptions += [
                {"value": 6 - len(blocks), "misconception": "trust the old study notes' limit of six blocks per VPC"},
                {"value": association.MAX_IPV4_BLOCKS_PER_VPC - len(blocks),
                 "misconception": "take 50, the most the quota can be raised to, for the default"},
            ]
        elif association.DEFAULT_IPV4_BLOCKS_PER_VPC >= len(blocks):
            misconceptions.append({"value": association.DEFAULT_IPV4_BLOCKS_PER_VPC - len(blocks),
                                   "misconception": "ignore the quota increase"})
        params: dict[str, JSONValue] = {"vpc": label, "blocks": [str(b) for b in blocks]}
        if raised:
            params["quota"] = quota
        return Body(
            prompt=(
                f"The VPC **{label}** has these IPv4 CIDR blocks: {listed} (the first is the primary).{quota_text} "
                "How many more IPv4 CIDR blocks can be associated with it?"
            ),
            params=params,
            explanation=bullets(headroom.trace) + f"\n\nSo **{headroom.left}** more can be associated." + (
                " Older study notes give six blocks per VPC; AWS documentation gives five by default, up to 50."
                if not raised else ""),
            spec=NumericSpec(Decimal(headroom.left), Decimal(0), "blocks"),
            meta={"numeric_misconceptions": [m for m in misconceptions if m["value"] != headroom.left]},
        )


GENERATORS: list[type[Generator]] = [SecondaryBlock, BlockQuota]
