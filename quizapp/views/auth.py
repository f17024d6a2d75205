"""Sign up, sign in, sign out, and the local learner of `quizapp serve`."""

from __future__ import annotations

import math

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response as WerkzeugResponse

from quizapp import auth
from quizapp.db import get_session
from quizapp.models import utcnow

bp = Blueprint("auth", __name__, url_prefix="/auth")

Page = str | tuple[str, int] | tuple[str, int, dict[str, str]] | WerkzeugResponse


def _after_sign_in() -> WerkzeugResponse:
    return redirect(auth.safe_next(request.values.get("next")) or url_for("notes.index"))


def _client_address() -> str:
    # Behind a reverse proxy this is the proxy's address unless the
    # deployment wraps the app in werkzeug's ProxyFix (see the README).
    return request.remote_addr or "unknown"


def _sign_up_page(values: dict[str, str], errors: dict[str, str], next_page: str | None) -> str:
    return render_template("auth_sign_up.html", values=values, errors=errors, next_page=next_page,
                           min_password=auth.MIN_PASSWORD_LENGTH)


@bp.route("/sign-up", methods=["GET", "POST"])
def sign_up() -> Page:
    """Create a learner account and sign in to it.  Errors are shown next to
    their fields, with what was typed kept (except the passwords)."""
    values = {"email": request.form.get("email", ""), "name": request.form.get("name", "")}
    next_page = auth.safe_next(request.values.get("next"))
    if request.method == "GET":
        return _sign_up_page(values, {}, next_page)
    password = request.form.get("password", "")
    session = get_session()
    errors = auth.account_problems(values["email"], values["name"], password, session=session)
    if password != request.form.get("password_again", ""):
        # A typo here would create an account that nobody can enter.
        errors["password_again"] = "The two passwords differ. Type the same password twice."
    if not errors:
        try:
            user = auth.create_user(values["email"], values["name"], password, session=session)
            session.commit()
        except auth.AccountError as exc:
            errors = exc.errors
        except IntegrityError:  # the same email signed up at the same instant
            session.rollback()
            errors = {"email": f"An account with the email {auth.normalise_email(values['email'])} already exists."}
    if errors:
        return _sign_up_page(values, errors, next_page), 422
    auth.sign_in(user)
    flash(f"Welcome, {user.display_name}. Your account is ready.")
    return _after_sign_in()


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Page:
    """Sign in with email and password, rate limited per account and per
    address (the limit and when it lifts are said on the page)."""
    email = request.form.get("email", "")
    next_page = auth.safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("auth_sign_in.html", email=email, error=None, next_page=next_page)
    session = get_session()
    try:
        user = auth.authenticate(email, request.form.get("password", ""), _client_address(), session=session)
    except auth.RateLimitedError as exc:
        seconds = max(1, math.ceil((exc.retry_at - utcnow()).total_seconds()))
        minutes = math.ceil(seconds / 60)
        message = (f"{exc} That is in {minutes} minute{'s' if minutes != 1 else ''}. "
                   f"Sign-in is paused after {_limit_text(exc.reason)} failed attempts within "
                   f"{int(auth.FAILURE_WINDOW.total_seconds() // 60)} minutes.")
        page = render_template("auth_sign_in.html", email=email, error=message, next_page=next_page)
        return page, 429, {"Retry-After": str(seconds)}
    except auth.InvalidCredentialsError as exc:
        session.commit()  # keep the recorded failure
        return render_template("auth_sign_in.html", email=email, error=str(exc), next_page=next_page), 401
    session.commit()
    auth.sign_in(user)
    return _after_sign_in()


def _limit_text(reason: str) -> str:
    limit = auth.MAX_FAILURES_PER_ACCOUNT if "account" in reason else auth.MAX_FAILURES_PER_ADDRESS
    return str(limit)


@bp.post("/sign-out")
def sign_out() -> WerkzeugResponse:
    """Forget the signed-in user of this browser."""
    auth.sign_out()
    flash("You are signed out.")
    return redirect(url_for("notes.index"))


@bp.post("/local")
def local() -> WerkzeugResponse:
    """Sign in as the local learner: only for `quizapp serve` (LOCAL_MODE)
    and only from this machine, since the account has no password."""
    if not current_app.config.get("LOCAL_MODE"):
        abort(404)
    if not auth.is_loopback(request.remote_addr):
        abort(403, "The local learner can only be used from the computer that runs quizapp. "
                   "Sign in or sign up instead.")
    session = get_session()
    user = auth.local_user(session=session)
    session.commit()
    auth.sign_in(user)
    return _after_sign_in()
