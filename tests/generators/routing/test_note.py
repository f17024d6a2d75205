"""The routing note loads, and every routing generator links to a heading that exists in it."""

from __future__ import annotations

from pathlib import Path

import generators
from quizapp.content import parse_note

NOTE = Path(__file__).resolve().parents[3] / "content" / "notes" / "routing.md"


def test_note_front_matter_and_sources() -> None:
    note = parse_note(NOTE)
    assert note.topic == "routing" and note.order == 20
    assert note.sources and all(s.url.startswith("https://docs.aws.amazon.com/") for s in note.sources)


def test_every_generator_links_to_an_existing_section() -> None:
    note = parse_note(NOTE)
    gens = generators.by_topic("routing")
    assert len(gens) >= 10
    for gen in gens:
        stem, _, anchor = gen.note.partition("#")
        assert stem == "routing" and note.has_anchor(anchor), f"{gen.id} links to missing section {gen.note}"
