"""Hours: volunteers log time on their pairings; the partner's staff or a coordinator confirm or reject it."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, or_, select

from app.audit.models import DecisionAction
from app.audit.services import record_decision
from app.base import CITY_TIME_ZONE, utcnow
from app.hours.ehrenamtskarte import Eligibility, ehrenamtskarte_eligibility
from app.hours.models import HoursEntry, HoursStatus
from app.needs.models import Need
from app.pairings.models import Pairing, PairingStatus
from app.pairings.services import ENDED
from app.partners.models import Organisation
from app.volunteers.models import Volunteer

# Hours may still be logged this long after a pairing ended: the last weeks are often logged late.
AFTER_END = timedelta(days=90)
# More than this on one day (all pairings together) is a typing mistake rather than volunteering.
MAX_MINUTES_PER_DAY = 16 * 60
RUNNING = (PairingStatus.MEETING, PairingStatus.ACTIVE)


class Rule(StrEnum):
    """A rule an entry breaks; app.hours.forms.RULE_MESSAGES says it to the volunteer."""

    NOT_LOGGABLE = "not_loggable"  # not their pairing, or not (any more) one that takes hours
    IN_FUTURE = "in_future"
    BEFORE_PAIRING = "before_pairing"
    AFTER_END = "after_end"  # the 90 days after an ending are for logging earlier work late
    DURATION = "duration"
    DAY_LIMIT = "day_limit"


# The form field each rule belongs to.
RULE_FIELDS = {
    Rule.NOT_LOGGABLE: "pairing_id",
    Rule.IN_FUTURE: "worked_on",
    Rule.BEFORE_PAIRING: "worked_on",
    Rule.AFTER_END: "worked_on",
    Rule.DURATION: "hours",
    Rule.DAY_LIMIT: "hours",
}


class HoursRefused(Exception):
    def __init__(self, rule: Rule) -> None:
        super().__init__(rule)
        self.rule = rule


class OutOfScope(Exception):
    """An entry that does not exist for this user (not theirs, or not in their scope): a 404."""


@dataclass
class PairingChoice:
    pairing: Pairing
    need_title: str
    organisation: str


def loggable_pairings(
    *, session: Session, volunteer_id: int, now: datetime | None = None
) -> list[PairingChoice]:
    """The volunteer's pairings that take hours: meeting or active, or ended within AFTER_END."""
    ended_since = (now or utcnow()) - AFTER_END
    query = (
        select(Pairing, Need.title, Organisation.name)
        .join(Need, col(Need.id) == col(Pairing.need_id))
        .join(Organisation, col(Organisation.id) == col(Need.organisation_id))
        .where(Pairing.volunteer_id == volunteer_id)
        .where(
            or_(
                col(Pairing.status).in_(RUNNING),
                col(Pairing.status).in_(ENDED) & (col(Pairing.ended_at) >= ended_since),
            )
        )
        .order_by(col(Pairing.created_at).desc(), col(Pairing.id).desc())
    )
    return [PairingChoice(pairing, title, name) for pairing, title, name in session.exec(query)]


@dataclass
class HoursInput:
    pairing_id: int
    worked_on: date
    minutes: int
    note: str = ""


def _checked(
    session: Session, volunteer_id: int, data: HoursInput, today: date, replacing: int | None = None
) -> None:
    choices = {c.pairing.id: c.pairing for c in loggable_pairings(session=session, volunteer_id=volunteer_id)}
    pairing = choices.get(data.pairing_id)
    if pairing is None:
        raise HoursRefused(Rule.NOT_LOGGABLE)
    if data.worked_on > today:
        raise HoursRefused(Rule.IN_FUTURE)
    # The pairing began when the volunteer said yes (older rows without the answer's time: the offer).
    if data.worked_on < (pairing.answered_at or pairing.created_at).astimezone(CITY_TIME_ZONE).date():
        raise HoursRefused(Rule.BEFORE_PAIRING)
    if pairing.ended_at is not None and data.worked_on > pairing.ended_at.astimezone(CITY_TIME_ZONE).date():
        raise HoursRefused(Rule.AFTER_END)
    if not 0 < data.minutes <= MAX_MINUTES_PER_DAY:
        raise HoursRefused(Rule.DURATION)
    same_day = select(func.coalesce(func.sum(HoursEntry.minutes), 0)).where(
        HoursEntry.volunteer_id == volunteer_id,
        HoursEntry.worked_on == data.worked_on,
        HoursEntry.status != HoursStatus.REJECTED,
        HoursEntry.id != (replacing or 0),
    )
    if session.exec(same_day).one() + data.minutes > MAX_MINUTES_PER_DAY:
        raise HoursRefused(Rule.DAY_LIMIT)


