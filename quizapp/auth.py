"""Accounts: users, passwords, sign-in rate limiting, roles.

Passwords are hashed with werkzeug's `generate_password_hash`, whose default
is scrypt (a memory-hard KDF) with a random salt per password; the clear
password is never stored, logged or echoed back.  The signed-in user is kept
in Flask's signed session cookie (HttpOnly, SameSite=Lax) as a user id only.

Failed sign-ins are rows of `login_failure`, counted per account and per
client address over a sliding window, so the limit holds across several
workers sharing the database.  Data functions take `*, session` and never
commit: the view owns the transaction.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from flask import abort, g, has_request_context, redirect, request, url_for
from flask import session as cookie
from sqlalchemy import delete, func
from sqlmodel import Session, col, select
from werkzeug.security import check_password_hash, generate_password_hash

from quizapp.models import LoginFailure, User, utcnow

LEARNER, INSTRUCTOR, ADMIN = "learner", "instructor", "admin"
ROLES = (LEARNER, INSTRUCTOR, ADMIN)

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1000
"""Long enough for any passphrase, short enough that hashing stays cheap."""
MAX_NAME_LENGTH = 100
MAX_EMAIL_LENGTH = 254

FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
"""Higher than per account: a classroom or an office shares one address."""

SESSION_USER_KEY = "user_id"

LOCAL_EMAIL = "local@localhost"
"""The local learner's email.  Its domain has no dot, so sign-up refuses it
and nobody can register it; the account has no password at all."""
LOCAL_NAME = "Local learner"

# A hash of a random string, checked against when the email is unknown, so a
# wrong email costs as long as a wrong password and does not reveal which
# accounts exist.
_DUMMY_HASH = generate_password_hash("not a password: equalises timing")

_EMAIL_RE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}"
    r"@(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


class AccountError(ValueError):
    """Account details that cannot be accepted; `errors` maps each form
    field (`email`, `name`, `password`, `role`) to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


class InvalidCredentialsError(ValueError):
    """The email and password do not match an account that can sign in."""


class RateLimitedError(Exception):
    """Too many recent failed sign-ins for this account or this address;
    signing in works again at `retry_at`."""

    def __init__(self, retry_at: datetime, reason: str) -> None:
        super().__init__(f"Too many failed sign-ins {reason}. Try again after {retry_at:%H:%M} UTC.")
        self.retry_at = retry_at
        self.reason = reason


def normalise_email(raw: str) -> str:
    """The email as stored and compared: trimmed and case-folded.

    >>> normalise_email("  Ada.Lovelace@Example.ORG ")
    'ada.lovelace@example.org'
    """
    return raw.strip().casefold()


def email_problem(email: str) -> str | None:
    """Why a (normalised) email is unacceptable, or None.

    >>> email_problem("ada@example.org") is None
    True
    >>> email_problem("ada@localhost")
    'Enter an email address such as name@example.org.'
    """
    if not email:
        return "Enter your email address."
    if len(email) > MAX_EMAIL_LENGTH:
        return f"An email address may be at most {MAX_EMAIL_LENGTH} characters long."
    if not _EMAIL_RE.match(email):
        return "Enter an email address such as name@example.org."
    return None


