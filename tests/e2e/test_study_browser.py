"""End to end in a real headless Chromium: sign up, study with the keyboard,
see the dashboard change.  Screenshots of the study page and the dashboard
(desktop and phone width) go to $QUIZAPP_SCREENSHOTS when it is set."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import Session, select
from werkzeug.serving import make_server

from quizapp import attempts, create_app
from quizapp.models import Attempt, ReviewLog
from quizapp.questions import AnswerKind
from tests.conftest import require_service

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def live_app(tmp_path: Path, migrated_template: Path) -> Iterator[tuple[Flask, str]]:
    """The app on a fresh database, served on a free loopback port by a
    thread for the test's duration."""
    database = tmp_path / "e2e.sqlite"
    shutil.copy(migrated_template, database)
    app = create_app({"SECRET_KEY": "e2e-secret", "DATABASE_URL": f"sqlite:///{database}"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["quizapp.engine"].dispose()


def _attempt(app: Flask, url: str) -> Attempt:
    attempt_id = url.split("/study/a/", 1)[1].split("?", 1)[0]
    with Session(app.extensions["quizapp.engine"]) as session:
        row = session.get(Attempt, attempt_id)
        assert row is not None
        return row


def _answer_with_keyboard(page: object, app: Flask) -> None:
    """Answer the question on the page correctly, using only the keyboard."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    question = attempts.question_of(_attempt(app, page.url))
    keys = page.keyboard
    if question.kind in (AnswerKind.SINGLE, AnswerKind.MULTIPLE):
        for index, choice in enumerate(question.display_choices, 1):
            if choice.correct:
                keys.press(str(index))
        keys.press("Enter")
    elif question.kind is AnswerKind.ORDERING:
        order = [c.key for c in question.choices]
        page.locator("fieldset.ordering input").first.focus()
        for i, choice in enumerate(question.display_choices):
            keys.type(str(order.index(choice.key) + 1))
            keys.press("Tab" if i < len(question.display_choices) - 1 else "Enter")
    elif question.kind is AnswerKind.LAB:
        page.locator("#answer").focus()
        keys.press("Control+A")
        keys.type(str(question.answer))
        keys.press("Control+Enter")
    else:
        page.locator("#answer").focus()
        keys.type(str(question.answer))
        keys.press("Enter")
    page.wait_for_selector("#result")


def test_sign_up_study_with_the_keyboard_and_see_progress(live_app: tuple[Flask, str]) -> None:
    if not Path(CHROMIUM).exists():
        require_service(f"Chromium is not installed ({CHROMIUM})")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_service("the playwright package is not installed (pip install -e '.[test]')")
    app, base = live_app
    shots = Path(os.environ["QUIZAPP_SCREENSHOTS"]) if os.environ.get("QUIZAPP_SCREENSHOTS") else None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport=DESKTOP)
            page.goto(f"{base}/auth/sign-up")
            page.fill("#f-email", "e2e.learner@example.org")
            page.fill("#f-name", "Keyboard Learner")
            page.fill("#f-password", "a long enough passphrase")
            page.fill("#f-password_again", "a long enough passphrase")
            page.click("button[type=submit].primary")
            page.wait_for_url(f"{base}/")
            assert "Keyboard Learner" in page.inner_text("header")

            page.goto(f"{base}/progress/")
            assert page.inner_text("#reviews-today") == "0" and page.inner_text("#streak") == "0"

            page.goto(f"{base}/study/")
            # "Start studying" has autofocus, which the browser applies just after loading.
            page.wait_for_function("document.activeElement && document.activeElement.id === 'start'")
            page.keyboard.press("Enter")
            page.wait_for_url("**/study/a/**")
            answered = 3
            for n in range(answered):
                if shots and n == 0:
                    page.screenshot(path=str(shots / "study-question-desktop.png"), full_page=True)
                _answer_with_keyboard(page, app)
                assert "Correct" in page.inner_text("#result")
                if shots and n == 0:
                    page.screenshot(path=str(shots / "study-result-desktop.png"), full_page=True)
                    page.set_viewport_size(PHONE)
                    page.screenshot(path=str(shots / "study-result-phone.png"), full_page=True)
                    page.set_viewport_size(DESKTOP)
                if n < answered - 1:
                    before = page.url
                    page.keyboard.press("n")
                    page.wait_for_url(lambda url, before=before: "/study/a/" in url and url != before)  # type: ignore[misc]
            if shots:
                page.set_viewport_size(PHONE)
                page.keyboard.press("n")
                page.wait_for_url("**/study/a/**")
                page.screenshot(path=str(shots / "study-question-phone.png"), full_page=True)
                page.set_viewport_size(DESKTOP)

            page.goto(f"{base}/progress/")
            assert page.inner_text("#reviews-today") == str(answered)
            assert page.inner_text("#streak") == "1"
            assert page.locator("svg[role=img]").count() >= 3
            if shots:
                page.screenshot(path=str(shots / "progress-desktop.png"), full_page=True)
                page.set_viewport_size(PHONE)
                page.screenshot(path=str(shots / "progress-phone.png"), full_page=True)
        finally:
            browser.close()
    with Session(app.extensions["quizapp.engine"]) as session:
        logged = session.exec(select(ReviewLog)).all()
        assert len(logged) == answered and all(r.correct for r in logged)
        assert all(r.duration_ms is not None and r.duration_ms > 0 for r in logged)  # the page's timer was posted
