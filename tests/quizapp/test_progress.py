"""Progress: the dashboard's figures on known data, the SVG charts, the page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import fsrs
import pytest
from faker import Faker
from flask import Flask
from sqlalchemy import Engine
from sqlmodel import Session

import generators
from quizapp import charts, progress, scheduling
from quizapp.models import Card, LearnerSettings, ReviewLog, User
from tests.quizapp.test_study import answer, db_session, make_learner, next_question, signed_in

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on a fresh database, SQLite then PostgreSQL (the dashboard's
    date arithmetic is done by the database, differently on each)."""
    with Session(engine, expire_on_commit=False) as opened:
        yield opened


@pytest.fixture
def learner(session: Session) -> int:
    user = User(email="p@example.org", display_name="P")
    session.add(user)
    session.flush()
    assert user.id is not None
    return user.id


def add_card(session: Session, user_id: int, skill: str, *, stability: float, last: datetime, due: datetime,
             lapses: int = 0) -> Card:
    row = Card(user_id=user_id, skill=skill, topic=generators.get(skill).topic, state=int(fsrs.State.Review),
               stability=stability, difficulty=5.0, due=due, last_review=last, lapses=lapses, reps=3,
               created_at=last - timedelta(days=30))
    session.add(row)
    session.flush()
    return row


def add_log(session: Session, card: Card, day: date, *, correct: bool = True, state: int = 2,
            misconception: str | None = None, first_of_day: bool = True) -> None:
    """A logged review; like record_review, it measures retention when it is
    the card's first review of the day and the card was in the review state."""
    assert card.id is not None
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
    session.add(ReviewLog(user_id=card.user_id, card_id=card.id, skill=card.skill, version=1, seed=1,
                          correct=correct, score=float(correct), rating=3 if correct else 1, card_state=state,
                          measures_retention=first_of_day and state == int(fsrs.State.Review),
                          reviewed_at=at, day=day, misconception=misconception))
    scheduling.count_day(card.user_id, day, measures_retention=first_of_day and state == int(fsrs.State.Review),
                         recalled=correct, session=session)
    session.flush()


def test_dashboard_figures_on_known_data(session: Session, learner: int) -> None:
    vpc = [g.id for g in generators.by_topic("vpc")]
    a = add_card(session, learner, vpc[0], stability=10.0, last=NOW - timedelta(days=10), due=NOW - timedelta(hours=1))
    b = add_card(session, learner, vpc[1], stability=2.0, last=NOW - timedelta(days=20), due=NOW + timedelta(days=2),
                 lapses=2)
    c = add_card(session, learner, vpc[2], stability=300.0, last=NOW - timedelta(days=1), due=NOW + timedelta(days=40))
    d1, d2 = TODAY - timedelta(days=2), TODAY - timedelta(days=1)
    # True retention counts the first review of a skill each day, of cards in the review state.
    add_log(session, a, d1, correct=True, misconception=None)
    add_log(session, a, d1, correct=False, misconception="m1", first_of_day=False)
    add_log(session, b, d1, correct=False, misconception="m2")
    add_log(session, b, d2, correct=False, state=scheduling.NEW, misconception="m2")  # new: not retention
    add_log(session, c, d2, correct=True, state=int(fsrs.State.Learning))  # learning: not retention
    add_log(session, a, TODAY, correct=False, misconception="m1")
    add_log(session, a, TODAY - timedelta(days=5), correct=False, misconception="m1")  # gap before d1: streak 3
    settings = LearnerSettings(user_id=learner, desired_retention=0.85, time_zone="UTC")

    board = progress.dashboard(learner, session=session, settings=settings, now=NOW)

    sched = scheduling.scheduler(0.85)
    r = {row.skill: sched.get_card_retrievability(scheduling.to_fsrs(row), NOW) for row in (a, b, c)}
    vpc_row = next(t for t in board.topics if t.topic == "vpc")
    assert (vpc_row.skills, vpc_row.started, vpc_row.due) == (len(vpc), 3, 1)
    assert vpc_row.mastery == pytest.approx(sum(r.values()) / 3)
    assert all(t.started == 0 and t.mastery is None for t in board.topics if t.topic != "vpc")
    assert board.forecast[0] == (TODAY, 1)  # overdue counts today
    assert board.forecast[2] == (TODAY + timedelta(days=2), 1)
    assert len(board.forecast) == 30 and sum(n for _, n in board.forecast) == 2  # c is due after 30 days
    # a on d1 (recalled), b on d1, a today, a five days ago: 1 of 4.
    assert (board.retention_reviews, board.retention_recalled, board.retention) == (4, 1, 0.25)
    assert sum(w.reviews for w in board.retention_weeks) == 4
    assert board.activity == {TODAY - timedelta(days=5): 1, d1: 3, d2: 2, TODAY: 1}
    assert board.reviews_today == 1 and board.streak == 3
    assert [s.skill for s in board.weakest] == sorted(r, key=lambda k: r[k])
    assert board.weakest[0].skill == b.skill and board.weakest[0].lapses == 2
    assert [(m.text, m.count, m.skill) for m in board.misconceptions] == [("m1", 3, a.skill), ("m2", 2, b.skill)]


