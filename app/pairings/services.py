"""Pairings: capacity counts, the volunteer's answer, the lifecycle afterwards, and the lists behind it."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.audit.models import DecisionAction
from app.audit.services import record_decision
from app.base import CITY_TIME_ZONE, local_today, utcnow
from app.needs.models import Need
from app.offices.services import district_choices
from app.outbox.services import request_need_matching, request_volunteer_matching
from app.pairings.models import BUSY_STATUSES, Pairing, PairingStatus
from app.partners.models import Organisation
from app.volunteers.models import Volunteer


class WrongState(Exception):
    """The pairing is not in a state that this step starts from (e.g. answered twice)."""


def busy_count_by_volunteer(
    *, session: Session, volunteer_ids: Sequence[int] | None = None
) -> dict[int, int]:
    """Pairings that occupy each volunteer (BUSY_STATUSES) (absent: none)."""
    query = (
        select(Pairing.volunteer_id, func.count())
        .where(col(Pairing.status).in_(BUSY_STATUSES))
        .group_by(col(Pairing.volunteer_id))
    )
    if volunteer_ids is not None:
        query = query.where(col(Pairing.volunteer_id).in_(volunteer_ids))
    return {volunteer_id: count for volunteer_id, count in session.exec(query)}


def filled_places_by_need(*, session: Session, need_ids: Sequence[int] | None = None) -> dict[int, int]:
    """Places of each need taken by pairings in BUSY_STATUSES (absent: none)."""
    query = (
        select(Pairing.need_id, func.count())
        .where(col(Pairing.status).in_(BUSY_STATUSES))
        .group_by(col(Pairing.need_id))
    )
    if need_ids is not None:
        query = query.where(col(Pairing.need_id).in_(need_ids))
    return {need_id: count for need_id, count in session.exec(query)}


# Which action moves a pairing from which states to which state. The values are DecisionAction values:
# every step is written to the decision log under its own name.
TRANSITIONS: dict[str, tuple[tuple[PairingStatus, ...], PairingStatus]] = {
    "accept": ((PairingStatus.OFFERED,), PairingStatus.INTRODUCED),
    "decline": ((PairingStatus.OFFERED,), PairingStatus.DECLINED),
    # Arranged once, and moved as often as needed until they have met.
    "arrange_meeting": ((PairingStatus.INTRODUCED, PairingStatus.MEETING), PairingStatus.MEETING),
    # A first meeting arranged by phone need not be entered: starting straight from "introduced" is fine.
    "start": ((PairingStatus.INTRODUCED, PairingStatus.MEETING), PairingStatus.ACTIVE),
    "complete": ((PairingStatus.ACTIVE,), PairingStatus.COMPLETED),
    "end_early": (
        (PairingStatus.INTRODUCED, PairingStatus.MEETING, PairingStatus.ACTIVE),
        PairingStatus.ENDED_EARLY,
    ),
}
ANSWERS = ("accept", "decline")  # the volunteer's, through the mail link
LIFECYCLE_ACTIONS = ("start", "complete", "end_early")  # coordinators' and partners' buttons
ENDED = (PairingStatus.COMPLETED, PairingStatus.ENDED_EARLY)  # the volunteer's place is free again


def can_move(pairing: Pairing, action: str) -> bool:
    """Whether `action` applies to the pairing now: a step of TRANSITIONS, or "rematch" after an ending.
    The pages ask this too (as `pairing_can`), so a button shows exactly when its step would be taken."""
    if action == "rematch":
        return pairing.status in ENDED
    return action in TRANSITIONS and pairing.status in TRANSITIONS[action][0]


def _lock(session: Session, pairing: Pairing) -> None:
    """Re-reads the pairing and locks it until the commit (PostgreSQL), so that of two clicks at the same
    moment the second sees the first one's state instead of logging the same step twice."""
    session.refresh(pairing, with_for_update=True)


def move(
    *, session: Session, pairing: Pairing, action: str, actor_id: int | None, reason: str = ""
) -> Pairing:
    """Applies a step of TRANSITIONS and logs the decision, one commit; raises WrongState, or ValueError if
    a reason for ending early is missing. Arranging a meeting has its own function (arrange_meeting)."""
    _lock(session, pairing)
    if action == "arrange_meeting" or not can_move(pairing, action):
        raise WrongState(pairing.status)
    # Only a "no" and an early end carry a reason: text typed into the decline field before clicking
    # Accept must not reach the partner through the timeline.
    reason = reason.strip() if action in ("decline", "end_early") else ""
    if action == "end_early" and not reason:
        raise ValueError("ending early needs a reason")
    target = TRANSITIONS[action][1]
    now = utcnow()
    pairing.status = target
    if action in ANSWERS:
        pairing.answered_at = now
    if action == "start":
        pairing.started_on = _start_day(pairing)
    if target in (*ENDED, PairingStatus.DECLINED):
        pairing.ended_at = now
        pairing.end_reason = reason
    _log(session, pairing, action, actor_id, reason)
    session.add(pairing)
    session.commit()
    return pairing


