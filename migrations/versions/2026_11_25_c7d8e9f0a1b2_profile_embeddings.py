"""Sentence embeddings kept beside volunteer and need profiles.

Revision ID: c7d8e9f0a1b2
Revises: b1c2d3e4f5a6
Create Date: 2026-11-25 11:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op


revision: str = 'c7d8e9f0a1b2'
down_revision: str | None = 'b1c2d3e4f5a6'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ('volunteer', 'need'):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column('embedding', sa.LargeBinary(), nullable=True))
            batch_op.add_column(
                sa.Column(
                    'embedding_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default=''
                )
            )
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column('embedding_key', server_default=None)


def downgrade() -> None:
    for table in ('need', 'volunteer'):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column('embedding_key')
            batch_op.drop_column('embedding')
