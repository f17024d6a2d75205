"""Reading an answer out of a submitted form, for any answer kind.

Shared by every page that takes answers (practice, study, exams), so that
the form fields an answer kind uses are defined in one place, next to the
`_question.html` macros that render them.
"""

from __future__ import annotations

from flask import abort
from werkzeug.datastructures import MultiDict

from quizapp import attempts, sources
from quizapp.db import get_session
from quizapp.grading import Response
from quizapp.models import Attempt
from quizapp.questions import AnswerKind, Question

MAX_RESPONSE_CHARS = 20_000
"""The longest answer accepted (a lab configuration is the long one)."""


def response_from_form(question: Question, form: MultiDict[str, str]) -> Response:
    """The learner's response: checkbox values for multiple response, the
    keys in the order of their position fields for ordering, else the
    `answer` field.  An answer longer than MAX_RESPONSE_CHARS is a 413."""
    response: Response
    if question.kind is AnswerKind.ORDERING:
        positions = [form.get(f"position-{c.key}", "") for c in question.display_choices]
        response = order_from_positions(question, positions)
    elif question.kind is AnswerKind.MULTIPLE:
        response = form.getlist("answer")
    else:
        response = form.get("answer", "")
    size = len(response) if isinstance(response, str) else sum(len(r) for r in response)
    if size > MAX_RESPONSE_CHARS:
        abort(413, f"An answer may be at most {MAX_RESPONSE_CHARS:,} characters long.")
    return response


def order_from_positions(question: Question, positions: list[str]) -> list[str]:
    """Turn "position of each choice" form fields into keys in order.

    A blank, non-numeric or repeated position is left out, so the grader sees
    an incomplete order and reports a format error naming the choices.
    """
    placed: dict[int, str] = {}
    for choice, raw in zip(question.display_choices, positions, strict=True):
        if raw.strip().isdigit() and int(raw) not in placed:
            placed[int(raw)] = choice.key
    return [placed[i] for i in sorted(placed)]


def load_attempt(attempt_id: str, *, user_id: int | None, mode: str, instead: str) -> tuple[Attempt, Question]:
    """The attempt and its rebuilt question for a page of `mode`.

    Someone else's attempt, or one of another mode (a study question opened
    through the practice page would be graded without its review), is a 404;
    a question whose generator changed or went away is a 410.  `instead`
    finishes the message with where to go next.
    """
    try:
        attempt = attempts.load(attempt_id, session=get_session(), user_id=user_id)
    except attempts.AttemptNotFoundError:
        attempt = None
    if attempt is None or attempt.mode != mode:
        abort(404, f"This question does not exist. Its link may be mistyped; {instead}.")
    try:
        return attempt, attempts.question_of(attempt)
    except sources.StaleVersionError as exc:
        abort(410, f"{exc}. {instead[:1].upper()}{instead[1:]}.")
    except sources.UnknownSourceError:
        abort(410, f"The generator of this question no longer exists. {instead[:1].upper()}{instead[1:]}.")
