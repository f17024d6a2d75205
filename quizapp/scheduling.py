"""Scheduling with FSRS: the rating map, card rows <-> `fsrs.Card`, a review.

The `fsrs` library does the scheduling; this module only translates.  A
graded answer becomes an FSRS rating (`rating_for`), the learner's card row
becomes an `fsrs.Card` and back (`to_fsrs`, `apply`), and `record_review`
runs one review and appends it to the review log.

The review log is append-only.  Nothing here (or anywhere) updates or
deletes a `ReviewLog`: the ORM refuses to flush such a change (see
`_refuse_changes`) and the database refuses it too (triggers made by
migration 0003).

Functions take `*, session` and never commit; the caller owns the
transaction, so a review is recorded in the same transaction as the
attempt's grading and a repeated submission records nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import fsrs
from sqlalchemy import event, update
from sqlmodel import Session, col, select

from quizapp.grading import GradeResult
from quizapp.models import Attempt, Card, LearnerSettings, ReviewDay, ReviewLog, utcnow
from quizapp.questions import AnswerKind, Question

NEW = 0
"""`ReviewLog.card_state` of a skill's first review (it had no card yet)."""

MAX_MISCONCEPTION_CHARS = 300


@dataclass(frozen=True)
class Thresholds:
    """How long a correct answer of one kind takes: faster than
    `easy_below_ms` is Easy, slower than `hard_above_ms` is Hard."""

    easy_below_ms: int
    hard_above_ms: int


# Per answer kind, because the work differs: picking one choice means reading
# a scenario and recognising the answer; a numeric or network answer adds a
# calculation; ordering means placing every step; a lab means writing
# several lines of configuration.  A correct answer inside the window is Good.
# The numbers are a learner's pace on these scenarios (prompts of 3-8 lines),
# set generously so that an ordinary correct answer stays Good.
RATING_THRESHOLDS: Mapping[AnswerKind, Thresholds] = {
    AnswerKind.SINGLE: Thresholds(easy_below_ms=10_000, hard_above_ms=45_000),
    AnswerKind.TEXT: Thresholds(easy_below_ms=12_000, hard_above_ms=60_000),
    AnswerKind.MULTIPLE: Thresholds(easy_below_ms=15_000, hard_above_ms=60_000),
    AnswerKind.NUMERIC: Thresholds(easy_below_ms=15_000, hard_above_ms=75_000),
    AnswerKind.NETWORK: Thresholds(easy_below_ms=15_000, hard_above_ms=75_000),
    AnswerKind.ORDERING: Thresholds(easy_below_ms=25_000, hard_above_ms=120_000),
    AnswerKind.LAB: Thresholds(easy_below_ms=90_000, hard_above_ms=480_000),
}

MAX_TIMED_MS = 15 * 60_000
"""A longer answer time says the learner walked away, not that recall was
hard: the time is then ignored and a correct answer is Good."""


def rating_for(correct: bool, kind: AnswerKind, duration_ms: int | None) -> fsrs.Rating:
    """The FSRS rating of a graded answer.

    Wrong is Again; correct is Good, or Easy when faster than the kind's
    threshold, or Hard when slower.  Without a usable time, correct is Good.

    >>> rating_for(False, AnswerKind.SINGLE, 3_000).name
    'Again'
    >>> rating_for(True, AnswerKind.SINGLE, 3_000).name, rating_for(True, AnswerKind.LAB, 3_000).name
    ('Easy', 'Easy')
    >>> rating_for(True, AnswerKind.SINGLE, 60_000).name, rating_for(True, AnswerKind.LAB, 60_000).name
    ('Hard', 'Easy')
    """
    if not correct:
        return fsrs.Rating.Again
    if duration_ms is None or duration_ms <= 0 or duration_ms > MAX_TIMED_MS:
        return fsrs.Rating.Good
    limits = RATING_THRESHOLDS[kind]
    if duration_ms < limits.easy_below_ms:
        return fsrs.Rating.Easy
    if duration_ms > limits.hard_above_ms:
        return fsrs.Rating.Hard
    return fsrs.Rating.Good


