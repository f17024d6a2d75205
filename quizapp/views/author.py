"""Pages for pack authors (instructors and admins)."""

from __future__ import annotations

from flask import Blueprint, render_template

import generators
from quizapp.auth import ADMIN, INSTRUCTOR, role_required

bp = Blueprint("author", __name__, url_prefix="/author")


@bp.get("/")
@role_required(INSTRUCTOR, ADMIN)
def index() -> str:
    """Every generator with the id, kind and version a question pack cites."""
    groups = [(t, generators.by_topic(t)) for t in generators.topics()]
    return render_template("author_index.html", groups=groups, total=len(generators.REGISTRY))
