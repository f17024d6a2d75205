"""Question generators over network interfaces, Elastic IP addresses and public IPv4 charges."""

from __future__ import annotations

import random
from decimal import Decimal

from faker import Faker

from generators.base import Body, Distractor, Generator, multiple_choice
from generators.connectivity.drawing import REGIONS, hex_id, unique_names
from generators.eni import model as m
from quizapp.questions import AnswerKind, JSONValue, NumericSpec

_PERIODS = ((720, "a 30-day month"), (744, "a 31-day month"), (168, "one week"), (24, "one day"), (2160, "90 days"))


class PublicIpv4Cost(Generator):
    """What do an account's public IPv4 addresses cost over a period?"""

    id = "eni.public-ipv4-cost"
    version = 1
    topic = "eni"
    kind = AnswerKind.NUMERIC
    note = "eni#public-ipv4-pricing"
    title = "Public IPv4 charges"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        kinds = list(m.PublicAddress)
        counts = {k: rng.choice((0, 0, 1, 1, 2, 3, 4)) for k in kinds}
        counts[rng.choice((m.PublicAddress.AUTO_ASSIGNED, m.PublicAddress.EIP_RUNNING))] += 1
        hours, period = rng.choice(_PERIODS)
        addresses = [k for k in kinds for _ in range(counts[k])]
        cost = m.public_ipv4_cost(addresses, hours=hours)
        old = m.public_ipv4_cost(addresses, hours=hours, pre_2024_rule=True)
        byoip = m.public_ipv4_cost(addresses, hours=hours, byoip_charged=True)
        eips = m.public_ipv4_cost(addresses, hours=hours, eips_only=True)
        charged = sum(1 for a in addresses if m.is_charged(a))
        team = unique_names(fake, rng, 1, "team")[0]
        rows = "\n".join(f"| {k.value} | {counts[k]} |" for k in kinds if counts[k])
        price = m.PUBLIC_IPV4_HOURLY_USD
        detail = "\n".join(
            f"- {counts[k]} × {k.value}: {'charged' if m.is_charged(k) else 'not charged'}" for k in kinds if counts[k]
        )
        return Body(
            prompt=(
                f"The {team} account (past its Free Tier year) holds these public IPv4 addresses in one Region "
                f"for {period} ({hours} hours):\n\n| Address | Count |\n|---|---|\n{rows}\n\n"
                f"AWS charges USD {price} per public IPv4 address per hour (the rate since "
                f"{m.PUBLIC_IPV4_PRICE_AS_OF}). What is the public IPv4 charge for the period, in USD?"
            ),
            params={
                "team": team,
                "hours": hours,
                "period": period,
                "price": str(price),
                "counts": {k.name.lower(): counts[k] for k in kinds if counts[k]},
            },
            explanation=(
                f"Since {m.PUBLIC_IPV4_PRICE_AS_OF} every public IPv4 address is billed per hour, in use or idle, "
                "whatever it is attached to; only addresses you bring yourself (BYOIP) are free.\n\n"
                f"{detail}\n\n"
                f"{charged} charged addresses × {hours} hours × USD {price} = **USD {cost.quantize(Decimal('0.01'))}**.\n\n"
                f"(Price as of {m.PUBLIC_IPV4_PRICE_AS_OF}, from {m.PUBLIC_IPV4_PRICE_SOURCE}.)"
            ),
            spec=NumericSpec(cost, Decimal("0.01"), "USD"),
            meta={
                "numeric_misconceptions": [
                    {"value": str(old), "misconception": "apply the pre-2024 rule that only idle Elastic IPs cost money"},
                    {"value": str(byoip), "misconception": "think your own BYOIP addresses are charged too"},
                    {"value": str(eips), "misconception": "think only Elastic IP addresses are charged, not auto-assigned public addresses"},
                ]
            },
        )


class EipQuotaRemaining(Generator):
    """How many more Elastic IP addresses can a Region allocate?"""

    id = "eni.eip-quota-remaining"
    version = 1
    topic = "eni"
    kind = AnswerKind.NUMERIC
    note = "eni#elastic-ip-addresses"
    title = "The Elastic IP quota"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        regions = rng.sample(REGIONS, rng.randint(2, 3))
        allocated = {r: rng.randint(1, 5) for r in regions}
        target = regions[0]
        allocated[target] = rng.randint(0, 4)
        associated = {r: rng.randint(0, n) for r, n in allocated.items()}
        answer = m.eips_remaining(allocated, target)
        rows = "\n".join(f"| {r} | {allocated[r]} | {associated[r]} |" for r in regions)
        team = unique_names(fake, rng, 1, "team")[0]
        return Body(
            prompt=(
                f"The {team} account has never asked for a quota increase. Its Elastic IP addresses:\n\n"
                f"| Region | Allocated | Of which associated |\n|---|---|---|\n{rows}\n\n"
                f"How many more Elastic IP addresses can it allocate in {target} right now?"
            ),
            params={
                "team": team,
                "target": target,
                "regions": [{"region": r, "allocated": allocated[r], "associated": associated[r]} for r in regions],
            },
            explanation=(
                f"The default quota is {m.DEFAULT_EIPS_PER_REGION} Elastic IP addresses per Region (adjustable), and "
                "every allocated address counts, associated or not. Other Regions have their own quota.\n\n"
                f"{target}: {m.DEFAULT_EIPS_PER_REGION} - {allocated[target]} = **{answer}**."
            ),
            spec=NumericSpec(Decimal(answer), Decimal(0), "addresses"),
            meta={
                "numeric_misconceptions": [
                    {
                        "value": m.eips_remaining(allocated, target, per_account=True),
                        "misconception": "count every Region against one account-wide quota of five",
                    },
                    {
                        "value": m.eips_remaining(allocated, target, associated_only=associated),
                        "misconception": "count only associated addresses toward the quota",
                    },
                ]
            },
        )


