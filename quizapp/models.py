"""The tables.  Datetimes are stored and returned UTC-aware.

Schema changes are Alembic migrations in `migrations/versions`; a test checks
that the migrations and these models agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, TypeDecorator
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
