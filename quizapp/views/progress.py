"""The progress dashboard of the signed-in learner."""

from __future__ import annotations

from flask import Blueprint, render_template

from quizapp import charts, progress, study
from quizapp.auth import current_user_id, login_required
from quizapp.db import get_session
from quizapp.models import utcnow
from quizapp.web import notes

bp = Blueprint("progress", __name__, url_prefix="/progress")


@bp.get("/")
@login_required
def dashboard() -> str:
    """Mastery per topic, the forecast, retention, activity, weak spots.
    Only the signed-in learner's own data is ever read."""
    user_id = current_user_id()
    assert user_id is not None
    session = get_session()
    settings = study.settings_for(user_id, session=session)
    board = progress.dashboard(user_id, session=session, settings=settings, now=utcnow())
    titles = {n.topic: n.title for n in notes().ordered()}
    return render_template(
        "progress.html",
        board=board,
        titles=titles,
        forecast_svg=charts.forecast_chart(board.forecast),
        retention_svg=charts.retention_chart([(w.start, w.reviews, w.recalled) for w in board.retention_weeks],
                                             board.desired_retention),
        heatmap_svg=charts.heatmap(board.activity, start=board.activity_start, end=board.today),
        meters={t.topic: charts.meter(t.mastery, label=f"{titles.get(t.topic, t.topic)} mastery")
                for t in board.topics},
    )
