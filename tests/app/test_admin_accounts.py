"""Coordinator and partner staff accounts created by an admin, with invitation mail and deactivation."""

from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.accounts.services import authenticate
from app.partners.models import Organisation
from tests.conftest import log_in
from tests.factories import (
    PASSWORD,
    district,
    make_coordinator,
    make_organisation,
    make_partner,
    make_user,
    office,
)
from tests.support.mail import Mailbox

EN = {"Accept-Language": "en"}


def as_admin(session: Session, client: FlaskClient) -> User:
    admin = make_user(session, Role.ADMIN, locale="en")
    log_in(client, admin)
    return admin


def find_user(session: Session, email: str) -> User | None:
    session.expire_all()
    return session.exec(select(User).where(User.email == email)).first()


def test_admin_creates_a_coordinator_who_is_invited(
    session: Session, client: FlaskClient, mailbox: Mailbox
) -> None:
    as_admin(session, client)
    haken = office(session, "Stadtteilbüro Haken")
    response = client.post(
        "/verwaltung/koordination",
        data={"display_name": "Petra Koordinatorin", "email": "Petra@Example.org", "office_id": haken.id},
    )
    assert response.status_code == 302
    user = find_user(session, "petra@example.org")
    assert user is not None
    assert (user.role, user.office_id, user.display_name) == (
        Role.COORDINATOR,
        haken.id,
        "Petra Koordinatorin",
    )
    assert user.email_confirmed_at is not None and user.is_active
    link = mailbox.link("petra@example.org", "/")
    assert link.startswith("http://127.0.0.1:5000/")
    # Nobody knows the random first password.
    assert authenticate(session=session, email="petra@example.org", password=PASSWORD) is None
    listing = client.get("/verwaltung/koordination", headers=EN).get_data(as_text=True)
    assert "petra@example.org" in listing and "Stadtteilbüro Haken" in listing


def test_duplicate_or_bad_coordinator_input_is_400(session: Session, client: FlaskClient) -> None:
    as_admin(session, client)
    taken = make_coordinator(session)
    central = office(session)
    response = client.post(
        "/verwaltung/koordination",
        data={"display_name": "Noch jemand", "email": taken.email.upper(), "office_id": central.id},
        headers=EN,
    )
    assert response.status_code == 400
    assert "This e-mail address has an account already." in response.get_data(as_text=True)
    for data in (
        {"display_name": "", "email": "a@example.org", "office_id": central.id},
        {"display_name": "A", "email": "not-an-address", "office_id": central.id},
        {"display_name": "A", "email": "a@example.org", "office_id": 9999},
        {"display_name": "A", "email": "a@example.org", "office_id": "x"},
    ):
        assert client.post("/verwaltung/koordination", data=data).status_code == 400, data
    assert find_user(session, "a@example.org") is None


def test_deactivating_logs_out_at_once_and_blocks_login(session: Session, client: FlaskClient) -> None:
    coordinator = make_coordinator(session)
    old_token = coordinator.session_token
    coordinator_client = client.application.test_client()
    log_in(coordinator_client, coordinator)
    # Each request in its own app context: the fixture's context would carry Flask-Login's cached user over.
    with client.application.app_context():
        assert coordinator_client.get("/verwaltung/").status_code == 403  # logged in, just not an admin

    as_admin(session, client)
    with client.application.app_context():
        response = client.post(f"/verwaltung/konten/{coordinator.id}/aktiv", data={"active": "0"})
    assert response.status_code == 302
    user = find_user(session, coordinator.email)
    assert user is not None and not user.is_active
    assert user.session_token != old_token
    assert authenticate(session=session, email=coordinator.email, password=PASSWORD) is None
    # The old cookie no longer belongs to anyone: the next page asks for a login.
    with client.application.app_context():
        assert coordinator_client.get("/verwaltung/").status_code == 302

    with client.application.app_context():
        client.post(f"/verwaltung/konten/{coordinator.id}/aktiv", data={"active": "1"})
    session.expire_all()
    assert authenticate(session=session, email=coordinator.email, password=PASSWORD) is not None


