"""The VPC generators: each answer agrees with an independent computation
from the instance's params, each distractor is what its misconception gives,
and every note link lands on a heading of the VPC note."""

from __future__ import annotations

import re
from collections.abc import Iterator
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path

import pytest

import generators
from generators.vpc import association, layout, model, planning
from generators.vpc.association import AssociationRule
from generators.vpc.layout import Subnet, Vpc
from generators.vpc.questions import GENERATORS
from quizapp.content import parse_note
from quizapp.questions import AnswerKind, Question

N = IPv4Network
A = IPv4Address
SEEDS = range(300)
NOTE = Path(__file__).parents[3] / "content" / "notes" / "vpc.md"


def instances(gen_id: str) -> Iterator[Question]:
    gen = generators.get(gen_id)
    for seed in SEEDS:
        yield gen.make(seed)


def right(q: Question) -> str:
    return next(c.text for c in q.choices if c.correct)


def cidrs(text: str) -> list[IPv4Network]:
    return [N(m) for m in re.findall(r"\d+\.\d+\.\d+\.\d+/\d+", text)]


def needed(hosts: int) -> int:
    size = 16
    while size - 5 < hosts:
        size *= 2
    return size


# --- the topic as a whole ---------------------------------------------------------


def test_topic_has_enough_generators_and_kinds() -> None:
    ids = [g.id for g in GENERATORS]
    assert len(ids) >= 10 and len(set(ids)) == len(ids)
    assert "vpc.subnet-usable-addresses" in ids
    kinds = {g.kind for g in GENERATORS}
    assert {AnswerKind.SINGLE, AnswerKind.MULTIPLE, AnswerKind.NUMERIC, AnswerKind.NETWORK, AnswerKind.ORDERING} <= kinds
    assert all(g.topic == "vpc" and g.id.startswith("vpc.") for g in GENERATORS)


def test_note_front_matter_and_every_link() -> None:
    note = parse_note(NOTE)
    assert (note.topic, note.order) == ("vpc", 10)
    assert note.sources and all(s.url.startswith("https://docs.aws.amazon.com/") for s in note.sources)
    for gen in GENERATORS:
        stem, anchor = gen.note.split("#")
        assert stem == "vpc" and note.has_anchor(anchor), gen.id


def test_named_misconceptions_appear() -> None:
    named: set[str] = set()
    for gen in GENERATORS:
        for seed in range(40):
            q = gen().make(seed)
            named |= {c.misconception for c in q.choices if c.misconception}
            for key in ("numeric_misconceptions", "network_misconceptions"):
                named |= {str(m["misconception"]) for m in q.meta.get(key, [])}
    text = " | ".join(named)
    assert "forget that AWS reserves five addresses" in text
    assert "reserve only the network and broadcast addresses, as on premises" in text
    assert "off by one in the prefix length" in text
    assert "six blocks" in text


# --- per generator ---------------------------------------------------------------


def test_usable_addresses() -> None:
    for q in instances("vpc.subnet-usable-addresses"):
        subnet = N(q.params["subnet"])
        assert q.answer == str(subnet.num_addresses - 5)
        values = {int(m["value"]) for m in q.meta["numeric_misconceptions"]}
        assert {subnet.num_addresses, subnet.num_addresses - 2} <= values


def test_reserved_address_role() -> None:
    texts = {
        model.ReservedRole.NETWORK: "network address",
        model.ReservedRole.ROUTER: "VPC router",
        model.ReservedRole.DNS: "Amazon DNS",
        model.ReservedRole.FUTURE: "future use",
        model.ReservedRole.BROADCAST: "broadcast",
    }
    for q in instances("vpc.reserved-address-role"):
        subnet, address = N(q.params["subnet"]), A(q.params["address"])
        offset = int(address) - int(subnet.network_address)
        if offset == 4:
            assert right(q).startswith("An ordinary address")
        else:
            role = model.reserved_role(subnet, address)
            assert role is not None and texts[role] in right(q)


def test_assignable_range() -> None:
    for q in instances("vpc.assignable-range"):
        subnet = N(q.params["subnet"])
        hosts_first, hosts_last = subnet.network_address + 1, subnet.broadcast_address - 1
        expected = hosts_first + 3 if q.params["which"] == "lowest" else hosts_last
        assert q.answer == str(expected)
        assert all(m["value"] != q.answer for m in q.meta["network_misconceptions"])


def test_smallest_subnet_prefix() -> None:
    for q in instances("vpc.smallest-subnet-prefix"):
        hosts = int(q.params["hosts"])
        best = max(p for p in range(16, 29) if 2 ** (32 - p) - 5 >= hosts)
        assert right(q) == f"/{best}"


def test_amazon_dns_address() -> None:
    for q in instances("vpc.amazon-dns-address"):
        primary = N(q.params["blocks"][0])
        assert q.answer == str(primary.network_address + 2)
        assert N(q.params["subnet"]).subnet_of(N(q.params["blocks"][-1]))


