"""Study sessions: the queue, a question, its result, and the settings."""

from __future__ import annotations

from datetime import datetime

import fsrs
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response as WerkzeugResponse

import generators
from quizapp import attempts, scheduling, study
from quizapp.auth import current_user_id, login_required
from quizapp.db import get_session
from quizapp.models import Attempt, utcnow
from quizapp.questions import Question
from quizapp.views.answers import load_attempt, response_from_form
from quizapp.web import notes

bp = Blueprint("study", __name__, url_prefix="/study")

Page = str | tuple[str, int] | WerkzeugResponse


def _user_id() -> int:
    user_id = current_user_id()
    assert user_id is not None  # login_required ran first
    return user_id


def _scope(raw: str | None) -> study.Scope:
    try:
        scope = study.Scope.parse(raw)
        study.skills_in(scope, study.settings_for(_user_id(), session=get_session()))
    except ValueError as exc:
        message = str(exc)
        abort(400, f"{message[:1].upper()}{message[1:]}. Start from the study page instead.")
    except study.UnknownScopeError as exc:
        abort(404, str(exc))
    return scope


def _scope_title(scope: study.Scope) -> str:
    if scope.kind == "topic":
        note = notes().get(scope.value)
        return f"Study ahead: {note.title if note else scope.value}"
    if scope.kind == "section":
        topic, _, anchor = scope.value.partition("#")
        note = notes().get(topic)
        section = next((s.title for s in note.sections if s.anchor == anchor), anchor) if note else anchor
        return f"Drill: {section}"
    if scope.kind == "skill":
        gen = generators.REGISTRY.get(scope.value)
        return f"Drill: {gen.title if gen else scope.value}"
    return "Today's reviews"


@bp.get("/")
@login_required
def home() -> str:
    """Today's queue, study ahead per topic, drills per note section."""
    session = get_session()
    user_id = _user_id()
    settings = study.settings_for(user_id, session=session)
    now = utcnow()
    queue = study.status(user_id, session=session, settings=settings, now=now)
    topics = []
    for topic in generators.topics():
        note = notes().get(topic)
        counts = study.status(user_id, session=session, settings=settings, now=now, scope=study.Scope("topic", topic))
        sections = []
        if note is not None:
            with_questions = {g.note.partition("#")[2] for g in generators.by_topic(topic)}
            sections = [s for s in note.sections if s.anchor in with_questions]
        topics.append((topic, note.title if note else topic, counts, sections))
    return render_template("study_home.html", queue=queue, topics=topics, settings=settings, now=now)


@bp.post("/next")
@login_required
def next_question() -> WerkzeugResponse:
    """Draw the next question of a scope (`scope`; empty for today's
    queue), avoiding the skill just reviewed (`avoid`) when it can."""
    scope = _scope(request.form.get("scope"))
    session = get_session()
    user_id = _user_id()
    settings = study.settings_for(user_id, session=session)
    drawn = study.start_next(user_id, session=session, settings=settings, now=utcnow(), scope=scope,
                             avoid=request.form.get("avoid") or None)
    if drawn is None:
        flash("Nothing is due in this scope right now, and no new skill is left for today."
              if scope.kind == "all" else "There is nothing to study in this scope right now.")
        return redirect(url_for("study.home"))
    attempt, _question, _pick = drawn
    session.commit()
    return redirect(url_for("study.show", attempt_id=attempt.id, scope=str(scope) or None))


def _load(attempt_id: str) -> tuple[Attempt, Question]:
    return load_attempt(attempt_id, user_id=_user_id(), mode=study.STUDY_MODE,
                        instead="go on to the next question instead")


def _page(attempt: Attempt, question: Question, scope: study.Scope, **context: object) -> str:
    session = get_session()
    user_id = _user_id()
    settings = study.settings_for(user_id, session=session)
    queue = study.status(user_id, session=session, settings=settings, now=utcnow(), scope=scope)
    values: dict[str, object] = {"result": None, "response": None, "error": None, "repeat": False}
    values.update(context)
    review = scheduling.review_of(attempt.id, session=session) if values["result"] is not None else None
    return render_template("study.html", attempt=attempt, question=question, scope=scope, queue=queue,
                           scope_title=_scope_title(scope), review=review, settings=settings, **values)


