"""Notes: markdown files with YAML front matter, rendered safely.

Each note is `content/notes/<topic>.md`.  Its front matter names the title,
the topic id, the order in the list, and the sources (title and address).
Headings get stable anchors (lowercase, spaces to dashes, punctuation
dropped) that generators link to as ``<topic>#<anchor>``.  Raw HTML in a
note is not rendered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.front_matter import front_matter_plugin


class ContentError(ValueError):
    """A note that cannot be loaded: names the file and what is wrong."""


def markdown() -> MarkdownIt:
    """The renderer for notes, prompts and explanations: CommonMark plus
    tables and strikethrough, raw HTML off, anchors on h2 and h3."""
    return (
        MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
        .enable(["table", "strikethrough"])
        .use(front_matter_plugin)
        .use(anchors_plugin, min_level=2, max_level=3)
    )


_MD = markdown()


def render_markdown(text: str) -> str:
    """Render trusted-structure, untrusted-content markdown to HTML (raw HTML
    is escaped, not passed through)."""
    html: str = _MD.render(text)
    return html


@dataclass(frozen=True)
class Source:
    """A page a note's facts were checked against."""

    title: str
    url: str


@dataclass(frozen=True)
class Section:
    """A heading of a note and its anchor."""

    level: int
    title: str
    anchor: str


@dataclass(frozen=True)
class Note:
    """One topic's note, parsed and rendered."""

    topic: str
    title: str
    order: int
    sources: tuple[Source, ...]
    sections: tuple[Section, ...]
    html: str
    path: Path

    def has_anchor(self, anchor: str) -> bool:
        """True when a heading of this note has that anchor."""
        return any(s.anchor == anchor for s in self.sections)


def parse_note(path: Path) -> Note:
    """Load and render one note file; ContentError names what is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(f"{path}: cannot read the note: {exc}") from None
    tokens = _MD.parse(text)
    if not tokens or tokens[0].type != "front_matter":
        raise ContentError(f"{path}: line 1: a note starts with front matter between '---' lines")
    try:
        meta = yaml.safe_load(tokens[0].content)
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: front matter is not valid YAML: {exc}") from None
    if not isinstance(meta, dict):
        raise ContentError(f"{path}: front matter must be a mapping of fields")
    title = _field(meta, "title", str, path)
    topic = _field(meta, "topic", str, path)
    order = _field(meta, "order", int, path)
    if topic != path.stem:
        raise ContentError(f"{path}: field 'topic' is {topic!r} but the file is named {path.stem}.md")
    raw_sources = _field(meta, "sources", list, path)
    sources = []
    for i, item in enumerate(raw_sources, 1):
        if not isinstance(item, dict) or not isinstance(item.get("title"), str) or not isinstance(item.get("url"), str):
            raise ContentError(f"{path}: sources item {i} needs a 'title' and a 'url'")
        if not item["url"].startswith("https://"):
            raise ContentError(f"{path}: sources item {i}: url must start with https://")
        sources.append(Source(item["title"], item["url"]))
    sections = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ("h2", "h3"):
            anchor = str(token.attrs.get("id", ""))
            sections.append(Section(int(token.tag[1]), tokens[i + 1].content, anchor))
    return Note(topic, title, order, tuple(sources), tuple(sections), _MD.renderer.render(tokens, _MD.options, {}), path)


def _field(meta: Mapping[str, Any], name: str, kind: type, path: Path) -> Any:
    if name not in meta:
        raise ContentError(f"{path}: front matter lacks the field '{name}'")
    value = meta[name]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ContentError(f"{path}: front matter field '{name}' must be a {kind.__name__}")
    return value


@dataclass(frozen=True)
class NoteLibrary:
    """Every note of a content folder, loaded once at start-up."""

    notes: Mapping[str, Note]

    @classmethod
    def load(cls, content_dir: str | Path) -> NoteLibrary:
        """Load `content_dir/notes/*.md`, in their `order`."""
        folder = Path(content_dir) / "notes"
        notes = [parse_note(p) for p in sorted(folder.glob("*.md"))]
        notes.sort(key=lambda n: (n.order, n.topic))
        return cls({n.topic: n for n in notes})

    def get(self, topic: str) -> Note | None:
        """The note of `topic`, if there is one."""
        return self.notes.get(topic)

    def ordered(self) -> list[Note]:
        """All notes in reading order."""
        return list(self.notes.values())

    def resolves(self, ref: str) -> bool:
        """True when ``topic#anchor`` names a section of a loaded note."""
        topic, _, anchor = ref.partition("#")
        note = self.notes.get(topic)
        return note is not None and (not anchor or note.has_anchor(anchor))
