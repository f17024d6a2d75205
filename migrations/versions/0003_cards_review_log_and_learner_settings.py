"""cards, review log and learner settings

FSRS card state in columns (indexed by learner and due time), the append-only
review log with its daily totals, and per-learner study settings.  Triggers make the review log
append-only in the database too: an UPDATE or DELETE of a review is refused
on SQLite and PostgreSQL alike.  (A later migration that rebuilds review_log
with batch_alter_table on SQLite must create the triggers again.)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import quizapp.models

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('card',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('skill', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('topic', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('state', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=True),
    sa.Column('stability', sa.Float(), nullable=True),
    sa.Column('difficulty', sa.Float(), nullable=True),
    sa.Column('due', quizapp.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_review', quizapp.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reps', sa.Integer(), nullable=False),
    sa.Column('lapses', sa.Integer(), nullable=False),
    sa.Column('created_at', quizapp.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'skill', name='uq_card_user_skill')
    )
    with op.batch_alter_table('card', schema=None) as batch_op:
        batch_op.create_index('ix_card_user_created', ['user_id', 'created_at'], unique=False)
        batch_op.create_index('ix_card_user_due', ['user_id', 'due'], unique=False)

    op.create_table('learner_settings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('desired_retention', sa.Float(), nullable=False),
    sa.Column('new_per_day', sa.Integer(), nullable=False),
    sa.Column('topics', sa.JSON(), nullable=False),
    sa.Column('time_zone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('updated_at', quizapp.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.create_table('review_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('skill', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=True),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('misconception', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('card_state', sa.Integer(), nullable=False),
    sa.Column('measures_retention', sa.Boolean(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', quizapp.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempt.id'], ),
    sa.ForeignKeyConstraint(['card_id'], ['card.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('attempt_id')
    )
    with op.batch_alter_table('review_log', schema=None) as batch_op:
        batch_op.create_index('ix_review_log_card', ['card_id', 'reviewed_at'], unique=False)
        batch_op.create_index('ix_review_log_misconception', ['user_id', 'day', 'misconception', 'skill'], unique=False,
                              sqlite_where=sa.text('misconception IS NOT NULL'),
                              postgresql_where=sa.text('misconception IS NOT NULL'))
        batch_op.create_index('ix_review_log_user_day', ['user_id', 'day'], unique=False)
    _create_append_only_triggers()
    op.create_table('review_day',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('reviews', sa.Integer(), nullable=False),
    sa.Column('retention_reviews', sa.Integer(), nullable=False),
    sa.Column('retention_recalled', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('user_id', 'day')
    )


APPEND_ONLY_MESSAGE = "review_log is append-only: a review is never changed or removed"


def _create_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION review_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$"
        )
        op.execute("CREATE TRIGGER review_log_append_only BEFORE UPDATE OR DELETE ON review_log "
                   "FOR EACH ROW EXECUTE FUNCTION review_log_append_only()")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER review_log_no_{event.lower()} BEFORE {event} ON review_log "
                       f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END")


def _drop_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER review_log_append_only ON review_log")
        op.execute("DROP FUNCTION review_log_append_only()")
    else:
        op.execute("DROP TRIGGER review_log_no_update")
        op.execute("DROP TRIGGER review_log_no_delete")


def downgrade() -> None:
    op.drop_table('review_day')
    _drop_append_only_triggers()
    with op.batch_alter_table('review_log', schema=None) as batch_op:
        batch_op.drop_index('ix_review_log_user_day')
        batch_op.drop_index('ix_review_log_misconception')
        batch_op.drop_index('ix_review_log_card')

    op.drop_table('review_log')
    op.drop_table('learner_settings')
    with op.batch_alter_table('card', schema=None) as batch_op:
        batch_op.drop_index('ix_card_user_due')
        batch_op.drop_index('ix_card_user_created')

    op.drop_table('card')
