"""Attempts: a question served to someone, graded exactly once.

The browser only ever holds the attempt's opaque id.  Grading a second time
returns the stored result and changes nothing, even when two submissions
race: the result is written by a conditional update that only one of them
can win.  Functions here never commit; the caller owns the transaction.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col

from quizapp import sources
from quizapp.grading import GradeResult, Response
from quizapp.models import Attempt, utcnow
from quizapp.questions import Question

PRACTICE_MODE = "practice"
"""`Attempt.mode` of questions drawn on the practice page (no scheduling)."""

SEED_BITS = 53
"""Seeds stay below 2**53 so that every JSON consumer reads them exactly."""


class AttemptNotFoundError(LookupError):
    """No attempt has this id (or it belongs to someone else)."""


def new_seed() -> int:
    """A fresh random seed for an instance."""
    return secrets.randbits(SEED_BITS)


def start(source: str, *, session: Session, user_id: int | None = None, mode: str = PRACTICE_MODE,
          seed: int | None = None) -> tuple[Attempt, Question]:
    """Draw a fresh instance of `source` and record the attempt."""
    gen = sources.generator(source)
    chosen = new_seed() if seed is None else seed
    question = gen.make(chosen)
    attempt = Attempt(
        id=secrets.token_urlsafe(16),
        source=source,
        version=gen.version,
        seed=chosen,
        user_id=user_id,
        mode=mode,
    )
    session.add(attempt)
    session.flush()
    return attempt, question


def load(attempt_id: str, *, session: Session, user_id: int | None = None) -> Attempt:
    """The attempt with this id; someone else's attempt is not found."""
    if not attempt_id or len(attempt_id) > 32:
        raise AttemptNotFoundError(attempt_id)
    attempt = session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != user_id:
        raise AttemptNotFoundError(attempt_id)
    return attempt


def question_of(attempt: Attempt) -> Question:
    """Rebuild the attempt's question from its source, version and seed."""
    return sources.instance(attempt.source, attempt.version, attempt.seed)


@dataclass(frozen=True)
class Submission:
    """What a submission did: the result, and whether it was recorded now
    (False for a format error or a repeat of an already graded attempt)."""

    result: GradeResult
    recorded: bool
    repeat: bool = False


def submit(attempt: Attempt, question: Question, response: Response, *, session: Session) -> Submission:
    """Grade `response` once.  A format error records nothing; a repeat
    returns the first result."""
    if attempt.graded_at is not None:
        return Submission(stored_result(attempt), recorded=False, repeat=True)
    result = sources.grade_response(question, response)
    if result.format_error is not None:
        return Submission(result, recorded=False)
    now = utcnow()
    won = session.execute(
        update(Attempt)
        .where(col(Attempt.id) == attempt.id, col(Attempt.graded_at).is_(None))
        .values(graded_at=now, correct=result.correct, score=result.score,
                response=result.response, result=result.to_json())
        .execution_options(synchronize_session=False)
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(attempt)
        return Submission(stored_result(attempt), recorded=False, repeat=True)
    session.refresh(attempt)
    return Submission(result, recorded=True)


def stored_result(attempt: Attempt) -> GradeResult:
    """The result recorded when the attempt was graded."""
    data = attempt.result or {}
    return GradeResult(
        correct=bool(data.get("correct")),
        score=float(data.get("score", 0.0)),
        feedback=str(data.get("feedback", "")),
        format_error=None,
        misconceptions=tuple(data.get("misconceptions", [])),
        response=data.get("response"),
    )
