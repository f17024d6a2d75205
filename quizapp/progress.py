"""Progress a learner can see: mastery, forecast, retention, activity.

Everything here reads the learner's cards (one row per skill) and review
log (one row per review, possibly a million) and aggregates in SQL where the
log is concerned: the log is only ever read through the (user_id, day)
index over a bounded window of days, grouped by the database.  Card-level
figures (retrievability, the forecast) are computed from one narrow query
over the learner's cards, because retrievability is FSRS's formula and
depends on "now".

Functions take `*, session` and change nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import fsrs
from sqlalchemy import Integer, cast, func
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

import generators
from quizapp.models import Card, LearnerSettings, ReviewLog
from quizapp.scheduling import scheduler, zone

FORECAST_DAYS = 30
HEATMAP_WEEKS = 53
RETENTION_DAYS = 30
RETENTION_WEEKS = 12
MISCONCEPTION_DAYS = 90
TOP = 5


@dataclass(frozen=True)
class TopicMastery:
    """One topic: its skills, how many the learner started, how many are
    due, and mastery, the mean retrievability of the started skills (None
    before any review)."""

    topic: str
    skills: int
    started: int
    due: int
    mastery: float | None


@dataclass(frozen=True)
class SkillState:
    """A started skill: its retrievability now, lapses and reviews."""

    skill: str
    title: str
    topic: str
    retrievability: float
    lapses: int
    reps: int
    due: datetime


@dataclass(frozen=True)
class Misconception:
    """A misconception the learner's wrong answers showed, and how often,
    with the skill it came up in."""

    text: str
    skill: str
    title: str
    count: int


@dataclass(frozen=True)
class RetentionWeek:
    """True retention over one week: first reviews of a skill on a day, of
    cards in the review state, and how many of them were recalled."""

    start: date
    reviews: int
    recalled: int

    @property
    def rate(self) -> float | None:
        """Recalled / reviews, or None for an empty week."""
        return self.recalled / self.reviews if self.reviews else None


@dataclass(frozen=True)
class Dashboard:
    """Everything the progress page shows."""

    today: date
    desired_retention: float
    topics: list[TopicMastery]
    forecast: list[tuple[date, int]]
    retention_reviews: int
    retention_recalled: int
    retention_weeks: list[RetentionWeek]
    activity: dict[date, int]
    activity_start: date
    streak: int
    weakest: list[SkillState]
    misconceptions: list[Misconception]

    @property
    def retention(self) -> float | None:
        """True retention over the last RETENTION_DAYS days, if measured."""
        return self.retention_recalled / self.retention_reviews if self.retention_reviews else None

    @property
    def reviews_today(self) -> int:
        """Reviews on the learner's today."""
        return self.activity.get(self.today, 0)

    @property
    def reviews_in_activity(self) -> int:
        """Reviews over the activity window."""
        return sum(self.activity.values())


def _title(skill: str) -> str:
    gen = generators.REGISTRY.get(skill)
    return gen.title if gen is not None else skill


def card_states(user_id: int, *, session: Session, now: datetime, desired_retention: float
                ) -> list[tuple[str, str, SkillState | None, datetime]]:
    """(skill, topic, state or None when never reviewed, due) of every card
    of the learner, from one query of the columns needed."""
    rows = session.execute(
        sql_select(col(Card.skill), col(Card.topic), col(Card.state), col(Card.stability), col(Card.last_review),
                   col(Card.due), col(Card.lapses), col(Card.reps)).where(col(Card.user_id) == user_id)
    ).all()
    sched = scheduler(desired_retention)
    out: list[tuple[str, str, SkillState | None, datetime]] = []
    for skill, topic, state, stability, last_review, due, lapses, reps in rows:
        found = None
        if last_review is not None and stability is not None:
            r = sched.get_card_retrievability(
                fsrs.Card(card_id=0, state=fsrs.State(state), stability=stability, due=due, last_review=last_review),
                now,
            )
            found = SkillState(skill, _title(skill), topic, float(r), lapses, reps, due)
        out.append((skill, topic, found, due))
    return out


def topic_mastery(states: Sequence[tuple[str, str, SkillState | None, datetime]], now: datetime
                  ) -> list[TopicMastery]:
    """Per topic with questions (registry order, then any other topic the
    learner has cards in): skills, started, due and mean retrievability."""
    totals = Counter(g.topic for g in generators.REGISTRY.values())
    started: Counter[str] = Counter()
    due: Counter[str] = Counter()
    r_sum: dict[str, float] = {}
    r_count: Counter[str] = Counter()
    for _skill, topic, state, due_at in states:
        started[topic] += 1
        if due_at <= now:
            due[topic] += 1
        if state is not None:
            r_sum[topic] = r_sum.get(topic, 0.0) + state.retrievability
            r_count[topic] += 1
    order = list(dict.fromkeys([*generators.topics(), *sorted(started)]))
    return [
        TopicMastery(t, max(totals[t], started[t]), started[t], due[t],
                     r_sum[t] / r_count[t] if r_count[t] else None)
        for t in order
    ]


def forecast(states: Sequence[tuple[str, str, SkillState | None, datetime]], *, today: date, time_zone: str,
             days: int = FORECAST_DAYS) -> list[tuple[date, int]]:
    """Reviews falling due on each of the next `days` days (the learner's
    days); today includes everything already overdue."""
    tz = zone(time_zone)
    counts: Counter[date] = Counter()
    last = today + timedelta(days=days - 1)
    for *_rest, due_at in states:
        day = max(today, due_at.astimezone(tz).date())
        if day <= last:
            counts[day] += 1
    return [(today + timedelta(days=i), counts[today + timedelta(days=i)]) for i in range(days)]


