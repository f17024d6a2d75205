"""The study queue (engine, fixed UTC times) and the study loop over HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import fsrs
import pytest
from faker import Faker
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, func, select

import generators
from quizapp import attempts, auth, study
from quizapp.models import Attempt, Card, LearnerSettings, ReviewDay, ReviewLog, User
from tests.conftest import csrf_token
from tests.quizapp.test_practice_web import answer_form

PASSWORD = "correct horse battery"
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
SKILL = "vpc.subnet-usable-addresses"
STUDY_RE = re.compile(r"/study/a/([A-Za-z0-9_-]+)")


# --- helpers shared with test_progress ------------------------------------------------


def db_session(app: Flask) -> Session:
    return Session(app.extensions["quizapp.engine"], expire_on_commit=False)


def make_learner(app: Flask, fake: Faker) -> User:
    with db_session(app) as session:
        user = auth.create_user(fake.unique.email(), fake.name(), PASSWORD, session=session)
        session.commit()
        return user


def signed_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    token = csrf_token(client, "/auth/sign-in")
    response = client.post("/auth/sign-in", data={"csrf_token": token, "email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def next_question(client: FlaskClient, scope: str = "", avoid: str = "") -> str:
    token = csrf_token(client, "/study/")
    response = client.post("/study/next", data={"csrf_token": token, "scope": scope, "avoid": avoid})
    assert response.status_code == 302, response.get_data(as_text=True)
    match = STUDY_RE.search(response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def attempt_row(app: Flask, attempt_id: str) -> Attempt:
    with db_session(app) as session:
        row = session.get(Attempt, attempt_id)
        assert row is not None
        return row


def served_ago(app: Flask, attempt_id: str, seconds: int) -> None:
    """Pretend the question was served `seconds` ago (the server caps the
    browser's timer by the time it saw pass)."""
    with db_session(app) as session:
        row = session.get(Attempt, attempt_id)
        assert row is not None
        row.created_at = row.created_at - timedelta(seconds=seconds)
        session.add(row)
        session.commit()


def answer(app: Flask, client: FlaskClient, attempt_id: str, right: bool = True, duration_ms: int = 20_000,
           scope: str = "") -> str:
    served_ago(app, attempt_id, duration_ms // 1000 + 5)
    question = attempts.question_of(attempt_row(app, attempt_id))
    token = csrf_token(client, f"/study/a/{attempt_id}")
    form = answer_form(question, token, right=right)
    if not right and question.kind.value in ("numeric", "network", "text", "lab"):
        form["answer"] = "10.255.255.254/31" if question.kind.value == "network" else "99999"
    form.update({"duration_ms": str(duration_ms), "scope": scope})
    response = client.post(f"/study/a/{attempt_id}", data=form)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def reviews(app: Flask, user_id: int | None = None) -> list[ReviewLog]:
    with db_session(app) as session:
        query = select(ReviewLog).order_by(ReviewLog.id)
        if user_id is not None:
            query = query.where(ReviewLog.user_id == user_id)
        return list(session.exec(query).all())


# --- the queue, engine level ------------------------------------------------------------


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with db_session(app) as opened:
        yield opened


@pytest.fixture
def learner(session: Session) -> int:
    user = User(email="q@example.org", display_name="Q")
    session.add(user)
    session.flush()
    assert user.id is not None
    return user.id


def settings(user_id: int, **values: object) -> LearnerSettings:
    base: dict[str, object] = {"desired_retention": 0.9, "new_per_day": 10, "topics": [], "time_zone": "UTC"}
    base.update(values)
    return LearnerSettings(user_id=user_id, **base)


def card(session: Session, user_id: int, skill: str, due: datetime, created: datetime | None = None) -> Card:
    row = Card(user_id=user_id, skill=skill, topic=generators.get(skill).topic, state=int(fsrs.State.Review),
               stability=5.0, difficulty=5.0, due=due, last_review=due - timedelta(days=5),
               created_at=created or due - timedelta(days=30))
    session.add(row)
    session.flush()
    return row


def test_due_cards_come_most_overdue_first_and_not_yet_due_are_left(session: Session, learner: int) -> None:
    ids = list(generators.REGISTRY)
    card(session, learner, ids[0], NOW - timedelta(hours=1))
    card(session, learner, ids[1], NOW - timedelta(days=3))
    card(session, learner, ids[2], NOW + timedelta(minutes=1))
    card(session, learner, ids[3], NOW)
    due = study.due_cards(learner, session=session, now=NOW)
    assert [c.skill for c in due] == [ids[1], ids[0], ids[3]]
    assert study.count_due(learner, session=session, now=NOW) == 3
    pick = study.next_skill(learner, session=session, settings=settings(learner), now=NOW)
    assert pick == study.Pick(ids[1], "due")


def test_new_skills_follow_in_curriculum_order_up_to_the_daily_limit(session: Session, learner: int) -> None:
    ids = list(generators.REGISTRY)
    card(session, learner, ids[0], NOW + timedelta(days=2), created=NOW - timedelta(days=4))
    chosen = settings(learner, new_per_day=2)
    assert study.next_skill(learner, session=session, settings=chosen, now=NOW) == study.Pick(ids[1], "new")
    # Two skills started today use up the limit of two.
    card(session, learner, ids[1], NOW + timedelta(days=1), created=NOW - timedelta(hours=2))
    assert study.next_skill(learner, session=session, settings=chosen, now=NOW) == study.Pick(ids[2], "new")
    card(session, learner, ids[2], NOW + timedelta(days=1), created=NOW - timedelta(hours=1))
    assert study.next_skill(learner, session=session, settings=chosen, now=NOW) == study.Pick(None)
    status = study.status(learner, session=session, settings=chosen, now=NOW)
    assert (status.due, status.new_left, status.new_now) == (0, 0, 0)
    assert status.new_available == len(ids) - 3
    assert status.next_due == NOW + timedelta(days=1)


def test_today_is_the_learners_own_day(session: Session, learner: int) -> None:
    ids = list(generators.REGISTRY)
    # 02:00 UTC on 10 March is still 9 March in New York (UTC-5 before DST).
    started = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
    card(session, learner, ids[0], NOW + timedelta(days=1), created=started)
    at = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    one_a_day = {"new_per_day": 1}
    assert study.new_started_today(learner, session=session, settings=settings(learner, **one_a_day), now=at) == 1
    in_new_york = settings(learner, time_zone="America/New_York", **one_a_day)
    assert study.new_started_today(learner, session=session, settings=in_new_york, now=at) == 0
    assert study.next_skill(learner, session=session, settings=in_new_york, now=at).reason == "new"
    assert study.next_skill(learner, session=session, settings=settings(learner, **one_a_day), now=at).skill is None


def test_queue_keeps_to_the_chosen_topics(session: Session, learner: int) -> None:
    topics = generators.topics()
    if len(topics) < 2:
        pytest.skip("needs generators of two topics")
    first, second = generators.by_topic(topics[0])[0].id, generators.by_topic(topics[1])[0].id
    card(session, learner, first, NOW - timedelta(days=5))
    card(session, learner, second, NOW - timedelta(days=1))
    only_second = settings(learner, topics=[topics[1]])
    assert study.next_skill(learner, session=session, settings=only_second, now=NOW) == study.Pick(second, "due")
    assert all(s in {g.id for g in generators.by_topic(topics[1])}
               for s in study.skills_in(study.Scope(), only_second))


def test_cards_of_retired_skills_never_block_the_queue(session: Session, learner: int) -> None:
    session.add(Card(user_id=learner, skill="vpc.retired-generator", topic="vpc", state=2, stability=1.0,
                     difficulty=5.0, due=NOW - timedelta(days=100), last_review=NOW - timedelta(days=101)))
    live = list(generators.REGISTRY)[3]
    card(session, learner, live, NOW - timedelta(days=1))
    assert study.next_skill(learner, session=session, settings=settings(learner), now=NOW) == study.Pick(live, "due")


def test_study_ahead_and_drills(session: Session, learner: int) -> None:
    topic = generators.topics()[0]
    skills = [g.id for g in generators.by_topic(topic)]
    for i, skill in enumerate(skills):
        card(session, learner, skill, NOW + timedelta(days=i + 1), created=NOW - timedelta(hours=1))
    no_new = settings(learner, new_per_day=0)
    # The daily queue is done, but studying ahead takes the card due soonest...
    assert study.next_skill(learner, session=session, settings=no_new, now=NOW).skill is None
    ahead = study.Scope("topic", topic)
    assert study.next_skill(learner, session=session, settings=no_new, now=NOW, scope=ahead) == study.Pick(skills[0], "ahead")
    # ...other than the one just reviewed.
    assert study.next_skill(learner, session=session, settings=no_new, now=NOW, scope=ahead,
                            avoid=skills[0]) == study.Pick(skills[1], "ahead")
    # A drill of a note section only draws that section's skills, new ones too despite the limit.
    gen = generators.by_topic(topic)[0]
    section = study.Scope("section", gen.note)
    in_section = [g.id for g in generators.REGISTRY.values() if g.note == gen.note]
    assert study.skills_in(section, no_new) == in_section
    picked = study.next_skill(learner, session=session, settings=no_new, now=NOW, scope=section)
    assert picked.skill in in_section
    assert study.next_skill(learner, session=session, settings=no_new, now=NOW,
                            scope=study.Scope("skill", skills[-1])) == study.Pick(skills[-1], "ahead")


def test_scopes_parse_and_unknown_ones_are_refused() -> None:
    assert study.Scope.parse("") == study.Scope()
    assert study.Scope.parse("topic:vpc") == study.Scope("topic", "vpc")
    assert str(study.Scope.parse("section:vpc#reserved-addresses")) == "section:vpc#reserved-addresses"
    for bad in ("bogus", "topic:", "everything:vpc", "x" * 300):
        with pytest.raises(ValueError, match="cannot read the study scope"):
            study.Scope.parse(bad)
    for scope in (study.Scope("topic", "kubernetes"), study.Scope("section", "vpc#nope"), study.Scope("skill", "x.y")):
        with pytest.raises(study.UnknownScopeError, match="no questions"):
            study.skills_in(scope, LearnerSettings(user_id=1))


def test_fresh_seed_never_repeats_the_last_scenario(monkeypatch: pytest.MonkeyPatch) -> None:
    previous_seed = 4242
    drawn = iter([previous_seed, previous_seed, 777])
    monkeypatch.setattr(attempts, "new_seed", lambda: next(drawn))
    assert study.fresh_seed(SKILL, (generators.get(SKILL).version, previous_seed)) == 777
    # Another seed whose scenario reads the same is refused as well.
    gen = generators.get(SKILL)
    same_prompt = iter([1, 2, 3])
    monkeypatch.setattr(attempts, "new_seed", lambda: next(same_prompt))
    monkeypatch.setattr(type(gen), "make", lambda self, seed: _FakeQuestion("same" if seed < 3 else "other"))
    assert study.fresh_seed(SKILL, (gen.version, 0)) == 3  # seeds 0, 1 and 2 read "same"


class _FakeQuestion:
    def __init__(self, prompt: str) -> None:
        self.prompt = prompt


# --- settings -----------------------------------------------------------------------------


def test_settings_are_validated_and_saved_whole_or_not_at_all(session: Session, learner: int) -> None:
    saved = study.save_settings(learner, session=session, desired_retention="0.85", new_per_day="15",
                                topics=[generators.topics()[0]], time_zone="Europe/Paris")
    assert (saved.desired_retention, saved.new_per_day, saved.topics, saved.time_zone) == (
        0.85, 15, [generators.topics()[0]], "Europe/Paris")
    bad = {"desired_retention": "0.99", "new_per_day": "-1", "topics": ["kubernetes"], "time_zone": "Mars/Olympus"}
    with pytest.raises(study.SettingsError) as raised:
        study.save_settings(learner, session=session, **bad)  # type: ignore[arg-type]
    assert set(raised.value.errors) == {"desired_retention", "new_per_day", "topics", "time_zone"}
    assert "between 0.80 and 0.95 (you entered 0.99)" in raised.value.errors["desired_retention"]
    assert "Mars/Olympus" in raised.value.errors["time_zone"]
    for retention in ("0.79", "0.951", "abc", "nan", "inf", ""):
        with pytest.raises(study.SettingsError, match="Desired retention"):
            study.save_settings(learner, session=session, desired_retention=retention, new_per_day="5", topics=[],
                                time_zone="UTC")
    with pytest.raises(study.SettingsError, match="time zone"):
        study.save_settings(learner, session=session, desired_retention="0.9", new_per_day="5", topics=[],
                            time_zone="../../etc/passwd")
    kept = study.settings_for(learner, session=session)
    assert (kept.desired_retention, kept.new_per_day, kept.time_zone) == (0.85, 15, "Europe/Paris")
    assert study.save_settings(learner, session=session, desired_retention="90%", new_per_day="0", topics=[],
                               time_zone="UTC").desired_retention == 0.9


def test_default_settings_without_a_row(session: Session, learner: int) -> None:
    found = study.settings_for(learner, session=session)
    assert (found.desired_retention, found.new_per_day, found.topics, found.time_zone) == (0.9, 10, [], "UTC")
    assert session.get(LearnerSettings, learner) is None


# --- over HTTP ------------------------------------------------------------------------------


def test_study_pages_need_a_signed_in_learner(client: FlaskClient) -> None:
    for path in ("/study/", "/study/settings", "/progress/", "/study/a/whatever"):
        response = client.get(path)
        assert response.status_code == 302 and "/auth/sign-in" in response.headers["Location"], path


def test_study_loop_records_one_review_per_answer(app: Flask, fake: Faker) -> None:
    user = make_learner(app, fake)
    client = signed_in(app, user)
    home = client.get("/study/").get_data(as_text=True)
    assert "Start studying" in home and "0</strong> reviews due" in home
    first = next_question(client)
    row = attempt_row(app, first)
    assert row.user_id == user.id and row.mode == study.STUDY_MODE
    page = client.get(f"/study/a/{first}").get_data(as_text=True)
    assert str(row.seed) not in page and 'name="duration_ms"' in page and "study.js" in page
    body = answer(app, client, first, right=True, duration_ms=20_000)
    assert "Correct" in body and "Read the note" in body
    assert "Rated <strong>Good</strong>" in body and "comes back in" in body
    assert "9</strong> new left today" in body
    logged = reviews(app, user.id)
    assert len(logged) == 1
    log = logged[0]
    assert (log.attempt_id, log.skill, log.seed, log.version) == (first, row.source, row.seed, row.version)
    assert log.correct and log.rating == int(fsrs.Rating.Good) and log.card_state == 0
    assert log.duration_ms == 20_000
    # The next question is another skill (the first is not due again yet).
    second = next_question(client, avoid=row.source)
    assert attempt_row(app, second).source != row.source
    body = answer(app, client, second, right=False, duration_ms=5_000)
    assert "Incorrect" in body and "Rated <strong>Again</strong>" in body
    assert [r.rating for r in reviews(app, user.id)] == [int(fsrs.Rating.Good), int(fsrs.Rating.Again)]
    with db_session(app) as session:  # the day's total agrees with the log
        day = session.exec(select(ReviewDay).where(ReviewDay.user_id == user.id)).one()
        assert (day.reviews, day.retention_reviews, day.day) == (2, 0, reviews(app, user.id)[0].day)


def test_double_submit_records_one_review(app: Flask, fake: Faker) -> None:
    user = make_learner(app, fake)
    client = signed_in(app, user)
    attempt_id = next_question(client)
    first = answer(app, client, attempt_id, right=False)
    assert "Incorrect" in first
    question = attempts.question_of(attempt_row(app, attempt_id))
    token = csrf_token(client, f"/study/a/{attempt_id}")
    again = client.post(f"/study/a/{attempt_id}", data=answer_form(question, token, right=True))
    body = again.get_data(as_text=True)
    assert again.status_code == 200 and "already answered" in body and "Incorrect" in body
    logged = reviews(app, user.id)
    assert len(logged) == 1 and logged[0].correct is False
    with db_session(app) as session:
        assert session.exec(select(func.count()).select_from(Card)).one() == 1
        assert session.exec(select(Card)).one().reps == 1
        assert session.exec(select(ReviewDay)).one().reviews == 1


def test_a_format_error_is_not_a_review(app: Flask, fake: Faker) -> None:
    user = make_learner(app, fake)
    client = signed_in(app, user)
    attempt_id = next_question(client, scope=f"skill:{SKILL}")
    token = csrf_token(client, f"/study/a/{attempt_id}")
    response = client.post(f"/study/a/{attempt_id}", data={"csrf_token": token, "answer": "lots",
                                                           "scope": f"skill:{SKILL}"})
    assert response.status_code == 422 and "not graded" in response.get_data(as_text=True)
    assert reviews(app, user.id) == []
    assert attempt_row(app, attempt_id).graded_at is None


def test_wrong_answer_names_the_misconception_and_logs_it(app: Flask, fake: Faker) -> None:
    user = make_learner(app, fake)
    client = signed_in(app, user)
    attempt_id = next_question(client, scope=f"skill:{SKILL}")
    question = attempts.question_of(attempt_row(app, attempt_id))
    token = csrf_token(client, f"/study/a/{attempt_id}")
    total = str(int(question.answer) + 5)
    body = client.post(f"/study/a/{attempt_id}", data={"csrf_token": token, "answer": total,
                                                       "scope": f"skill:{SKILL}"}).get_data(as_text=True)
    named = reviews(app, user.id)[0].misconception
    assert named is not None and named.startswith("forget that AWS reserves five addresses")
    assert f"Misconception:</strong> you {named}" in body
    assert "/notes/vpc#reserved-addresses" in body


def test_drilling_a_skill_draws_a_fresh_scenario_each_time(app: Flask, fake: Faker) -> None:
    user = make_learner(app, fake)
    client = signed_in(app, user)
    seeds = []
    for _ in range(3):
        attempt_id = next_question(client, scope=f"skill:{SKILL}")
        seeds.append(attempt_row(app, attempt_id).seed)
        answer(app, client, attempt_id, scope=f"skill:{SKILL}")
    assert len(set(seeds)) == 3
    assert {r.skill for r in reviews(app, user.id)} == {SKILL}


def test_another_learners_question_is_not_found(app: Flask, fake: Faker) -> None:
    owner = make_learner(app, fake)
    owner_client = signed_in(app, owner)
    attempt_id = next_question(owner_client)
    intruder = signed_in(app, make_learner(app, fake))
    assert intruder.get(f"/study/a/{attempt_id}").status_code == 404
    question = attempts.question_of(attempt_row(app, attempt_id))
    token = csrf_token(intruder, "/study/")
    posted = intruder.post(f"/study/a/{attempt_id}", data=answer_form(question, token))
    assert posted.status_code == 404 and "does not exist" in posted.get_data(as_text=True)
    assert reviews(app) == [] and attempt_row(app, attempt_id).graded_at is None
    # The owner's progress does not show on anyone else's dashboard.
    answer(app, owner_client, attempt_id)
    assert 'id="reviews-today">1<' in owner_client.get("/progress/").get_data(as_text=True)
    assert 'id="reviews-today">0<' in intruder.get("/progress/").get_data(as_text=True)


def test_a_practice_attempt_is_not_a_study_question(app: Flask, fake: Faker) -> None:
    client = signed_in(app, make_learner(app, fake))
    token = csrf_token(client, "/practice/")
    started = client.post("/practice/start", data={"csrf_token": token, "generator": SKILL})
    attempt_id = started.headers["Location"].rsplit("/", 1)[-1]
    assert attempt_row(app, attempt_id).mode == "practice"
    assert client.get(f"/study/a/{attempt_id}").status_code == 404


def test_posts_without_csrf_token_are_refused(app: Flask, fake: Faker) -> None:
    user = make_learner(app, fake)
    client = signed_in(app, user)
    attempt_id = next_question(client)
    question = attempts.question_of(attempt_row(app, attempt_id))
    app.config["WTF_CSRF_ENABLED"] = True
    form = answer_form(question, "")
    del form["csrf_token"]
    for path, data in ((f"/study/a/{attempt_id}", form), ("/study/next", {"scope": ""}),
                       ("/study/settings", {"desired_retention": "0.8", "new_per_day": "3", "time_zone": "UTC"})):
        response = client.post(path, data=data)
        assert response.status_code == 400 and "security token" in response.get_data(as_text=True), path
    assert reviews(app) == [] and attempt_row(app, attempt_id).graded_at is None
    with db_session(app) as session:
        assert session.exec(select(func.count()).select_from(Attempt)).one() == 1
        assert session.get(LearnerSettings, user.id) is None


def test_bad_scopes_get_a_clear_error(app: Flask, fake: Faker) -> None:
    client = signed_in(app, make_learner(app, fake))
    token = csrf_token(client, "/study/")
    bad = client.post("/study/next", data={"csrf_token": token, "scope": "everything:now"})
    assert bad.status_code == 400 and "Cannot read the study scope &#39;everything:now&#39;" in bad.get_data(as_text=True)
    unknown = client.post("/study/next", data={"csrf_token": token, "scope": "topic:kubernetes"})
    assert unknown.status_code == 404 and "no questions for the topic" in unknown.get_data(as_text=True)


def test_settings_page_saves_and_refuses_out_of_range(app: Flask, fake: Faker) -> None:
    user = make_learner(app, fake)
    client = signed_in(app, user)
    token = csrf_token(client, "/study/settings")
    refused = client.post("/study/settings", data={"csrf_token": token, "desired_retention": "0.99",
                                                   "new_per_day": "5", "time_zone": "Europe/Paris"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Nothing was saved" in body and "between 0.80 and 0.95" in body
    assert 'value="Europe/Paris"' in body  # what was typed is kept
    with db_session(app) as session:
        assert session.get(LearnerSettings, user.id) is None
    topic = generators.topics()[0]
    saved = client.post("/study/settings", data={"csrf_token": token, "desired_retention": "0.85", "new_per_day": "1",
                                                 "time_zone": "Europe/Paris", "topics": [topic]})
    assert saved.status_code == 302
    with db_session(app) as session:
        row = session.get(LearnerSettings, user.id)
        assert row is not None and (row.desired_retention, row.new_per_day, row.topics, row.time_zone) == (
            0.85, 1, [topic], "Europe/Paris")
    home = client.get("/study/").get_data(as_text=True)
    assert "Settings saved." in home and "1</strong> new skill left today" in home
    # With a limit of one new skill, the day's queue ends after one answer.
    attempt_id = next_question(client)
    body = answer(app, client, attempt_id)
    assert "All done for today" in body
    token = csrf_token(client, "/study/")
    done = client.post("/study/next", data={"csrf_token": token, "scope": ""}, follow_redirects=True)
    assert "Nothing is due" in done.get_data(as_text=True)
