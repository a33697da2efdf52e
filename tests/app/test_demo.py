"""The Kaufbeuren demo data: what `flask seed-demo` (and so bin/run) puts into a fresh database."""

from datetime import date

from flask import Flask
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.accounts.services import authenticate
from app.demo import parse_slot, seed_demo
from app.needs.models import Need, NeedSlot, Schedule
from app.offices.models import Office
from app.outbox.models import OutboxMessage
from app.outbox.services import MATCH_ALL
from app.partners.models import Organisation
from app.privacy.consent import CONSENT_VERSION
from app.privacy.models import ConsentRecord
from app.proposals.models import Proposal
from app.volunteers.models import Volunteer


def count(session: Session, model: type, *where: object) -> int:
    query = select(func.count()).select_from(model)
    for condition in where:
        query = query.where(condition)  # type: ignore[arg-type]
    return session.exec(query).one()


def totals(session: Session) -> dict[str, int]:
    return {
        model.__name__: count(session, model)
        for model in (User, Office, Organisation, Need, NeedSlot, Volunteer, ConsentRecord, OutboxMessage)
    }


def test_seeding_creates_kaufbeuren_with_one_login_per_role(session: Session) -> None:
    logins = seed_demo(session=session)

    assert count(session, Office) == 3
    assert count(session, Organisation) == 10
    assert 18 <= count(session, Need) <= 25
    assert 35 <= count(session, Volunteer) <= 45
    coordinators = session.exec(select(User).where(User.role == Role.COORDINATOR)).all()
    assert len(coordinators) == 3 and all(c.office_id is not None for c in coordinators)
    partners = session.exec(select(User).where(User.role == Role.PARTNER)).all()
    assert len({p.organisation_id for p in partners}) == 10
    assert count(session, ConsentRecord, col(ConsentRecord.text_version) == CONSENT_VERSION) == count(
        session, Volunteer
    )
    # The demo is varied: paused and closed needs, a paused volunteer, certificates, an upcoming one-off date.
    statuses = set(session.exec(select(Need.status)).all())
    assert {"open", "paused", "closed"} <= statuses
    assert count(session, Volunteer, col(Volunteer.paused)) >= 1
    assert count(session, Volunteer, col(Volunteer.certificate_inspected_on).is_not(None)) >= 5
    one_off = session.exec(select(Need).where(Need.schedule == Schedule.ONE_OFF)).all()
    assert one_off and all(n.one_off_date and n.one_off_date > date.today() for n in one_off)

    expected_roles = {"admin": Role.ADMIN, "coordinator": Role.COORDINATOR, "partner": Role.PARTNER}
    expected_roles |= {"coordinator (Haken)": Role.COORDINATOR, "volunteer": Role.VOLUNTEER}
    assert set(logins) == set(expected_roles)
    for label, (email, password) in logins.items():
        user = authenticate(session=session, email=email, password=password)
        assert user is not None and user.role == expected_roles[label], label
        assert user.email_confirmed_at is not None


def test_seeding_twice_adds_nothing(session: Session) -> None:
    first_logins = seed_demo(session=session)
    before = totals(session)

    assert seed_demo(session=session) == first_logins
    assert totals(session) == before


def test_seeding_asks_the_matcher_for_proposals(session: Session) -> None:
    seed_demo(session=session)

    message = session.exec(select(OutboxMessage).where(OutboxMessage.task_name == MATCH_ALL)).one()
    assert message.sent_at is not None  # in-process tasks ran right after the commit
    assert count(session, Proposal) > 0


def test_demo_slots_read_like_a_timetable() -> None:
    assert parse_slot("Di 15:00-17:00") == (1, 900, 1020)
    assert parse_slot("So 09:30-11:00") == (6, 570, 660)


def test_seed_demo_command_prints_one_login_per_role(app: Flask, session: Session) -> None:
    result = app.test_cli_runner().invoke(args=["seed-demo"])

    assert result.exit_code == 0, result.output
    for email, password in seed_demo(session=session).values():
        assert email in result.output and password in result.output


