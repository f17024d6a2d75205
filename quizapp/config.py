"""Configuration from the environment, and where things live."""

from __future__ import annotations

import os
import secrets
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
"""The project folder (templates, content and migrations sit at its top)."""
TEMPLATES = ROOT / "templates"
CONTENT = ROOT / "content"
MIGRATIONS = ROOT / "migrations"
STATIC = ROOT / "static"


def from_environment(instance_path: str) -> dict[str, Any]:
    """Settings read from environment variables, with local defaults.

    `DATABASE_URL` defaults to an SQLite file in the instance folder.
    """
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'quizapp.sqlite'}"
    settings: dict[str, Any] = {
        "DATABASE_URL": database,
        "CONTENT_DIR": os.environ.get("QUIZAPP_CONTENT") or str(CONTENT),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # A browser stays signed in for two weeks after its last visit
        # (Flask renews a permanent session's cookie on each request).
        "PERMANENT_SESSION_LIFETIME": timedelta(days=14),
        "WTF_CSRF_TIME_LIMIT": None,
    }
    hops = os.environ.get("QUIZAPP_PROXY_HOPS", "0")
    if not hops.isdigit():
        raise ValueError(f"QUIZAPP_PROXY_HOPS must be a whole number of proxies, not {hops!r}")
    settings["PROXY_HOPS"] = int(hops)
    if os.environ.get("SECRET_KEY"):
        settings["SECRET_KEY"] = os.environ["SECRET_KEY"]
    if os.environ.get("QUIZAPP_SECURE_COOKIES") == "1":
        settings["SESSION_COOKIE_SECURE"] = True
    return settings


def instance_secret(instance_path: str) -> str:
    """The secret key kept in the instance folder, made on first use.

    The file is created with owner-only permissions; concurrent first starts
    (several workers) agree because the file is created exclusively.
    """
    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another worker may be writing it this instant: wait for its content.
        for _ in range(50):
            if text := path.read_text().strip():
                return text
            time.sleep(0.01)
        raise RuntimeError(f"the secret key file {path} is empty") from None
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text().strip()
