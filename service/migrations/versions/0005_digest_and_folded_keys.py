"""Unique keys that hold any text: memory entries by digest, glossary terms case-folded

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 10:40:00

``memory_entries`` was unique on (language, source, target): PostgreSQL's B-tree rows stop
at 2,704 bytes, so a long unit could not be stored. It is now unique on (language,
``digest``), the SHA-256 of source and target. ``terms`` was unique on (language, term),
so "Task force" and "task force" could both be added at once; it is now unique on
(language, ``folded``), the case-folded term. Where two terms of a language fold alike
(only two additions at the same moment could make them), the one changed last is kept,
as the glossary's latest agreement.
"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

memory = sa.table(
    "memory_entries",
    sa.column("id", sa.Integer),
    sa.column("source", sa.Text),
    sa.column("target", sa.Text),
    sa.column("digest", sa.String),
)
terms = sa.table(
    "terms",
    sa.column("id", sa.Integer),
    sa.column("language", sa.String),
    sa.column("term", sa.String),
    sa.column("folded", sa.String),
    sa.column("updated_at", sa.DateTime),
)


def _digest(source: str, target: str) -> str:
    return hashlib.sha256(f"{source}\x00{target}".encode("utf-8", "surrogatepass")).hexdigest()


def upgrade():
    bind = op.get_bind()
    with op.batch_alter_table("memory_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digest", sa.String(length=64), nullable=True))
    rows = bind.execute(sa.select(memory.c.id, memory.c.source, memory.c.target)).all()
    for row_id, source, target in rows:
        bind.execute(
            memory.update().where(memory.c.id == row_id).values(digest=_digest(source, target))
        )
    with op.batch_alter_table("memory_entries", schema=None) as batch_op:
        batch_op.drop_constraint("uq_memory_entries_language", type_="unique")
        batch_op.alter_column("digest", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint("uq_memory_entries_language", ["language", "digest"])

    with op.batch_alter_table("terms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("folded", sa.String(length=600), nullable=True))
    found = bind.execute(
        sa.select(terms.c.id, terms.c.language, terms.c.term).order_by(
            terms.c.updated_at.desc(), terms.c.id.desc()
        )
    ).all()
    kept: set[tuple[str, str]] = set()
    for row_id, language, term in found:
        key = (language, term.casefold())
        if key in kept:
            bind.execute(terms.delete().where(terms.c.id == row_id))
            continue
        kept.add(key)
        bind.execute(terms.update().where(terms.c.id == row_id).values(folded=key[1]))
    with op.batch_alter_table("terms", schema=None) as batch_op:
        batch_op.drop_constraint("uq_terms_language", type_="unique")
        batch_op.alter_column("folded", existing_type=sa.String(length=600), nullable=False)
        batch_op.create_unique_constraint("uq_terms_language", ["language", "folded"])


def downgrade():
    with op.batch_alter_table("terms", schema=None) as batch_op:
        batch_op.drop_constraint("uq_terms_language", type_="unique")
        batch_op.create_unique_constraint("uq_terms_language", ["language", "term"])
        batch_op.drop_column("folded")
    with op.batch_alter_table("memory_entries", schema=None) as batch_op:
        batch_op.drop_constraint("uq_memory_entries_language", type_="unique")
        batch_op.create_unique_constraint(
            "uq_memory_entries_language", ["language", "source", "target"]
        )
        batch_op.drop_column("digest")