@bp.app_template_filter("rating_name")
def rating_name(rating: int) -> str:
    """The FSRS rating's name (Again, Hard, Good, Easy)."""
    return str(fsrs.Rating(rating).name)


@bp.app_template_filter("interval")
def interval(due: datetime, since: datetime) -> str:
    """How long from `since` until `due`, in words."""
    return scheduling.describe_interval(due - since)


@bp.app_template_filter("local_time")
def local_time(moment: datetime, time_zone: str) -> str:
    """A moment in the learner's time zone: the time today, else the date too."""
    local = moment.astimezone(scheduling.zone(time_zone))
    now = utcnow().astimezone(local.tzinfo)
    if local.date() == now.date():
        return f"today at {local:%H:%M}"
    if (local.date() - now.date()).days == 1:
        return f"tomorrow at {local:%H:%M}"
    return f"{local:%a %d %b} at {local:%H:%M}"



@bp.get("/a/<attempt_id>")
@login_required
def show(attempt_id: str) -> str:
    """A study question, or its result once answered."""
    attempt, question = _load(attempt_id)
    scope = _scope(request.args.get("scope"))
    result = attempts.stored_result(attempt) if attempt.graded_at is not None else None
    return _page(attempt, question, scope, result=result, response=attempt.response)


def _claimed_duration() -> int | None:
    raw = request.form.get("duration_ms", "").strip()
    return int(raw) if raw.isdigit() and len(raw) <= 9 else None


@bp.post("/a/<attempt_id>")
@login_required
def submit(attempt_id: str) -> Page:
    """Grade the answer and, the first time only, review the card.  A
    malformed answer is shown back with the reason and is not a review."""
    attempt, question = _load(attempt_id)
    scope = _scope(request.form.get("scope"))
    response = response_from_form(question, request.form)
    session = get_session()
    user_id = _user_id()
    submission = attempts.submit(attempt, question, response, session=session)
    if submission.result.format_error is not None:
        return _page(attempt, question, scope, response=response, error=submission.result.format_error), 422
    if submission.recorded:
        now = utcnow()
        settings = study.settings_for(user_id, session=session)
        duration = scheduling.answer_duration(_claimed_duration(), attempt.created_at, now)
        scheduling.record_review(attempt, question, submission.result, session=session, user_id=user_id,
                                 settings=settings, duration_ms=duration, now=now)
    try:
        session.commit()
    except IntegrityError:
        # Another answer was recorded at the same instant (two tabs) and made
        # the same new row first: this skill's card, or the day's total.
        # Nothing of this answer was kept, so it can simply be sent again.
        session.rollback()
        abort(409, "Another answer was being recorded at the same moment. Submit yours again.")
    return _page(attempt, question, scope, result=submission.result, response=submission.result.response,
                 repeat=submission.repeat)


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings() -> Page:
    """Desired retention, new skills per day, topics and time zone."""
    session = get_session()
    user_id = _user_id()
    current = study.settings_for(user_id, session=session)
    choices = study.topic_titles({n.topic: n.title for n in notes().ordered()})
    zones = study.time_zone_names()
    if request.method == "GET":
        values = {"desired_retention": f"{current.desired_retention:.2f}", "new_per_day": str(current.new_per_day),
                  "time_zone": current.time_zone}
        return render_template("settings.html", values=values, chosen=set(current.topics or []), errors={},
                               choices=choices, zones=zones)
    form = {name: request.form.get(name, "") for name in ("desired_retention", "new_per_day", "time_zone")}
    picked = request.form.getlist("topics")
    try:
        study.save_settings(user_id, session=session, topics=picked, desired_retention=form["desired_retention"],
                            new_per_day=form["new_per_day"], time_zone=form["time_zone"])
    except study.SettingsError as exc:
        return render_template("settings.html", values=form, chosen=set(picked), errors=exc.errors,
                               choices=choices, zones=zones), 422
    session.commit()
    flash("Settings saved.")
    return redirect(url_for("study.home"))
