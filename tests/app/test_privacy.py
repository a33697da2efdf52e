"""A person's own data: the JSON download and erasing the account."""

import json

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, func, select

from app.accounts.models import Role, User
from app.pairings.models import Pairing
from app.privacy.consent import CONSENT_VERSION
from app.privacy.models import ConsentRecord
from app.proposals.models import Proposal
from app.volunteers.models import Volunteer, VolunteerLanguage, VolunteerSkill, VolunteerSlot
from tests.conftest import log_in
from tests.factories import (
    PASSWORD,
    make_coordinator,
    make_need,
    make_organisation,
    make_partner,
    make_user,
    make_volunteer,
)

EXPORT, ERASE = "/meine-daten/export", "/meine-daten/loeschen"


@pytest.fixture
def volunteer(session: Session) -> Volunteer:
    # With the consent record of sign-up (the factory's default).
    return make_volunteer(session, languages={"ru": "native"}, skills=("music",), phone="0151 000")


@pytest.fixture
def volunteer_client(client: FlaskClient, session: Session, volunteer: Volunteer) -> FlaskClient:
    log_in(client, session.get(User, volunteer.user_id))  # type: ignore[arg-type]
    return client


def count(session: Session, model: type) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def test_export_is_a_json_download_of_everything_about_the_volunteer(
    volunteer_client: FlaskClient, session: Session, volunteer: Volunteer
) -> None:
    coordinator = make_coordinator(session, display_name="Frau Koordinatorin")
    partner_staff = make_partner(session, email="lehrerin@schule.example")
    need = make_need(session, organisation=make_organisation(session, name="Musikschule"), title="Chor")
    session.add(
        Proposal(
            volunteer_id=volunteer.id or 0, need_id=need.id or 0, score=0.8, decided_by_id=coordinator.id
        )
    )
    session.add(Pairing(volunteer_id=volunteer.id or 0, need_id=need.id or 0))
    session.commit()

    response = volunteer_client.get(EXPORT)

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(response.data)
    assert data["account"]["email"] == session.get(User, volunteer.user_id).email  # type: ignore[union-attr]
    assert [c["text_version"] for c in data["consents"]] == [CONSENT_VERSION]
    assert data["volunteer"]["phone"] == "0151 000"
    assert data["volunteer"]["languages"][0]["language_code"] == "ru"
    assert data["volunteer"]["skills"] == ["music"]
    assert len(data["volunteer"]["availability"]) == 2
    assert [(p["need_title"], p["organisation"]) for p in data["proposals"]] == [("Chor", "Musikschule")]
    assert [(p["need_title"], p["status"]) for p in data["pairings"]] == [("Chor", "offered")]
    raw = response.text
    for secret in ("password_hash", "session_token", "response_token", "$argon2"):
        assert secret not in raw
    # Nobody else's personal data: not the coordinator, not the partner's staff.
    for other in ("Frau Koordinatorin", coordinator.email, partner_staff.email, "decided_by"):
        assert other not in raw


def test_export_works_for_other_roles_too(client: FlaskClient, session: Session) -> None:
    partner = make_partner(session)
    log_in(client, partner)

    data = json.loads(client.get(EXPORT).data)

    assert data["account"]["email"] == partner.email and "volunteer" not in data


def test_export_needs_a_login(client: FlaskClient) -> None:
    assert client.get(EXPORT).status_code == 302


def test_erase_asks_for_the_password_first(volunteer_client: FlaskClient) -> None:
    page = volunteer_client.get(ERASE)

    assert page.status_code == 200 and 'name="password"' in page.text


@pytest.mark.parametrize("password", ["falsches Passwort", ""])
def test_erase_with_a_wrong_password_keeps_everything(
    volunteer_client: FlaskClient, session: Session, password: str
) -> None:
    tables = (User, Volunteer, VolunteerLanguage, VolunteerSkill, VolunteerSlot, ConsentRecord)
    before = {model: count(session, model) for model in tables}

    response = volunteer_client.post(ERASE, data={"password": password})

    assert response.status_code == 400
    assert 'id="password-error"' in response.text
    assert {model: count(session, model) for model in tables} == before


def test_erase_with_the_password_removes_the_person_and_logs_out(
    volunteer_client: FlaskClient, session: Session, volunteer: Volunteer
) -> None:
    other = make_volunteer(session)
    need = make_need(session)
    session.add(Proposal(volunteer_id=volunteer.id or 0, need_id=need.id or 0, score=0.5))
    session.add(Pairing(volunteer_id=volunteer.id or 0, need_id=need.id or 0))
    session.commit()
    user_id, volunteer_id, other_id = volunteer.user_id, volunteer.id, other.id

    response = volunteer_client.post(ERASE, data={"password": PASSWORD})

    assert response.status_code == 302 and response.headers["Location"] == "/"
    session.expunge_all()
    assert session.get(User, user_id) is None
    assert session.get(Volunteer, volunteer_id) is None
    for model in (VolunteerLanguage, VolunteerSkill, VolunteerSlot):
        rows = session.exec(select(model).where(model.volunteer_id == volunteer_id)).all()  # type: ignore[attr-defined]
        assert rows == []
    assert session.exec(select(ConsentRecord).where(ConsentRecord.user_id == user_id)).all() == []
    assert count(session, Proposal) == 0 and count(session, Pairing) == 0
    # Everyone else stays.
    assert session.get(Volunteer, other_id) is not None
    assert volunteer_client.get("/ehrenamt/profil").status_code == 302  # logged out


def test_staff_can_erase_their_account_too(client: FlaskClient, session: Session) -> None:
    coordinator = make_user(session, Role.COORDINATOR)
    log_in(client, coordinator)

    coordinator_id = coordinator.id

    assert client.post(ERASE, data={"password": PASSWORD}).status_code == 302

    session.expunge_all()
    assert session.get(User, coordinator_id) is None
