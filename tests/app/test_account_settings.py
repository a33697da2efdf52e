"""The account page: a new password ends every other login; API keys are created, shown once, revoked."""

import re
from datetime import timedelta

from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from app.accounts.api_tokens import Scope
from app.accounts.models import ApiToken, Role, User
from app.accounts.services import authenticate
from app.base import utcnow
from tests.conftest import log_in
from tests.factories import PASSWORD, make_partner, make_user
from tests.support.api import bearer

EN = {"Accept-Language": "en"}
NEW_PASSWORD = "ein ganz neues Passwort"


def get(client: FlaskClient, path: str, **kwargs: object) -> int:
    # Each request in its own app context: the fixture's context would carry Flask-Login's cached user over.
    with client.application.app_context():
        return client.get(path, **kwargs).status_code  # type: ignore[arg-type]


def test_changing_the_password_logs_out_every_other_device(client: FlaskClient, session: Session) -> None:
    user = make_user(session, Role.PARTNER, locale="en")
    other_device = client.application.test_client()
    log_in(client, user)
    log_in(other_device, user)
    assert get(other_device, "/konto/") == 200

    with client.application.app_context():
        response = client.post(
            "/konto/passwort",
            data={"current_password": PASSWORD, "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD},
        )

    assert response.status_code == 303
    assert get(client, "/konto/") == 200  # this browser got a fresh login
    assert get(other_device, "/konto/") == 302  # the other one is logged out
    session.expire_all()
    assert authenticate(session=session, email=user.email, password=NEW_PASSWORD) is not None
    assert authenticate(session=session, email=user.email, password=PASSWORD) is None


def test_a_wrong_current_password_changes_nothing(client: FlaskClient, session: Session) -> None:
    user = make_user(session, Role.VOLUNTEER, locale="en")
    token = user.session_token
    log_in(client, user)

    with client.application.app_context():
        response = client.post(
            "/konto/passwort",
            data={"current_password": "geraten", "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD},
        )

    assert response.status_code == 400 and "This is not your current password." in response.text
    session.expire_all()
    stored = session.get(User, user.id)
    assert stored is not None and stored.session_token == token
    assert authenticate(session=session, email=user.email, password=PASSWORD) is not None


def test_a_partner_creates_a_key_sees_it_once_and_revokes_it(client: FlaskClient, session: Session) -> None:
    partner = make_partner(session, locale="en")
    log_in(client, partner)
    with client.application.app_context():
        page = client.get("/konto/")
        assert page.status_code == 200 and 'id="no-tokens"' in page.text
        assert "Approve and reject proposals" not in page.text  # a coordinator's permission
        created = client.post(
            "/konto/api-schluessel",
            data={"name": "Vereinssoftware", "scopes": [Scope.NEEDS_READ], "valid_days": "90"},
        )

    assert created.status_code == 201
    match = re.search(r'value="(iam_[A-Za-z0-9_-]+)"', created.text)
    assert match is not None
    secret = match.group(1)
    stored = session.exec(select(ApiToken)).one()
    assert secret not in {stored.token_hash, stored.prefix, stored.name, stored.scopes}
    assert secret.startswith(stored.prefix) and stored.scopes == Scope.NEEDS_READ
    assert stored.expires_at is not None and stored.expires_at - utcnow() > timedelta(days=89)
    with client.application.app_context():
        listed = client.get("/konto/")
    assert secret not in listed.text and stored.prefix in listed.text

    api = client.application.test_client()
    assert api.get("/api/v1/needs/", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    session.expire_all()
    used = session.get(ApiToken, stored.id)
    assert used is not None and used.last_used_at is not None

    with client.application.app_context():
        revoked = client.post(f"/konto/api-schluessel/{stored.id}/widerrufen")
    assert revoked.status_code == 303
    assert api.get("/api/v1/needs/", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_keys_get_only_what_the_role_allows(client: FlaskClient, session: Session) -> None:
    log_in(client, make_partner(session, locale="en"))
    with client.application.app_context():
        response = client.post(
            "/konto/api-schluessel",
            data={"name": "zu viel", "scopes": [Scope.PROPOSALS_DECIDE], "valid_days": "90"},
        )
    assert response.status_code == 400
    volunteer = client.application.test_client()
    log_in(volunteer, make_user(session, Role.VOLUNTEER))
    with client.application.app_context():
        refused = volunteer.post("/konto/api-schluessel", data={"name": "x", "scopes": [Scope.NEEDS_READ]})
    assert refused.status_code == 403
    assert session.exec(select(ApiToken)).all() == []


def test_nobody_revokes_another_persons_key(client: FlaskClient, session: Session) -> None:
    owner, other = make_partner(session), make_partner(session)
    headers = bearer(session, owner)
    token = session.exec(select(ApiToken)).one()
    log_in(client, other)

    with client.application.app_context():
        response = client.post(f"/konto/api-schluessel/{token.id}/widerrufen")

    assert response.status_code == 404
    assert client.application.test_client().get("/api/v1/needs/", headers=headers).status_code == 200


def test_expired_and_deactivated_keys_are_refused(client: FlaskClient, session: Session) -> None:
    partner = make_partner(session)
    headers = bearer(session, partner)
    assert client.get("/api/v1/needs/", headers=headers).status_code == 200

    token = session.exec(select(ApiToken)).one()
    token.expires_at = utcnow() - timedelta(seconds=1)
    session.add(token)
    session.commit()
    assert client.get("/api/v1/needs/", headers=headers).status_code == 401

    fresh = bearer(session, partner)
    admin = client.application.test_client()
    log_in(admin, make_user(session, Role.ADMIN))
    with client.application.app_context():
        admin.post(f"/verwaltung/konten/{partner.id}/aktiv", data={"active": "0"})
        admin.post(f"/verwaltung/konten/{partner.id}/aktiv", data={"active": "1"})
    # Reactivating the person does not bring their keys back.
    assert client.get("/api/v1/needs/", headers=fresh).status_code == 401
    assert all(
        t.revoked_at is not None
        for t in session.exec(select(ApiToken).where(col(ApiToken.expires_at).is_(None)))
    )


def test_a_missing_or_malformed_key_is_401_with_a_challenge(client: FlaskClient) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer iam_nope"},
        {"Authorization": "Basic eDp5"},
    ):
        response = client.get("/api/v1/needs/", headers=headers | EN)
        assert response.status_code == 401
        assert response.json == {"message": "Please log in, or send a valid API token.", "detail": {}}
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
