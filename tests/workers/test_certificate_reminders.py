"""The daily certificate reminder, run on chosen days: once per inspection, eight weeks before the
certificate stops counting (five years after its inspection), in the volunteer's language."""

from datetime import date

from sqlmodel import Session

from app.accounts.models import Role, User
from app.volunteers.models import Volunteer
from tests.factories import make_user, make_volunteer
from tests.support.mail import Mailbox
from workers import housekeeping

INSPECTED = date(2024, 5, 10)  # counts until 10 May 2029; reminded from 15 March 2029


def volunteer_with_certificate(session: Session, email: str, locale: str = "de") -> Volunteer:
    user = make_user(session, Role.VOLUNTEER, email=email, locale=locale)
    return make_volunteer(session, user=user, certificate_inspected_on=INSPECTED, first_name="Olena")


def run(day: date) -> dict[str, int]:
    result: dict[str, int] = housekeeping.certificate_reminders(today=day.isoformat())
    return result


def test_reminded_once_eight_weeks_before_and_again_after_a_new_inspection(
    session: Session, mailbox: Mailbox
) -> None:
    volunteer = volunteer_with_certificate(session, "olena@example.org")
    make_volunteer(session)  # without a certificate: never reminded

    assert run(date(2029, 3, 14)) == {"due": 0, "sent": 0}
    assert run(date(2029, 3, 15)) == {"due": 1, "sent": 1}
    body = mailbox.body("olena@example.org")
    assert "10. Mai 2029" in body and "/ehrenamt/profil" in body and "Olena" in body
    assert run(date(2029, 3, 16)) == {"due": 0, "sent": 0}
    assert run(date(2029, 6, 1)) == {"due": 0, "sent": 0}  # expired, but already reminded

    volunteer.certificate_inspected_on = date(2029, 4, 2)  # the new one, inspected by the office
    session.add(volunteer)
    session.commit()
    assert run(date(2029, 6, 1)) == {"due": 0, "sent": 0}
    assert run(date(2034, 2, 5)) == {"due": 1, "sent": 1}


def test_in_the_volunteers_language_and_not_for_deactivated_accounts(
    session: Session, mailbox: Mailbox
) -> None:
    volunteer_with_certificate(session, "anna@example.org", locale="en")
    gone = volunteer_with_certificate(session, "weg@example.org")
    user = session.get(User, gone.user_id)
    assert user is not None
    user.is_active = False
    session.add(user)
    session.commit()

    assert run(date(2029, 4, 1)) == {"due": 1, "sent": 1}
    assert "May 10, 2029" in mailbox.body("anna@example.org")
    assert [message["To"] for message in mailbox.messages] == ["anna@example.org"]