def test_admin_accounts_and_volunteers_cannot_be_toggled_here(session: Session, client: FlaskClient) -> None:
    admin = as_admin(session, client)
    volunteer = make_user(session, Role.VOLUNTEER)
    for user in (admin, volunteer):
        assert client.post(f"/verwaltung/konten/{user.id}/aktiv", data={"active": "0"}).status_code == 404


def test_admin_creates_an_organisation_and_adds_staff(
    session: Session, client: FlaskClient, mailbox: Mailbox
) -> None:
    as_admin(session, client)
    response = client.post(
        "/verwaltung/partner/neu",
        data={
            "name": "Familienzentrum Haken",
            "kind": "family_centre",
            "district_id": district(session, "haken").id,
            "address": "Am Haken 3",
            "contact_email": "info@fz-haken.example",
            "phone": "08341 12345",
        },
    )
    assert response.status_code == 302
    organisation = session.exec(
        select(Organisation).where(Organisation.name == "Familienzentrum Haken")
    ).one()
    assert response.headers["Location"].endswith(f"/verwaltung/partner/{organisation.id}")
    assert (organisation.kind, organisation.phone) == ("family_centre", "08341 12345")

    response = client.post(
        f"/verwaltung/partner/{organisation.id}/mitarbeitende",
        data={"display_name": "Hatice Demir", "email": "hatice@fz-haken.example"},
    )
    assert response.status_code == 302
    staff = find_user(session, "hatice@fz-haken.example")
    assert staff is not None
    assert (staff.role, staff.organisation_id) == (Role.PARTNER, organisation.id)
    assert staff.email_confirmed_at is not None
    assert "/" in mailbox.link("hatice@fz-haken.example", "/")
    page = client.get(f"/verwaltung/partner/{organisation.id}", headers=EN).get_data(as_text=True)
    assert "hatice@fz-haken.example" in page
    overview = client.get("/verwaltung/").get_data(as_text=True)
    for section in ("koordination", "partner", "bueros", "begriffe"):
        assert f'href="/verwaltung/{section}"' in overview

    mailbox.clear()
    assert client.post(f"/verwaltung/konten/{staff.id}/einladung").status_code == 302
    assert "/" in mailbox.link("hatice@fz-haken.example", "/")

    again = client.post(
        f"/verwaltung/partner/{organisation.id}/mitarbeitende",
        data={"display_name": "Doppelt", "email": "hatice@fz-haken.example"},
    )
    assert again.status_code == 400


def test_duplicate_organisation_name_is_400_and_edit_keeps_data(
    session: Session, client: FlaskClient
) -> None:
    as_admin(session, client)
    first = make_organisation(session, name="Grundschule Neugablonz")
    second = make_organisation(session, name="Mittelschule Kaufbeuren")
    data = {"name": "Grundschule Neugablonz", "kind": "school", "district_id": 0}
    assert client.post("/verwaltung/partner/neu", data=data).status_code == 400
    response = client.post(f"/verwaltung/partner/{second.id}", data=data, headers=EN)
    assert response.status_code == 400
    assert "This name is used already." in response.get_data(as_text=True)
    # Saving an organisation under its own name is fine; "no district" is stored as none.
    data = {"name": "Grundschule Neugablonz", "kind": "school", "district_id": 0, "phone": "08341 1"}
    assert client.post(f"/verwaltung/partner/{first.id}", data=data).status_code == 302
    session.refresh(first)
    assert (first.district_id, first.phone) == (None, "08341 1")
    bad = {"name": "X", "kind": "spaceship", "district_id": 0, "contact_email": "nope"}
    assert client.post("/verwaltung/partner/neu", data=bad).status_code == 400


def test_deactivating_staff_returns_to_their_organisation(session: Session, client: FlaskClient) -> None:
    as_admin(session, client)
    staff = make_partner(session)
    response = client.post(f"/verwaltung/konten/{staff.id}/aktiv", data={"active": "0"})
    assert response.headers["Location"].endswith(f"/verwaltung/partner/{staff.organisation_id}")
    session.expire_all()
    assert authenticate(session=session, email=staff.email, password=PASSWORD) is None
