"""Storage: migrations match the models, datetimes stay UTC-aware."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import inspect, text
from sqlmodel import Session, SQLModel

from quizapp import db
from quizapp.models import Attempt, User


def test_migrations_produce_exactly_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.sqlite'}"
    db.upgrade(url)
    engine = db.make_engine(url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    engine.dispose()
    assert diff == []


def test_sqlite_pragmas(app: Flask) -> None:
    with app.extensions["quizapp.engine"].connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == db.SQLITE_BUSY_TIMEOUT_MS


def test_datetimes_round_trip_utc_aware(app: Flask) -> None:
    engine = app.extensions["quizapp.engine"]
    moment = datetime(2026, 3, 1, 12, 30, tzinfo=timezone(timedelta(hours=2)))
    with Session(engine) as session:
        user = User(email="a@example.org", display_name="A", created_at=moment)
        session.add(user)
        session.commit()
        user_id = user.id
    with Session(engine) as session:
        loaded = session.get(User, user_id)
        assert loaded is not None
        assert loaded.created_at.tzinfo is not None
        assert loaded.created_at == moment and loaded.created_at.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(app: Flask) -> None:
    with Session(app.extensions["quizapp.engine"]) as session:
        session.add(User(email="b@example.org", display_name="B", created_at=datetime(2026, 1, 1)))
        with pytest.raises(Exception, match="naive datetime"):
            session.commit()


def test_foreign_keys_are_enforced(app: Flask) -> None:
    with Session(app.extensions["quizapp.engine"]) as session:
        session.add(Attempt(id="x", source="vpc.subnet-usable-addresses", version=1, seed=1, user_id=424242,
                            created_at=datetime.now(UTC)))
        with pytest.raises(Exception, match="FOREIGN KEY"):
            session.commit()


def test_schema_has_the_tables(app: Flask) -> None:
    tables = set(inspect(app.extensions["quizapp.engine"]).get_table_names())
    assert {"user", "attempt", "alembic_version"} <= tables


def test_secret_key_is_generated_once_per_instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from quizapp import config, create_app

    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.instance_secret(str(tmp_path))
    assert len(first) == 64 and config.instance_secret(str(tmp_path)) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"})
    assert app.config["SECRET_KEY"] and app.config["SECRET_KEY"] != "dev"


def test_proxy_hops_trust_forwarded_addresses(tmp_path: Path) -> None:
    from flask import request

    from quizapp import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite'}", "SECRET_KEY": "k", "PROXY_HOPS": 1})

    @app.get("/whoami")
    def whoami() -> str:
        return request.remote_addr or ""

    seen = app.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.9"}, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert seen.get_data(as_text=True) == "203.0.113.9"


def test_bad_proxy_hops_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from quizapp import config

    monkeypatch.setenv("QUIZAPP_PROXY_HOPS", "two")
    with pytest.raises(ValueError, match="QUIZAPP_PROXY_HOPS must be a whole number"):
        config.from_environment(str(tmp_path))
