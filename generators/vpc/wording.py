"""Words the VPC generators share: the misconceptions several of them name,
and the markdown pieces they show (trace bullets, a VPC's blocks, a table
of subnets).  Naming a misconception in one place keeps the feedback a
learner reads the same whichever question it came from."""

from __future__ import annotations

from collections.abc import Sequence

from generators.vpc.layout import Subnet
from generators.vpc.model import IPv4Network, block_text
from quizapp.questions import JSONValue

FORGET_RESERVED = "forget that AWS reserves five addresses in every subnet"
ON_PREMISES = "reserve only the network and broadcast addresses, as on premises"
FIRST_FIVE = "think AWS reserves the first five addresses of a subnet and none at the end"


def misread_prefix(real: int, read: int, whose: str = "the prefix length") -> str:
    """The misconception of reading a /`real` as a /`read`.

    >>> misread_prefix(20, 21, "the VPC block's prefix length")
    "are off by one in the VPC block's prefix length (read /20 as /21)"
    """
    return f"are off by one in {whose} (read /{real} as /{read})"


def bullets(lines: Sequence[str]) -> str:
    """A markdown bullet list of trace lines.

    >>> print(bullets(["one", "two"]))
    - one
    - two
    """
    return "\n".join(f"- {line}" for line in lines)


def blocks_shown(blocks: Sequence[IPv4Network]) -> str:
    """A VPC's IPv4 blocks as a prompt names them, the primary first.

    >>> blocks_shown([IPv4Network("10.0.0.0/16"), IPv4Network("10.1.0.0/16")])
    'IPv4 blocks `10.0.0.0/16` (primary) and `10.1.0.0/16` (secondary)'
    """
    shown = " and ".join(f"`{block_text(b)}` ({'primary' if i == 0 else 'secondary'})" for i, b in enumerate(blocks))
    return f"IPv4 block{'s' if len(blocks) > 1 else ''} {shown}"


def subnets_shown(subnets: Sequence[Subnet]) -> tuple[str, list[JSONValue]]:
    """A markdown table of subnets and the same subnets as params, each
    block formatted once.

    >>> table, params = subnets_shown([Subnet("web", IPv4Network("10.0.1.0/24"))])
    >>> print(table)
    | Subnet | CIDR block |
    |---|---|
    | web | `10.0.1.0/24` |
    >>> params
    [{'name': 'web', 'cidr': '10.0.1.0/24'}]
    """
    cidrs = [block_text(s.block) for s in subnets]
    rows = "\n".join(f"| {s.name} | `{cidr}` |" for s, cidr in zip(subnets, cidrs, strict=True)) or "| (none yet) | |"
    params: list[JSONValue] = [{"name": s.name, "cidr": cidr} for s, cidr in zip(subnets, cidrs, strict=True)]
    return f"| Subnet | CIDR block |\n|---|---|\n{rows}", params


def network_misconceptions(answer: str, candidates: Sequence[tuple[str, str]]) -> list[dict[str, JSONValue]]:
    """Misconception values for a network question, minus any equal to the
    answer or to an earlier one.

    >>> network_misconceptions("10.0.0.4", [("10.0.0.4", "a"), ("10.0.0.1", "b"), ("10.0.0.1", "c")])
    [{'value': '10.0.0.1', 'misconception': 'b'}]
    """
    seen = {answer}
    found: list[dict[str, JSONValue]] = []
    for value, misconception in candidates:
        if value not in seen:
            seen.add(value)
            found.append({"value": value, "misconception": misconception})
    return found
