"""The `quizapp` command line (also `flask --app quizapp ...`)."""

from __future__ import annotations

import json
import sys
import textwrap

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from werkzeug.serving import run_simple

import generators
from quizapp import auth, db, sources
from quizapp.grading import Response
from quizapp.questions import Question


def register_commands(app: Flask) -> None:
    """Add the quizapp commands to `app.cli`."""
    for command in (init_db, list_generators, generate, grade_command, serve, create_user):
        app.cli.add_command(command)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    db.upgrade(current_app.config["DATABASE_URL"])
    click.echo("database is at the latest schema")


@click.command("generators")
def list_generators() -> None:
    """List every question generator."""
    rows = [(g.id, g.topic, g.kind.value, str(g.version), g.note) for g in generators.REGISTRY.values()]
    headers = ("id", "topic", "kind", "version", "note")
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    for row in (headers, tuple("-" * w for w in widths), *rows):
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _instance(generator_id: str, seed: int) -> Question:
    try:
        return sources.generator(generator_id).make(seed)
    except sources.UnknownSourceError:
        raise click.BadParameter(f"no generator {generator_id!r} (see `quizapp generators`)", param_hint="ID") from None


@click.command("generate")
@click.argument("generator_id", metavar="ID")
@click.option("--seed", type=click.IntRange(min=0), required=True, help="The instance seed.")
@click.option("--json", "as_json", is_flag=True, help="Print the instance as JSON.")
def generate(generator_id: str, seed: int, as_json: bool) -> None:
    """Print the question instance (ID, seed), with its answer."""
    question = _instance(generator_id, seed)
    if as_json:
        click.echo(json.dumps(question.to_json(), indent=2, ensure_ascii=False))
        return
    click.echo(f"{question.title}  [{question.source} v{question.version}, seed {seed}, {question.kind.value}]\n")
    click.echo(question.prompt + "\n")
    for c in question.display_choices:
        click.echo(textwrap.indent(f"{c.key}) {c.text}", "  "))
    answer = question.answer
    click.echo(f"\nAnswer: {answer if isinstance(answer, str) else json.dumps(answer)}\n")
    click.echo("Explanation:\n" + textwrap.indent(question.explanation, "  "))
    click.echo(f"\nNote: {question.note}\nParams: {json.dumps(question.params)}")


def parse_cli_answer(text: str) -> Response:
    """TEXT as the `answer` field of `generate --json` prints it: a JSON
    list for list answers, anything else as the string it is."""
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            loaded = json.loads(stripped)
        except json.JSONDecodeError:
            return text
        if isinstance(loaded, list):
            return [str(item) for item in loaded]
    return text


@click.command("grade")
@click.argument("generator_id", metavar="ID")
@click.option("--seed", type=click.IntRange(min=0), required=True, help="The instance seed.")
@click.option("--answer", "answer_text", required=True, help="The answer, as `generate --json` prints it.")
def grade_command(generator_id: str, seed: int, answer_text: str) -> None:
    """Grade an answer to (ID, seed) and print the result as JSON."""
    question = _instance(generator_id, seed)
    result = sources.grade_response(question, parse_cli_answer(answer_text))
    click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve(host: str, port: int) -> None:
    """Upgrade the database, then serve the app for local use.

    This turns on LOCAL_MODE: the home page offers "Continue as local
    learner" to browsers on this machine (never to other addresses).  WSGI
    deployments do not go through here, so they never have it.
    """
    db.upgrade(current_app.config["DATABASE_URL"])
    current_app.config["LOCAL_MODE"] = True
    click.echo(f"quizapp is ready: open http://{host}:{port}/")
    # Not app.run(): under the flask CLI (FlaskGroup sets FLASK_RUN_FROM_CLI)
    # it returns at once without serving.
    run_simple(host, port, current_app._get_current_object(), threaded=True)  # type: ignore[attr-defined]


@click.command("create-user")
@click.option("--email", required=True, help="The email to sign in with.")
@click.option("--name", required=True, help="The name shown on the user's pages.")
@click.option("--role", default=auth.LEARNER, show_default=True, help=f"One of: {', '.join(auth.ROLES)}.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@with_appcontext
def create_user(email: str, name: str, role: str, password_stdin: bool) -> None:
    """Create an account (for instance the first admin); asks for the password."""
    from quizapp.db import get_session

    session = get_session()
    role = role.strip().lower()
    # Check everything but the password before asking for it.
    errors = auth.account_problems(email, name, "x" * auth.MIN_PASSWORD_LENGTH, session=session, role=role)
    if errors:
        raise click.ClickException(" ".join(errors.values()))
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = auth.create_user(email, name, password, session=session, role=role)
    except auth.AccountError as exc:
        raise click.ClickException(" ".join(exc.errors.values())) from None
    session.commit()
    click.echo(f"created {user.role} {user.email} (id {user.id})")


def _create_app() -> Flask:
    from quizapp import create_app

    return create_app()


main = FlaskGroup(create_app=_create_app, help="quizapp: learn AWS networking from generated questions.")
