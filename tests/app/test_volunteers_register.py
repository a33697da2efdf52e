"""Volunteer sign-up: what one registration writes, and every input it refuses."""

from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlmodel import Session, func, select

from app.accounts.models import Role, User
from app.outbox.models import OutboxMessage
from app.outbox.services import MATCH_VOLUNTEER
from app.privacy.consent import CONSENT_VERSION, DATA_PROCESSING
from app.privacy.models import ConsentRecord
from app.volunteers.models import Volunteer, VolunteerLanguage, VolunteerSkill, VolunteerSlot
from tests.conftest import log_in
from tests.factories import district, make_partner, make_user, skill
from tests.support.mail import Mailbox
from tests.support.pages import assert_error_summary_links_resolve
from tests.support.services import free_port

EMAIL = "neu@example.org"
REGISTER = "/ehrenamt/registrieren"


def registration_form(session: Session, **overrides: Any) -> dict[str, Any]:
    """A complete sign-up as the browser posts it; None drops a field (an unticked checkbox)."""
    form: dict[str, Any] = {
        "email": EMAIL,
        "password": "ein langes Passwort",
        "password_repeat": "ein langes Passwort",
        "first_name": "Olena",
        "last_name": "Kovalenko",
        "phone": "08341 12345",
        "birth_date": "1985-03-02",
        "postcode": "87600",
        "district_id": district(session, "neugablonz").id,
        "travel_radius_km": "10",
        "languages-0-language": "uk",
        "languages-0-level": "native",
        "languages-1-language": "de",
        "languages-1-level": "B2",
        "skill_ids": [skill(session, "homework_help").id, skill(session, "maths_tutoring").id],
        "about": "Mathe-Nachhilfe, auch auf Ukrainisch",
        "availability": ["1-afternoon", "3-afternoon", "5-morning"],
        "max_active_pairings": "2",
        "has_certificate": "y",
        "certificate_date": "2026-01-15",
        "consent": "y",
    }
    form.update(overrides)
    return {key: value for key, value in form.items() if value is not None}


