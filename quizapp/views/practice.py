"""Practice: a fresh question for a generator or topic, graded once."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

import generators
from quizapp import attempts, sources
from quizapp.auth import current_user_id
from quizapp.db import get_session
from quizapp.models import Attempt
from quizapp.views.answers import load_attempt, response_from_form
from quizapp.questions import Question

bp = Blueprint("practice", __name__, url_prefix="/practice")

@bp.get("/")
def choose() -> str:
    """Every generator, grouped by topic, to pick one to practise."""
    groups = [(t, generators.by_topic(t)) for t in generators.topics()]
    return render_template("practice_choose.html", groups=groups)


@bp.post("/start")
def start() -> WerkzeugResponse:
    """Start an attempt for a generator (`generator`) or a random one of a
    topic (`topic`), then show it."""
    source = request.form.get("generator", "").strip()
    topic = request.form.get("topic", "").strip()
    if not source:
        candidates = generators.by_topic(topic) if topic else list(generators.REGISTRY.values())
        if not candidates:
            abort(404, f"There are no questions for the topic {topic!r}.")
        source = secrets.choice(candidates).id
    session = get_session()
    try:
        attempt, _question = attempts.start(source, session=session, user_id=current_user_id())
    except sources.UnknownSourceError:
        abort(404, f"There is no question generator {source!r}.")
    session.commit()
    return redirect(url_for("practice.show", attempt_id=attempt.id))


def _load(attempt_id: str) -> tuple[Attempt, Question]:
    return load_attempt(attempt_id, user_id=current_user_id(), mode=attempts.PRACTICE_MODE,
                        instead="start a new question instead")


@bp.get("/a/<attempt_id>")
def show(attempt_id: str) -> str:
    """The question of an attempt, or its result if already graded."""
    attempt, question = _load(attempt_id)
    result = attempts.stored_result(attempt) if attempt.graded_at is not None else None
    return render_template("practice.html", attempt=attempt, question=question, result=result,
                           response=attempt.response, error=None)


@bp.post("/a/<attempt_id>")
def submit(attempt_id: str) -> tuple[str, int] | str:
    """Grade the submitted answer; a malformed one is shown back with the
    reason and costs nothing."""
    attempt, question = _load(attempt_id)
    response = response_from_form(question, request.form)
    session = get_session()
    submission = attempts.submit(attempt, question, response, session=session)
    if submission.result.format_error is not None:
        return render_template("practice.html", attempt=attempt, question=question, result=None,
                               response=response, error=submission.result.format_error), 422
    session.commit()
    return render_template("practice.html", attempt=attempt, question=question, result=submission.result,
                           response=submission.result.response, error=None, repeat=submission.repeat)

