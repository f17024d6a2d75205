"""Error pages: every error a user can cause gets a clear page, never a 500."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

TITLES = {
    400: "That request could not be read",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Already done",
    410: "This question has expired",
    413: "Too large",
    429: "Too many attempts",
}


def init_app(app: Flask) -> None:
    """Render HTTP errors with the site's layout and a specific message."""

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> tuple[str, int]:
        message = "The form's security token was missing or stale. Reload the page and submit it again."
        return render_template("error.html", code=400, title="Form expired", message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[str, int]:
        code = exc.code or 500
        return (
            render_template("error.html", code=code, title=TITLES.get(code, exc.name), message=exc.description),
            code,
        )
