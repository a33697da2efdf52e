"""The log of who of the staff saw which volunteer's personal data: written by every page and API answer
that shows it, read on the admins' log page."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.audit.models import DecisionAction, DecisionEntry, PersonalDataView
from app.base import insert_rows, utcnow
from app.pairings.models import Pairing
from app.volunteers.models import Volunteer


def record_views(
    *, session: Session, viewer_id: int | None, volunteer_ids: Iterable[int], source: str
) -> None:
    """One row per volunteer shown, in one statement; committed at once, so a page that only reads still
    leaves its trace."""
    now = utcnow()
    rows = [
        {"viewer_id": viewer_id, "volunteer_id": volunteer_id, "source": source, "viewed_at": now}
        for volunteer_id in dict.fromkeys(volunteer_ids)
    ]
    if rows:
        insert_rows(session, PersonalDataView, rows)
        session.commit()


@dataclass
class ViewEntry:
    viewed_at: datetime
    viewer: str  # e-mail of the viewer, or "" if their account is gone
    volunteer: str  # "first name last initial."
    source: str


def recent_views(*, session: Session, limit: int = 200, volunteer_id: int | None = None) -> list[ViewEntry]:
    """The newest views first, for the admins' log page (or of one volunteer)."""
    query = (
        select(PersonalDataView, User.email, Volunteer.first_name, Volunteer.last_name)
        .join(User, col(User.id) == col(PersonalDataView.viewer_id), isouter=True)
        .join(Volunteer, col(Volunteer.id) == col(PersonalDataView.volunteer_id))
        .order_by(col(PersonalDataView.viewed_at).desc(), col(PersonalDataView.id).desc())
        .limit(limit)
    )
    if volunteer_id is not None:
        query = query.where(PersonalDataView.volunteer_id == volunteer_id)
    return [
        ViewEntry(view.viewed_at, email or "", f"{first} {last[:1]}.", view.source)
        for view, email, first, last in session.exec(query)
    ]


def record_decision(
    *,
    session: Session,
    action: DecisionAction,
    volunteer_id: int,
    actor_id: int | None,
    need_id: int | None = None,
    proposal_id: int | None = None,
    pairing_id: int | None = None,
    reason: str = "",
    decided_at: datetime | None = None,
) -> None:
    """Adds the decision to the audit log in the caller's transaction: it is saved with the decision
    itself, or not at all. `decided_at` (default: now) is for history written afterwards (the demo)."""
    session.add(
        DecisionEntry(
            decided_at=decided_at or utcnow(),
            action=action,
            volunteer_id=volunteer_id,
            actor_id=actor_id,
            need_id=need_id,
            proposal_id=proposal_id,
            pairing_id=pairing_id,
            reason=reason.strip(),
        )
    )


@dataclass
class TimelineEntry:
    decided_at: datetime
    action: str  # DecisionAction
    actor: str  # e-mail of who decided, or "" if their account is gone
    reason: str


# The coordinators' review: its reasons are notes among staff of the city, not for the partner.
REVIEW_ACTIONS = (DecisionAction.APPROVE, DecisionAction.REJECT)


def pairing_timeline(*, session: Session, pairing: Pairing, with_review_reasons: bool) -> list[TimelineEntry]:
    """The decisions about one pairing, oldest first: its proposal's approval, the volunteer's answer and
    every later step; the review's reasons only `with_review_reasons` (for coordinators)."""
    about = col(DecisionEntry.pairing_id) == pairing.id
    if pairing.proposal_id is not None:
        about = or_(about, col(DecisionEntry.proposal_id) == pairing.proposal_id)
    query = (
        select(DecisionEntry, User.email)
        .join(User, col(User.id) == col(DecisionEntry.actor_id), isouter=True)
        .where(about)
        .order_by(col(DecisionEntry.decided_at), col(DecisionEntry.id))
    )
    return [
        TimelineEntry(
            entry.decided_at,
            entry.action,
            email or "",
            entry.reason if with_review_reasons or entry.action not in REVIEW_ACTIONS else "",
        )
        for entry, email in session.exec(query)
    ]
