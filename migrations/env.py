"""Alembic environment: runs the migrations against the configured URL."""

from __future__ import annotations

import os

from alembic import context
from sqlmodel import SQLModel

import quizapp.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from quizapp.db import make_engine

config = context.config
if not config.get_main_option("sqlalchemy.url"):
    # Run by hand (`alembic upgrade head`): use the app's database.
    config.set_main_option("sqlalchemy.url", os.environ.get("DATABASE_URL") or "sqlite:///instance/quizapp.sqlite")
target_metadata = SQLModel.metadata


def run_migrations_offline() -> None:
    """Emit SQL without a connection (`alembic upgrade --sql`)."""
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on a live connection."""
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    connectable = make_engine(url)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    connectable.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
