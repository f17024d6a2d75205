"""The study queue: what to review next, and the learner's study settings.

The queue, in order: the learner's due cards (most overdue first), then new
skills (skills without a card) up to the daily new-skill limit, counted in
the learner's own "today".  A *scope* narrows it: every topic the learner
chose (the daily session), one topic ("study ahead": once nothing of the
topic is due and no new skill is left, the card due soonest comes next), a
note section or a single skill (a drill: like study ahead, and the new-skill
limit does not apply, because the learner asked for exactly these skills).

Every question drawn here gets a fresh seed, never the one of the learner's
last review of that skill, and never a scenario that reads the same.

Functions take `*, session` and never commit.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import func
from sqlmodel import Session, col, select

import generators
from quizapp import attempts, sources
from quizapp.models import Attempt, Card, LearnerSettings, ReviewLog, utcnow
from quizapp.questions import Question
from quizapp.scheduling import zone

MIN_RETENTION = 0.80
MAX_RETENTION = 0.95
DEFAULT_RETENTION = 0.90
DEFAULT_NEW_PER_DAY = 10
MAX_NEW_PER_DAY = 200
STUDY_MODE = "study"
"""`Attempt.mode` of questions drawn by the study queue."""
SEED_TRIES = 10


# --- settings ----------------------------------------------------------------


class SettingsError(ValueError):
    """Settings that cannot be saved; `errors` maps each field to what is
    wrong with it.  Nothing is saved when this is raised."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


def settings_for(user_id: int, *, session: Session) -> LearnerSettings:
    """The learner's settings, or the defaults when they saved none (the
    defaults are not added to the session)."""
    found = session.get(LearnerSettings, user_id)
    if found is not None:
        return found
    return LearnerSettings(user_id=user_id, desired_retention=DEFAULT_RETENTION, new_per_day=DEFAULT_NEW_PER_DAY,
                           topics=[], time_zone="UTC")


def _retention_problem(raw: str) -> tuple[float | None, str | None]:
    try:
        value = float(raw.strip().rstrip("%")) / (100 if raw.strip().endswith("%") else 1)
    except ValueError:
        return None, f"Desired retention must be a number between {MIN_RETENTION:.2f} and {MAX_RETENTION:.2f}, not {raw!r}."
    if not math.isfinite(value) or not MIN_RETENTION <= round(value, 4) <= MAX_RETENTION:
        return None, (f"Desired retention must be between {MIN_RETENTION:.2f} and {MAX_RETENTION:.2f} "
                      f"(you entered {raw.strip()}).")
    return round(value, 4), None


def _new_limit_problem(raw: str) -> tuple[int | None, str | None]:
    text = raw.strip()
    if not text.isdigit() or int(text) > MAX_NEW_PER_DAY:
        return None, f"New skills per day must be a whole number from 0 to {MAX_NEW_PER_DAY}, not {raw!r}."
    return int(text), None


def _zone_problem(raw: str) -> tuple[str | None, str | None]:
    name = raw.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None, f"Unknown time zone {name!r}: use a name such as Europe/Paris or America/New_York."
    return name, None


def save_settings(
    user_id: int,
    *,
    session: Session,
    desired_retention: str,
    new_per_day: str,
    topics: Sequence[str],
    time_zone: str,
    now: datetime | None = None,
) -> LearnerSettings:
    """Validate every field, then save them all (or nothing: SettingsError
    names every field that is wrong)."""
    retention, retention_error = _retention_problem(desired_retention)
    limit, limit_error = _new_limit_problem(new_per_day)
    zone_name, zone_error = _zone_problem(time_zone)
    known = generators.topics()
    unknown = [t for t in topics if t not in known]
    errors = {
        "desired_retention": retention_error,
        "new_per_day": limit_error,
        "time_zone": zone_error,
        "topics": f"Unknown topic {unknown[0]!r}: choose among {', '.join(known)}." if unknown else None,
    }
    problems = {field: message for field, message in errors.items() if message is not None}
    if problems:
        raise SettingsError(problems)
    assert retention is not None and limit is not None and zone_name is not None
    row = session.get(LearnerSettings, user_id) or LearnerSettings(user_id=user_id)
    row.desired_retention = retention
    row.new_per_day = limit
    row.topics = [t for t in known if t in set(topics)]
    row.time_zone = zone_name
    row.updated_at = now or utcnow()
    session.add(row)
    session.flush()
    return row


def time_zone_names() -> list[str]:
    """Every IANA time zone name, sorted (for the settings form)."""
    return sorted(available_timezones())


