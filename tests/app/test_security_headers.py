"""Every response carries the security headers; personal pages are never cached; every form needs CSRF."""

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.needs.models import Need
from tests.conftest import another_app, log_in
from tests.factories import make_partner, make_user, make_volunteer
from tests.support.api import bearer
from tests.support.mail import Mailbox

PAGES = ("/", "/bedarfe/", "/konto/anmelden", "/api/openapi.json", "/api/v1/needs/")


def test_pages_and_api_forbid_framing_foreign_sources_and_caching(
    client: FlaskClient, session: Session
) -> None:
    for path in PAGES:
        headers = client.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, path
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Cache-Control"] == "no-store", path
        assert headers["Referrer-Policy"] == "same-origin"
    volunteer = make_volunteer(session)
    user = session.get(User, volunteer.user_id)
    assert user is not None
    log_in(client, user)
    with client.application.app_context():
        profile = client.get("/ehrenamt/profil")
    assert profile.status_code == 200 and profile.headers["Cache-Control"] == "no-store"
    # Only the static files may be kept.
    with client.get("/static/site.css") as static:
        assert "no-store" not in static.headers.get("Cache-Control", "")


def test_behind_https_plain_http_is_redirected_and_hsts_is_sent(
    app: Flask, database_url: str, smtp: tuple[int, Mailbox], tmp_path: Path, session: Session
) -> None:
    user = make_user(session, Role.PARTNER)
    with another_app(database_url, smtp[0], tmp_path, HTTPS=True, WTF_CSRF_ENABLED=False) as secure:
        plain = secure.test_client().get("/bedarfe/")
        client = secure.test_client()
        page = client.get("/bedarfe/", base_url="https://localhost")
        login = client.post(
            "/konto/anmelden",
            data={"email": user.email, "password": "correct horse battery"},
            base_url="https://localhost",
        )
        proxied = secure.test_client().get("/bedarfe/", headers={"X-Forwarded-Proto": "https"})

    assert plain.status_code == 302 and plain.location.startswith("https://")
    assert page.status_code == 200
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert login.status_code == 302
    assert "Secure" in login.headers["Set-Cookie"] and "HttpOnly" in login.headers["Set-Cookie"]
    assert proxied.status_code == 200


def test_every_form_is_refused_without_its_csrf_token(
    app: Flask, database_url: str, smtp: tuple[int, Mailbox], tmp_path: Path, session: Session
) -> None:
    partner = make_partner(session)
    with another_app(database_url, smtp[0], tmp_path, WTF_CSRF_ENABLED=True) as protected:
        posts = [
            rule
            for rule in protected.url_map.iter_rules()
            if "POST" in (rule.methods or ()) and not rule.rule.startswith("/api/")
        ]
        assert len(posts) > 20
        client = protected.test_client()
        log_in(client, partner)
        for rule in posts:
            path = rule.build({name: 1 if name.endswith("_id") else "x" for name in rule.arguments})[1]
            with protected.app_context():
                response = client.post(path, data={"title": "ohne Token", "status": "closed"})
            assert response.status_code == 400, (rule.rule, response.status_code)
        # The API takes no cookie at all: a logged-in browser cannot be made to call it.
        with protected.app_context():
            api = client.post("/api/v1/needs/", json={"title": "per Cookie"})
    assert api.status_code == 401
    assert session.exec(select(Need)).all() == []


@pytest.mark.parametrize("path", ["/konto/anmelden", "/ehrenamt/registrieren"])
def test_forms_carry_a_csrf_token(
    app: Flask, database_url: str, smtp: tuple[int, Mailbox], tmp_path: Path, path: str
) -> None:
    with another_app(database_url, smtp[0], tmp_path, WTF_CSRF_ENABLED=True) as protected:
        page = protected.test_client().get(path)
    assert 'name="csrf_token"' in page.text


def test_ids_beyond_any_row_are_not_found_rather_than_a_database_error(
    client: FlaskClient, session: Session
) -> None:
    huge = "9" * 25
    partner = make_partner(session)
    log_in(client, partner)
    with client.application.app_context():
        assert client.get(f"/bedarfe/{huge}").status_code == 404
        assert client.get(f"/bedarfe/?district={huge}&skill={huge}").status_code == 200
    assert client.get(f"/api/v1/needs/{huge}", headers=bearer(session, partner)).status_code == 404
