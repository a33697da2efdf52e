"""Reminding volunteers to show a new certificate of conduct before theirs stops counting.

A certificate counts for MatchParams.certificate_valid_years after its inspection (the matcher's rule,
matching.features); REMIND_BEFORE that day, the volunteer is reminded once per inspection date, so a new
inspection starts the clock again. `today` is a parameter: the daily task passes the real day, tests any.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.volunteers.models import Volunteer
from matching.features import certificate_expires
from matching.types import MatchParams

REMIND_BEFORE = timedelta(weeks=8)
VALID_YEARS = MatchParams(today=date.min).certificate_valid_years  # the matcher's default


@dataclass
class Reminder:
    volunteer: Volunteer
    user: User
    expires_on: date


def due_reminders(*, session: Session, today: date) -> list[Reminder]:
    """Active volunteers whose certificate stops counting within REMIND_BEFORE (or already has) and who
    were not yet reminded of this inspection."""
    rows = session.exec(
        select(Volunteer, User)
        .join(User, col(User.id) == col(Volunteer.user_id))
        .where(col(Volunteer.certificate_inspected_on).is_not(None), col(User.is_active))
        .order_by(col(Volunteer.id))
    )
    due = []
    for volunteer, user in rows:
        inspected_on = volunteer.certificate_inspected_on
        assert inspected_on is not None
        expires_on = certificate_expires(inspected_on, VALID_YEARS)
        if volunteer.certificate_reminded_for != inspected_on and expires_on - REMIND_BEFORE <= today:
            due.append(Reminder(volunteer, user, expires_on))
    return due


def mark_reminded(*, session: Session, reminders: list[Reminder]) -> None:
    for reminder in reminders:
        reminder.volunteer.certificate_reminded_for = reminder.volunteer.certificate_inspected_on
        session.add(reminder.volunteer)
    session.commit()
