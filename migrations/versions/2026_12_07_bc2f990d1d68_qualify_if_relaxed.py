"""Per need: how many more volunteers would qualify if one requirement were relaxed, and when counted.

Revision ID: bc2f990d1d68
Revises: c7d8e9f0a1b2
Create Date: 2026-12-07 00:05:47.892560
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op


revision: str = 'bc2f990d1d68'
down_revision: str | None = 'c7d8e9f0a1b2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.add_column(sa.Column('qualify_if_relaxed', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('qualify_counted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.drop_column('qualify_counted_at')
        batch_op.drop_column('qualify_if_relaxed')
