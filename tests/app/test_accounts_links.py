"""Mailed links: confirmation, resending it, forgotten password, reset, invitation; tokens die after use."""

from urllib.parse import urlsplit

from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlmodel import Session

from app.accounts import mails, services
from app.accounts.models import Role, User
from tests.factories import PASSWORD, make_user
from tests.support.mail import Mailbox

EN = {"Accept-Language": "en"}
RESEND = "/konto/bestaetigung-senden"
FORGOT = "/konto/passwort-vergessen"
NEW_PASSWORD = "a brand new passphrase"
NEUTRAL = b"If the address is registered with us"


def local(link: str) -> str:
    """The path and query of a mailed link, for the test client."""
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def url(app: Flask, endpoint: str) -> str:
    with app.test_request_context():
        return url_for(endpoint)


def logged_in_token(client: FlaskClient) -> str | None:
    with client.session_transaction() as flask_session:
        return flask_session.get("_user_id")


def reload(session: Session, user: User) -> User:
    session.expire_all()
    found = session.get(User, user.id)
    assert found is not None
    return found


def assert_link_on_its_own_line(mailbox: Mailbox, to: str, link: str) -> None:
    assert link in [line.strip() for line in mailbox.body(to).splitlines()]


def test_confirmation_link_from_the_mail_confirms_and_logs_in(
    app: Flask, session: Session, client: FlaskClient, mailbox: Mailbox
) -> None:
    user = make_user(session, Role.PARTNER, confirmed=False)

    asked = client.post(RESEND, data={"email": user.email}, headers=EN)
    assert asked.status_code == 200 and NEUTRAL in asked.data
    link = mailbox.link(user.email, "/konto/bestaetigen/")
    assert_link_on_its_own_line(mailbox, user.email, link)

    response = client.get(local(link))

    assert response.status_code == 302
    assert urlsplit(response.location).path == url(app, "needs.mine")
    assert reload(session, user).email_confirmed_at is not None
    assert logged_in_token(client) == user.session_token


def test_a_used_confirmation_link_no_longer_logs_anyone_in(
    app: Flask, session: Session, client: FlaskClient, mailbox: Mailbox
) -> None:
    user = make_user(session, confirmed=False)
    client.post(RESEND, data={"email": user.email})
    link = local(mailbox.link(user.email, "/konto/bestaetigen/"))
    client.get(link)

    other = app.test_client()
    again = other.get(link)

    assert again.status_code == 302
    assert urlsplit(again.location).path == url(app, "accounts.login")
    assert logged_in_token(other) is None


def test_broken_confirmation_link_is_a_400_with_a_way_out(app: Flask, client: FlaskClient) -> None:
    response = client.get("/konto/bestaetigen/not-a-token", headers=EN)

    assert response.status_code == 400
    assert b"invalid or has expired" in response.data
    assert url(app, "accounts.resend_confirmation").encode() in response.data
    assert logged_in_token(client) is None


def test_resend_answers_the_same_for_everyone_and_mails_only_the_unconfirmed(
    session: Session, client: FlaskClient, mailbox: Mailbox
) -> None:
    confirmed = make_user(session)
    unconfirmed = make_user(session, confirmed=False)

    answers = [
        client.post(RESEND, data={"email": email}, headers=EN)
        for email in ("nobody@example.org", confirmed.email, unconfirmed.email)
    ]

    assert {answer.status_code for answer in answers} == {200}
    assert all(NEUTRAL in answer.data for answer in answers)
    assert [str(message["To"]) for message in mailbox.messages] == [unconfirmed.email]


def test_forgot_password_answers_the_same_and_mails_only_known_addresses(
    session: Session, client: FlaskClient, mailbox: Mailbox
) -> None:
    user = make_user(session)

    unknown = client.post(FORGOT, data={"email": "nobody@example.org"}, headers=EN)
    known = client.post(FORGOT, data={"email": user.email.upper()}, headers=EN)

    assert unknown.status_code == known.status_code == 200
    assert NEUTRAL in unknown.data and NEUTRAL in known.data
    assert [str(message["To"]) for message in mailbox.messages] == [user.email]


def test_email_forms_reject_a_bad_address(client: FlaskClient) -> None:
    for path in (RESEND, FORGOT):
        response = client.post(path, data={"email": "not an address"})
        assert response.status_code == 400
        assert b'id="email-error"' in response.data


