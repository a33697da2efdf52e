"""Login by role, one refusal for all, unconfirmed addresses, `next`, a logout that kills copied cookies."""

from urllib.parse import urlsplit

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlmodel import Session
from werkzeug.test import TestResponse

from app.accounts.models import Role
from tests.factories import PASSWORD, make_coordinator, make_partner, make_user

LOGIN = "/konto/anmelden"
LOGOUT = "/konto/abmelden"
EN = {"Accept-Language": "en"}
GENERIC = b"E-mail address or password is not correct."


def log_in_with_form(client: FlaskClient, email: str, password: str = PASSWORD) -> TestResponse:
    return client.post(LOGIN, data={"email": email, "password": password}, headers=EN)


def path_of(location: str | None) -> str:
    assert location is not None
    return urlsplit(location).path


def url(app: Flask, endpoint: str) -> str:
    with app.test_request_context():
        return url_for(endpoint)


def logged_in_token(client: FlaskClient) -> str | None:
    with client.session_transaction() as flask_session:
        return flask_session.get("_user_id")


@pytest.mark.parametrize(
    ("role", "endpoint"),
    [
        (Role.VOLUNTEER, "volunteers.profile"),
        (Role.PARTNER, "needs.mine"),
        (Role.COORDINATOR, "proposals.queue"),
        (Role.ADMIN, "admin.index"),
    ],
)
def test_login_lands_on_the_page_of_the_role(
    app: Flask, session: Session, client: FlaskClient, role: Role, endpoint: str
) -> None:
    if role == Role.PARTNER:
        user = make_partner(session)
    elif role == Role.COORDINATOR:
        user = make_coordinator(session)
    else:
        user = make_user(session, role)

    response = log_in_with_form(client, user.email.upper())  # addresses are compared case-insensitively

    assert response.status_code == 302
    assert path_of(response.location) == url(app, endpoint)
    assert logged_in_token(client) == user.session_token
    session.refresh(user)
    assert user.last_login_at is not None


def test_login_form_has_the_autocomplete_hints(client: FlaskClient) -> None:
    page = client.get(LOGIN)

    assert page.status_code == 200
    assert b'autocomplete="email"' in page.data
    assert b'autocomplete="current-password"' in page.data


def test_wrong_password_and_unknown_address_get_the_same_answer(
    session: Session, client: FlaskClient
) -> None:
    user = make_user(session)

    wrong_password = log_in_with_form(client, user.email, "not the password at all")
    unknown = log_in_with_form(client, "nobody@example.org")

    assert wrong_password.status_code == unknown.status_code == 400
    assert GENERIC in wrong_password.data and GENERIC in unknown.data
    assert logged_in_token(client) is None


def test_deactivated_account_gets_the_generic_refusal(session: Session, client: FlaskClient) -> None:
    user = make_user(session)
    user.is_active = False
    session.add(user)
    session.commit()

    response = log_in_with_form(client, user.email)

    assert response.status_code == 400
    assert GENERIC in response.data
    assert logged_in_token(client) is None


def test_empty_form_is_a_field_error(client: FlaskClient) -> None:
    response = client.post(LOGIN, data={"email": "", "password": ""}, headers=EN)

    assert response.status_code == 400
    assert b'id="email-error"' in response.data
    assert b'id="password-error"' in response.data


def test_unconfirmed_address_is_refused_with_a_way_to_get_a_new_link(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    user = make_user(session, confirmed=False)

    response = log_in_with_form(client, user.email)

    assert response.status_code == 400
    assert b'id="resend-confirmation-link"' in response.data
    assert url(app, "accounts.resend_confirmation").encode() in response.data
    assert logged_in_token(client) is None
    session.refresh(user)
    assert user.last_login_at is None


def test_local_next_is_honoured_and_survives_the_form(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    user = make_user(session, Role.ADMIN)
    target = url(app, "admin.index") + "partner"

    form = client.get(LOGIN + "?next=" + target)
    assert f'name="next" type="hidden" value="{target}"'.encode() in form.data

    # The browser posts to the form's own URL, and the hidden field carries `next` as well.
    response = client.post(LOGIN, data={"email": user.email, "password": PASSWORD, "next": target})

    assert response.status_code == 302
    assert response.location == target


@pytest.mark.parametrize(
    "target",
    ["http://evil.example/", "//evil.example/x", "/\\evil.example", "https:/evil.example", "javascript:x"],
)
def test_next_to_another_site_is_ignored(
    app: Flask, session: Session, client: FlaskClient, target: str
) -> None:
    user = make_user(session, Role.ADMIN)

    response = client.post(LOGIN, data={"email": user.email, "password": PASSWORD, "next": target})

    assert response.status_code == 302
    assert response.location == url(app, "admin.index")


def test_logged_in_user_opening_login_goes_to_their_page(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    user = make_user(session, Role.ADMIN)
    log_in_with_form(client, user.email)

    response = client.get(LOGIN)

    assert response.status_code == 302
    assert path_of(response.location) == url(app, "admin.index")


def test_logout_rotates_the_token_so_a_copied_cookie_stops_working(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    user = make_user(session, Role.ADMIN)
    old_token = user.session_token
    log_in_with_form(client, user.email)
    admin_page = url(app, "admin.index")
    assert client.get(admin_page).status_code == 200
    cookie = client.get_cookie("session")
    assert cookie is not None
    copied = cookie.value

    assert client.get(LOGOUT).status_code == 405  # only POST, so a link or image cannot log anyone out
    response = client.post(LOGOUT)

    assert response.status_code == 302
    assert path_of(response.location) == url(app, "pages.home")
    session.refresh(user)
    assert user.session_token != old_token
    assert b"Log in" in client.get("/", headers=EN).data

    thief = app.test_client()
    thief.set_cookie("session", copied)
    stolen = thief.get(admin_page)
    assert stolen.status_code == 302
    assert path_of(stolen.location) == url(app, "accounts.login")


def test_logout_when_not_logged_in_just_goes_home(app: Flask, client: FlaskClient) -> None:
    response = client.post(LOGOUT)

    assert response.status_code == 302
    assert path_of(response.location) == url(app, "pages.home")
