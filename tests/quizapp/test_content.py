"""Notes: loading, validation errors, anchors, and the links generators make."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

import generators
from quizapp.config import CONTENT
from quizapp.content import ContentError, NoteLibrary, parse_note, render_markdown

GOOD = """---
title: Test topic
topic: demo
order: 5
sources:
  - title: A page
    url: https://docs.aws.amazon.com/vpc/latest/userguide/what-is-amazon-vpc.html
---
# Ignored h1

## Reserved addresses (five)

Text <script>alert(1)</script>

### NAT gateway: zonal!
"""


def write(tmp_path: Path, text: str, name: str = "demo.md") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_good_note_parses_with_anchors(tmp_path: Path) -> None:
    note = parse_note(write(tmp_path, GOOD))
    assert note.title == "Test topic" and note.order == 5 and note.topic == "demo"
    assert [s.anchor for s in note.sections] == ["reserved-addresses-five", "nat-gateway-zonal"]
    assert note.has_anchor("nat-gateway-zonal") and not note.has_anchor("nope")
    assert '<h2 id="reserved-addresses-five">' in note.html
    assert "<script>" not in note.html and "&lt;script&gt;" in note.html
    assert "title: Test topic" not in note.html


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# no front matter\n", "line 1: a note starts with front matter"),
        ("---\ntitle: [unclosed\n---\n", "front matter is not valid YAML"),
        ("---\ntopic: demo\norder: 1\nsources: []\n---\n", "lacks the field 'title'"),
        ("---\ntitle: T\ntopic: demo\norder: first\nsources: []\n---\n", "field 'order' must be a int"),
        ("---\ntitle: T\ntopic: other\norder: 1\nsources: []\n---\n", "the file is named demo.md"),
        ("---\ntitle: T\ntopic: demo\norder: 1\nsources:\n  - title: x\n---\n", "sources item 1 needs a 'title' and a 'url'"),
        ("---\ntitle: T\ntopic: demo\norder: 1\nsources:\n  - {title: x, url: 'http://a'}\n---\n", "must start with https://"),
    ],
)
def test_bad_notes_name_the_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ContentError) as info:
        parse_note(path)
    assert str(path) in str(info.value) and message in str(info.value)


def test_markdown_escapes_raw_html() -> None:
    assert "<img" not in render_markdown('<img src=x onerror="alert(1)">')


def test_every_generator_links_to_an_existing_note_section() -> None:
    library = NoteLibrary.load(CONTENT)
    missing = [f"{g.id} -> {g.note}" for g in generators.REGISTRY.values() if not library.resolves(g.note)]
    assert missing == []


def test_every_note_cites_aws_documentation() -> None:
    library = NoteLibrary.load(CONTENT)
    assert library.ordered(), "no notes were loaded"
    for note in library.ordered():
        assert note.sources, f"{note.path} lists no sources"
        assert any("amazon.com" in s.url or "aws.amazon" in s.url for s in note.sources), note.path
        assert len([s for s in note.sections if s.level == 2]) >= 3, f"{note.path} is too thin"


def test_note_pages(client: FlaskClient) -> None:
    library = NoteLibrary.load(CONTENT)
    for note in library.ordered():
        page = client.get(f"/notes/{note.topic}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert note.title in html and all(f'id="{s.anchor}"' in html for s in note.sections)
    missing = client.get("/notes/no-such-topic")
    assert missing.status_code == 404 and "There is no note" in missing.get_data(as_text=True)