def activity(user_id: int, *, session: Session, since: date) -> dict[date, int]:
    """Reviews per day (the learner's days) since `since`, grouped in SQL
    on the (user_id, day) index."""
    rows = session.execute(
        sql_select(col(ReviewLog.day), func.count())
        .where(col(ReviewLog.user_id) == user_id, col(ReviewLog.day) >= since)
        .group_by(col(ReviewLog.day))
    ).all()
    return {_as_date(day): int(n) for day, n in rows}


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def streak(days: Mapping[date, int] | set[date], today: date) -> int:
    """Consecutive days with reviews up to today; a streak still counts
    when the learner has not studied yet today but did yesterday.

    >>> d = date(2026, 3, 10)
    >>> streak({d - timedelta(1), d - timedelta(2)}, d), streak({d, d - timedelta(2)}, d), streak(set(), d)
    (2, 1, 0)
    """
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


def full_streak(user_id: int, *, session: Session, recent: Mapping[date, int], since: date, today: date) -> int:
    """The streak, looking further back than the `recent` window (which
    starts at `since`) only when the streak reaches its start."""
    days = set(recent)
    count = streak(days, today)
    window_start = since
    while count and today - timedelta(days=count - 1) <= window_start + timedelta(days=1):
        older_start = window_start - timedelta(days=366)
        older = session.execute(
            sql_select(col(ReviewLog.day)).where(col(ReviewLog.user_id) == user_id, col(ReviewLog.day) >= older_start,
                                                 col(ReviewLog.day) < window_start).distinct()
        ).scalars().all()
        if not older:
            break
        days |= {_as_date(d) for d in older}
        window_start = older_start
        count = streak(days, today)
    return count


def retention_by_day(user_id: int, *, session: Session, since: date) -> dict[date, tuple[int, int]]:
    """True retention's raw counts per day since `since`: (reviews,
    recalled), counting only the first review of each skill on a day and
    only cards that were in the review state (a new or relearning card's
    answer measures learning, not retention)."""
    first = (
        select(func.min(ReviewLog.id)).where(ReviewLog.user_id == user_id, col(ReviewLog.day) >= since)
        .group_by(col(ReviewLog.card_id), col(ReviewLog.day))
    )
    rows = session.execute(
        sql_select(col(ReviewLog.day), func.count(), func.sum(cast(col(ReviewLog.correct), Integer)))
        .where(col(ReviewLog.id).in_(first), col(ReviewLog.card_state) == int(fsrs.State.Review))
        .group_by(col(ReviewLog.day))
    ).all()
    return {_as_date(day): (int(n), int(ok or 0)) for day, n, ok in rows}


def frequent_misconceptions(user_id: int, *, session: Session, since: date, limit: int = TOP) -> list[Misconception]:
    """The misconceptions named most often in the learner's wrong answers
    since `since`, each with the skill where it came up most."""
    rows = session.execute(
        sql_select(col(ReviewLog.misconception), col(ReviewLog.skill), func.count().label("n"))
        .where(col(ReviewLog.user_id) == user_id, col(ReviewLog.day) >= since, col(ReviewLog.misconception).is_not(None))
        .group_by(col(ReviewLog.misconception), col(ReviewLog.skill))
        .order_by(func.count().desc(), col(ReviewLog.misconception))
    ).all()
    best: dict[str, Misconception] = {}
    totals: Counter[str] = Counter()
    for text, skill, n in rows:
        totals[text] += int(n)
        if text not in best:
            best[text] = Misconception(text, skill, _title(skill), int(n))
    ranked = sorted(totals, key=lambda t: (-totals[t], t))[:limit]
    return [Misconception(t, best[t].skill, best[t].title, totals[t]) for t in ranked]


def dashboard(user_id: int, *, session: Session, settings: LearnerSettings, now: datetime) -> Dashboard:
    """The learner's whole progress page."""
    today = now.astimezone(zone(settings.time_zone)).date()
    states = card_states(user_id, session=session, now=now, desired_retention=settings.desired_retention)
    since = today - timedelta(days=7 * HEATMAP_WEEKS - 1)
    recent = activity(user_id, session=session, since=since)
    weeks_start = today - timedelta(days=7 * RETENTION_WEEKS - 1)
    by_day = retention_by_day(user_id, session=session, since=weeks_start)
    window_start = today - timedelta(days=RETENTION_DAYS - 1)
    in_window = [v for d, v in by_day.items() if d >= window_start]
    weeks = []
    for i in range(RETENTION_WEEKS):
        start = weeks_start + timedelta(days=7 * i)
        days = [by_day.get(start + timedelta(days=k), (0, 0)) for k in range(7)]
        weeks.append(RetentionWeek(start, sum(n for n, _ in days), sum(ok for _, ok in days)))
    started = [s for _skill, _topic, s, _due in states if s is not None]
    weakest = sorted(started, key=lambda s: (s.retrievability, -s.lapses, s.skill))[:TOP]
    return Dashboard(
        today=today,
        desired_retention=settings.desired_retention,
        topics=topic_mastery(states, now),
        forecast=forecast(states, today=today, time_zone=settings.time_zone),
        retention_reviews=sum(n for n, _ in in_window),
        retention_recalled=sum(ok for _, ok in in_window),
        retention_weeks=weeks,
        activity=recent,
        activity_start=since,
        streak=full_streak(user_id, session=session, recent=recent, since=since, today=today),
        weakest=weakest,
        misconceptions=frequent_misconceptions(user_id, session=session,
                                               since=today - timedelta(days=MISCONCEPTION_DAYS - 1)),
    )
