"""Every admin page is for admins only: others get 403, anonymous visitors the login page."""

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from app.accounts.models import Role
from tests.conftest import log_in
from tests.factories import district, make_coordinator, make_partner, make_user, skill

GET_PAGES = (
    "/verwaltung/",
    "/verwaltung/koordination",
    "/verwaltung/partner",
    "/verwaltung/partner/neu",
    "/verwaltung/bueros",
    "/verwaltung/stadtteile/neu",
    "/verwaltung/begriffe",
    "/verwaltung/faehigkeiten/neu",
    "/verwaltung/sprachen/neu",
)


def all_pages(session: Session) -> list[tuple[str, str]]:
    """(method, path) for every admin page, with real ids where a path needs one."""
    partner = make_partner(session)
    ids = {"org": partner.organisation_id, "user": partner.id}
    return [
        *(("GET", path) for path in GET_PAGES),
        ("GET", f"/verwaltung/partner/{ids['org']}"),
        ("POST", f"/verwaltung/partner/{ids['org']}/mitarbeitende"),
        ("GET", f"/verwaltung/stadtteile/{district(session).id}"),
        ("GET", f"/verwaltung/faehigkeiten/{skill(session, 'homework_help').id}"),
        ("POST", f"/verwaltung/konten/{ids['user']}/aktiv"),
        ("POST", f"/verwaltung/konten/{ids['user']}/einladung"),
    ]


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.PARTNER, Role.COORDINATOR])
def test_non_admins_get_403_everywhere(session: Session, client: FlaskClient, role: Role) -> None:
    if role == Role.COORDINATOR:
        user = make_coordinator(session)
    elif role == Role.PARTNER:
        user = make_partner(session)
    else:
        user = make_user(session, role)
    log_in(client, user)
    for method, path in all_pages(session):
        response = client.open(path, method=method, data={"active": "0"})
        assert response.status_code == 403, (method, path)


def test_anonymous_visitors_are_sent_to_the_login(session: Session, client: FlaskClient) -> None:
    for method, path in all_pages(session):
        response = client.open(path, method=method)
        assert response.status_code == 302, (method, path)
        assert "/konto/anmelden" in response.headers["Location"]


def test_admin_sees_every_page(session: Session, client: FlaskClient) -> None:
    log_in(client, make_user(session, Role.ADMIN))
    for method, path in all_pages(session):
        if method == "GET":
            assert client.get(path).status_code == 200, path


def test_unknown_ids_are_404(session: Session, client: FlaskClient) -> None:
    log_in(client, make_user(session, Role.ADMIN))
    for path in ("/verwaltung/partner/9999", "/verwaltung/stadtteile/9999", "/verwaltung/faehigkeiten/9999"):
        assert client.get(path).status_code == 404, path
    assert client.post("/verwaltung/konten/9999/aktiv", data={"active": "0"}).status_code == 404
