"""The life of a pairing (first meeting, start, check-ins), logged hours, the decision log and the
volunteer's calendar feed.

Revision ID: 38055980dae4
Revises: 76ce4580169c
Create Date: 2026-12-07 04:49:25.357059
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op


revision: str = '38055980dae4'
down_revision: str | None = '76ce4580169c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('check_in',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pairing_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Integer(), nullable=False),
    sa.Column('party', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('answered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('rating', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['pairing_id'], ['pairing.id'], name=op.f('fk_check_in_pairing_id_pairing'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_in')),
    sa.UniqueConstraint('pairing_id', 'week', 'party', name=op.f('uq_check_in_pairing_id')),
    sa.UniqueConstraint('token', name=op.f('uq_check_in_token'))
    )
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_in_pairing_id'), ['pairing_id'], unique=False)

    op.create_table('decision_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=True),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('pairing_id', sa.Integer(), nullable=True),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_decision_entry_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], name=op.f('fk_decision_entry_need_id_need'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['pairing_id'], ['pairing.id'], name=op.f('fk_decision_entry_pairing_id_pairing'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_decision_entry_proposal_id_proposal'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], name=op.f('fk_decision_entry_volunteer_id_volunteer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_entry'))
    )
    with op.batch_alter_table('decision_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_entry_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_entry_decided_at'), ['decided_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_entry_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_entry_volunteer_id'), ['volunteer_id'], unique=False)

    op.create_table('hours_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('pairing_id', sa.Integer(), nullable=False),
    sa.Column('worked_on', sa.Date(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('logged_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('review_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['pairing_id'], ['pairing.id'], name=op.f('fk_hours_entry_pairing_id_pairing'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user_account.id'], name=op.f('fk_hours_entry_reviewed_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], name=op.f('fk_hours_entry_volunteer_id_volunteer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hours_entry'))
    )
    with op.batch_alter_table('hours_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hours_entry_pairing_id'), ['pairing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hours_entry_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_hours_entry_volunteer_id'), ['volunteer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hours_entry_worked_on'), ['worked_on'], unique=False)

    with op.batch_alter_table('pairing', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_meeting_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('first_meeting_place', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False))
        batch_op.add_column(sa.Column('started_on', sa.Date(), nullable=True))

    with op.batch_alter_table('volunteer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_volunteer_calendar_token'), ['calendar_token'])



def downgrade() -> None:
    with op.batch_alter_table('volunteer', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_volunteer_calendar_token'), type_='unique')
        batch_op.drop_column('calendar_token')

    with op.batch_alter_table('pairing', schema=None) as batch_op:
        batch_op.drop_column('started_on')
        batch_op.drop_column('first_meeting_place')
        batch_op.drop_column('first_meeting_at')

    with op.batch_alter_table('hours_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hours_entry_worked_on'))
        batch_op.drop_index(batch_op.f('ix_hours_entry_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_hours_entry_status'))
        batch_op.drop_index(batch_op.f('ix_hours_entry_pairing_id'))

    op.drop_table('hours_entry')
    with op.batch_alter_table('decision_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_entry_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_decision_entry_need_id'))
        batch_op.drop_index(batch_op.f('ix_decision_entry_decided_at'))
        batch_op.drop_index(batch_op.f('ix_decision_entry_actor_id'))

    op.drop_table('decision_entry')
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_in_pairing_id'))

    op.drop_table('check_in')