def answer_duration(claimed_ms: int | None, served_at: datetime, now: datetime) -> int:
    """How long the learner took, in milliseconds.

    The browser's timer (`claimed_ms`) is the better measure (it starts when
    the page is shown and pauses while the tab is hidden) but it is only a
    claim: it is capped by the time the server saw pass since it served the
    question, which is also the measure when the browser sent none.
    """
    elapsed = max(0, int((now - served_at).total_seconds() * 1000))
    if claimed_ms is None or claimed_ms <= 0:
        return elapsed
    return min(claimed_ms, elapsed)


@functools.lru_cache(maxsize=32)
def scheduler(desired_retention: float = 0.9, *, fuzz: bool = True) -> fsrs.Scheduler:
    """The FSRS scheduler for a desired retention (default parameters).

    Fuzzing spreads the due dates of cards learnt together; tests turn it
    off to get exact intervals.
    """
    return fsrs.Scheduler(desired_retention=desired_retention, enable_fuzzing=fuzz)


def to_fsrs(card: Card) -> fsrs.Card:
    """The card row as an `fsrs.Card` (datetimes stay UTC-aware)."""
    return fsrs.Card(
        card_id=card.id or 0,
        state=fsrs.State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def apply(card: Card, state: fsrs.Card) -> None:
    """Copy FSRS's new state of a card into its row."""
    card.state = int(state.state)
    card.step = state.step
    card.stability = state.stability
    card.difficulty = state.difficulty
    card.due = state.due
    card.last_review = state.last_review


def retrievability(card: Card, now: datetime, desired_retention: float = 0.9) -> float:
    """FSRS's probability that the learner recalls the skill at `now`."""
    return float(scheduler(desired_retention).get_card_retrievability(to_fsrs(card), now))


def zone(time_zone: str) -> ZoneInfo:
    """The learner's time zone; UTC if the name is no longer known."""
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_day(moment: datetime, time_zone: str) -> date:
    """The learner's calendar date at `moment`."""
    return moment.astimezone(zone(time_zone)).date()


def card_for(user_id: int, skill: str, *, session: Session) -> Card | None:
    """The learner's card for `skill`, or None when the skill is new.

    Locked for update where the database can, so two reviews of the same
    card at once are applied one after the other.
    """
    return session.exec(
        select(Card).where(Card.user_id == user_id, Card.skill == skill).with_for_update()
    ).first()


def record_review(
    attempt: Attempt,
    question: Question,
    result: GradeResult,
    *,
    session: Session,
    user_id: int,
    settings: LearnerSettings,
    duration_ms: int | None,
    now: datetime | None = None,
    fuzz: bool = True,
) -> ReviewLog:
    """Review the learner's card for the attempt's skill and log it.

    Call it only when `attempts.submit` says the submission was recorded
    (a first, well-formed answer): that is what makes a double submit one
    review.  The card is made on the skill's first review.
    """
    now = now or utcnow()
    card = card_for(user_id, attempt.source, session=session)
    today = local_day(now, settings.time_zone)
    if card is None:
        card = Card(user_id=user_id, skill=attempt.source, topic=question.topic[:50],
                    state=int(fsrs.State.Learning), step=0, due=now, created_at=now)
        previous_state = NEW
    else:
        previous_state = card.state
    # True retention counts a skill once a day, and only once it is learnt.
    measures_retention = previous_state == int(fsrs.State.Review) and (
        card.last_review is None or local_day(card.last_review, settings.time_zone) != today)
    rating = rating_for(result.correct, question.kind, duration_ms)
    reviewed, _log = scheduler(settings.desired_retention, fuzz=fuzz).review_card(
        to_fsrs(card), rating, review_datetime=now.astimezone(UTC), review_duration=duration_ms
    )
    if previous_state == int(fsrs.State.Review) and rating is fsrs.Rating.Again:
        card.lapses += 1
    card.reps += 1
    apply(card, reviewed)
    session.add(card)
    session.flush()
    assert card.id is not None
    log = ReviewLog(
        user_id=user_id,
        card_id=card.id,
        attempt_id=attempt.id,
        skill=attempt.source,
        version=attempt.version,
        seed=attempt.seed,
        response=result.response,
        correct=result.correct,
        score=result.score,
        misconception=result.misconceptions[0][:MAX_MISCONCEPTION_CHARS] if result.misconceptions else None,
        rating=int(rating),
        card_state=previous_state,
        measures_retention=measures_retention,
        duration_ms=duration_ms,
        reviewed_at=now,
        day=today,
    )
    session.add(log)
    count_day(user_id, today, measures_retention=measures_retention, recalled=result.correct, session=session)
    session.flush()
    return log


def count_day(user_id: int, day: date, *, measures_retention: bool, recalled: bool, session: Session) -> None:
    """Add one review to the learner's total for `day` (an increment done
    by the database, so concurrent reviews add up)."""
    increments = {
        "reviews": col(ReviewDay.reviews) + 1,
        "retention_reviews": col(ReviewDay.retention_reviews) + int(measures_retention),
        "retention_recalled": col(ReviewDay.retention_recalled) + int(measures_retention and recalled),
    }
    done = session.execute(
        update(ReviewDay).where(col(ReviewDay.user_id) == user_id, col(ReviewDay.day) == day).values(**increments)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount == 0:  # type: ignore[attr-defined]
        session.add(ReviewDay(user_id=user_id, day=day, reviews=1, retention_reviews=int(measures_retention),
                              retention_recalled=int(measures_retention and recalled)))


def review_of(attempt_id: str, *, session: Session) -> tuple[ReviewLog, Card] | None:
    """The review an attempt was recorded as, and its card now (None when
    the attempt was not reviewed, e.g. not answered yet)."""
    # Two lookups by unique key rather than a join, whose order SQLite's
    # planner can get wrong when most logged reviews have no attempt.
    log = session.exec(select(ReviewLog).where(ReviewLog.attempt_id == attempt_id)).first()
    card = session.get(Card, log.card_id) if log is not None else None
    return (log, card) if log is not None and card is not None else None


def describe_interval(delta: timedelta) -> str:
    """A due interval in words, rounded the way a learner thinks of it.

    >>> describe_interval(timedelta(minutes=1)), describe_interval(timedelta(minutes=10))
    ('1 minute', '10 minutes')
    >>> describe_interval(timedelta(hours=5)), describe_interval(timedelta(days=3, hours=2))
    ('5 hours', '3 days')
    >>> describe_interval(timedelta(days=75)), describe_interval(timedelta(days=800))
    ('2 months', '2.2 years')
    """
    seconds = max(0.0, delta.total_seconds())
    if seconds < 3600:
        n, unit = max(1, round(seconds / 60)), "minute"
    elif seconds < 86400:
        n, unit = round(seconds / 3600), "hour"
    elif seconds < 60 * 86400:
        n, unit = round(seconds / 86400), "day"
    elif seconds < 365 * 86400:
        n, unit = round(seconds / (30.4 * 86400)), "month"
    else:
        return f"{seconds / (365.25 * 86400):.1f} years"
    return f"{n} {unit}{'s' if n != 1 else ''}"


class AppendOnlyError(RuntimeError):
    """Something tried to change or delete a logged review."""


@event.listens_for(ReviewLog, "before_update")
@event.listens_for(ReviewLog, "before_delete")
def _refuse_changes(_mapper: Any, _connection: Any, target: ReviewLog) -> None:
    raise AppendOnlyError(f"review {target.id} is in the append-only review log and cannot be changed")
