"""The daily retention task, run on chosen days (its `now`): 24 months inactive → warning mail → deleted
30 days later, unless the volunteer logs in; busy volunteers and staff are left alone."""

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.accounts.services import authenticate
from app.pairings.models import PairingStatus
from app.volunteers.models import Volunteer
from tests.factories import PASSWORD, make_coordinator, make_pairing, make_user, make_volunteer
from tests.support.mail import Mailbox
from workers import housekeeping

DAY_ONE = datetime(2029, 3, 1, 4, 15, tzinfo=UTC)


def volunteer_last_seen(
    session: Session, email: str, months_ago: int, *, logged_in: bool = True, today: datetime = DAY_ONE
) -> User:
    user = make_user(session, Role.VOLUNTEER, email=email)
    make_volunteer(session, user=user)
    seen = today - timedelta(days=months_ago * 30.5)
    user.created_at = seen if not logged_in else seen - timedelta(days=10)
    user.last_login_at = seen if logged_in else None
    session.add(user)
    session.commit()
    return user


def run(day: datetime) -> dict[str, int]:
    result: dict[str, int] = housekeeping.retention(now=day.isoformat())
    return result


def exists(session: Session, email: str) -> bool:
    session.expire_all()
    return session.exec(select(User).where(User.email == email)).first() is not None


def test_warned_then_deleted_after_thirty_days(session: Session, mailbox: Mailbox) -> None:
    gone = volunteer_last_seen(session, "weg@example.org", months_ago=25)
    never = volunteer_last_seen(session, "nie-angemeldet@example.org", months_ago=25, logged_in=False)
    volunteer_last_seen(session, "aktiv@example.org", months_ago=3)
    busy = volunteer_last_seen(session, "im-einsatz@example.org", months_ago=30)
    make_pairing(
        session,
        volunteer=session.exec(select(Volunteer).where(Volunteer.user_id == busy.id)).one(),
        status=PairingStatus.ACTIVE,
    )
    staff = make_coordinator(session, email="koordination@example.org")
    staff.last_login_at = DAY_ONE - timedelta(days=1000)
    session.add(staff)
    session.commit()

    assert run(DAY_ONE) == {"warned": 2, "erased": 0, "unsent": 0}
    assert sorted(message["To"] for message in mailbox.messages) == sorted([gone.email, never.email])
    body = mailbox.body(gone.email)
    assert "31. März 2029" in body and "/konto/anmelden" in body

    mailbox.clear()
    assert run(DAY_ONE + timedelta(days=29)) == {"warned": 0, "erased": 0, "unsent": 0}
    assert mailbox.messages == []
    assert run(DAY_ONE + timedelta(days=30)) == {"warned": 0, "erased": 2, "unsent": 0}

    emails = {"gone": gone.email, "never": never.email}  # read before the rows vanish from the session
    assert not exists(session, emails["gone"]) and not exists(session, emails["never"])
    assert exists(session, "aktiv@example.org") and exists(session, "im-einsatz@example.org")
    assert exists(session, "koordination@example.org")
    assert len(session.exec(select(Volunteer)).all()) == 2


def test_logging_in_after_the_warning_keeps_the_account(session: Session, mailbox: Mailbox) -> None:
    # A login sets the real time, so this test's days are counted from today.
    today = datetime.now(UTC)
    user = volunteer_last_seen(session, "bleibt@example.org", months_ago=26, today=today)
    assert run(today)["warned"] == 1

    # The volunteer follows the mail and logs in.
    session.expire_all()  # as a request's fresh session would, see the task's warning
    assert authenticate(session=session, email=user.email, password=PASSWORD) is not None
    session.refresh(user)
    assert user.retention_warned_at is None

    assert run(today + timedelta(days=31)) == {"warned": 0, "erased": 0, "unsent": 0}
    assert exists(session, user.email)
