"""The inspection date of a volunteer's certificate of conduct that they were last reminded to renew.

Revision ID: 76ce4580169c
Revises: b12be74d44fa
Create Date: 2026-12-07 03:37:12.369585
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op


revision: str = '76ce4580169c'
down_revision: str | None = 'b12be74d44fa'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('volunteer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certificate_reminded_for', sa.Date(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('volunteer', schema=None) as batch_op:
        batch_op.drop_column('certificate_reminded_for')