# --- the learner's day ---------------------------------------------------------


def today(settings: LearnerSettings, now: datetime) -> date:
    """The learner's date at `now`."""
    return now.astimezone(zone(settings.time_zone)).date()


def day_start(day: date, settings: LearnerSettings) -> datetime:
    """When the learner's `day` starts, in UTC."""
    return datetime.combine(day, time(0), tzinfo=zone(settings.time_zone)).astimezone(UTC)


# --- scopes -------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What the learner is studying: `all` (their topics), a `topic`, a note
    `section` (``topic#anchor``) or one `skill`."""

    kind: str = "all"
    value: str = ""

    KINDS = ("all", "topic", "section", "skill")

    @classmethod
    def parse(cls, text: str | None) -> Scope:
        """Read ``""``, ``topic:vpc``, ``section:vpc#reserved-addresses`` or
        ``skill:<id>``; ValueError names what is wrong."""
        if not text or text == "all":
            return cls()
        kind, sep, value = text.partition(":")
        if not sep or kind not in cls.KINDS[1:] or not value or len(value) > 200:
            raise ValueError(f"cannot read the study scope {text[:200]!r}")
        return cls(kind, value)

    def __str__(self) -> str:
        return "" if self.kind == "all" else f"{self.kind}:{self.value}"

    @property
    def is_drill(self) -> bool:
        """A section or skill drill (the new-skill limit does not apply)."""
        return self.kind in ("section", "skill")


class UnknownScopeError(LookupError):
    """A topic, note section or skill with no questions."""


def skills_in(scope: Scope, settings: LearnerSettings) -> list[str]:
    """The skills of a scope, in curriculum (registry) order.

    Raises UnknownScopeError when a topic, section or skill has none.
    """
    gens = list(generators.REGISTRY.values())
    if scope.kind == "all":
        chosen = set(settings.topics or [])
        return [g.id for g in gens if not chosen or g.topic in chosen]
    if scope.kind == "topic":
        found = [g.id for g in gens if g.topic == scope.value]
    elif scope.kind == "section":
        found = [g.id for g in gens if g.note == scope.value]
    else:
        found = [scope.value] if scope.value in generators.REGISTRY else []
    if not found:
        raise UnknownScopeError(f"There are no questions for the {scope.kind} {scope.value!r}.")
    return found


# --- the queue ----------------------------------------------------------------


def due_cards(user_id: int, *, session: Session, now: datetime, skills: Collection[str] | None = None,
              limit: int = 20) -> list[Card]:
    """The learner's cards due at `now`, most overdue first (one query on
    the (user_id, due) index); only those of `skills` when given."""
    query = select(Card).where(Card.user_id == user_id, col(Card.due) <= now)
    if skills is not None:
        query = query.where(col(Card.skill).in_(list(skills)))
    return list(session.exec(query.order_by(col(Card.due), col(Card.id)).limit(limit)).all())


def count_due(user_id: int, *, session: Session, now: datetime, skills: Collection[str] | None = None) -> int:
    """How many of the learner's cards are due at `now`."""
    query = select(func.count()).select_from(Card).where(Card.user_id == user_id, col(Card.due) <= now)
    if skills is not None:
        query = query.where(col(Card.skill).in_(list(skills)))
    return int(session.exec(query).one())


def next_due_at(user_id: int, *, session: Session, skills: Collection[str] | None = None) -> datetime | None:
    """When the learner's next card falls due (of `skills` when given)."""
    query = select(func.min(Card.due)).where(Card.user_id == user_id)
    if skills is not None:
        query = query.where(col(Card.skill).in_(list(skills)))
    found: datetime | None = session.exec(query).one()
    return found


def new_started_today(user_id: int, *, session: Session, settings: LearnerSettings, now: datetime) -> int:
    """How many skills the learner reviewed for the first time today (their
    day, in their time zone)."""
    since = day_start(today(settings, now), settings)
    query = select(func.count()).select_from(Card).where(Card.user_id == user_id, col(Card.created_at) >= since)
    return int(session.exec(query).one())


def new_skills(user_id: int, skills: Sequence[str], *, session: Session) -> list[str]:
    """The skills among `skills` the learner has no card for, in order."""
    started = set(session.exec(select(Card.skill).where(Card.user_id == user_id,
                                                        col(Card.skill).in_(list(skills)))).all())
    return [s for s in skills if s not in started]


@dataclass(frozen=True)
class QueueStatus:
    """What is left: cards due now, new skills still allowed today, new
    skills not yet started in the scope, and when the next card falls due."""

    due: int
    new_left: int
    new_available: int
    next_due: datetime | None

    @property
    def new_now(self) -> int:
        """New skills the learner can start now."""
        return min(self.new_left, self.new_available)


def status(user_id: int, *, session: Session, settings: LearnerSettings, now: datetime,
           scope: Scope = Scope()) -> QueueStatus:
    """The queue's counts for the learner in a scope."""
    skills = skills_in(scope, settings)
    fresh = len(new_skills(user_id, skills, session=session))
    if scope.is_drill:
        left = fresh
    else:
        left = max(0, settings.new_per_day - new_started_today(user_id, session=session, settings=settings, now=now))
    return QueueStatus(
        due=count_due(user_id, session=session, now=now, skills=skills),
        new_left=left,
        new_available=fresh,
        next_due=next_due_at(user_id, session=session, skills=skills),
    )


@dataclass(frozen=True)
class Pick:
    """The next skill to study and why (`due`, `new` or `ahead`), or no
    skill when the scope is done for now."""

    skill: str | None
    reason: str | None = None


def next_skill(user_id: int, *, session: Session, settings: LearnerSettings, now: datetime,
               scope: Scope = Scope(), avoid: str | None = None) -> Pick:
    """The skill to study next in `scope`.

    Due cards first, most overdue first; then new skills in curriculum order
    while today's new-skill limit allows (drills ignore it); then, except
    for the daily session, the card due soonest, other than `avoid` (the
    skill just reviewed) when there is another.
    """
    skills = skills_in(scope, settings)
    due = due_cards(user_id, session=session, now=now, skills=skills, limit=2)
    if due:
        chosen = due[0] if due[0].skill != avoid or len(due) == 1 else due[1]
        return Pick(chosen.skill, "due")
    fresh = new_skills(user_id, skills, session=session)
    if fresh and (scope.is_drill or new_started_today(user_id, session=session, settings=settings,
                                                      now=now) < settings.new_per_day):
        return Pick(fresh[0], "new")
    if scope.kind == "all":
        return Pick(None)
    ahead = session.exec(
        select(Card.skill).where(Card.user_id == user_id, col(Card.skill).in_(skills))
        .order_by(col(Card.due), col(Card.id)).limit(2)
    ).all()
    if not ahead:
        return Pick(None)
    return Pick(ahead[0] if ahead[0] != avoid or len(ahead) == 1 else ahead[1], "ahead")


def last_instance(user_id: int, skill: str, *, session: Session) -> tuple[int, int] | None:
    """(version, seed) of the learner's last review of `skill`, if any."""
    row = session.exec(
        select(ReviewLog.version, ReviewLog.seed).join(Card, col(Card.id) == col(ReviewLog.card_id))
        .where(Card.user_id == user_id, Card.skill == skill)
        .order_by(col(ReviewLog.reviewed_at).desc(), col(ReviewLog.id).desc()).limit(1)
    ).first()
    return (int(row[0]), int(row[1])) if row is not None else None


def fresh_seed(skill: str, previous: tuple[int, int] | None) -> int:
    """A new seed for `skill` whose scenario differs from the `previous`
    (version, seed) instance: another seed, and another prompt (a small
    scenario space could give the same question from two seeds)."""
    seed = attempts.new_seed()
    if previous is None:
        return seed
    try:
        before = sources.instance(skill, *previous).prompt
    except (sources.StaleVersionError, sources.UnknownSourceError):
        before = None
    gen = sources.generator(skill)
    for _ in range(SEED_TRIES):
        if seed != previous[1] and (before is None or gen.make(seed).prompt != before):
            break
        seed = attempts.new_seed()
    return seed


def start_next(user_id: int, *, session: Session, settings: LearnerSettings, now: datetime,
               scope: Scope = Scope(), avoid: str | None = None) -> tuple[Attempt, Question, Pick] | None:
    """Draw the next question of the queue as a study attempt, or None
    when the scope is done for now."""
    pick = next_skill(user_id, session=session, settings=settings, now=now, scope=scope, avoid=avoid)
    if pick.skill is None:
        return None
    seed = fresh_seed(pick.skill, last_instance(user_id, pick.skill, session=session))
    attempt, question = attempts.start(pick.skill, session=session, user_id=user_id, mode=STUDY_MODE, seed=seed)
    return attempt, question, pick


def topic_titles(notes: Mapping[str, str]) -> list[tuple[str, str]]:
    """(topic, title) for every topic with questions; the title comes from
    the topic's note when there is one."""
    return [(t, notes.get(t, t)) for t in generators.topics()]

