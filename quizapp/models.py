"""The tables.  Datetimes are stored and returned UTC-aware.

Schema changes are Alembic migrations in `migrations/versions`; a test checks
that the migrations and these models agree.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Date, DateTime, Index, TypeDecorator, UniqueConstraint, text
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that refuses naive datetimes and always comes back in UTC
    (SQLite keeps no time zone, so it is added back on the way out)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store UTC-aware datetimes only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time, UTC-aware."""
    return datetime.now(UTC)


class User(SQLModel, table=True):
    """A person who uses quizapp: a learner, an instructor or an admin."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    display_name: str = Field(max_length=100)
    password_hash: str | None = Field(default=None, max_length=255)
    role: str = Field(default="learner", max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class LoginFailure(SQLModel, table=True):
    """One failed sign-in, kept for rate limiting across workers.

    Counted per account (the normalised email tried, whether or not it
    exists) and per client address over a recent window; old rows are
    deleted as new ones are written.  No password is ever stored here.
    """

    __tablename__ = "login_failure"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    address: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))

    __table_args__ = (
        Index("ix_login_failure_email_created", "email", "created_at"),
        Index("ix_login_failure_address_created", "address", "created_at"),
        Index("ix_login_failure_created", "created_at"),
    )


class Attempt(SQLModel, table=True):
    """One question instance served to someone, and its grading.

    The id is opaque and random: it is all the browser ever holds.  The seed
    and the answer stay here.  `graded_at` is set once; a second submission
    of the same attempt is answered from `result` and records nothing new.
    """

    id: str = Field(primary_key=True, max_length=32)
    source: str = Field(max_length=200, index=True)
    version: int
    seed: int = Field(sa_column=Column(BigInteger, nullable=False))
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    mode: str = Field(default="practice", max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    graded_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    correct: bool | None = None
    score: float | None = None
    response: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    result: Any = Field(default=None, sa_column=Column(JSON, nullable=True))

    __table_args__ = (Index("ix_attempt_user_created", "user_id", "created_at"),)


class Card(SQLModel, table=True):
    """The FSRS memory state of one learner for one skill.

    A skill is a question source (a generator id, later an authored
    ``pack:...`` question).  The card is made at the skill's first review;
    a skill without a card is *new*.  The FSRS fields are columns, not a JSON
    blob, so "what is due" is one query on the (user_id, due) index.
    `state` is `fsrs.State` (1 learning, 2 review, 3 relearning).
    """

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    skill: str = Field(max_length=200)
    topic: str = Field(max_length=50)
    state: int
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_review: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    reps: int = 0
    lapses: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))

    __table_args__ = (
        UniqueConstraint("user_id", "skill", name="uq_card_user_skill"),
        Index("ix_card_user_due", "user_id", "due"),
        Index("ix_card_user_created", "user_id", "created_at"),
    )


class ReviewLog(SQLModel, table=True):
    """One review, appended and never changed (see `quizapp.scheduling`).

    It records the instance (skill, generator version and seed), the answer
    given and its grade, the FSRS rating, how long it took, and when, both
    as a UTC time and as the learner's local date at that moment (`day`),
    which is what "today", streaks and the heatmap count in.  `card_state`
    is the card's state before the review (0 for a new skill).
    `measures_retention` marks the reviews that true retention counts: the
    first review of the skill on the learner's day, of a card that was in
    the review state.  An attempt yields at most one review (unique
    `attempt_id`; empty for imported history).

    The progress page never reads the whole of a possibly huge log: daily
    totals are kept in `ReviewDay`, and the misconceptions of recent days
    come from a partial index over the few reviews that name one.
    """

    __tablename__ = "review_log"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    card_id: int = Field(foreign_key="card.id")
    attempt_id: str | None = Field(default=None, foreign_key="attempt.id", max_length=32, unique=True)
    skill: str = Field(max_length=200)
    version: int
    seed: int = Field(sa_column=Column(BigInteger, nullable=False))
    response: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    correct: bool
    score: float
    misconception: str | None = Field(default=None, max_length=300)
    rating: int
    card_state: int
    measures_retention: bool = False
    duration_ms: int | None = None
    reviewed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    day: date = Field(sa_column=Column(Date(), nullable=False))

    __table_args__ = (
        Index("ix_review_log_user_day", "user_id", "day"),
        Index("ix_review_log_card", "card_id", "reviewed_at"),
        Index("ix_review_log_misconception", "user_id", "day", "misconception", "skill",
              sqlite_where=text("misconception IS NOT NULL"), postgresql_where=text("misconception IS NOT NULL")),
    )


class ReviewDay(SQLModel, table=True):
    """A learner's reviews on one of their days, counted as each review is
    logged: the log is the record, this is its daily total, so that the
    heatmap, the streak and true retention read one row per day instead of
    every review.  `retention_reviews` and `retention_recalled` count the
    day's reviews that measure retention, and those answered correctly.
    """

    __tablename__ = "review_day"

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    day: date = Field(sa_column=Column(Date(), primary_key=True))
    reviews: int = 0
    retention_reviews: int = 0
    retention_recalled: int = 0


class LearnerSettings(SQLModel, table=True):
    """A learner's study settings; defaults apply until they save some.

    `topics` is the list of topics to study (empty: every topic);
    `time_zone` is an IANA name and decides when the learner's day starts.
    """

    __tablename__ = "learner_settings"

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    desired_retention: float = 0.9
    new_per_day: int = 10
    topics: Any = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    time_zone: str = Field(default="UTC", max_length=64)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