def password_problem(password: str) -> str | None:
    """Why a new password is unacceptable, or None.

    >>> password_problem("short")
    'Use at least 10 characters (this one has 5).'
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters (this one has {len(password)})."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    if not password.strip():
        return "A password cannot be only spaces."
    return None


def normalise_name(raw: str) -> str:
    """A display name with surrounding and repeated spaces removed."""
    return " ".join(raw.split())


def name_problem(name: str) -> str | None:
    """Why a (normalised) display name is unacceptable, or None."""
    if not name:
        return "Enter the name to show on your pages."
    if len(name) > MAX_NAME_LENGTH:
        return f"A name may be at most {MAX_NAME_LENGTH} characters long."
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        return "A name cannot contain control characters."
    return None


def find_user(email: str, *, session: Session) -> User | None:
    """The user with this email (normalised here), or None."""
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def account_problems(email: str, name: str, password: str, *, session: Session,
                     role: str = LEARNER) -> dict[str, str]:
    """What is wrong with these new-account details, by form field (`email`,
    `name`, `password`, `role`); empty when they can be accepted."""
    email = normalise_email(email)
    name = normalise_name(name)
    problems = {"email": email_problem(email), "name": name_problem(name), "password": password_problem(password),
                "role": None if role in ROLES else f"Unknown role {role!r}: use one of {', '.join(ROLES)}."}
    errors = {field: message for field, message in problems.items() if message is not None}
    if "email" not in errors and find_user(email, session=session) is not None:
        errors["email"] = f"An account with the email {email} already exists."
    return errors


def create_user(email: str, name: str, password: str, *, session: Session, role: str = LEARNER) -> User:
    """Add a user with a hashed password.

    Raises AccountError naming every field that is wrong (a bad email, name,
    password or role, or an email already taken); nothing is added then.
    """
    errors = account_problems(email, name, password, session=session, role=role)
    if errors:
        raise AccountError(errors)
    user = User(email=normalise_email(email), display_name=normalise_name(name),
                password_hash=generate_password_hash(password), role=role)
    session.add(user)
    session.flush()
    return user


def _recent_failures(column: Any, value: str, since: datetime, *, session: Session) -> list[datetime]:
    rows = session.exec(
        select(LoginFailure.created_at)
        .where(column == value, col(LoginFailure.created_at) > since)
        .order_by(col(LoginFailure.created_at))
    ).all()
    return list(rows)


def sign_in_block(email: str, address: str, *, session: Session, now: datetime | None = None) -> RateLimitedError | None:
    """The block in force for signing in to `email` from `address`, or None.

    A block lifts when enough failures have left the window to go below the
    limit again, so its time is exact, not a fixed penalty.
    """
    now = now or utcnow()
    since = now - FAILURE_WINDOW
    checks = (
        (col(LoginFailure.email), normalise_email(email), MAX_FAILURES_PER_ACCOUNT, "for this account"),
        (col(LoginFailure.address), address, MAX_FAILURES_PER_ADDRESS, "from your network address"),
    )
    blocks = []
    for column, value, limit, reason in checks:
        times = _recent_failures(column, value, since, session=session)
        if len(times) >= limit:
            blocks.append(RateLimitedError(times[len(times) - limit] + FAILURE_WINDOW, reason))
    return max(blocks, key=lambda b: b.retry_at, default=None)


def record_failure(email: str, address: str, *, session: Session, now: datetime | None = None) -> None:
    """Note a failed sign-in, and forget failures that left the window."""
    now = now or utcnow()
    session.execute(delete(LoginFailure).where(col(LoginFailure.created_at) <= now - FAILURE_WINDOW))
    session.add(LoginFailure(email=normalise_email(email)[:MAX_EMAIL_LENGTH], address=address[:64], created_at=now))
    session.flush()


def authenticate(email: str, password: str, address: str, *, session: Session,
                 now: datetime | None = None) -> User:
    """The user whose email and password these are.

    Raises RateLimitedError (before checking anything) when this account or
    this address has too many recent failures, and InvalidCredentialsError
    (after recording the failure) when the pair does not match.  A success
    clears the account's failures.  The caller commits in every case, so a
    failure is remembered.
    """
    now = now or utcnow()
    email = normalise_email(email)
    block = sign_in_block(email, address, session=session, now=now)
    if block is not None:
        raise block
    user = find_user(email, session=session) if email and len(email) <= MAX_EMAIL_LENGTH else None
    stored = user.password_hash if user is not None and user.password_hash else None
    matches = check_password_hash(stored or _DUMMY_HASH, password[:MAX_PASSWORD_LENGTH])
    if user is None or stored is None or not matches:
        record_failure(email, address, session=session, now=now)
        raise InvalidCredentialsError("The email or the password is wrong.")
    session.execute(delete(LoginFailure).where(col(LoginFailure.email) == email))
    return user


def failure_count(*, session: Session) -> int:
    """How many failed sign-ins are on record (for tests and admins)."""
    return int(session.exec(select(func.count()).select_from(LoginFailure)).one())


def local_user(*, session: Session) -> User:
    """The local learner, created on first use.  It has no password, so it
    can only be entered through the loopback-only local sign-in."""
    user = find_user(LOCAL_EMAIL, session=session)
    if user is None:
        user = User(email=LOCAL_EMAIL, display_name=LOCAL_NAME, password_hash=None, role=LEARNER)
        session.add(user)
        session.flush()
    return user


def is_loopback(address: str | None) -> bool:
    """Whether a client address is this machine (127.0.0.0/8, ::1, or an
    IPv4-mapped loopback).

    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("10.0.0.5"), is_loopback(None)
    (True, True, False, False)
    """
    try:
        parsed = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        return parsed.ipv4_mapped.is_loopback
    return parsed.is_loopback


# --- the signed-in user of the current request --------------------------------


def sign_in(user: User) -> None:
    """Make `user` the signed-in user of this browser.

    The session is cleared first so that nothing set before sign-in (by the
    user or by someone who planted a cookie) carries over.
    """
    cookie.clear()
    cookie[SESSION_USER_KEY] = user.id
    cookie.permanent = True
    g.pop("current_user", None)


def sign_out() -> None:
    """Forget the signed-in user (and everything else in the session)."""
    cookie.clear()
    g.pop("current_user", None)


def current_user() -> User | None:
    """The signed-in user of this request, or None (looked up once; None
    outside a request, e.g. in a CLI command)."""
    if not has_request_context():
        return None
    if "current_user" not in g:
        from quizapp.db import get_session

        user_id = cookie.get(SESSION_USER_KEY)
        g.current_user = get_session().get(User, user_id) if isinstance(user_id, int) else None
    user: User | None = g.current_user
    return user


def current_user_id() -> int | None:
    """The signed-in user's id, or None when nobody is signed in."""
    user = current_user()
    return user.id if user is not None else None


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None (never redirect
    to another host after sign-in).

    >>> safe_next("/practice/"), safe_next("//evil.example/"), safe_next("https://evil.example/")
    ('/practice/', None, None)
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ch in target for ch in "\r\n\\") or len(target) > 500:
        return None
    return target


P = ParamSpec("P")
R = TypeVar("R")


def login_required(view: Callable[P, R]) -> Callable[P, R]:
    """Send anyone not signed in to the sign-in page, then back here."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        if current_user() is None:
            abort(redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?"))))
        return view(*args, **kwargs)

    return wrapped


def role_required(*roles: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Allow only signed-in users with one of `roles`; others get 403.

    Usage: `@role_required(INSTRUCTOR, ADMIN)` under the route decorator.
    """
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise ValueError(f"role_required needs roles among {ROLES}, not {sorted(unknown) or 'none'}")

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            user = current_user()
            if user is None:
                abort(redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?"))))
            if user.role not in roles:
                abort(403, f"This page is for {' and '.join(r + 's' for r in roles)} only.")
            return view(*args, **kwargs)

        return wrapped

    return decorate


def local_sign_in_offered() -> bool:
    """Whether to offer "Continue as local learner" on this request: the app
    was started by `quizapp serve` (LOCAL_MODE), the browser is on this
    machine, and nobody is signed in yet."""
    from flask import current_app

    if not has_request_context():
        return False
    return bool(current_app.config.get("LOCAL_MODE")) and is_loopback(request.remote_addr) and current_user() is None
