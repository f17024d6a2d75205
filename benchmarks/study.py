#!/usr/bin/env python3
"""Study engine at scale: one learner, 10,000 skills x 100 reviews each.

    .venv/bin/python benchmarks/study.py [--database URL] [--skills 10000] [--reviews 100]
                                         [--repeat 20] [--loops 200]

Builds one learner with `--skills` cards (every generator, then synthetic
skill ids spread over the topics) and `--reviews` logged reviews per card
spread over the last two years (1,000,000 rows by default, bulk inserted),
then measures, through the Flask test client (no network):

- the due-queue query (`study.due_cards`, what is due now, most overdue
  first) and the queue's counts, per call;
- the progress dashboard, GET /progress/, per request;
- the study loop: POST /study/next (then the question page it redirects
  to) and POST the answer, in loops and requests per second.

A fresh SQLite file in a temporary folder is used unless `--database`
names another (empty) database, e.g. a PostgreSQL URL.  Run by hand; the
figures go in the issue's closing note, never into a timed test.
"""

from __future__ import annotations

import argparse
import platform
import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import insert, text
from sqlmodel import Session
from werkzeug.security import generate_password_hash

import generators
from quizapp import attempts, create_app, db, progress, study
from quizapp.models import Card, LearnerSettings, ReviewDay, ReviewLog, User
from quizapp.questions import AnswerKind, Question

EMAIL = "bench@example.org"
PASSWORD = "benchmark passphrase"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
LOCATION_RE = re.compile(r"/study/a/([A-Za-z0-9_-]+)")
MISCONCEPTIONS = [f"misconception number {i} about how AWS routes, filters or resolves" for i in range(40)]
HISTORY_DAYS = 730
CHUNK = 20_000


def build(url: str, skills: int, reviews: int, now: datetime) -> int:
    """Create the learner, the cards and the review history; the learner's id."""
    engine = db.make_engine(url)
    rng = random.Random(7)
    real = list(generators.REGISTRY.values())
    topics = generators.topics()
    with Session(engine) as session:
        user = User(email=EMAIL, display_name="Bench Learner", password_hash=generate_password_hash(PASSWORD))
        session.add(user)
        session.flush()
        assert user.id is not None
        user_id = user.id
        session.add(LearnerSettings(user_id=user_id, desired_retention=0.9, new_per_day=20, topics=[],
                                    time_zone="Europe/Paris"))
        rows = []
        for i in range(skills):
            if i < len(real):
                skill, topic = real[i].id, real[i].topic
                due = now - timedelta(hours=rng.uniform(1, 240))  # every real skill is due: the loop has work
            else:
                skill, topic = f"bench.skill-{i:05d}", topics[i % len(topics)]
                due = now + timedelta(days=rng.uniform(-10, 90))
            stability = rng.uniform(1, 200)
            rows.append({"user_id": user_id, "skill": skill, "topic": topic, "state": 2, "step": None,
                         "stability": stability, "difficulty": rng.uniform(1, 10), "due": due,
                         "last_review": due - timedelta(days=min(stability, 60)), "reps": reviews, "lapses": rng.randint(0, 5),
                         "created_at": now - timedelta(days=HISTORY_DAYS)})
        session.execute(insert(Card), rows)
        session.commit()
        card_ids = [(cid, skill) for cid, skill in session.execute(
            text("SELECT id, skill FROM card WHERE user_id = :u ORDER BY id"), {"u": user_id}).all()]
    paris = study.zone("Europe/Paris")
    step = timedelta(days=HISTORY_DAYS) / reviews
    batch: list[dict[str, object]] = []
    inserted = 0
    totals: dict[object, list[int]] = {}  # the daily totals that record_review keeps
    with engine.begin() as connection:
        for card_id, skill in card_ids:
            # Each card's reviews are `step` apart, from its own random start, so
            # that every day of the history has reviews (and a long streak).
            start = now - timedelta(days=HISTORY_DAYS) + step * rng.random()
            for k in range(reviews):
                at = start + step * k + timedelta(minutes=rng.uniform(0, 600))
                at = min(at, now - timedelta(minutes=1))
                correct = rng.random() < 0.88
                day = at.astimezone(paris).date()
                total = totals.setdefault(day, [0, 0, 0])
                total[0] += 1
                total[1] += k > 0
                total[2] += k > 0 and correct
                batch.append({
                    "user_id": user_id, "card_id": card_id, "attempt_id": None, "skill": skill, "version": 1,
                    "seed": rng.getrandbits(53), "response": "a", "correct": correct, "score": float(correct),
                    "misconception": None if correct or rng.random() < 0.4 else rng.choice(MISCONCEPTIONS),
                    "rating": 3 if correct else 1, "card_state": 0 if k == 0 else 2, "measures_retention": k > 0,
                    "duration_ms": rng.randint(2_000, 60_000), "reviewed_at": at,
                    "day": day,
                })
                if len(batch) >= CHUNK:
                    connection.execute(insert(ReviewLog), batch)
                    inserted += len(batch)
                    batch.clear()
        if batch:
            connection.execute(insert(ReviewLog), batch)
            inserted += len(batch)
        connection.execute(insert(ReviewDay), [
            {"user_id": user_id, "day": day, "reviews": n, "retention_reviews": r, "retention_recalled": ok}
            for day, (n, r, ok) in totals.items()])
    if url.startswith("sqlite"):
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    print(f"built {skills:,} cards and {inserted:,} review log rows")
    return user_id


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(median, max) milliseconds of `fn` over `repeat` calls, after one warm-up."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def answer_form(question: Question, token: str) -> dict[str, object]:
    """The correct answer as the study page's form would post it."""
    form: dict[str, object] = {"csrf_token": token, "duration_ms": "15000"}
    if question.kind is AnswerKind.ORDERING:
        order = [c.key for c in question.choices]
        form.update({f"position-{k}": str(order.index(k) + 1) for k in order})
    else:
        form["answer"] = question.answer
    return form