def test_reset_from_the_mail_sets_the_password_confirms_and_logs_in(
    app: Flask, session: Session, client: FlaskClient, mailbox: Mailbox
) -> None:
    user = make_user(session, confirmed=False)
    elsewhere = app.test_client()
    elsewhere.post("/konto/anmelden", data={"email": user.email, "password": PASSWORD})
    client.post(FORGOT, data={"email": user.email})
    link = mailbox.link(user.email, "/konto/passwort-setzen/")
    assert_link_on_its_own_line(mailbox, user.email, link)

    form = client.get(local(link))
    assert form.status_code == 200
    assert form.data.count(b'autocomplete="new-password"') == 2
    response = client.post(local(link), data={"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD})

    assert response.status_code == 302
    assert urlsplit(response.location).path == url(app, "volunteers.profile")
    user = reload(session, user)
    assert user.email_confirmed_at is not None
    assert services.password_matches(user, NEW_PASSWORD)
    assert not services.password_matches(user, PASSWORD)
    assert logged_in_token(client) == user.session_token

    used = app.test_client().post(
        local(link), data={"password": "yet another one!", "password_repeat": "yet another one!"}
    )
    assert used.status_code == 400
    assert services.password_matches(reload(session, user), NEW_PASSWORD)


def test_reset_form_errors_are_400_and_change_nothing(
    session: Session, client: FlaskClient, mailbox: Mailbox
) -> None:
    user = make_user(session)
    client.post(FORGOT, data={"email": user.email})
    link = local(mailbox.link(user.email, "/konto/passwort-setzen/"))
    short = "x" * (services.MIN_PASSWORD_LENGTH - 1)

    for data in (
        {"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD + "!"},
        {"password": short, "password_repeat": short},
        {"password": "", "password_repeat": ""},
    ):
        response = client.post(link, data=data, headers=EN)
        assert response.status_code == 400
        assert b'id="error-summary"' in response.data

    assert services.password_matches(reload(session, user), PASSWORD)
    assert logged_in_token(client) is None
    # The link still works after a typo.
    assert client.get(link).status_code == 200


def test_tampered_wrong_purpose_and_expired_tokens_are_refused(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    user = make_user(session)
    secret = app.config["SECRET_KEY"]
    confirm_token = services.make_token(secret, services.CONFIRM_SALT, user)
    reset_token = services.make_token(secret, services.RESET_SALT, user)

    assert client.get(f"/konto/passwort-setzen/{reset_token[:-2]}xx", headers=EN).status_code == 400
    assert client.get(f"/konto/passwort-setzen/{confirm_token}").status_code == 400
    assert client.get(f"/konto/passwort-setzen/{reset_token}").status_code == 200
    expired = services.read_token(
        session=session, secret_key=secret, salt=services.RESET_SALT, token=reset_token, max_age_s=-1
    )
    assert expired is None
    other_key = services.read_token(
        session=session, secret_key="another", salt=services.RESET_SALT, token=reset_token, max_age_s=60
    )
    assert other_key is None


def test_token_does_not_carry_the_password_hash(app: Flask, session: Session) -> None:
    user = make_user(session)
    token = services.make_token(app.config["SECRET_KEY"], services.RESET_SALT, user)

    assert user.password_hash[-12:] not in token


def test_deactivated_account_cannot_use_its_links(app: Flask, session: Session, client: FlaskClient) -> None:
    user = make_user(session)
    token = services.make_token(app.config["SECRET_KEY"], services.RESET_SALT, user)
    user.is_active = False
    session.add(user)
    session.commit()

    assert client.get(f"/konto/passwort-setzen/{token}").status_code == 400


def test_invitation_mail_link_sets_the_first_password(
    app: Flask, session: Session, client: FlaskClient, mailbox: Mailbox
) -> None:
    coordinator = make_user(
        session, Role.COORDINATOR, confirmed=False, display_name="Petra Huber", locale="en"
    )
    with app.test_request_context():
        assert mails.send_password_setup(coordinator)
    body = mailbox.body(coordinator.email)
    assert "Petra Huber" in body
    link = mailbox.link(coordinator.email, "/konto/passwort-setzen/")
    assert_link_on_its_own_line(mailbox, coordinator.email, link)

    response = client.post(local(link), data={"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD})

    assert response.status_code == 302
    assert urlsplit(response.location).path == url(app, "proposals.queue")
    assert services.password_matches(reload(session, coordinator), NEW_PASSWORD)
