"""Progress a learner can see: mastery, forecast, retention, activity.

A learner's cards (one row per skill, thousands) and review log (one row
per review, possibly millions) are aggregated by the database.  Daily
figures (the heatmap, the streak, true retention) come from the daily
totals kept as reviews are logged (`ReviewDay`); the log itself is only read
for recent misconceptions, through a partial index.  No query returns more
rows than there are days, topics or cards.  Retrievability is FSRS's forgetting curve applied
to numbers the database computes (days since the last review, stability).

Functions take `*, session` and change nothing.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Integer, bindparam, case, cast, extract, func
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

import generators
from quizapp.models import Card, LearnerSettings, ReviewDay, ReviewLog, UTCDateTime
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


class Recall(NamedTuple):
    """A reviewed card's retrievability now (its id, topic and lapses); a
    named tuple, as there is one per card, thousands per page."""

    card_id: int
    topic: str
    retrievability: float
    lapses: int


def _elapsed_days(session: Session, now: datetime) -> ColumnElement[Any]:
    """Whole days from each card's last review to `now`, computed by the
    database (FSRS counts whole days), so that no datetime is read back."""
    moment = bindparam("now", now, type_=UTCDateTime())
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.julianday(moment) - func.julianday(col(Card.last_review)), Integer)
    return func.floor(extract("epoch", moment - col(Card.last_review)) / 86400)


def recall(user_id: int, *, session: Session, now: datetime, desired_retention: float = 0.9) -> list[Recall]:
    """Every reviewed card's retrievability at `now`.

    FSRS's forgetting curve, R = (1 + factor * days / stability) ** decay,
    with the scheduler's own parameters; the database sends numbers only
    (one narrow query over the learner's cards).
    """
    decay = -float(scheduler(desired_retention).parameters[20])
    factor = 0.9 ** (1 / decay) - 1
    rows = session.execute(
        sql_select(col(Card.id), col(Card.topic), _elapsed_days(session, now), col(Card.stability), col(Card.lapses))
        .where(col(Card.user_id) == user_id, col(Card.last_review).is_not(None), col(Card.stability).is_not(None))
    ).all()
    return [Recall(card_id, topic, (1 + factor * max(0, int(days or 0)) / stability) ** decay, lapses)
            for card_id, topic, days, stability, lapses in rows]


def topic_mastery(user_id: int, *, session: Session, now: datetime, recalls: Sequence[Recall]) -> list[TopicMastery]:
    """Per topic with questions (registry order, then any other topic the
    learner has cards in): skills, started, due and mean retrievability."""
    counts = {
        topic: (int(started), int(due or 0))
        for topic, started, due in session.execute(
            sql_select(col(Card.topic), func.count(), func.sum(case((col(Card.due) <= now, 1), else_=0)))
            .where(col(Card.user_id) == user_id).group_by(col(Card.topic))
        ).all()
    }
    totals = Counter(g.topic for g in generators.REGISTRY.values())
    r_sum: dict[str, float] = {}
    r_count: Counter[str] = Counter()
    for item in recalls:
        r_sum[item.topic] = r_sum.get(item.topic, 0.0) + item.retrievability
        r_count[item.topic] += 1
    order = list(dict.fromkeys([*generators.topics(), *sorted(counts)]))
    out = []
    for t in order:
        started, due = counts.get(t, (0, 0))
        out.append(TopicMastery(t, max(totals[t], started), started, due,
                                r_sum[t] / r_count[t] if r_count[t] else None))
    return out


def forecast(user_id: int, *, session: Session, today: date, time_zone: str,
             days: int = FORECAST_DAYS) -> list[tuple[date, int]]:
    """Reviews falling due on each of the next `days` days (the learner's
    days); today includes everything already overdue.  One query: the
    database counts the cards due before the end of each day."""
    tz = zone(time_zone)
    ends = [datetime.combine(today + timedelta(days=i + 1), time(0), tzinfo=tz).astimezone(UTC) for i in range(days)]
    row = session.execute(
        sql_select(*(func.sum(case((col(Card.due) < end, 1), else_=0)) for end in ends))
        .where(col(Card.user_id) == user_id, col(Card.due) < ends[-1])
    ).one()
    cumulative = [int(n or 0) for n in row]
    return [(today + timedelta(days=i), cumulative[i] - (cumulative[i - 1] if i else 0)) for i in range(days)]


def weakest(recalls: Sequence[Recall], *, session: Session, limit: int = TOP) -> list[SkillState]:
    """The started skills least likely to be recalled now (more lapses
    first among equals)."""
    chosen = heapq.nsmallest(limit, recalls, key=lambda r: (r.retrievability, -r.lapses, r.card_id))
    if not chosen:
        return []
    cards = {c.id: c for c in session.exec(select(Card).where(col(Card.id).in_([r.card_id for r in chosen])))}
    return [SkillState(cards[r.card_id].skill, _title(cards[r.card_id].skill), r.topic, r.retrievability, r.lapses,
                       cards[r.card_id].reps, cards[r.card_id].due) for r in chosen]


def activity(user_id: int, *, session: Session, since: date) -> dict[date, int]:
    """Reviews per day (the learner's days) since `since`, from the daily
    totals."""
    rows = session.execute(
        sql_select(col(ReviewDay.day), col(ReviewDay.reviews))
        .where(col(ReviewDay.user_id) == user_id, col(ReviewDay.day) >= since)
    ).all()
    return {_as_date(day): int(n) for day, n in rows if n}


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
    starts at `since`) only when the streak reaches its start: then every
    earlier day with reviews is read (one row per day)."""
    count = streak(recent, today)
    if not count or today - timedelta(days=count - 1) > since:
        return count
    older = session.execute(
        sql_select(col(ReviewDay.day)).where(col(ReviewDay.user_id) == user_id, col(ReviewDay.day) < since,
                                             col(ReviewDay.reviews) > 0)
    ).scalars().all()
    return streak({*recent, *(_as_date(d) for d in older)}, today)


def retention_by_day(user_id: int, *, session: Session, since: date) -> dict[date, tuple[int, int]]:
    """True retention's raw counts per day since `since`: (reviews,
    recalled) over the reviews that measure retention (the first review of
    a skill on a day, of a card in the review state: a new or relearning
    card's answer measures learning, not retention)."""
    rows = session.execute(
        sql_select(col(ReviewDay.day), col(ReviewDay.retention_reviews), col(ReviewDay.retention_recalled))
        .where(col(ReviewDay.user_id) == user_id, col(ReviewDay.day) >= since, col(ReviewDay.retention_reviews) > 0)
    ).all()
    return {_as_date(day): (int(n), int(ok)) for day, n, ok in rows}


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
    recalls = recall(user_id, session=session, now=now, desired_retention=settings.desired_retention)
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
    return Dashboard(
        today=today,
        desired_retention=settings.desired_retention,
        topics=topic_mastery(user_id, session=session, now=now, recalls=recalls),
        forecast=forecast(user_id, session=session, today=today, time_zone=settings.time_zone),
        retention_reviews=sum(n for n, _ in in_window),
        retention_recalled=sum(ok for _, ok in in_window),
        retention_weeks=weeks,
        activity=recent,
        activity_start=since,
        streak=full_streak(user_id, session=session, recent=recent, since=since, today=today),
        weakest=weakest(recalls, session=session),
        misconceptions=frequent_misconceptions(user_id, session=session,
                                               since=today - timedelta(days=MISCONCEPTION_DAYS - 1)),
    )