def sign_in(client: FlaskClient) -> None:
    page = client.get("/auth/sign-in").get_data(as_text=True)
    token = CSRF_RE.search(page)
    assert token
    response = client.post("/auth/sign-in", data={"csrf_token": token.group(1), "email": EMAIL, "password": PASSWORD})
    assert response.status_code == 302, "sign-in failed"


def study_loop(client: FlaskClient, app_engine: object, user_id: int, loops: int) -> tuple[int, int, float, list[str]]:
    """Run `loops` next-question + answer loops; (loops, requests, seconds, scopes used)."""
    token_page = client.get("/study/").get_data(as_text=True)
    match = CSRF_RE.search(token_page)
    assert match
    token = match.group(1)
    scope = ""
    used = [scope]
    done = requests = 0
    start = time.perf_counter()
    while done < loops:
        response = client.post("/study/next", data={"csrf_token": token, "scope": scope})
        requests += 1
        found = LOCATION_RE.search(response.headers.get("Location", ""))
        if found is None:  # today's queue is done: go on studying ahead
            scope = f"topic:{generators.topics()[0]}"
            used.append(scope)
            continue
        attempt_id = found.group(1)
        page = client.get(response.headers["Location"])
        requests += 1
        assert page.status_code == 200
        with Session(app_engine) as session:  # type: ignore[arg-type]
            question = attempts.question_of(attempts.load(attempt_id, session=session, user_id=user_id))
        result = client.post(f"/study/a/{attempt_id}", data={**answer_form(question, token), "scope": scope})
        requests += 1
        assert result.status_code == 200 and "Correct" in result.get_data(as_text=True), attempt_id
        done += 1
    return done, requests, time.perf_counter() - start, used


def main() -> int:
    """Build the data, measure, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="an empty database URL (default: a fresh SQLite file)")
    parser.add_argument("--skills", type=int, default=10_000)
    parser.add_argument("--reviews", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--loops", type=int, default=200)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="quizapp-bench-"))
    url = args.database or f"sqlite:///{folder / 'bench.sqlite'}"
    print(f"python {platform.python_version()} on {platform.machine()}; database {url.split('://')[0]}")
    db.upgrade(url)
    now = datetime.now(UTC)
    started = time.perf_counter()
    user_id = build(url, args.skills, args.reviews, now)
    print(f"  (built in {time.perf_counter() - started:.1f} s)")
    if url.startswith("sqlite:///"):
        print(f"  database file: {Path(url.removeprefix('sqlite:///')).stat().st_size / 2**20:,.0f} MiB")

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": False})
    engine = app.extensions["quizapp.engine"]
    print(f"\n{'measure':58} {'median':>9} {'max':>9}")
    with Session(engine) as session:
        settings = study.settings_for(user_id, session=session)
        known = study.skills_in(study.Scope(), settings)
        figures = {
            f"due queue: due_cards(limit=20), all {args.skills:,} skills": lambda: study.due_cards(
                user_id, session=session, now=now),
            "due queue: count_due, all skills": lambda: study.count_due(user_id, session=session, now=now),
            "due queue: due_cards of the generators' skills": lambda: study.due_cards(
                user_id, session=session, now=now, skills=known),
            "next_skill (the queue's pick)": lambda: study.next_skill(
                user_id, session=session, settings=settings, now=now),
            "queue status (due, new left, next due)": lambda: study.status(
                user_id, session=session, settings=settings, now=now),
            "dashboard engine: progress.dashboard()": lambda: progress.dashboard(
                user_id, session=session, settings=settings, now=now),
        }
        for label, fn in figures.items():
            median, worst = timed(fn, args.repeat)
            print(f"{label:58} {median:7.1f}ms {worst:7.1f}ms")
    client = app.test_client()
    sign_in(client)

    def dashboard() -> None:
        response = client.get("/progress/")
        assert response.status_code == 200

    median, worst = timed(dashboard, args.repeat)
    print(f"{'GET /progress/ (the dashboard page)':58} {median:7.1f}ms {worst:7.1f}ms")
    median, worst = timed(lambda: client.get("/study/"), args.repeat)
    print(f"{'GET /study/ (queue and per-topic counts)':58} {median:7.1f}ms {worst:7.1f}ms")

    loops, requests, seconds, scopes = study_loop(client, engine, user_id, args.loops)
    print(f"\nstudy loop (POST next -> GET question -> POST answer), {loops} loops, scopes {scopes}:")
    print(f"  {loops / seconds:,.1f} loops/s, {requests / seconds:,.1f} requests/s, "
          f"{seconds / loops * 1000:.1f} ms per loop")
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
