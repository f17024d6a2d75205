"""The hybrid note loads, and every hybrid generator links to a heading that exists in it."""

from __future__ import annotations

from pathlib import Path

import generators
from quizapp.content import parse_note

NOTE = Path(__file__).resolve().parents[3] / "content" / "notes" / "hybrid.md"


def test_note_front_matter_and_sources() -> None:
    note = parse_note(NOTE)
    assert note.topic == "hybrid" and note.order == 50
    assert note.sources and all(s.url.startswith("https://") for s in note.sources)


def test_every_generator_links_to_an_existing_section() -> None:
    note = parse_note(NOTE)
    gens = generators.by_topic("hybrid")
    assert gens
    for gen in gens:
        stem, _, anchor = gen.note.partition("#")
        assert stem == "hybrid" and note.has_anchor(anchor), f"{gen.id} links to missing section {gen.note}"
