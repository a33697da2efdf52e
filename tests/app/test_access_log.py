"""Every view of a volunteer's personal data by the staff is logged: pages and API, who, whose, where."""

from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.audit.models import PersonalDataView
from app.partners.models import Organisation
from app.privacy.services import erase_user
from app.volunteers.models import Volunteer
from tests.conftest import log_in
from tests.factories import (
    make_coordinator,
    make_need,
    make_pairing,
    make_partner,
    make_proposal,
    make_user,
    make_volunteer,
)
from tests.support.api import bearer


def views(session: Session) -> list[tuple[int | None, int, str]]:
    session.expire_all()
    rows = session.exec(select(PersonalDataView).order_by(PersonalDataView.id))  # type: ignore[arg-type]
    return [(row.viewer_id, row.volunteer_id, row.source) for row in rows]


def get(client: FlaskClient, path: str) -> int:
    with client.application.app_context():  # Flask-Login's user must not be cached across requests
        return client.get(path).status_code


def test_pages_log_each_volunteer_they_show(client: FlaskClient, session: Session) -> None:
    coordinator = make_coordinator(session)
    proposal = make_proposal(session)
    pairing = make_pairing(session)
    log_in(client, coordinator)

    assert get(client, "/vorschlaege/") == 200
    assert get(client, "/vermittlungen/") == 200
    assert get(client, f"/bedarfe/{pairing.need_id}") == 200

    assert views(session) == [
        (coordinator.id, proposal.volunteer_id, "proposals.queue"),
        (coordinator.id, pairing.volunteer_id, "pairings.overview"),
        (coordinator.id, pairing.volunteer_id, "needs.detail"),
    ]


def test_a_partner_seeing_contact_details_is_logged_on_the_page_and_in_the_api(
    client: FlaskClient, session: Session
) -> None:
    partner = make_partner(session)
    need = make_need(session, organisation=session.get(Organisation, partner.organisation_id))
    pairing = make_pairing(session, need=need)
    log_in(client, partner)

    assert get(client, f"/bedarfe/{need.id}") == 200
    assert client.get("/api/v1/introductions/", headers=bearer(session, partner)).status_code == 200

    assert views(session) == [
        (partner.id, pairing.volunteer_id, "needs.detail"),
        (partner.id, pairing.volunteer_id, "introductions_api.list_introductions"),
    ]


def test_the_proposals_api_logs_the_token_owner(client: FlaskClient, session: Session) -> None:
    coordinator = make_coordinator(session)
    proposal = make_proposal(session)
    headers = bearer(session, coordinator)

    client.get("/api/v1/proposals/", headers=headers)
    client.get(f"/api/v1/proposals/{proposal.id}", headers=headers)

    assert views(session) == [
        (coordinator.id, proposal.volunteer_id, "proposals_api.list_proposals"),
        (coordinator.id, proposal.volunteer_id, "proposals_api.get_proposal"),
    ]


def test_nothing_is_logged_when_nobody_is_shown_or_people_see_their_own(
    client: FlaskClient, session: Session
) -> None:
    volunteer = make_volunteer(session)
    own = client.application.test_client()
    owner = session.get(User, volunteer.user_id)
    assert owner is not None
    log_in(own, owner)
    assert get(own, "/ehrenamt/profil") == 200
    log_in(client, make_coordinator(session))
    assert get(client, "/vorschlaege/") == 200  # an empty queue
    assert views(session) == []


def test_admins_read_the_log_and_erasure_removes_the_volunteers_entries(
    client: FlaskClient, session: Session
) -> None:
    coordinator = make_coordinator(session, email="koordination@kaufbeuren.example")
    proposal = make_proposal(session)
    log_in(client, coordinator)
    get(client, "/vorschlaege/")
    assert get(client, "/verwaltung/zugriffe") == 403

    log_in(client, make_user(session, Role.ADMIN))
    with client.application.app_context():
        page = client.get("/verwaltung/zugriffe")
    assert page.status_code == 200
    assert "koordination@kaufbeuren.example" in page.text and "proposals.queue" in page.text

    volunteer = session.get(Volunteer, proposal.volunteer_id)
    assert volunteer is not None
    user = session.get(User, volunteer.user_id)
    assert user is not None
    erase_user(session=session, user=user)
    assert views(session) == []
