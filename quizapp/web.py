"""Web wiring: CSRF, template helpers and the blueprints."""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from markupsafe import Markup

from quizapp.content import NoteLibrary, render_markdown

csrf = CSRFProtect()


def notes() -> NoteLibrary:
    """The note library loaded at start-up."""
    from flask import current_app

    library: NoteLibrary = current_app.extensions["quizapp.notes"]
    return library


def init_app(app: Flask) -> None:
    """Register CSRF protection, template filters and every blueprint."""
    from quizapp.views import notes as notes_views
    from quizapp.views import practice

    csrf.init_app(app)
    app.add_template_filter(lambda text: Markup(render_markdown(text or "")), "markdown")
    app.register_blueprint(notes_views.bp)
    app.register_blueprint(practice.bp)
