"""Barriers reported through the accessibility statement (BITV 2.0 feedback mechanism).

Revision ID: 7b416022aec5
Revises: fa4b7122fb90
Create Date: 2026-12-07 02:50:20.790617
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op


revision: str = '7b416022aec5'
down_revision: str | None = 'fa4b7122fb90'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('accessibility_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('page', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accessibility_feedback'))
    )


def downgrade() -> None:
    op.drop_table('accessibility_feedback')
