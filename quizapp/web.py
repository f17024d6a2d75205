"""Web wiring: CSRF, template helpers (the signed-in user) and the blueprints."""

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
    from quizapp import auth
    from quizapp.views import auth as auth_views
    from quizapp.views import author, practice
    from quizapp.views import progress as progress_views
    from quizapp.views import study as study_views
    from quizapp.views import notes as notes_views

    csrf.init_app(app)
    app.add_template_filter(lambda text: Markup(render_markdown(text or "")), "markdown")
    app.register_blueprint(notes_views.bp)
    app.register_blueprint(practice.bp)
    app.register_blueprint(auth_views.bp)
    app.register_blueprint(author.bp)
    app.register_blueprint(study_views.bp)
    app.register_blueprint(progress_views.bp)

    @app.context_processor
    def _signed_in_user() -> dict[str, object]:
        # Every page's nav shows who is signed in; the local offer needs the
        # request's client address.
        return {"current_user": auth.current_user(), "local_sign_in_offered": auth.local_sign_in_offered()}
