"""Status changes, who may see which need, and the public list of open needs."""

from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.accounts.models import Role
from app.needs.models import Need, NeedStatus
from app.outbox.models import OutboxMessage
from app.outbox.services import MATCH_NEED
from app.pairings.models import Pairing, PairingStatus
from tests.conftest import log_in
from tests.factories import (
    district,
    make_coordinator,
    make_need,
    make_organisation,
    make_partner,
    make_user,
    make_volunteer,
    skill,
)

EN = {"Accept-Language": "en"}


def stored_status(session: Session, need: Need) -> str:
    session.expire_all()
    found = session.get(Need, need.id)
    assert found is not None
    return found.status


def test_pause_resume_close_each_ask_for_matching(client: FlaskClient, session: Session) -> None:
    organisation = make_organisation(session)
    log_in(client, make_partner(session, organisation))
    need = make_need(session, organisation=organisation)
    for status in ("paused", "open", "paused", "closed"):
        response = client.post(f"/bedarfe/{need.id}/status", data={"status": status})
        assert response.status_code == 302
        assert stored_status(session, need) == status
    messages = session.exec(select(OutboxMessage).where(OutboxMessage.task_name == MATCH_NEED)).all()
    assert [m.payload["need_id"] for m in messages] == [need.id] * 4


def test_closed_need_cannot_be_edited_or_reopened(client: FlaskClient, session: Session) -> None:
    organisation = make_organisation(session)
    log_in(client, make_partner(session, organisation, locale="en"))
    need = make_need(session, organisation=organisation, status=NeedStatus.CLOSED)
    response = client.get(f"/bedarfe/{need.id}/bearbeiten", headers=EN)
    assert response.status_code == 409
    assert "closed" in response.get_data(as_text=True)
    assert client.post(f"/bedarfe/{need.id}/bearbeiten", data={"title": "x"}).status_code == 409
    assert client.post(f"/bedarfe/{need.id}/status", data={"status": "open"}).status_code == 409
    assert stored_status(session, need) == NeedStatus.CLOSED
    assert session.exec(select(OutboxMessage)).all() == []


def test_unknown_status_is_refused(client: FlaskClient, session: Session) -> None:
    organisation = make_organisation(session)
    log_in(client, make_partner(session, organisation))
    need = make_need(session, organisation=organisation)
    assert client.post(f"/bedarfe/{need.id}/status", data={"status": "deleted"}).status_code == 400
    assert stored_status(session, need) == NeedStatus.OPEN


def test_partner_only_sees_own_organisations_needs(client: FlaskClient, session: Session) -> None:
    ours, theirs = make_organisation(session, "Grundschule Haken"), make_organisation(session, "Sportverein")
    log_in(client, make_partner(session, ours))
    own = make_need(session, organisation=ours, title="Unser Bedarf")
    other = make_need(session, organisation=theirs, title="Fremder Bedarf")
    page = client.get("/bedarfe/unsere").get_data(as_text=True)
    assert "Unser Bedarf" in page and "Fremder Bedarf" not in page
    assert client.get(f"/bedarfe/{own.id}").status_code == 200
    assert client.get(f"/bedarfe/{other.id}").status_code == 404
    assert client.get(f"/bedarfe/{other.id}/bearbeiten").status_code == 404
    assert client.post(f"/bedarfe/{other.id}/status", data={"status": "closed"}).status_code == 404
    assert client.get("/bedarfe/999999").status_code == 404
    assert stored_status(session, other) == NeedStatus.OPEN


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.COORDINATOR])
def test_others_cannot_post_or_change_needs(client: FlaskClient, session: Session, role: Role) -> None:
    need = make_need(session)
    user = make_coordinator(session) if role == Role.COORDINATOR else make_user(session, role)
    log_in(client, user)
    assert client.get("/bedarfe/neu").status_code == 403
    assert client.get("/bedarfe/unsere").status_code == 403
    assert client.post(f"/bedarfe/{need.id}/status", data={"status": "closed"}).status_code == 403
    assert stored_status(session, need) == NeedStatus.OPEN


def test_anonymous_users_are_sent_to_login(client: FlaskClient, session: Session) -> None:
    need = make_need(session)
    for path in ("/bedarfe/unsere", "/bedarfe/neu", f"/bedarfe/{need.id}"):
        response = client.get(path)
        assert response.status_code == 302 and "/konto/anmelden" in response.headers["Location"]


def test_coordinator_of_a_stadtteilbuero_sees_needs_in_their_districts_only(
    client: FlaskClient, session: Session
) -> None:
    log_in(client, make_coordinator(session, "Stadtteilbüro Haken"))
    inside = make_need(session, district_slug="haken")
    outside = make_need(session, district_slug="neugablonz")
    assert client.get(f"/bedarfe/{inside.id}").status_code == 200
    assert client.get(f"/bedarfe/{outside.id}").status_code == 404


