"""A volunteer's own profile: what it shows, editing it, pausing it, and who may reach it."""

from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.outbox.models import OutboxMessage
from app.outbox.services import MATCH_VOLUNTEER
from app.pairings.models import Pairing, PairingStatus
from app.volunteers.models import Volunteer, VolunteerLanguage, VolunteerSkill, VolunteerSlot
from tests.conftest import log_in
from tests.factories import (
    district,
    make_need,
    make_organisation,
    make_partner,
    make_user,
    make_volunteer,
    skill,
)
from tests.support.pages import assert_error_summary_links_resolve

PROFILE, EDIT, PAUSE = "/ehrenamt/profil", "/ehrenamt/profil/bearbeiten", "/ehrenamt/profil/pause"
EN = {"Accept-Language": "en"}


@pytest.fixture
def volunteer(session: Session) -> Volunteer:
    return make_volunteer(
        session,
        # English pages: visible text is checked against English msgids, which stay English.
        user=make_user(session, Role.VOLUNTEER, locale="en"),
        languages={"tr": "native", "de": "B2"},
        skills=("homework_help", "sports"),
        slots=((1, 720, 1020), (3, 720, 1020)),
        travel_radius_km=5,
        certificate_inspected_on=date(2026, 2, 1),
    )


@pytest.fixture
def volunteer_client(client: FlaskClient, session: Session, volunteer: Volunteer) -> FlaskClient:
    log_in(client, session.get(User, volunteer.user_id))  # type: ignore[arg-type]
    return client


def edit_form(session: Session, **overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "first_name": "Ayşe",
        "last_name": "Demir",
        "district_id": district(session, "kernstadt").id,
        "travel_radius_km": "20",
        "languages-0-language": "ar",
        "languages-0-level": "C1",
        "skill_ids": [skill(session, "cooking").id],
        "availability": ["6-evening"],
        "max_active_pairings": "3",
        "about": "Kochen mit Familien",
    }
    form.update(overrides)
    return {key: value for key, value in form.items() if value is not None}


def stored(session: Session, volunteer_id: int | None) -> tuple[Any, ...]:
    """The whole stored profile, to compare before and after."""
    session.expire_all()
    row = session.get(Volunteer, volunteer_id)
    assert row is not None
    languages = session.exec(select(VolunteerLanguage).where(VolunteerLanguage.volunteer_id == volunteer_id))
    skills = session.exec(select(VolunteerSkill.skill_id).where(VolunteerSkill.volunteer_id == volunteer_id))
    slots = session.exec(select(VolunteerSlot).where(VolunteerSlot.volunteer_id == volunteer_id))
    return (
        row.model_dump(),
        sorted((lang.language_code, lang.level) for lang in languages),
        sorted(skills),
        sorted((s.weekday, s.start_minute, s.end_minute) for s in slots),
    )


def matching_requests(session: Session, volunteer_id: int | None) -> int:
    session.expire_all()
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.task_name == MATCH_VOLUNTEER)).all()
    return sum(1 for row in rows if row.payload.get("volunteer_id") == volunteer_id)


def test_profile_shows_the_stored_data_and_offers(
    volunteer_client: FlaskClient, session: Session, volunteer: Volunteer
) -> None:
    organisation = make_organisation(session, name="Grundschule Neugablonz")
    need = make_need(session, organisation=organisation, title="Hausaufgabenhilfe Klasse 3")
    offered = Pairing(volunteer_id=volunteer.id or 0, need_id=need.id or 0)
    session.add(offered)
    session.commit()

    page = volunteer_client.get(PROFILE, headers=EN)

    assert page.status_code == 200
    text = page.text
    for expected in ("Homework help", "Sports", "Turkish", "Mother tongue", "Haken", "up to 5 km"):
        assert expected in text
    assert "Hausaufgabenhilfe Klasse 3" in text and "Grundschule Neugablonz" in text
    assert f"/{offered.response_token}" in text
    assert 'id="paused-note"' not in text
    for link in ("/ehrenamt/profil/bearbeiten", "/meine-daten/export", "/meine-daten/loeschen"):
        assert link in text