def log_hours(*, session: Session, volunteer_id: int, data: HoursInput, today: date) -> HoursEntry:
    """Saves a waiting entry; raises HoursRefused (nothing saved) if a rule is broken."""
    _checked(session, volunteer_id, data, today)
    entry = HoursEntry(
        volunteer_id=volunteer_id,
        pairing_id=data.pairing_id,
        worked_on=data.worked_on,
        minutes=data.minutes,
        note=data.note.strip(),
    )
    session.add(entry)
    session.commit()
    return entry


def own_waiting_entry(*, session: Session, volunteer_id: int, entry_id: int) -> HoursEntry:
    """The volunteer's entry while it waits; OutOfScope otherwise (reviewed entries stay as they are).

    Locked until the commit (PostgreSQL), as the review locks it: a correction or withdrawal that read
    the entry just before a confirmation would otherwise change or delete confirmed hours.
    """
    query = (
        select(HoursEntry)
        .where(HoursEntry.id == entry_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    entry = session.exec(query).first()
    if entry is None or entry.volunteer_id != volunteer_id or entry.status != HoursStatus.LOGGED:
        raise OutOfScope(entry_id)
    return entry


def correct_hours(*, session: Session, entry: HoursEntry, data: HoursInput, today: date) -> HoursEntry:
    _checked(session, entry.volunteer_id, data, today, replacing=entry.id)
    entry.pairing_id = data.pairing_id
    entry.worked_on = data.worked_on
    entry.minutes = data.minutes
    entry.note = data.note.strip()
    entry.logged_at = utcnow()
    session.add(entry)
    session.commit()
    return entry


def withdraw_hours(*, session: Session, entry: HoursEntry) -> None:
    session.delete(entry)
    session.commit()


@dataclass
class EntryRow:
    entry: HoursEntry
    need_title: str
    organisation: str
    volunteer: Volunteer | None = None  # on the review page only


def volunteer_entries(*, session: Session, volunteer_id: int) -> list[EntryRow]:
    """All of the volunteer's entries, the newest day first."""
    query = (
        select(HoursEntry, Need.title, Organisation.name)
        .join(Pairing, col(Pairing.id) == col(HoursEntry.pairing_id))
        .join(Need, col(Need.id) == col(Pairing.need_id))
        .join(Organisation, col(Organisation.id) == col(Need.organisation_id))
        .where(HoursEntry.volunteer_id == volunteer_id)
        .order_by(col(HoursEntry.worked_on).desc(), col(HoursEntry.id).desc())
    )
    return [EntryRow(entry, title, name) for entry, title, name in session.exec(query)]


def eligibility(*, session: Session, volunteer: Volunteer, today: date) -> Eligibility:
    confirmed = session.exec(
        select(col(HoursEntry.worked_on), col(HoursEntry.minutes)).where(
            HoursEntry.volunteer_id == volunteer.id, HoursEntry.status == HoursStatus.CONFIRMED
        )
    )
    return ehrenamtskarte_eligibility(birth_date=volunteer.birth_date, confirmed=list(confirmed), today=today)


@dataclass(frozen=True)
class ReviewScope:
    """Whose entries a reviewer decides on: a partner's organisation, or a coordinator's districts.

    Both None: everything (the central office and admins).
    """

    organisation_id: int | None = None
    district_ids: Sequence[int] | None = None


def _in_scope(scope: ReviewScope) -> list[ColumnElement[bool]]:
    """Conditions on Need (joined) that keep a query inside the scope."""
    conditions = []
    if scope.organisation_id is not None:
        conditions.append(col(Need.organisation_id) == scope.organisation_id)
    if scope.district_ids is not None:
        conditions.append(col(Need.district_id).in_(scope.district_ids))
    return conditions


def waiting_entries(*, session: Session, scope: ReviewScope) -> list[EntryRow]:
    """Entries waiting for a decision in the scope, the oldest day first."""
    query = (
        select(HoursEntry, Need.title, Organisation.name, Volunteer)
        .join(Pairing, col(Pairing.id) == col(HoursEntry.pairing_id))
        .join(Need, col(Need.id) == col(Pairing.need_id))
        .join(Organisation, col(Organisation.id) == col(Need.organisation_id))
        .join(Volunteer, col(Volunteer.id) == col(HoursEntry.volunteer_id))
        .where(HoursEntry.status == HoursStatus.LOGGED)
        .where(*_in_scope(scope))
        .order_by(col(HoursEntry.worked_on), col(HoursEntry.id))
    )
    rows = session.exec(query)
    return [EntryRow(entry, title, name, volunteer) for entry, title, name, volunteer in rows]


def review_hours(
    *,
    session: Session,
    entry_ids: Sequence[int],
    confirm: bool,
    reason: str,
    reviewer_id: int,
    scope: ReviewScope,
) -> list[HoursEntry]:
    """Confirms or rejects the waiting entries among these, each with its audit entry, in one commit.

    Raises OutOfScope (nothing changed) if any id belongs to an entry outside the scope; entries decided
    by someone else or withdrawn by the volunteer in the meantime are left out and not returned.
    """
    reason = reason.strip()
    if not confirm and not reason:
        raise ValueError("rejecting needs a reason")
    query = (
        select(HoursEntry, Pairing)
        .join(Pairing, col(Pairing.id) == col(HoursEntry.pairing_id))
        .join(Need, col(Need.id) == col(Pairing.need_id))
        .where(col(HoursEntry.id).in_(entry_ids), *_in_scope(scope))
        # Locked until the commit (PostgreSQL), so a partner and a coordinator clicking at once do not
        # both decide (and log) the same entry.
        .with_for_update(of=HoursEntry)
        .execution_options(populate_existing=True)
    )
    found = list(session.exec(query))
    missing = set(entry_ids) - {entry.id for entry, _pairing in found}
    # Gone is fine (withdrawn, or never there); existing but not found means outside the scope.
    if missing and session.exec(select(HoursEntry.id).where(col(HoursEntry.id).in_(missing))).first():
        raise OutOfScope(entry_ids)
    now = utcnow()
    decided = []
    for entry, pairing in found:
        if entry.status != HoursStatus.LOGGED:
            continue
        entry.status = HoursStatus.CONFIRMED if confirm else HoursStatus.REJECTED
        entry.reviewed_by_id = reviewer_id
        entry.reviewed_at = now
        entry.review_reason = "" if confirm else reason
        session.add(entry)
        record_decision(
            session=session,
            action=DecisionAction.CONFIRM_HOURS if confirm else DecisionAction.REJECT_HOURS,
            volunteer_id=entry.volunteer_id,
            actor_id=reviewer_id,
            need_id=pairing.need_id,
            pairing_id=pairing.id,
            reason="" if confirm else reason,
        )
        decided.append(entry)
    session.commit()
    return decided


def confirmed_minutes_by_pairing(*, session: Session, pairing_ids: Sequence[int]) -> dict[int, int]:
    """Confirmed minutes of each of these pairings (absent: none), for the partner's need page."""
    query = (
        select(HoursEntry.pairing_id, func.sum(HoursEntry.minutes))
        .where(col(HoursEntry.pairing_id).in_(pairing_ids), HoursEntry.status == HoursStatus.CONFIRMED)
        .group_by(col(HoursEntry.pairing_id))
    )
    return {pairing_id: int(minutes) for pairing_id, minutes in session.exec(query)}