class InterfaceOperations(Generator):
    """Which network interface, Elastic IP and security group operations does AWS allow?"""

    id = "eni.interface-operations"
    version = 1
    topic = "eni"
    kind = AnswerKind.MULTIPLE
    note = "eni#elastic-network-interfaces"
    title = "What you can do with network interfaces"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        region = rng.choice(REGIONS)
        other_region = rng.choice([r for r in REGIONS if r != region])
        zone_a, zone_b = f"{region}a", f"{region}b"
        vpc, other_vpc = hex_id(rng, "vpc"), hex_id(rng, "vpc")
        web, batch, spare = (hex_id(rng, "i") for _ in range(3))
        primary = m.Interface(hex_id(rng, "eni"), vpc, hex_id(rng, "subnet"), zone_a, primary=True)
        secondary = m.Interface(hex_id(rng, "eni"), vpc, hex_id(rng, "subnet"), zone_a)
        loose = m.Interface(hex_id(rng, "eni"), vpc, hex_id(rng, "subnet"), rng.choice((zone_a, zone_b)))
        instances = {
            web: m.Instance(web, vpc, zone_a, region),
            batch: m.Instance(batch, vpc, zone_b, region),
            spare: m.Instance(spare, vpc, zone_a, region),
        }
        sg_here, sg_there = hex_id(rng, "sg"), hex_id(rng, "sg")
        eip = f"{rng.randrange(3, 223)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        ops: list[tuple[str, m.Verdict, str]] = [
            (f"Attach {loose.eni_id} to {web}", m.can_attach(loose, instances[web]), "think a network interface can move to another Availability Zone"),
            (f"Attach {loose.eni_id} to {batch}", m.can_attach(loose, instances[batch]), "think a network interface can move to another Availability Zone"),
            (f"Detach {secondary.eni_id} from {web} and attach it to {spare}", m.can_detach(secondary), "think a secondary network interface stays bound to its first instance"),
            (f"Detach {primary.eni_id} from {web}", m.can_detach(primary), "think the primary network interface can be detached"),
            (f"Associate Elastic IP {eip} with {loose.eni_id} instead of {secondary.eni_id}", m.can_move_eip(region, region), "think an Elastic IP address is locked to its first interface"),
            (f"Associate Elastic IP {eip} with a network interface in {other_region}", m.can_move_eip(region, other_region), "think Elastic IP addresses are global"),
            (f"Add security group {sg_there} (from {other_vpc}) to {secondary.eni_id}", m.can_use_security_group(other_vpc, secondary), "think a security group can be used outside its VPC"),
            (f"Add security group {sg_here} (from {vpc}) to {secondary.eni_id} as a second group", m.can_use_security_group(vpc, secondary), "think an interface can have only one security group"),
        ]
        rng.shuffle(ops)
        allowed = [o for o in ops if o[1].allowed]
        refused = [o for o in ops if not o[1].allowed]
        picked_ok = allowed[: rng.randint(2, 3)]
        picked_bad = refused[: 5 - len(picked_ok)]
        answers = [text for text, _, _ in picked_ok]
        distractors = [Distractor(text, why) for text, _, why in picked_bad]
        rows = "\n".join(
            [
                f"| {primary.eni_id} | {primary.subnet} | {primary.zone} | primary interface of {web} |",
                f"| {secondary.eni_id} | {secondary.subnet} | {secondary.zone} | secondary interface of {web} |",
                f"| {loose.eni_id} | {loose.subnet} | {loose.zone} | not attached |",
            ]
        )
        params: dict[str, JSONValue] = {
            "region": region,
            "vpc": vpc,
            "instances": {i.instance_id: i.zone for i in instances.values()},
            "interfaces": [{"id": e.eni_id, "subnet": e.subnet, "zone": e.zone} for e in (primary, secondary, loose)],
            "eip": eip,
        }
        return Body(
            prompt=(
                f"In VPC {vpc} ({region}), instance {web} runs in {zone_a}, {batch} in {zone_b} and {spare} in "
                f"{zone_a}. Elastic IP {eip} (allocated in {region}) is associated with {secondary.eni_id}.\n\n"
                f"| Interface | Subnet | Availability Zone | Use |\n|---|---|---|---|\n{rows}\n\n"
                f"Which of these operations does AWS allow? Choose {len(answers)}."
            ),
            params=params,
            explanation=(
                "A network interface belongs to one subnet, hence one Availability Zone, and attaches only to "
                "instances in that zone (any subnet of it). The primary interface cannot be detached; secondary "
                "ones can move between instances. Security groups attach to interfaces, several per interface, "
                "but only groups of the interface's VPC. Elastic IP addresses move freely within their Region, "
                "never to another.\n\n"
                + "\n".join(f"- {text}: {'allowed' if v.allowed else 'refused'} ({v.reason})." for text, v, _ in picked_ok + picked_bad)
            ),
            choices=multiple_choice(rng, answers, distractors),
        )


GENERATORS: list[type[Generator]] = [PublicIpv4Cost, EipQuotaRemaining, InterfaceOperations]