def test_central_coordinator_sees_every_need(client: FlaskClient, session: Session) -> None:
    log_in(client, make_coordinator(session, "Integrationsbüro"))
    need = make_need(session, district_slug="neugablonz")
    page = client.get(f"/bedarfe/{need.id}").get_data(as_text=True)
    assert 'id="edit-need"' not in page  # coordinators look, the organisation edits


def test_detail_shows_volunteers_only_after_they_accepted(client: FlaskClient, session: Session) -> None:
    organisation = make_organisation(session)
    log_in(client, make_partner(session, organisation))
    need = make_need(session, organisation=organisation)
    shown = {
        status: make_volunteer(session, first_name=f"Vorname{status}", phone="0831 12345")
        for status in PairingStatus
    }
    for status, volunteer in shown.items():
        session.add(Pairing(volunteer_id=volunteer.id, need_id=need.id, status=status))
    session.commit()
    page = client.get(f"/bedarfe/{need.id}").get_data(as_text=True)
    for status in ("introduced", "active", "completed", "ended_early"):
        assert f"Vorname{status}" in page
    assert "Vornameoffered" not in page and "Vornamedeclined" not in page
    assert "0831 12345" in page
    pairings = {p.status: p for p in session.exec(select(Pairing)).all()}
    assert f'id="start-{pairings["introduced"].id}"' in page
    assert f'id="complete-{pairings["active"].id}"' in page
    # Arranging the first meeting and ending early (with a reason) happen on the pairing's own page.
    assert f'href="/vermittlungen/{pairings["meeting"].id}"' in page


def test_public_list_shows_open_needs_only_and_works_anonymously(
    client: FlaskClient, session: Session
) -> None:
    organisation = make_organisation(session, "Familienzentrum Bienenberg", district_slug="bienenberg")
    make_need(
        session,
        organisation=organisation,
        title="Offener Bedarf",
        languages={"tr": False, "de": True},
        skills=("homework_help",),
        slots=((1, 900, 1020),),
        requires_certificate=True,
        min_age=18,
    )
    make_need(session, title="Pausierter Bedarf", status=NeedStatus.PAUSED)
    make_need(session, title="Geschlossener Bedarf", status=NeedStatus.CLOSED)
    response = client.get("/bedarfe/", headers=EN)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Offener Bedarf" in page
    assert "Pausierter Bedarf" not in page and "Geschlossener Bedarf" not in page
    for text in (
        "Familienzentrum Bienenberg",
        "Haken",
        "Tue 15:00–17:00",
        "Turkish (welcome)",
        "German (required)",
    ):
        assert text in page
    assert "Homework help" in page and "at least 18 years old" in page
    assert "/ehrenamt/registrieren" in page
    assert "schule@example.org" not in page  # no contact data of the organisation


def test_public_list_filters_by_district_and_skill(client: FlaskClient, session: Session) -> None:
    make_need(session, title="Bedarf in Haken", district_slug="haken", skills=("sports",))
    make_need(session, title="Bedarf in Neugablonz", district_slug="neugablonz", skills=("music",))
    page = client.get(f"/bedarfe/?district={district(session, 'haken').id}").get_data(as_text=True)
    assert "Bedarf in Haken" in page and "Bedarf in Neugablonz" not in page
    page = client.get(f"/bedarfe/?district=&skill={skill(session, 'music').id}").get_data(as_text=True)
    assert "Bedarf in Haken" not in page and "Bedarf in Neugablonz" in page


def test_public_list_shows_one_off_date(client: FlaskClient, session: Session) -> None:
    make_need(
        session,
        title="Sommerfest",
        schedule="one_off",
        one_off_date=date(2031, 7, 12),
        slots=((5, 840, 1080),),
    )
    page = client.get("/bedarfe/", headers=EN).get_data(as_text=True)
    assert "Jul 12, 2031, 14:00–18:00" in page


def test_mine_counts_introduced_and_active_pairings(client: FlaskClient, session: Session) -> None:
    organisation = make_organisation(session)
    log_in(client, make_partner(session, organisation))
    need = make_need(session, organisation=organisation, places=3)
    for status in (
        PairingStatus.INTRODUCED,
        PairingStatus.ACTIVE,
        PairingStatus.ACTIVE,
        PairingStatus.OFFERED,
    ):
        session.add(Pairing(volunteer_id=make_volunteer(session).id, need_id=need.id, status=status))
    session.commit()
    page = client.get("/bedarfe/unsere").get_data(as_text=True)
    row = page.split(f'id="need-row-{need.id}"')[1].split("</tr>")[0]
    for kind, expected in (("places", 3), ("introduced", 1), ("active", 2)):
        assert f'<td class="count-{kind}">{expected}</td>' in row
