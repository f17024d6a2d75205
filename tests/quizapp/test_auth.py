"""Accounts and roles over HTTP and the CLI: sign up, sign in, sign out, rate
limits, CSRF, password storage, roles, other learners' data, local mode."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from faker import Faker
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlmodel import Session, select
from werkzeug.security import check_password_hash

from quizapp import auth
from quizapp.models import Attempt, LoginFailure, User, utcnow
from tests.conftest import csrf_token

PASSWORD = "correct horse battery"
OTHER_ADDRESS = "203.0.113.9"
ATTEMPT_RE = re.compile(r"/practice/a/([A-Za-z0-9_-]+)")


def db_session(app: Flask) -> Session:
    return Session(app.extensions["quizapp.engine"], expire_on_commit=False)


def make_user(app: Flask, fake: Faker, role: str = auth.LEARNER, password: str = PASSWORD) -> User:
    with db_session(app) as session:
        user = auth.create_user(fake.unique.email(), fake.name(), password, session=session, role=role)
        session.commit()
        return user


def user_by_email(app: Flask, email: str) -> User | None:
    with db_session(app) as session:
        return session.exec(select(User).where(User.email == email)).first()


def sign_up(client: FlaskClient, **fields: str) -> object:
    token = csrf_token(client, "/auth/sign-up")
    return client.post("/auth/sign-up", data={"csrf_token": token, **fields})


def sign_in(client: FlaskClient, email: str, password: str, **form: str) -> object:
    token = csrf_token(client, "/auth/sign-in")
    return client.post("/auth/sign-in", data={"csrf_token": token, "email": email, "password": password, **form})


def signed_in_client(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    response = sign_in(client, user.email, PASSWORD)
    assert response.status_code == 302  # type: ignore[attr-defined]
    return client


def client_from(app: Flask, address: str) -> FlaskClient:
    """A test client whose requests come from `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def failures(app: Flask) -> list[LoginFailure]:
    with db_session(app) as session:
        return list(session.exec(select(LoginFailure)).all())


# --- sign up ---------------------------------------------------------------------


def test_sign_up_creates_a_learner_and_signs_in(app: Flask, client: FlaskClient, fake: Faker) -> None:
    email, name = fake.unique.email(), fake.name()
    response = sign_up(client, email=f"  {email.upper()} ", name=name, password=PASSWORD, password_again=PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"  # type: ignore[attr-defined]
    user = user_by_email(app, email.casefold())
    assert user is not None and user.role == auth.LEARNER and user.display_name == name
    home = client.get("/").get_data(as_text=True)
    assert name in home and "Sign out" in home and "Sign up" not in home


def test_sign_up_errors_sit_next_to_fields_and_keep_input(app: Flask, client: FlaskClient, fake: Faker) -> None:
    name = fake.name()
    response = sign_up(client, email="not-an-email", name=name, password="short", password_again="short")
    page = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert 'id="e-email"' in page and "name@example.org" in page
    assert 'id="e-password"' in page and "at least 10 characters (this one has 5)" in page
    assert f'value="{name}"' in page and 'value="not-an-email"' in page
    assert 'value="short"' not in page
    with db_session(app) as session:
        assert session.exec(select(User)).all() == []


def test_sign_up_refuses_a_taken_email_and_differing_passwords(app: Flask, client: FlaskClient, fake: Faker) -> None:
    existing = make_user(app, fake)
    response = sign_up(client, email=existing.email.upper(), name=fake.name(), password=PASSWORD,
                       password_again=PASSWORD)
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "already exists" in response.get_data(as_text=True)  # type: ignore[attr-defined]
    email = fake.unique.email()
    response = sign_up(client, email=email, name=fake.name(), password=PASSWORD, password_again=PASSWORD + "x")
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "two passwords differ" in response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert user_by_email(app, email) is None


def test_password_is_never_stored_in_clear(app: Flask, client: FlaskClient, fake: Faker) -> None:
    email = fake.unique.email()
    sign_up(client, email=email, name=fake.name(), password=PASSWORD, password_again=PASSWORD)
    user = user_by_email(app, email)
    assert user is not None and user.password_hash is not None
    assert PASSWORD not in user.password_hash and user.password_hash.startswith("scrypt:")
    assert check_password_hash(user.password_hash, PASSWORD)
    assert not check_password_hash(user.password_hash, PASSWORD + "!")


# --- sign in and out ---------------------------------------------------------------


def test_sign_in_then_sign_out(app: Flask, client: FlaskClient, fake: Faker) -> None:
    user = make_user(app, fake)
    with client.session_transaction() as cookie:
        cookie["planted"] = "before sign-in"
    response = sign_in(client, user.email.upper(), PASSWORD, next="/practice/")
    assert response.status_code == 302 and response.headers["Location"] == "/practice/"  # type: ignore[attr-defined]
    set_cookie = response.headers["Set-Cookie"]  # type: ignore[attr-defined]
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie and "Expires=" in set_cookie
    with client.session_transaction() as cookie:
        assert cookie.get("user_id") == user.id and "planted" not in cookie  # no fixation
    assert user.display_name in client.get("/").get_data(as_text=True)

    token = csrf_token(client, "/")
    response = client.post("/auth/sign-out", data={"csrf_token": token})
    assert response.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert user.display_name not in home and "Sign in" in home
    with client.session_transaction() as cookie:
        assert "user_id" not in cookie


def test_wrong_password_or_unknown_email_is_refused_alike(app: Flask, client: FlaskClient, fake: Faker) -> None:
    user = make_user(app, fake)
    wrong = sign_in(client, user.email, PASSWORD + "?")
    unknown = sign_in(client, fake.unique.email(), PASSWORD)
    for response in (wrong, unknown):
        assert response.status_code == 401  # type: ignore[attr-defined]
        assert "The email or the password is wrong." in response.get_data(as_text=True)  # type: ignore[attr-defined]
    with client.session_transaction() as cookie:
        assert "user_id" not in cookie
    assert len(failures(app)) == 2
    assert all(PASSWORD not in (f.email + f.address) for f in failures(app))


def test_next_never_leaves_the_site(app: Flask, client: FlaskClient, fake: Faker) -> None:
    user = make_user(app, fake)
    response = sign_in(client, user.email, PASSWORD, next="//evil.example/")
    assert response.status_code == 302 and response.headers["Location"] == "/"  # type: ignore[attr-defined]


def test_sign_in_form_without_csrf_token_is_refused(app: Flask, client: FlaskClient, fake: Faker) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    user = make_user(app, fake)
    response = client.post("/auth/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    with client.session_transaction() as cookie:
        assert "user_id" not in cookie


# --- rate limiting -------------------------------------------------------------------


def test_rate_limit_per_account(app: Flask, fake: Faker) -> None:
    user = make_user(app, fake)
    for i in range(auth.MAX_FAILURES_PER_ACCOUNT):
        # Spread over addresses: the account limit holds whatever the address.
        client = client_from(app, f"198.51.100.{i + 1}")
        assert sign_in(client, user.email, "wrong password!").status_code == 401  # type: ignore[attr-defined]
    client = app.test_client()
    blocked = sign_in(client, user.email, PASSWORD)
    page = blocked.get_data(as_text=True)  # type: ignore[attr-defined]
    assert blocked.status_code == 429  # type: ignore[attr-defined]
    assert "Too many failed sign-ins for this account" in page and "Try again after" in page
    assert "in 15 minutes" in page
    assert 840 < int(blocked.headers["Retry-After"]) <= 900  # type: ignore[attr-defined]
    with client.session_transaction() as cookie:
        assert "user_id" not in cookie
    # Another account from the same address is not affected.
    other = make_user(app, fake)
    assert sign_in(client, other.email, PASSWORD).status_code == 302  # type: ignore[attr-defined]


def test_rate_limit_per_address(app: Flask, fake: Faker) -> None:
    crowd = client_from(app, OTHER_ADDRESS)
    for _ in range(auth.MAX_FAILURES_PER_ADDRESS):
        assert sign_in(crowd, fake.unique.email(), "wrong password!").status_code == 401  # type: ignore[attr-defined]
    user = make_user(app, fake)
    blocked = sign_in(crowd, user.email, PASSWORD)
    assert blocked.status_code == 429  # type: ignore[attr-defined]
    assert "from your network address" in blocked.get_data(as_text=True)  # type: ignore[attr-defined]
    # The same account from elsewhere signs in.
    assert sign_in(app.test_client(), user.email, PASSWORD).status_code == 302  # type: ignore[attr-defined]


def test_block_lifts_when_failures_leave_the_window(app: Flask, fake: Faker) -> None:
    user = make_user(app, fake)
    start = utcnow()
    with app.app_context(), db_session(app) as session:
        for i in range(auth.MAX_FAILURES_PER_ACCOUNT):
            auth.record_failure(user.email, "127.0.0.1", session=session, now=start + timedelta(minutes=i))
        block = auth.sign_in_block(user.email, "127.0.0.1", session=session, now=start + timedelta(minutes=5))
        assert block is not None and block.retry_at == start + auth.FAILURE_WINDOW
        with pytest.raises(auth.RateLimitedError):
            auth.authenticate(user.email, PASSWORD, "127.0.0.1", session=session, now=start + timedelta(minutes=5))
        later = start + auth.FAILURE_WINDOW + timedelta(seconds=1)
        assert auth.authenticate(user.email, PASSWORD, "127.0.0.1", session=session, now=later).id == user.id
        # A success forgets the account's failures.
        assert auth.sign_in_block(user.email, "127.0.0.1", session=session, now=later) is None
        assert auth.failure_count(session=session) == 0


# --- roles and other people's data -----------------------------------------------


def test_author_page_is_for_instructors_and_admins(app: Flask, fake: Faker) -> None:
    learner = signed_in_client(app, make_user(app, fake, auth.LEARNER))
    response = learner.get("/author/")
    assert response.status_code == 403
    assert "for instructors and admins only" in response.get_data(as_text=True)
    assert 'href="/author/"' not in learner.get("/").get_data(as_text=True)
    for role in (auth.INSTRUCTOR, auth.ADMIN):
        client = signed_in_client(app, make_user(app, fake, role))
        page = client.get("/author/")
        assert page.status_code == 200
        assert "vpc.subnet-usable-addresses" in page.get_data(as_text=True)
        assert 'href="/author/"' in client.get("/").get_data(as_text=True)
    anonymous = app.test_client().get("/author/")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/auth/sign-in?next=/author/")


def test_another_learners_attempt_is_not_found(app: Flask, fake: Faker) -> None:
    owner_user = make_user(app, fake)
    owner = signed_in_client(app, owner_user)
    token = csrf_token(owner, "/practice/")
    started = owner.post("/practice/start", data={"csrf_token": token, "generator": "vpc.subnet-usable-addresses"})
    match = ATTEMPT_RE.search(started.headers["Location"])
    assert match
    attempt_id = match.group(1)
    with db_session(app) as session:
        row = session.get(Attempt, attempt_id)
        assert row is not None and row.user_id == owner_user.id
    assert owner.get(f"/practice/a/{attempt_id}").status_code == 200

    intruder = signed_in_client(app, make_user(app, fake))
    assert intruder.get(f"/practice/a/{attempt_id}").status_code == 404
    token = csrf_token(intruder, "/practice/")
    assert intruder.post(f"/practice/a/{attempt_id}", data={"csrf_token": token, "answer": "1"}).status_code == 404
    assert app.test_client().get(f"/practice/a/{attempt_id}").status_code == 404
    with db_session(app) as session:
        row = session.get(Attempt, attempt_id)
        assert row is not None and row.graded_at is None


def test_login_required_sends_anonymous_visitors_to_sign_in(app: Flask, fake: Faker) -> None:
    app.add_url_rule("/only-signed-in", "only_signed_in", auth.login_required(lambda: "private page"))
    anonymous = app.test_client().get("/only-signed-in?x=1")
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"] == "/auth/sign-in?next=/only-signed-in?x%3D1"
    client = signed_in_client(app, make_user(app, fake))
    assert client.get("/only-signed-in").get_data(as_text=True) == "private page"


def test_role_required_refuses_unknown_roles() -> None:
    with pytest.raises(ValueError, match="role_required"):
        auth.role_required("teacher")


# --- the create-user command -----------------------------------------------------


def test_create_user_command(app: Flask, runner: FlaskCliRunner, fake: Faker) -> None:
    email, name = fake.unique.email(), fake.name()
    args = ["create-user", "--email", email, "--name", name, "--role", "admin", "--password-stdin"]
    result = runner.invoke(args=args, input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert f"created admin {email.casefold()}" in result.output and PASSWORD not in result.output
    user = user_by_email(app, email.casefold())
    assert user is not None and user.role == auth.ADMIN and user.password_hash != PASSWORD
    assert signed_in_client(app, user).get("/author/").status_code == 200

    duplicate = runner.invoke(args=args, input=PASSWORD + "\n")
    assert duplicate.exit_code == 1 and "already exists" in duplicate.output


def test_create_user_command_refuses_bad_role_and_short_password(app: Flask, runner: FlaskCliRunner,
                                                                 fake: Faker) -> None:
    email = fake.unique.email()
    bad_role = runner.invoke(args=["create-user", "--email", email, "--name", fake.name(), "--role", "teacher",
                                   "--password-stdin"], input=PASSWORD + "\n")
    assert bad_role.exit_code == 1 and "Unknown role 'teacher'" in bad_role.output
    assert "learner, instructor, admin" in bad_role.output
    short = runner.invoke(args=["create-user", "--email", email, "--name", fake.name(), "--password-stdin"],
                          input="short\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    assert user_by_email(app, email) is None


def test_create_user_command_prompts_for_the_password(app: Flask, runner: FlaskCliRunner, fake: Faker) -> None:
    email = fake.unique.email()
    result = runner.invoke(args=["create-user", "--email", email, "--name", fake.name(), "--role", "instructor"],
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    user = user_by_email(app, email)
    assert user is not None and user.role == auth.INSTRUCTOR


# --- local mode ------------------------------------------------------------------------


def test_local_learner_is_off_without_local_mode(app: Flask, client: FlaskClient) -> None:
    assert "Continue as local learner" not in client.get("/").get_data(as_text=True)
    token = csrf_token(client, "/")
    assert client.post("/auth/local", data={"csrf_token": token}).status_code == 404
    assert "Start with a random question" in client.get("/").get_data(as_text=True)


def test_local_learner_from_this_machine(app: Flask, client: FlaskClient) -> None:
    app.config["LOCAL_MODE"] = True
    home = client.get("/").get_data(as_text=True)
    assert "Continue as local learner" in home and 'action="/auth/local"' in home
    token = csrf_token(client, "/")
    response = client.post("/auth/local", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert auth.LOCAL_NAME in home and "Continue as local learner" not in home

    again = app.test_client()
    again.post("/auth/local", data={"csrf_token": csrf_token(again, "/")})
    with db_session(app) as session:
        locals_ = session.exec(select(User).where(User.email == auth.LOCAL_EMAIL)).all()
        assert len(locals_) == 1 and locals_[0].password_hash is None  # created once, no password
    with again.session_transaction() as cookie:
        assert cookie["user_id"] == locals_[0].id
    # Nobody can sign in to it with a password, nor sign up with its email.
    assert sign_in(app.test_client(), auth.LOCAL_EMAIL, "").status_code == 401  # type: ignore[attr-defined]
    assert auth.email_problem(auth.LOCAL_EMAIL) is not None


def test_local_learner_is_refused_to_other_machines(app: Flask) -> None:
    app.config["LOCAL_MODE"] = True
    remote = client_from(app, OTHER_ADDRESS)
    assert "Continue as local learner" not in remote.get("/").get_data(as_text=True)
    token = csrf_token(remote, "/")
    response = remote.post("/auth/local", data={"csrf_token": token})
    assert response.status_code == 403
    assert "only be used from the computer that runs quizapp" in response.get_data(as_text=True)
    assert user_by_email(app, auth.LOCAL_EMAIL) is None


def test_serve_turns_local_mode_on(app: Flask, runner: FlaskCliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    assert not app.config.get("LOCAL_MODE")
    served: list[tuple[str, int, object]] = []
    monkeypatch.setattr("quizapp.cli.run_simple", lambda host, port, application, **_: served.append((host, port, application)))
    result = runner.invoke(args=["serve", "--port", "5999"])
    assert result.exit_code == 0, result.output
    assert served == [("127.0.0.1", 5999, app)] and app.config["LOCAL_MODE"] is True