def test_only_offered_pairings_link_to_the_answer_page(
    volunteer_client: FlaskClient, session: Session, volunteer: Volunteer
) -> None:
    pairing = Pairing(volunteer_id=volunteer.id or 0, need_id=make_need(session).id or 0)
    pairing.status = PairingStatus.ACTIVE
    session.add(pairing)
    session.commit()

    text = volunteer_client.get(PROFILE).text

    assert pairing.response_token not in text


def test_edit_form_is_prefilled(volunteer_client: FlaskClient) -> None:
    page = volunteer_client.get(EDIT)

    assert page.status_code == 200
    assert 'value="Ayşe"' in page.text
    assert 'name="email"' not in page.text and 'name="password"' not in page.text
    assert 'name="consent"' not in page.text
    assert 'value="1-afternoon" id="availability-1-afternoon" checked' in page.text
    assert 'id="has_certificate" name="has_certificate" type="checkbox" value="y"' in page.text
    assert 'value="2026-02-01"' in page.text


def test_edit_replaces_languages_skills_and_slots_and_requests_matching(
    volunteer_client: FlaskClient, session: Session, volunteer: Volunteer
) -> None:
    before = stored(session, volunteer.id)

    response = volunteer_client.post(EDIT, data=edit_form(session))

    assert response.status_code == 302 and response.headers["Location"] == PROFILE
    row, languages, skills, slots = stored(session, volunteer.id)
    assert languages == [("ar", "C1")]
    assert skills == [skill(session, "cooking").id]
    assert slots == [(6, 17 * 60, 21 * 60)]
    assert (row["last_name"], row["travel_radius_km"], row["max_active_pairings"]) == ("Demir", 20, 3)
    assert row["district_id"] == district(session, "kernstadt").id
    assert row["certificate_inspected_on"] is None  # the box was not ticked
    assert row["updated_at"] > before[0]["updated_at"]
    assert matching_requests(session, volunteer.id) == 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"languages-0-language": ""},
        {"birth_date": "2099-01-01"},
        {"has_certificate": "y", "certificate_date": ""},
        {"has_certificate": "y", "certificate_date": "0001-01-01"},
        {"birth_date": "1066-10-14"},
        {"postcode": "123"},
        {"max_active_pairings": "0"},
    ],
)
def test_a_failed_edit_changes_nothing(
    volunteer_client: FlaskClient, session: Session, volunteer: Volunteer, overrides: dict[str, Any]
) -> None:
    before = stored(session, volunteer.id)

    response = volunteer_client.post(EDIT, data=edit_form(session, **overrides))

    assert response.status_code == 400
    assert_error_summary_links_resolve(response.text)
    assert 'value="Demir"' in response.text  # the typed input is kept
    assert stored(session, volunteer.id) == before
    assert matching_requests(session, volunteer.id) == 0


def test_pause_toggles_and_requests_matching_each_time(
    volunteer_client: FlaskClient, session: Session, volunteer: Volunteer
) -> None:
    assert volunteer_client.post(PAUSE).status_code == 302
    session.expire_all()
    assert session.get(Volunteer, volunteer.id).paused  # type: ignore[union-attr]
    assert 'id="paused-note"' in volunteer_client.get(PROFILE).text

    volunteer_client.post(PAUSE)

    session.expire_all()
    assert not session.get(Volunteer, volunteer.id).paused  # type: ignore[union-attr]
    assert 'id="paused-note"' not in volunteer_client.get(PROFILE).text
    assert matching_requests(session, volunteer.id) == 2


def test_pause_is_post_only(volunteer_client: FlaskClient) -> None:
    assert volunteer_client.get(PAUSE).status_code == 405


@pytest.mark.parametrize(
    ("method", "path"), [("get", PROFILE), ("get", EDIT), ("post", EDIT), ("post", PAUSE)]
)
def test_partners_get_403(client: FlaskClient, session: Session, method: str, path: str) -> None:
    log_in(client, make_partner(session))

    assert getattr(client, method)(path).status_code == 403


@pytest.mark.parametrize("path", [PROFILE, EDIT])
def test_anonymous_visitors_are_sent_to_the_login(client: FlaskClient, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 302 and "/konto/anmelden" in response.headers["Location"]


def test_a_volunteer_account_without_profile_gets_404(client: FlaskClient, session: Session) -> None:
    log_in(client, make_user(session, Role.VOLUNTEER))

    assert client.get(PROFILE).status_code == 404
