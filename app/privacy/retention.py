"""Deleting what nobody uses any more: a volunteer account inactive for 24 months is warned by mail and,
unless its owner logs in, deleted 30 days later (GDPR storage limitation, Art. 5(1)(e)).

Inactive means: no login (or, never logged in, no registration) for INACTIVE_AFTER, and no pairing that
is offered, introduced or active. Staff accounts are not touched: admins deactivate those.
`now` is a parameter so that the job can be run, and tested, for any day.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.pairings.models import BUSY_STATUSES, Pairing
from app.privacy.services import erase_user
from app.volunteers.models import Volunteer

INACTIVE_AFTER = timedelta(days=730)  # 24 months
GRACE = timedelta(days=30)


@dataclass
class RetentionRun:
    warned: list[User] = field(default_factory=list)  # to be mailed, after the commit
    erased: int = 0


def inactive_volunteers(*, session: Session, now: datetime) -> Sequence[User]:
    """Volunteer accounts without a login (or registration) since INACTIVE_AFTER and no busy pairing."""
    last_active = func.coalesce(col(User.last_login_at), col(User.created_at))
    busy = (
        select(Pairing.id)
        .join(Volunteer, col(Volunteer.id) == col(Pairing.volunteer_id))
        .where(col(Volunteer.user_id) == col(User.id), col(Pairing.status).in_(BUSY_STATUSES))
        .exists()
    )
    query = select(User).where(User.role == Role.VOLUNTEER, last_active < now - INACTIVE_AFTER, ~busy)
    return session.exec(query.order_by(col(User.id))).all()


def run_retention(*, session: Session, now: datetime) -> RetentionRun:
    """Warns the newly inactive (their warning date committed here) and deletes those warned GRACE ago."""
    run = RetentionRun()
    for user in inactive_volunteers(session=session, now=now):
        if user.retention_warned_at is None:
            user.retention_warned_at = now
            session.add(user)
            run.warned.append(user)
        elif user.retention_warned_at <= now - GRACE:
            erase_user(session=session, user=user)
            run.erased += 1
    session.commit()
    return run
