"""Pairings: capacity counts, the volunteer's answer, the lifecycle afterwards, and the lists behind it."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.base import utcnow
from app.needs.models import Need
from app.offices.services import district_choices
from app.pairings.models import BUSY_STATUSES, Pairing, PairingStatus
from app.partners.models import Organisation
from app.volunteers.models import Volunteer


class WrongState(Exception):
    """The pairing is not in a state that this step starts from (e.g. answered twice)."""


def busy_count_by_volunteer(
    *, session: Session, volunteer_ids: Sequence[int] | None = None
) -> dict[int, int]:
    """Pairings that occupy each volunteer (offered, introduced, active) (absent: none)."""
    query = (
        select(Pairing.volunteer_id, func.count())
        .where(col(Pairing.status).in_(BUSY_STATUSES))
        .group_by(col(Pairing.volunteer_id))
    )
    if volunteer_ids is not None:
        query = query.where(col(Pairing.volunteer_id).in_(volunteer_ids))
    return {volunteer_id: count for volunteer_id, count in session.exec(query)}


def filled_places_by_need(*, session: Session, need_ids: Sequence[int] | None = None) -> dict[int, int]:
    """Places of each need taken by offered, introduced or active pairings (absent: none)."""
    query = (
        select(Pairing.need_id, func.count())
        .where(col(Pairing.status).in_(BUSY_STATUSES))
        .group_by(col(Pairing.need_id))
    )
    if need_ids is not None:
        query = query.where(col(Pairing.need_id).in_(need_ids))
    return {need_id: count for need_id, count in session.exec(query)}


# Which action moves a pairing from which states to which state.
TRANSITIONS: dict[str, tuple[tuple[PairingStatus, ...], PairingStatus]] = {
    "accept": ((PairingStatus.OFFERED,), PairingStatus.INTRODUCED),
    "decline": ((PairingStatus.OFFERED,), PairingStatus.DECLINED),
    "start": ((PairingStatus.INTRODUCED,), PairingStatus.ACTIVE),
    "complete": ((PairingStatus.ACTIVE,), PairingStatus.COMPLETED),
    "end_early": ((PairingStatus.INTRODUCED, PairingStatus.ACTIVE), PairingStatus.ENDED_EARLY),
}
ANSWERS = ("accept", "decline")  # the volunteer's, through the mail link
LIFECYCLE_ACTIONS = ("start", "complete", "end_early")  # coordinators' and partners'


def can_move(pairing: Pairing, action: str) -> bool:
    return action in TRANSITIONS and pairing.status in TRANSITIONS[action][0]


def move(*, session: Session, pairing: Pairing, action: str, reason: str = "") -> Pairing:
    """Applies a step of TRANSITIONS, commits; raises WrongState, or ValueError if a reason is missing."""
    if not can_move(pairing, action):
        raise WrongState(pairing.status)
    reason = reason.strip()
    if action == "end_early" and not reason:
        raise ValueError("ending early needs a reason")
    target = TRANSITIONS[action][1]
    now = utcnow()
    pairing.status = target
    if action in ANSWERS:
        pairing.answered_at = now
    if target in (PairingStatus.COMPLETED, PairingStatus.ENDED_EARLY, PairingStatus.DECLINED):
        pairing.ended_at = now
        pairing.end_reason = reason
    session.add(pairing)
    session.commit()
    return pairing


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


def pairings_in_scope(
    *, session: Session, district_ids: Sequence[int] | None, status: str | None = None
) -> list[PairingRow]:
    """Pairings whose need lies in these districts (None: all), newest first, optionally of one status."""
    query = (
        select(Pairing, Volunteer, Need, Organisation)
        .join(Volunteer, col(Volunteer.id) == col(Pairing.volunteer_id))
        .join(Need, col(Need.id) == col(Pairing.need_id))
        .join(Organisation, col(Organisation.id) == col(Need.organisation_id))
        .order_by(col(Pairing.created_at).desc(), col(Pairing.id).desc())
    )
    if district_ids is not None:
        query = query.where(col(Need.district_id).in_(district_ids))
    if status:
        query = query.where(Pairing.status == status)
    districts = dict(district_choices(session=session))
    return [PairingRow(p, v, n, o, districts.get(n.district_id, "")) for p, v, n, o in session.exec(query)]


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
