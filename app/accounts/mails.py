"""Mails with signed links: e-mail confirmation, password reset and first password for new staff."""

from typing import Any

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from app.accounts import services
from app.accounts.models import User
from app.mailer import send_mail


def _send_link(user: User, *, subject: Any, template: str, endpoint: str, salt: str) -> bool:
    """One mail in the user's language, carrying a signed link to `endpoint`."""
    token = services.make_token(current_app.config["SECRET_KEY"], salt, user)
    link = current_app.config["BASE_URL"] + url_for(endpoint, token=token)
    return send_mail(
        to=user.email, subject=subject, template=template, locale=user.locale, user=user, link=link
    )


def send_confirmation(user: User) -> bool:
    return _send_link(
        user,
        subject=_l("Please confirm your e-mail address"),
        template="confirm_email",
        endpoint="accounts.confirm_email",
        salt=services.CONFIRM_SALT,
    )


def send_password_reset(user: User) -> bool:
    return _send_link(
        user,
        subject=_l("Set a new password"),
        template="reset_password",
        endpoint="accounts.reset_password",
        salt=services.RESET_SALT,
    )


def send_password_setup(user: User) -> bool:
    """For accounts an admin created: the reset link, worded as an invitation."""
    return _send_link(
        user,
        subject=_l("Your access to Integration aktiv"),
        template="account_invitation",
        endpoint="accounts.reset_password",
        salt=services.RESET_SALT,
    )