def _start_day(pairing: Pairing) -> date:
    """The day of the first meeting, or today without one; never later than today, as they have met."""
    today = local_today()
    if pairing.first_meeting_at is None:
        return today
    return min(pairing.first_meeting_at.astimezone(CITY_TIME_ZONE).date(), today)


def arrange_meeting(
    *, session: Session, pairing: Pairing, at: datetime, place: str, actor_id: int | None
) -> Pairing:
    """Sets (or moves) the first meeting, an aware time in the future, and logs it; one commit.

    Raises WrongState once the pairing is active or over, ValueError for a past time or no place."""
    _lock(session, pairing)
    if not can_move(pairing, "arrange_meeting"):
        raise WrongState(pairing.status)
    place = place.strip()
    if at.tzinfo is None or at <= utcnow() or not place:
        raise ValueError("a first meeting needs a place and an aware time in the future")
    pairing.status = PairingStatus.MEETING
    pairing.first_meeting_at = at.astimezone(UTC)
    pairing.first_meeting_place = place
    local = at.astimezone(CITY_TIME_ZONE)
    _log(session, pairing, "arrange_meeting", actor_id, f"{local:%Y-%m-%d %H:%M}, {place}")
    session.add(pairing)
    session.commit()
    return pairing


def request_rematch(*, session: Session, pairing: Pairing, actor_id: int | None) -> None:
    """After an ending, asks the matcher for new proposals for the volunteer and for the need (through the
    outbox, published after the commit) and logs it; raises WrongState while the pairing goes on."""
    _lock(session, pairing)
    if not can_move(pairing, "rematch"):
        raise WrongState(pairing.status)
    request_volunteer_matching(session=session, volunteer_id=pairing.volunteer_id)
    request_need_matching(session=session, need_id=pairing.need_id)
    _log(session, pairing, "rematch", actor_id, "")
    session.commit()


def _log(session: Session, pairing: Pairing, action: str, actor_id: int | None, reason: str) -> None:
    record_decision(
        session=session,
        action=DecisionAction(action),
        volunteer_id=pairing.volunteer_id,
        actor_id=actor_id,
        need_id=pairing.need_id,
        proposal_id=pairing.proposal_id,
        pairing_id=pairing.id,
        reason=reason,
    )


def pairing_by_token(*, session: Session, token: str) -> Pairing | None:
    return session.exec(select(Pairing).where(Pairing.response_token == token)).first()


def introduction_recipients(*, session: Session, organisation: Organisation) -> dict[str, str]:
    """{e-mail: locale} of the organisation's contact address and every active staff member."""
    staff = session.exec(
        select(User).where(
            User.organisation_id == organisation.id, User.role == Role.PARTNER, col(User.is_active)
        )
    )
    recipients = {user.email.lower(): user.locale for user in staff}
    if organisation.contact_email:
        # The shared address has no account and so no language of its own: German, the office language.
        recipients.setdefault(organisation.contact_email.lower(), "de")
    return recipients


@dataclass
class PairingRow:
    pairing: Pairing
    volunteer: Volunteer
    need: Need
    organisation: Organisation
    district: str


@dataclass
class PairingDetail(PairingRow):
    email: str  # the volunteer's


def _rows() -> Any:
    return (
        select(Pairing, Volunteer, Need, Organisation)
        .join(Volunteer, col(Volunteer.id) == col(Pairing.volunteer_id))
        .join(Need, col(Need.id) == col(Pairing.need_id))
        .join(Organisation, col(Organisation.id) == col(Need.organisation_id))
    )


def pairings_in_scope(
    *,
    session: Session,
    district_ids: Sequence[int] | None,
    status: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[PairingRow]:
    """Pairings whose need lies in these districts (None: all), newest first, optionally of one status;
    `limit` of them from `offset` on (None: all)."""
    query = _rows().order_by(col(Pairing.created_at).desc(), col(Pairing.id).desc())
    if district_ids is not None:
        query = query.where(col(Need.district_id).in_(district_ids))
    if status:
        query = query.where(Pairing.status == status)
    query = query.offset(offset).limit(limit)
    districts = dict(district_choices(session=session))
    return [PairingRow(p, v, n, o, districts.get(n.district_id, "")) for p, v, n, o in session.exec(query)]


def pairing_detail(*, session: Session, pairing_id: int) -> PairingDetail | None:
    """One pairing with both sides, for its page."""
    query = (
        _rows()
        .add_columns(User.email)
        .join(User, col(User.id) == col(Volunteer.user_id))
        .where(Pairing.id == pairing_id)
    )
    found = session.exec(query).first()
    if found is None:
        return None
    pairing, volunteer, need, organisation, email = found
    district = dict(district_choices(session=session)).get(need.district_id, "")
    return PairingDetail(pairing, volunteer, need, organisation, district, email)


def status_counts(*, session: Session, district_ids: Sequence[int] | None) -> dict[str, int]:
    """How many pairings in these districts (None: all) have each status."""
    query = (
        select(Pairing.status, func.count())
        .join(Need, col(Need.id) == col(Pairing.need_id))
        .group_by(col(Pairing.status))
    )
    if district_ids is not None:
        query = query.where(col(Need.district_id).in_(district_ids))
    return {status: count for status, count in session.exec(query)}
