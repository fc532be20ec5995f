"""Publications as queued work; check outcomes stored; coverage kept as counts

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 22:50:00

Adds ``publications.attempts`` (a publication is now one row retried by the worker),
``translations.critical`` (filled by running the checks once over the existing
translations) and the ``coverage_counts`` summary (filled with one grouped query).
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    from service.core import checks

    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("committed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("requests", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("translations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("critical", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("tokens", schema=None) as batch_op:
        batch_op.create_unique_constraint(op.f("uq_tokens_user_id"), ["user_id", "name"])
    op.create_table(
        "coverage_counts",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("state", sa.Integer(), nullable=False),
        sa.Column("segments", sa.Integer(), nullable=False),
        sa.Column("words", sa.Integer(), nullable=False),
        sa.Column("critical", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_coverage_counts_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "language", "state", name=op.f("pk_coverage_counts")),
    )

    connection = op.get_bind()
    connection.execute(
        sa.text("UPDATE publications SET committed_at = created_at WHERE status = 'committed'")
    )
    rows = connection.execute(
        sa.text(
            "SELECT t.id, s.source, t.text FROM translations t "
            "JOIN segments s ON s.id = t.segment_id WHERE t.text != ''"
        )
    ).all()
    failing = [row.id for row in rows if checks.has_critical(checks.run(row.source, row.text))]
    if failing:
        connection.execute(
            sa.text("UPDATE translations SET critical = :yes WHERE id = :id"),
            [{"yes": True, "id": ident} for ident in failing],
        )
    connection.execute(
        sa.text(
            "INSERT INTO coverage_counts (article_id, language, state, segments, words, critical) "
            "SELECT s.article_id, t.language, t.state, COUNT(*), SUM(s.words), "
            "SUM(CASE WHEN t.critical THEN 1 ELSE 0 END) "
            "FROM translations t JOIN segments s ON s.id = t.segment_id "
            "WHERE s.obsolete = :no AND t.state != 0 "
            "GROUP BY s.article_id, t.language, t.state"
        ),
        {"no": False},
    )


def downgrade():
    op.drop_table("coverage_counts")
    with op.batch_alter_table("tokens", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_tokens_user_id"), type_="unique")
    with op.batch_alter_table("translations", schema=None) as batch_op:
        batch_op.drop_column("critical")
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_column("requests")
        batch_op.drop_column("committed_at")
        batch_op.drop_column("attempts")
