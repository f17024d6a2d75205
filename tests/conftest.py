"""Shared fixtures: a fresh database per test, client and runner, factories."""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from faker import Faker
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Engine, text

from quizapp import create_app, db


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file brought to the latest schema by the real migrations,
    once per test session; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    db.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path, migrated_template: Path) -> Iterator[Engine]:
    """An engine on a freshly migrated database of each kind (SQLite, then
    PostgreSQL: `postgres_url` starts a throwaway server or skips)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'db.sqlite'}"
        db.upgrade(url)
    else:
        url = request.getfixturevalue("postgres_url")
    made = db.make_engine(url)
    yield made
    made.dispose()


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


# --- PostgreSQL ------------------------------------------------------------------


def require_service(reason: str) -> None:
    """Skip the test for a missing service, or fail when the environment
    says the services must be there (QUIZAPP_REQUIRE_SERVICES=1, as in CI)."""
    if os.environ.get("QUIZAPP_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (QUIZAPP_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


def free_port() -> int:
    """A TCP port on the loopback address that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL server on a free loopback port, for the test
    session, with a template database brought to the latest schema by the
    real migrations.  Yields the server's base URL (no database name).

    It runs from /usr/lib/postgresql/*/bin as the `postgres` system user
    when the tests run as root (initdb refuses root)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        require_service("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/pg_ctl)")
    bindir = Path(found[-1]).parent
    as_user: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="quizapp-pg-"))
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            require_service("running as root and there is no 'postgres' user to run PostgreSQL as")
        os.chown(folder, account.pw_uid, account.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data = folder / "data"
    port = free_port()
    subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                    "-E", "UTF8", "--no-sync"], check=True, capture_output=True)
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"),
                    "-w", "-t", "60", "start"], check=True, capture_output=True)
    base = f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    try:
        admin = db.make_engine(f"{base}/postgres").execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE quizapp_template"))
        admin.dispose()
        db.upgrade(f"{base}/quizapp_template")
        yield base
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh migrated PostgreSQL database for one test, copied from the
    template; dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = db.make_engine(f"{postgres_server}/postgres").execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name} TEMPLATE quizapp_template"))
    yield f"{postgres_server}/{name}"
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()
