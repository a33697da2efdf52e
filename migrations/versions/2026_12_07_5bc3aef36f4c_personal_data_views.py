"""The access log: which of the staff saw which volunteer's personal data, where and when.

Revision ID: 5bc3aef36f4c
Revises: 7b416022aec5
Create Date: 2026-12-07 02:59:17.449943
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op


revision: str = '5bc3aef36f4c'
down_revision: str | None = '7b416022aec5'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('personal_data_view',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('viewer_id', sa.Integer(), nullable=True),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('viewed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['viewer_id'], ['user_account.id'], name=op.f('fk_personal_data_view_viewer_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], name=op.f('fk_personal_data_view_volunteer_id_volunteer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_personal_data_view'))
    )
    with op.batch_alter_table('personal_data_view', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_personal_data_view_viewed_at'), ['viewed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_personal_data_view_viewer_id'), ['viewer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_personal_data_view_volunteer_id'), ['volunteer_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('personal_data_view', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_personal_data_view_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_personal_data_view_viewer_id'))
        batch_op.drop_index(batch_op.f('ix_personal_data_view_viewed_at'))

    op.drop_table('personal_data_view')
