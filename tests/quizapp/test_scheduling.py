"""Scheduling: the rating map, card rows <-> FSRS, the append-only log, and a
DB round trip on SQLite and PostgreSQL followed by an FSRS review."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import fsrs
import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from quizapp import attempts, scheduling
from quizapp.grading import GradeResult
from quizapp.models import Card, LearnerSettings, ReviewDay, ReviewLog, User
from quizapp.questions import AnswerKind

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SKILL = "vpc.subnet-usable-addresses"


# --- the rating map ----------------------------------------------------------------


@pytest.mark.parametrize("kind", list(AnswerKind))
def test_rating_map_for_every_kind(kind: AnswerKind) -> None:
    limits = scheduling.RATING_THRESHOLDS[kind]
    assert scheduling.rating_for(False, kind, 1_000) is fsrs.Rating.Again
    assert scheduling.rating_for(False, kind, None) is fsrs.Rating.Again
    assert scheduling.rating_for(True, kind, limits.easy_below_ms - 1) is fsrs.Rating.Easy
    assert scheduling.rating_for(True, kind, limits.easy_below_ms) is fsrs.Rating.Good
    assert scheduling.rating_for(True, kind, limits.hard_above_ms) is fsrs.Rating.Good
    assert scheduling.rating_for(True, kind, limits.hard_above_ms + 1) is fsrs.Rating.Hard
    # No usable time, or a walk-away: correct is simply Good.
    assert scheduling.rating_for(True, kind, None) is fsrs.Rating.Good
    assert scheduling.rating_for(True, kind, 0) is fsrs.Rating.Good
    assert scheduling.rating_for(True, kind, scheduling.MAX_TIMED_MS + 1) is fsrs.Rating.Good


def test_every_kind_has_thresholds_and_slower_kinds_get_more_time() -> None:
    t = scheduling.RATING_THRESHOLDS
    assert set(t) == set(AnswerKind)
    assert all(v.easy_below_ms < v.hard_above_ms <= scheduling.MAX_TIMED_MS for v in t.values())
    assert t[AnswerKind.SINGLE].hard_above_ms < t[AnswerKind.ORDERING].hard_above_ms < t[AnswerKind.LAB].hard_above_ms
    # 60 s is slow for one choice but quick for a lab.
    assert scheduling.rating_for(True, AnswerKind.SINGLE, 60_000) is fsrs.Rating.Hard
    assert scheduling.rating_for(True, AnswerKind.LAB, 60_000) is fsrs.Rating.Easy


def test_answer_duration_trusts_the_browser_only_up_to_what_the_server_saw() -> None:
    served = T0
    now = T0 + timedelta(seconds=20)
    assert scheduling.answer_duration(12_345, served, now) == 12_345
    assert scheduling.answer_duration(90_000, served, now) == 20_000  # cannot be longer than served -> now
    assert scheduling.answer_duration(None, served, now) == 20_000
    assert scheduling.answer_duration(0, served, now) == 20_000
    assert scheduling.answer_duration(None, now, served) == 0  # a clock step back is not negative


def test_local_day_uses_the_learners_time_zone() -> None:
    late = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    assert scheduling.local_day(late, "UTC") == date(2026, 3, 1)
    assert scheduling.local_day(late, "Asia/Tokyo") == date(2026, 3, 2)
    assert scheduling.local_day(late, "America/Los_Angeles") == date(2026, 3, 1)
    assert scheduling.local_day(late, "Not/AZone") == date(2026, 3, 1)  # unknown falls back to UTC


def test_card_row_and_fsrs_card_convert_both_ways() -> None:
    row = Card(id=7, user_id=1, skill=SKILL, topic="vpc", state=2, step=None, stability=12.5, difficulty=4.2,
               due=T0 + timedelta(days=12), last_review=T0)
    card = scheduling.to_fsrs(row)
    assert (card.card_id, card.state, card.stability, card.difficulty, card.due, card.last_review) == (
        7, fsrs.State.Review, 12.5, 4.2, T0 + timedelta(days=12), T0)
    reviewed, _ = scheduling.scheduler(0.9, fuzz=False).review_card(card, fsrs.Rating.Good, review_datetime=T0 + timedelta(days=12))
    scheduling.apply(row, reviewed)
    assert row.due == reviewed.due > T0 + timedelta(days=12) and row.last_review == T0 + timedelta(days=12)
    assert row.stability == reviewed.stability and row.stability > 12.5


def test_higher_desired_retention_means_shorter_intervals() -> None:
    card = fsrs.Card(card_id=1, state=fsrs.State.Review, stability=20.0, difficulty=5.0, due=T0, last_review=T0 - timedelta(days=20))
    low, _ = scheduling.scheduler(0.80, fuzz=False).review_card(card, fsrs.Rating.Good, review_datetime=T0)
    high, _ = scheduling.scheduler(0.95, fuzz=False).review_card(card, fsrs.Rating.Good, review_datetime=T0)
    assert high.due < low.due


# --- storage on SQLite and PostgreSQL ------------------------------------------------


def add_user(session: Session, email: str = "learner@example.org") -> int:
    user = User(email=email, display_name="Learner")
    session.add(user)
    session.flush()
    assert user.id is not None
    return user.id


def test_cards_and_logs_round_trip_aware_then_fsrs_reviews_them(engine: Engine) -> None:
    paris = timezone(timedelta(hours=1))
    due = datetime(2026, 3, 14, 10, 0, tzinfo=paris)
    last = datetime(2026, 3, 1, 10, 0, tzinfo=paris)
    with Session(engine) as session:
        user_id = add_user(session)
        card = Card(user_id=user_id, skill=SKILL, topic="vpc", state=2, step=None, stability=13.1, difficulty=5.5,
                    due=due, last_review=last, reps=3)
        session.add(card)
        session.flush()
        assert card.id is not None
        session.add(ReviewLog(user_id=user_id, card_id=card.id, skill=SKILL, version=1, seed=2**53 - 1,
                              response={"given": ["a", "c"]}, correct=True, score=1.0, rating=3, card_state=2,
                              duration_ms=4321, reviewed_at=last, day=date(2026, 3, 1), misconception=None))
        session.commit()
        card_id = card.id
    with Session(engine) as session:
        loaded = session.get(Card, card_id)
        assert loaded is not None
        for moment, expected in ((loaded.due, due), (loaded.last_review, last)):
            assert moment is not None and moment.tzinfo is UTC and moment == expected
        log = session.exec(select(ReviewLog).where(ReviewLog.card_id == card_id)).one()
        assert log.reviewed_at.tzinfo is UTC and log.reviewed_at == last
        assert (log.seed, log.response, log.day, log.duration_ms) == (2**53 - 1, {"given": ["a", "c"]}, date(2026, 3, 1), 4321)
        # FSRS refuses naive or non-UTC datetimes: the loaded ones go straight in.
        reviewed, _ = scheduling.scheduler(0.9, fuzz=False).review_card(
            scheduling.to_fsrs(loaded), fsrs.Rating.Good, review_datetime=loaded.due)
        scheduling.apply(loaded, reviewed)
        session.add(loaded)
        session.commit()
        assert scheduling.retrievability(loaded, loaded.due) > 0.85
    with Session(engine) as session:
        again = session.get(Card, card_id)
        assert again is not None and again.due == reviewed.due and again.last_review == due


def test_record_review_makes_the_card_then_reviews_it(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        user_id = add_user(session)
        settings = LearnerSettings(user_id=user_id, desired_retention=0.9, time_zone="Asia/Tokyo")
        first, question = attempts.start(SKILL, session=session, user_id=user_id, mode="study")
        wrong = GradeResult(False, 0.0, "no", misconceptions=("forget the five reserved addresses",), response="256")
        log1 = scheduling.record_review(first, question, wrong, session=session, user_id=user_id, settings=settings,
                                        duration_ms=8000, now=datetime(2026, 3, 1, 23, 30, tzinfo=UTC), fuzz=False)
        session.commit()
        second, question2 = attempts.start(SKILL, session=session, user_id=user_id, mode="study")
        right = GradeResult(True, 1.0, "yes", response=question2.answer)
        log2 = scheduling.record_review(second, question2, right, session=session, user_id=user_id,
                                        settings=settings, duration_ms=3000,
                                        now=datetime(2026, 3, 2, 0, 0, tzinfo=UTC), fuzz=False)
        session.commit()
        ids = (log1.id, log2.id)
    with Session(engine) as session:
        card = session.exec(select(Card).where(Card.user_id == user_id)).one()
        logs = session.exec(select(ReviewLog).order_by(ReviewLog.id)).all()
        assert [log.id for log in logs] == list(ids)
        assert [(log.card_state, log.rating, log.correct) for log in logs] == [
            (scheduling.NEW, int(fsrs.Rating.Again), False), (int(fsrs.State.Learning), int(fsrs.Rating.Easy), True)]
        assert logs[0].misconception == "forget the five reserved addresses" and logs[1].misconception is None
        assert logs[0].day == date(2026, 3, 2)  # 08:30 the next morning in Tokyo
        assert (logs[0].attempt_id, logs[0].seed, logs[0].version) == (first.id, first.seed, first.version)
        assert card.reps == 2 and card.topic == "vpc" and card.last_review == datetime(2026, 3, 2, tzinfo=UTC)
        assert card.created_at == datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
        assert card.state == int(fsrs.State.Review)  # Easy graduates a learning card


def test_true_retention_counts_a_learnt_skills_first_review_of_the_day(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        user_id = add_user(session)
        settings = LearnerSettings(user_id=user_id, time_zone="Asia/Tokyo")
        session.add(Card(user_id=user_id, skill=SKILL, topic="vpc", state=int(fsrs.State.Review), stability=20.0,
                         difficulty=5.0, due=T0, last_review=datetime(2026, 2, 20, 14, 0, tzinfo=UTC)))
        session.flush()

        def review(at: datetime, correct: bool) -> ReviewLog:
            attempt, question = attempts.start(SKILL, session=session, user_id=user_id, mode="study")
            result = GradeResult(correct, float(correct), "", response="1")
            return scheduling.record_review(attempt, question, result, session=session, user_id=user_id,
                                            settings=settings, duration_ms=20_000, now=at, fuzz=False)

        first = review(datetime(2026, 3, 1, 14, 0, tzinfo=UTC), correct=False)  # 23:00 in Tokyo
        again = review(datetime(2026, 3, 1, 14, 30, tzinfo=UTC), correct=True)  # 23:30, same day, relearning
        assert (first.measures_retention, first.card_state) == (True, int(fsrs.State.Review))
        assert (again.measures_retention, again.card_state) == (False, int(fsrs.State.Relearning))
        session.commit()
        day = session.get(ReviewDay, (user_id, date(2026, 3, 1)))
        assert day is not None and (day.reviews, day.retention_reviews, day.retention_recalled) == (2, 1, 0)


def test_review_log_is_append_only(engine: Engine) -> None:
    with Session(engine) as session:
        user_id = add_user(session)
        card = Card(user_id=user_id, skill=SKILL, topic="vpc", state=1, step=0, due=T0)
        session.add(card)
        session.flush()
        assert card.id is not None
        log = ReviewLog(user_id=user_id, card_id=card.id, skill=SKILL, version=1, seed=1, correct=False, score=0.0,
                        rating=1, card_state=0, reviewed_at=T0, day=T0.date())
        session.add(log)
        session.commit()
        log.correct = True
        with pytest.raises(scheduling.AppendOnlyError):
            session.commit()
        session.rollback()
        session.delete(log)
        with pytest.raises(scheduling.AppendOnlyError):
            session.commit()
        session.rollback()
    # The database refuses too, whatever the client.
    for statement in ("UPDATE review_log SET correct = true", "DELETE FROM review_log"):
        with engine.connect() as connection, pytest.raises(Exception, match="append-only"):
            connection.execute(text(statement))
    with Session(engine) as session:
        kept = session.exec(select(ReviewLog)).one()
        assert kept.correct is False


def test_no_code_updates_or_deletes_the_review_log() -> None:
    """The only writer of ReviewLog rows is record_review, which adds."""
    root = Path(__file__).resolve().parents[2] / "quizapp"
    for path in root.rglob("*.py"):
        source = path.read_text()
        assert "update(ReviewLog" not in source and "delete(ReviewLog" not in source, path
