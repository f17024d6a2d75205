"""The eni note loads, and every eni generator links to a heading that exists in it."""

from __future__ import annotations

from pathlib import Path

import generators
from quizapp.content import parse_note

NOTE = Path(__file__).resolve().parents[3] / "content" / "notes" / "eni.md"


def test_note_front_matter_and_sources() -> None:
    note = parse_note(NOTE)
    assert note.topic == "eni" and note.order == 60
    assert note.sources and all(s.url.startswith("https://") for s in note.sources)


def test_every_generator_links_to_an_existing_section() -> None:
    note = parse_note(NOTE)
    gens = generators.by_topic("eni")
    assert gens
    for gen in gens:
        stem, _, anchor = gen.note.partition("#")
        assert stem == "eni" and note.has_anchor(anchor), f"{gen.id} links to missing section {gen.note}"