def test_address_status() -> None:
    for q in instances("vpc.address-status"):
        address = A(q.params["address"])
        subnets = [(s["name"], N(s["cidr"])) for s in q.params["subnets"]]
        holder = next(((n, b) for n, b in subnets if address in b), None)
        text = right(q)
        if holder is None:
            assert "cannot be assigned" in text
            assert ("none of its subnets" in text) == (address in N(q.params["block"]))
            continue
        name, block = holder
        reserved = {block.network_address + i for i in range(4)} | {block.broadcast_address}
        assert f"**{name}**" in text
        assert text.startswith("It cannot") == (address in reserved)


def test_secondary_block() -> None:
    for q in instances("vpc.secondary-block"):
        blocks = [N(b) for b in q.params["blocks"]]
        routes = [N(q.params["route"])] if "route" in q.params else []
        for choice in q.choices:
            (block,) = cidrs(choice.text)
            check = association.check_association(blocks, block, route_destinations=routes)
            assert check.allowed == choice.correct
            if not choice.correct:
                assert not any(block.overlaps(b) for b in blocks) or check.refusals[0].rule is AssociationRule.OVERLAP
                (refusal,) = check.refusals
                loose = association.check_association(blocks, block, route_destinations=routes, ignore=frozenset({refusal.rule}))
                assert loose.allowed


def test_valid_subnets() -> None:
    for q in instances("vpc.valid-subnets"):
        blocks = [N(b) for b in q.params["blocks"]]
        existing = [N(s["cidr"]) for s in q.params["subnets"]]
        for choice in q.choices:
            (candidate,) = cidrs(choice.text)
            ok = (
                16 <= candidate.prefixlen <= 28
                and any(candidate.subnet_of(b) for b in blocks)
                and not any(candidate.overlaps(s) for s in existing)
            )
            assert ok == choice.correct, (q.seed, choice)
            if "off by one in the VPC block" in (choice.misconception or ""):
                wide = Vpc((blocks[0].supernet(), *blocks[1:]), tuple(Subnet("x", s) for s in existing))
                assert layout.check_subnet(wide, candidate).ok


def test_block_quota() -> None:
    for q in instances("vpc.block-quota"):
        quota = int(q.params.get("quota", 5))
        assert q.answer == str(quota - len(q.params["blocks"]))


def test_default_subnet_cidr() -> None:
    slots = list(N("172.31.0.0/16").subnets(new_prefix=20))
    for q in instances("vpc.default-subnet-cidr"):
        assert q.answer == str(slots[int(q.params["zones"])])


def test_plan_subnet_cidr() -> None:
    for q in instances("vpc.plan-subnet-cidr"):
        vpc = N(q.params["vpc_block"])
        tiers = {t["name"]: int(t["hosts"]) for t in q.params["tiers"]}
        answer = N(q.answer)
        assert answer.subnet_of(vpc)
        assert answer.num_addresses == needed(tiers[q.params["ask"]["tier"]])
        requests = planning.requests_per_zone([(t["name"], t["hosts"]) for t in q.params["tiers"]], q.params["zones"])
        runs = {
            "forget that AWS reserves five addresses in every subnet": planning.plan_subnets(
                vpc, requests, reservation=model.Reservation.NONE),
            "reserve only the network and broadcast addresses, as on premises": planning.plan_subnets(
                vpc, requests, reservation=model.Reservation.ON_PREMISES),
            "allocate the subnets in the order of the table instead of largest first": planning.plan_subnets(
                vpc, requests, largest_first=False),
        }
        ask = q.params["ask"]
        for m in q.meta["network_misconceptions"]:
            assert m["value"] != q.answer
            assert str(runs[m["misconception"]].block_for(ask["tier"], ask["zone"])) == m["value"]


def test_plan_verdict() -> None:
    verdicts = set()
    for q in instances("vpc.plan-verdict"):
        vpc = N(q.params["vpc_block"])
        total = len(q.params["zones"]) * sum(needed(t["hosts"]) for t in q.params["tiers"])
        fits = total <= vpc.num_addresses
        verdicts.add(fits)
        assert right(q).startswith("It fits") == fits
        if fits:
            assert f"{vpc.num_addresses - total:,} addresses" in right(q)
    assert verdicts == {True, False}


def test_plan_order() -> None:
    for q in instances("vpc.plan-order"):
        tiers = [(t["name"], needed(t["hosts"])) for t in q.params["tiers"]]
        expected = [name for name, _ in sorted(tiers, key=lambda t: -t[1])]  # stable: ties keep table order
        assert [c.text for c in q.choices] == expected


@pytest.mark.parametrize("gen", [g for g in GENERATORS if g.kind in (AnswerKind.NUMERIC, AnswerKind.NETWORK)],
                         ids=lambda g: g.id)
def test_explanations_end_on_the_answer(gen: type[generators.Generator]) -> None:
    for seed in range(50):
        q = gen().make(seed)
        answer = str(q.answer)
        shown = f"{int(answer):,}" if answer.isdigit() else answer
        assert f"**{shown}**" in q.explanation or f"**`{shown}`**" in q.explanation, (seed, q.explanation)
