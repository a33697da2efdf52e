"""Reading the decision log: newest first, a page at a time, within a coordinator's districts."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.audit.models import DecisionAction, DecisionEntry
from app.needs.models import Need
from app.volunteers.models import Volunteer

# Without a login, only the volunteer themselves answers (through the offer link in their mail).
ANSWERED_BY_LINK = (DecisionAction.ACCEPT, DecisionAction.DECLINE)


class Actor(StrEnum):
    STAFF = "staff"
    VOLUNTEER = "volunteer"  # the volunteer decided themselves
    GONE = "gone"  # the account is deleted


@dataclass(frozen=True)
class DecisionFilter:
    district_ids: Sequence[int] | None = None  # the coordinator's scope (None: all)
    action: str = ""  # a DecisionAction, or "" for all
    since: datetime | None = None
    before: datetime | None = None


@dataclass
class LoggedDecision:
    decided_at: datetime
    actor: Actor
    actor_name: str  # display name or e-mail of the staff member
    action: str
    volunteer_id: int
    volunteer: str  # "first name last initial."
    need_title: str  # "" when the need is deleted
    reason: str


def decision_log(
    *, session: Session, filters: DecisionFilter, limit: int, offset: int = 0
) -> list[LoggedDecision]:
    """The decisions the filters allow, newest first."""
    query = _filtered(
        select(DecisionEntry, Volunteer.first_name, Volunteer.last_name, Volunteer.user_id)
        .join(Volunteer, col(Volunteer.id) == col(DecisionEntry.volunteer_id))
        .join(Need, col(Need.id) == col(DecisionEntry.need_id), isouter=True),
        filters,
    )
    query = query.order_by(col(DecisionEntry.decided_at).desc(), col(DecisionEntry.id).desc())
    rows = session.exec(query.offset(offset).limit(limit)).all()
    actor_ids = {entry.actor_id for entry, *_ in rows if entry.actor_id is not None}
    need_ids = {entry.need_id for entry, *_ in rows if entry.need_id is not None}
    titles = dict(session.exec(select(Need.id, Need.title).where(col(Need.id).in_(need_ids))).all())
    actors = {
        user_id: display_name or email
        for user_id, display_name, email in session.exec(
            select(User.id, User.display_name, User.email).where(col(User.id).in_(actor_ids))
        )
    }
    return [
        LoggedDecision(
            decided_at=entry.decided_at,
            actor=_actor(entry, volunteer_user_id),
            actor_name=actors.get(entry.actor_id, ""),
            action=entry.action,
            volunteer_id=entry.volunteer_id,
            volunteer=f"{first} {last[:1]}.",
            need_title=titles.get(entry.need_id, ""),
            reason=entry.reason,
        )
        for entry, first, last, volunteer_user_id in rows
    ]


def decision_count(*, session: Session, filters: DecisionFilter) -> int:
    query = select(func.count()).select_from(DecisionEntry)
    query = query.join(Need, col(Need.id) == col(DecisionEntry.need_id), isouter=True)
    return int(session.exec(_filtered(query, filters)).one())


def _filtered(query: Any, filters: DecisionFilter) -> Any:
    if filters.district_ids is not None:
        # A district office sees decisions about its districts' needs (none once the need is deleted).
        query = query.where(col(Need.district_id).in_(filters.district_ids))
    if filters.action:
        query = query.where(DecisionEntry.action == filters.action)
    if filters.since is not None:
        query = query.where(col(DecisionEntry.decided_at) >= filters.since)
    if filters.before is not None:
        query = query.where(col(DecisionEntry.decided_at) < filters.before)
    return query


def _actor(entry: DecisionEntry, volunteer_user_id: int) -> Actor:
    if entry.actor_id is not None:
        return Actor.VOLUNTEER if entry.actor_id == volunteer_user_id else Actor.STAFF
    return Actor.VOLUNTEER if entry.action in ANSWERED_BY_LINK else Actor.GONE