def test_create_admin_command_makes_an_account_that_can_log_in(app: Flask, session: Session) -> None:
    runner = app.test_cli_runner()
    args = ["create-admin", "Chefin@Kaufbeuren.example", "--password", "a-long-password"]

    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=args)
    too_short = runner.invoke(args=["create-admin", "b@kaufbeuren.example", "--password", "short"])

    admin = authenticate(session=session, email="chefin@kaufbeuren.example", password="a-long-password")
    assert admin is not None and admin.role == Role.ADMIN
    assert again.exit_code != 0 and too_short.exit_code != 0
    assert count(session, User) == 1


def test_the_demo_has_a_year_of_history_within_the_rules(session: Session) -> None:
    from collections import Counter

    from app.audit.models import DecisionAction, DecisionEntry
    from app.hours.models import HoursEntry, HoursStatus
    from app.pairings.models import BUSY_STATUSES, CheckIn, Pairing, PairingStatus
    from app.reports.services import last_months, statistics

    seed_demo(session=session)
    today = date.today()

    pairings = session.exec(select(Pairing)).all()
    assert {p.status for p in pairings} == set(PairingStatus)
    for pairing in pairings:
        if pairing.status == PairingStatus.MEETING:
            assert pairing.first_meeting_at and pairing.first_meeting_at.date() > today
        if pairing.status in (PairingStatus.ACTIVE, PairingStatus.COMPLETED, PairingStatus.ENDED_EARLY):
            assert pairing.started_on and pairing.started_on < today
        if pairing.status == PairingStatus.ENDED_EARLY:
            assert pairing.end_reason
    answered = session.exec(select(CheckIn).where(col(CheckIn.answered_at).is_not(None))).all()
    assert answered and all(c.rating for c in answered)
    assert set(session.exec(select(HoursEntry.status)).all()) == set(HoursStatus)
    actions = Counter(session.exec(select(DecisionEntry.action)).all())
    assert actions[DecisionAction.APPROVE] >= 50 and actions[DecisionAction.REJECT] >= 10
    assert actions[DecisionAction.CONFIRM_HOURS] == count(
        session, HoursEntry, col(HoursEntry.status) == HoursStatus.CONFIRMED
    )
    # The rules: running pairings within each volunteer's maximum and each need's places.
    busy = [p for p in pairings if p.status in BUSY_STATUSES]
    for volunteer in session.exec(select(Volunteer)).all():
        mine = sum(1 for p in busy if p.volunteer_id == volunteer.id)
        assert mine <= (0 if volunteer.paused else volunteer.max_active_pairings)
    for need in session.exec(select(Need)).all():
        taken = sum(1 for p in busy if p.need_id == need.id)
        assert taken <= (need.places if need.status == "open" else 0)

    # Every past month of the statistics' default period has pairings to show, none of them "<5".
    period = last_months(today)
    figures = statistics(session=session, period=period, district_ids=None)
    by_month = figures.by["month"]["pairings"]
    past = [f"{m.year:04d}-{m.month:02d}" for m in period.months()[:-1]]
    assert all(by_month.get(month, 0) >= 5 for month in past), by_month
    assert figures.totals["volunteers"] == count(session, Volunteer)


def test_the_demo_history_is_the_same_every_time(app: Flask, session: Session) -> None:
    from app import reference
    from app.pairings.models import Pairing
    from tests.conftest import empty_all_tables

    def snapshot() -> list[tuple[int, int, str]]:
        rows = session.exec(select(Pairing).order_by(col(Pairing.id))).all()
        return [(p.volunteer_id, p.need_id, p.status) for p in rows]

    seed_demo(session=session)
    first = snapshot()
    empty_all_tables(session)
    reference.load_reference_data(session=session)
    seed_demo(session=session)

    assert snapshot() == first