def test_empty_dashboard(session: Session, learner: int) -> None:
    board = progress.dashboard(learner, session=session, settings=LearnerSettings(user_id=learner), now=NOW)
    assert board.retention is None and board.streak == 0 and board.weakest == [] and board.misconceptions == []
    assert all(n == 0 for _, n in board.forecast) and board.activity == {}


def test_streak_reaches_past_the_heatmap_window(session: Session, learner: int) -> None:
    card = add_card(session, learner, list(generators.REGISTRY)[0], stability=5.0, last=NOW, due=NOW)
    days = 7 * progress.HEATMAP_WEEKS + 20
    for i in range(days):
        add_log(session, card, TODAY - timedelta(days=i))
    board = progress.dashboard(learner, session=session, settings=LearnerSettings(user_id=learner), now=NOW)
    assert board.streak == days
    assert len(board.activity) == 7 * progress.HEATMAP_WEEKS


def test_days_follow_the_learners_time_zone(session: Session, learner: int) -> None:
    card = add_card(session, learner, list(generators.REGISTRY)[0], stability=5.0, last=NOW,
                    due=datetime(2026, 3, 11, 2, 0, tzinfo=UTC))
    add_log(session, card, TODAY)
    in_la = LearnerSettings(user_id=learner, time_zone="America/Los_Angeles")
    late = datetime(2026, 3, 11, 5, 0, tzinfo=UTC)  # still 10 March in Los Angeles
    board = progress.dashboard(learner, session=session, settings=in_la, now=late)
    assert board.today == TODAY and board.reviews_today == 1
    assert board.forecast[0] == (TODAY, 1)


def test_charts_are_accessible_self_contained_svg() -> None:
    days = [(TODAY + timedelta(days=i), i % 4) for i in range(30)]
    svg = str(charts.forecast_chart(days, title="Due <soon> & later"))
    assert svg.startswith("<svg") and 'role="img"' in svg and "aria-labelledby" in svg
    assert "<title id=" in svg and "Due &lt;soon&gt; &amp; later" in svg and "<desc id=" in svg
    assert svg.count('<rect class="bar') == 30 and "Today: 0 reviews due" in svg
    assert not re.search(r"(src|href)=", svg) and "<script" not in svg
    heat = str(charts.heatmap({TODAY: 5, TODAY - timedelta(days=1): 1}, start=TODAY - timedelta(days=370), end=TODAY))
    assert heat.count('<rect class="day') == 371 and "5 reviews" in heat and "6 reviews on 2 days" in heat
    retention = str(charts.retention_chart([(TODAY, 10, 9), (TODAY + timedelta(days=7), 0, 0)], 0.9))
    assert "90% recalled (9 of 10)" in retention and "Desired retention 90%" in retention and "no reviews" in retention
    assert "not started" in str(charts.meter(None, label="VPC mastery"))
    assert "VPC mastery: 42%" in str(charts.meter(0.42, label="VPC mastery"))


def test_dashboard_page_changes_after_studying(app: Flask, fake: Faker) -> None:
    user = make_learner(app, fake)
    client = signed_in(app, user)
    before = client.get("/progress/").get_data(as_text=True)
    assert 'id="reviews-today">0<' in before and 'id="streak">0<' in before
    assert before.count('role="img"') >= 3 and "Nothing yet" in before
    assert not re.search(r'(src|href)="https?://', before)  # nothing from a CDN
    attempt_id = next_question(client)
    answer(app, client, attempt_id, right=False)
    after = client.get("/progress/").get_data(as_text=True)
    assert 'id="reviews-today">1<' in after and 'id="streak">1<' in after
    assert 'name="scope" value="skill:' in after  # the weakest skill links to practise it
    with db_session(app) as session:
        assert session.get(User, user.id) is not None