def count(session: Session, model: Any) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def test_sign_up_writes_account_profile_consent_and_one_matching_request(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    page = client.get(REGISTER, headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert b'id="consent-text"' in page.data and CONSENT_VERSION.encode() in page.data

    response = client.post(REGISTER, data=registration_form(session), headers={"Accept-Language": "en"})

    assert response.status_code == 200, response.text
    user = session.exec(select(User).where(User.email == EMAIL)).one()
    assert user.role == Role.VOLUNTEER and user.locale == "en" and user.email_confirmed_at is None
    volunteer = session.exec(select(Volunteer).where(Volunteer.user_id == user.id)).one()
    assert (volunteer.first_name, volunteer.postcode, volunteer.travel_radius_km) == ("Olena", "87600", 10)
    assert volunteer.birth_date == date(1985, 3, 2)
    assert volunteer.certificate_inspected_on == date(2026, 1, 15)
    assert volunteer.district_id == district(session, "neugablonz").id
    assert not volunteer.paused
    languages = session.exec(select(VolunteerLanguage).where(VolunteerLanguage.volunteer_id == volunteer.id))
    assert {(row.language_code, row.level) for row in languages} == {("uk", "native"), ("de", "B2")}
    skills = session.exec(select(VolunteerSkill.skill_id).where(VolunteerSkill.volunteer_id == volunteer.id))
    assert set(skills) == {skill(session, "homework_help").id, skill(session, "maths_tutoring").id}
    slots = session.exec(select(VolunteerSlot).where(VolunteerSlot.volunteer_id == volunteer.id)).all()
    assert sorted((s.weekday, s.start_minute, s.end_minute) for s in slots) == [
        (1, 720, 1020),
        (3, 720, 1020),
        (5, 480, 720),
    ]
    consent = session.exec(select(ConsentRecord).where(ConsentRecord.user_id == user.id)).one()
    assert (consent.purpose, consent.text_version) == (DATA_PROCESSING, CONSENT_VERSION)
    messages = session.exec(select(OutboxMessage)).all()
    assert [(m.task_name, m.payload["volunteer_id"]) for m in messages] == [(MATCH_VOLUNTEER, volunteer.id)]

    assert "/konto/bestaetigen/" in mailbox.link(EMAIL, "/konto/bestaetigen/")
    assert EMAIL.encode() in response.data


def test_confirmation_link_logs_the_volunteer_in_on_their_profile(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    client.post(REGISTER, data=registration_form(session))
    link = mailbox.link(EMAIL, "/konto/bestaetigen/")

    landed = client.get(link.removeprefix("http://127.0.0.1:5000"), follow_redirects=True)

    assert landed.status_code == 200
    assert landed.request.path == "/ehrenamt/profil"
    assert b"Kovalenko" in landed.data


def test_duplicate_email_is_a_field_error_and_writes_nothing(client: FlaskClient, session: Session) -> None:
    assert client.post(REGISTER, data=registration_form(session)).status_code == 200
    before = {model: count(session, model) for model in (User, Volunteer, ConsentRecord, OutboxMessage)}

    again = client.post(REGISTER, data=registration_form(session, email=EMAIL.upper(), first_name="Zweite"))

    assert again.status_code == 400
    assert b'id="email-error"' in again.data
    assert {model: count(session, model) for model in before} == before


def _future(days: int = 2) -> str:
    # Two days: the dates are computed when tests are collected, and a run may cross midnight.
    return (date.today() + timedelta(days=days)).isoformat()


def _years_ago(years: int) -> str:
    today = date.today()
    return today.replace(year=today.year - years).isoformat() if (today.month, today.day) != (2, 29) else ""


@pytest.mark.parametrize(
    ("overrides", "error_id"),
    [
        ({"consent": None}, "consent-error"),
        ({"languages-0-language": "", "languages-1-language": ""}, "languages-error"),
        ({"languages-1-language": "uk"}, "languages-error"),
        ({"languages-1-level": ""}, "languages-error"),
        ({"birth_date": _future()}, "birth_date-error"),
        ({"birth_date": _years_ago(15)}, "birth_date-error"),
        ({"birth_date": "gestern"}, "birth_date-error"),
        ({"certificate_date": ""}, "certificate_date-error"),
        ({"certificate_date": _future()}, "certificate_date-error"),
        ({"password_repeat": "ein anderes Passwort"}, "password_repeat-error"),
        ({"password": "kurz", "password_repeat": "kurz"}, "password-error"),
        ({"postcode": "8760"}, "postcode-error"),
        ({"postcode": "8760A"}, "postcode-error"),
        ({"first_name": ""}, "first_name-error"),
        ({"email": "keine-adresse"}, "email-error"),
        ({"max_active_pairings": "6"}, "max_active_pairings-error"),
        ({"travel_radius_km": "7"}, "travel_radius_km-error"),
        ({"district_id": "999999"}, "district_id-error"),
        ({"availability": ["9-morning"]}, "availability"),
    ],
)
def test_invalid_sign_up_is_refused_with_a_message_at_the_field(
    client: FlaskClient, session: Session, overrides: dict[str, Any], error_id: str
) -> None:
    response = client.post(REGISTER, data=registration_form(session, **overrides))

    assert response.status_code == 400
    assert f'id="{error_id}'.encode() in response.data
    assert_error_summary_links_resolve(response.get_data(as_text=True))
    assert count(session, User) == 0 and count(session, OutboxMessage) == 0
    # What was typed is still there.
    assert b'value="Kovalenko"' in response.data


def test_optional_fields_may_stay_empty(client: FlaskClient, session: Session) -> None:
    form = registration_form(
        session,
        phone="",
        birth_date="",
        postcode="",
        skill_ids=None,
        availability=None,
        has_certificate=None,
        certificate_date="",
        about="",
    )

    assert client.post(REGISTER, data=form).status_code == 200

    volunteer = session.exec(select(Volunteer)).one()
    assert volunteer.birth_date is None and volunteer.certificate_inspected_on is None
    assert count(session, VolunteerSlot) == 0 and count(session, VolunteerSkill) == 0


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.PARTNER])
def test_logged_in_users_are_sent_to_their_landing_page(
    app: Flask, client: FlaskClient, session: Session, role: Role
) -> None:
    user = make_partner(session) if role == Role.PARTNER else make_user(session, role)
    log_in(client, user)

    response = client.get(REGISTER)

    with app.test_request_context():
        landing = url_for("needs.mine" if role == Role.PARTNER else "volunteers.profile")
    assert response.status_code == 302 and response.headers["Location"] == landing


def test_when_the_mail_cannot_be_sent_the_page_offers_to_send_it_again(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    # Nothing listens on this port: the SMTP connection is refused.
    app.extensions["mailman"].port = free_port()

    response = client.post(REGISTER, data=registration_form(session))

    assert response.status_code == 200
    with app.test_request_context():
        assert url_for("accounts.resend_confirmation") in response.text
    assert count(session, User) == 1  # the registration is kept
