"""When the retention job warned a volunteer that their inactive account will be deleted.

Revision ID: b12be74d44fa
Revises: 5bc3aef36f4c
Create Date: 2026-12-07 03:17:31.142487
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op


revision: str = 'b12be74d44fa'
down_revision: str | None = '5bc3aef36f4c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_warned_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('retention_warned_at')

