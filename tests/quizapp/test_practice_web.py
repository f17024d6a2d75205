"""The practice loop over HTTP: start, show, answer, result."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

import generators
from quizapp import sources
from quizapp.models import Attempt
from quizapp.questions import AnswerKind, Question
from sqlmodel import Session, select
from tests.conftest import csrf_token

ATTEMPT_RE = re.compile(r"/practice/a/([A-Za-z0-9_-]+)")


def start(client: FlaskClient, **form: str) -> str:
    token = csrf_token(client, "/practice/")
    response = client.post("/practice/start", data={"csrf_token": token, **form})
    assert response.status_code == 302, response.get_data(as_text=True)
    match = ATTEMPT_RE.search(response.headers["Location"])
    assert match
    return match.group(1)


def attempt_row(app: Flask, attempt_id: str) -> Attempt:
    with Session(app.extensions["quizapp.engine"]) as session:
        row = session.get(Attempt, attempt_id)
        assert row is not None
        return row


def question_of(app: Flask, attempt_id: str) -> Question:
    row = attempt_row(app, attempt_id)
    return sources.instance(row.source, row.version, row.seed)


def answer_form(question: Question, token: str, right: bool = True) -> dict[str, object]:
    answer = question.answer
    if question.kind is AnswerKind.ORDERING:
        order = answer if right else list(reversed(answer))
        return {"csrf_token": token, **{f"position-{k}": str(order.index(k) + 1) for k in order}}
    if not right and question.kind is AnswerKind.SINGLE:
        answer = next(c.key for c in question.choices if not c.correct)
    return {"csrf_token": token, "answer": answer}


def test_index_offers_a_first_question(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "Start with a random question" in page
    assert 'action="/practice/start"' in page


def test_practice_loop_every_generator(app: Flask, client: FlaskClient) -> None:
    for gen_id in generators.REGISTRY:
        attempt_id = start(client, generator=gen_id)
        page = client.get(f"/practice/a/{attempt_id}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        row = attempt_row(app, attempt_id)
        question = question_of(app, attempt_id)
        # Neither the seed nor the answer is in the page before grading.
        assert str(row.seed) not in html
        assert question.explanation.splitlines()[0][:40] not in html
        token = csrf_token(client, f"/practice/a/{attempt_id}")
        result = client.post(f"/practice/a/{attempt_id}", data=answer_form(question, token))
        body = result.get_data(as_text=True)
        assert result.status_code == 200, body
        assert "Correct" in body and "Read the note" in body, gen_id
        assert attempt_row(app, attempt_id).correct is True


def test_wrong_answer_names_the_misconception(app: Flask, client: FlaskClient) -> None:
    attempt_id = start(client, generator="vpc.subnet-usable-addresses")
    question = question_of(app, attempt_id)
    total = int(question.answer) + 5
    token = csrf_token(client, f"/practice/a/{attempt_id}")
    body = client.post(f"/practice/a/{attempt_id}", data={"csrf_token": token, "answer": str(total)}).get_data(as_text=True)
    assert "Incorrect" in body
    assert "forget that AWS reserves five addresses" in body
    assert attempt_row(app, attempt_id).correct is False


def test_double_submit_is_graded_once(app: Flask, client: FlaskClient) -> None:
    attempt_id = start(client, generator="vpc.subnet-usable-addresses")
    question = question_of(app, attempt_id)
    token = csrf_token(client, f"/practice/a/{attempt_id}")
    first = client.post(f"/practice/a/{attempt_id}", data={"csrf_token": token, "answer": "1"})
    assert "Incorrect" in first.get_data(as_text=True)
    graded_at = attempt_row(app, attempt_id).graded_at
    second = client.post(f"/practice/a/{attempt_id}", data={"csrf_token": token, "answer": question.answer})
    body = second.get_data(as_text=True)
    assert "already answered" in body and "Incorrect" in body
    row = attempt_row(app, attempt_id)
    assert row.correct is False and row.graded_at == graded_at


def test_malformed_answer_is_not_graded(app: Flask, client: FlaskClient) -> None:
    attempt_id = start(client, generator="vpc.subnet-usable-addresses")
    token = csrf_token(client, f"/practice/a/{attempt_id}")
    response = client.post(f"/practice/a/{attempt_id}", data={"csrf_token": token, "answer": "lots"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "is not a number" in body and "not graded" in body
    assert attempt_row(app, attempt_id).graded_at is None
    question = question_of(app, attempt_id)
    ok = client.post(f"/practice/a/{attempt_id}", data={"csrf_token": token, "answer": question.answer})
    assert "Correct" in ok.get_data(as_text=True)


def test_unknown_and_tampered_ids_get_a_clear_404(client: FlaskClient) -> None:
    attempt_id = start(client, generator="vpc.subnet-usable-addresses")
    for bad in ("nope", attempt_id[:-1] + ("A" if attempt_id[-1] != "A" else "B"), "x" * 200, "%00", "../etc"):
        response = client.get(f"/practice/a/{bad}")
        assert response.status_code == 404, bad
        assert "does not exist" in response.get_data(as_text=True) or "Not found" in response.get_data(as_text=True)
        token = csrf_token(client, "/")
        posted = client.post(f"/practice/a/{bad}", data={"csrf_token": token, "answer": "1"})
        assert posted.status_code == 404


def test_unknown_generator_and_topic(client: FlaskClient) -> None:
    token = csrf_token(client, "/")
    response = client.post("/practice/start", data={"csrf_token": token, "generator": "vpc.nope"})
    assert response.status_code == 404
    assert "no question generator" in response.get_data(as_text=True)
    response = client.post("/practice/start", data={"csrf_token": token, "topic": "kubernetes"})
    assert response.status_code == 404


def test_post_without_csrf_token_is_refused(app: Flask, client: FlaskClient) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/practice/start", data={"generator": "vpc.subnet-usable-addresses"})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    with Session(app.extensions["quizapp.engine"]) as session:
        assert session.exec(select(Attempt)).all() == []


def test_stale_generator_version_is_gone_not_500(app: Flask, client: FlaskClient) -> None:
    attempt_id = start(client, generator="vpc.subnet-usable-addresses")
    with Session(app.extensions["quizapp.engine"]) as session:
        row = session.get(Attempt, attempt_id)
        assert row is not None
        row.version = 999
        session.add(row)
        session.commit()
    response = client.get(f"/practice/a/{attempt_id}")
    assert response.status_code == 410
    assert "version" in response.get_data(as_text=True)


def test_a_study_question_cannot_be_answered_on_the_practice_page(app: Flask, client: FlaskClient) -> None:
    from quizapp import attempts
    from quizapp.study import STUDY_MODE

    with app.app_context():
        from quizapp.db import get_session

        session = get_session()
        attempt, question = attempts.start("vpc.subnet-usable-addresses", session=session, mode=STUDY_MODE)
        session.commit()
    assert client.get(f"/practice/a/{attempt.id}").status_code == 404
    token = csrf_token(client, "/")
    posted = client.post(f"/practice/a/{attempt.id}", data={"csrf_token": token, "answer": question.answer})
    assert posted.status_code == 404
    assert attempt_row(app, attempt.id).graded_at is None
