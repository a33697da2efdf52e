"""Check-ins: 4 and 12 weeks after an active pairing started, both sides are asked how it goes.

The daily task (workers/housekeeping.py) creates the rows due on `today` and mails their links; a row
whose mail failed keeps sent_at None and is mailed again on the next run. A pairing that started more
than 12 weeks ago (say, entered late) is asked only the 12-week question: a 4-week question would be stale.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.base import utcnow
from app.needs.models import Need
from app.offices.models import District, Office
from app.pairings.models import CHECK_IN_WEEKS, CheckIn, CheckInParty, CheckInRating, Pairing, PairingStatus

COMMENT_MAX = 2000


class AlreadyAnswered(Exception):
    """A check-in is answered once; the first answer stays."""


def due_week(started_on: date, today: date) -> int | None:
    """The latest check-in week reached on `today` (None: not yet four weeks)."""
    reached = [week for week in CHECK_IN_WEEKS if started_on + timedelta(weeks=week) <= today]
    return reached[-1] if reached else None


def prepare_check_ins(*, session: Session, today: date) -> list[CheckIn]:
    """Creates the check-ins due on `today` for both sides of every active pairing (each once), commits,
    and returns those of the due week not yet mailed."""
    earliest_start = today - timedelta(weeks=CHECK_IN_WEEKS[0])
    pairings = session.exec(
        select(Pairing)
        .where(Pairing.status == PairingStatus.ACTIVE, col(Pairing.started_on) <= earliest_start)
        .order_by(col(Pairing.id))
    ).all()
    ids = [pairing.id for pairing in pairings]
    existing = {
        (check_in.pairing_id, check_in.week, check_in.party): check_in
        for check_in in session.exec(select(CheckIn).where(col(CheckIn.pairing_id).in_(ids)))
    }
    unsent = []
    for pairing in pairings:
        assert pairing.started_on is not None and pairing.id is not None
        week = due_week(pairing.started_on, today)
        if week is None:
            continue
        for party in CheckInParty:
            check_in = existing.get((pairing.id, week, party))
            if check_in is None:
                check_in = CheckIn(pairing_id=pairing.id, week=week, party=party)
                session.add(check_in)
            if check_in.sent_at is None:
                unsent.append(check_in)
    session.commit()
    return unsent


def mark_sent(*, session: Session, check_ins: Iterable[CheckIn]) -> None:
    now = utcnow()
    for check_in in check_ins:
        check_in.sent_at = now
        session.add(check_in)
    session.commit()


def check_in_by_token(*, session: Session, token: str) -> CheckIn | None:
    return session.exec(select(CheckIn).where(CheckIn.token == token)).first()


def answer(*, session: Session, check_in: CheckIn, rating: CheckInRating, comment: str) -> CheckIn:
    """Records the answer, commits; raises AlreadyAnswered for a second one."""
    # Locked until the commit (PostgreSQL): of two answers at the same moment the second sees the first.
    session.refresh(check_in, with_for_update=True)
    if check_in.answered_at is not None:
        raise AlreadyAnswered(check_in.id)
    check_in.rating = rating
    check_in.comment = comment.strip()[:COMMENT_MAX]
    check_in.answered_at = utcnow()
    session.add(check_in)
    session.commit()
    return check_in


def check_ins_of(*, session: Session, pairing_id: int) -> list[CheckIn]:
    return list(
        session.exec(
            select(CheckIn)
            .where(CheckIn.pairing_id == pairing_id)
            .order_by(col(CheckIn.week), col(CheckIn.party))
        )
    )


def needing_attention(*, session: Session, pairing_ids: Sequence[int]) -> set[int]:
    """Pairings among these with a "not working" answer: a coordinator should step in."""
    query = select(CheckIn.pairing_id).where(
        col(CheckIn.pairing_id).in_(pairing_ids), CheckIn.rating == CheckInRating.POOR
    )
    return set(session.exec(query))


@dataclass
class Coordinator:
    email: str
    locale: str


def coordinators_for(*, session: Session, need: Need) -> list[Coordinator]:
    """Active coordinators of the office in charge of the need's district; the Integrationsbüro's when that
    office has nobody (or the district no office), so that a call for help always reaches someone."""
    district = session.get(District, need.district_id)
    offices = [district.office_id] if district is not None and district.office_id is not None else []
    central = session.exec(select(Office.id).where(col(Office.is_central))).all()
    for office_ids in (offices, list(central)):
        users = session.exec(
            select(User)
            .where(
                User.role == Role.COORDINATOR,
                col(User.is_active),
                col(User.office_id).in_(office_ids),
            )
            .order_by(col(User.id))
        ).all()
        if users:
            return [Coordinator(user.email, user.locale) for user in users]
    return []
