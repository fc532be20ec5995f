"""Users' working languages

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 00:30:00

Adds ``users.languages``: the BCP 47 codes a volunteer works in, space-separated
(empty for every existing user).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("languages", sa.Text(), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("languages")
