"""The home page, the list of topics, and the notes."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

import generators
from quizapp.web import notes

bp = Blueprint("notes", __name__)


@bp.get("/")
def index() -> str:
    """Topics with their notes and how many generators practise them."""
    library = notes()
    counts = {t: len(generators.by_topic(t)) for t in generators.topics()}
    return render_template("index.html", notes=library.ordered(), counts=counts)


@bp.get("/notes/<topic>")
def note(topic: str) -> str:
    """One topic's note, with links to practise each section."""
    found = notes().get(topic)
    if found is None:
        abort(404, f"There is no note for the topic {topic!r}.")
    by_anchor: dict[str, list[generators.Generator]] = {}
    for gen in generators.by_topic(topic):
        by_anchor.setdefault(gen.note.partition("#")[2], []).append(gen)
    return render_template("note.html", note=found, by_anchor=by_anchor)
