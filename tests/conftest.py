"""Shared fixtures: a fresh database per test, client and runner, factories."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from faker import Faker
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from quizapp import create_app, db


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file brought to the latest schema by the real migrations,
    once per test session; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    db.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def app(tmp_path: Path, migrated_template: Path) -> Iterator[Flask]:
    """The app on a fresh database of its own."""
    database = tmp_path / "quizapp.sqlite"
    shutil.copy(migrated_template, database)
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": f"sqlite:///{database}",
        }
    )
    application.instance_path = str(tmp_path / "instance")
    yield application
    application.extensions["quizapp.engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client (cookies kept between requests)."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner for the app's commands."""
    return app.test_cli_runner()


@pytest.fixture
def fake() -> Faker:
    """Faker seeded per test, for people and names in factories."""
    instance = Faker()
    instance.seed_instance(1234)
    return instance


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/") -> str:
    """The CSRF token from a page's form (as a browser would read it)."""
    page = client.get(path)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)
