"""Login, logout, e-mail confirmation and password reset."""

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from app.accounts import mails, services
from app.accounts.forms import EmailForm, LoginForm, NewPasswordForm
from app.accounts.models import Role, User
from app.extensions import db
from app.pages.views import safe_next

bp = Blueprint("accounts", __name__, url_prefix="/konto")

LANDING = {
    Role.VOLUNTEER: "volunteers.profile",
    Role.PARTNER: "needs.mine",
    Role.COORDINATOR: "proposals.queue",
    Role.ADMIN: "admin.index",
}

Page = str | tuple[str, int]

# Failed logins per client address, and per e-mail address from any address (slow, distributed guessing).
# A success does not count, so a person who mistypes twice and then logs in is never slowed down.
LOGIN_FAILURES_PER_ADDRESS = "10 per 10 minutes"
LOGIN_FAILURES_PER_ACCOUNT = "20 per hour"


def _failed(response: Response) -> bool:
    return response.status_code >= 400


def _login_email() -> str:
    return "login:" + services.normalise_email(request.form.get("email", ""))


def limit_logins(app: Flask, limiter: Limiter) -> None:
    """Puts the limits above on this app's login view (one limiter per app, see app.security)."""
    per_address = limiter.limit(LOGIN_FAILURES_PER_ADDRESS, methods=["POST"], deduct_when=_failed)
    per_account = limiter.limit(
        LOGIN_FAILURES_PER_ACCOUNT, methods=["POST"], deduct_when=_failed, key_func=_login_email
    )
    views: dict[str, Callable[..., Any]] = app.view_functions
    views["accounts.login"] = per_address(per_account(views["accounts.login"]))


def landing_url(user: User) -> str:
    """The page a user starts on after logging in, by role."""
    return url_for(LANDING.get(Role(user.role), "pages.home"))


def _form_status(submitted: bool) -> int:
    return 400 if submitted else 200


def _user_from_token(token: str, salt: str, max_age_s: int) -> User | None:
    return services.read_token(
        session=db.session,
        secret_key=current_app.config["SECRET_KEY"],
        salt=salt,
        token=token,
        max_age_s=max_age_s,
    )


def _link_invalid(message: str) -> tuple[str, int]:
    return render_template("accounts/link_invalid.html", message=message), 400


@bp.route("/anmelden", methods=["GET", "POST"])
def login() -> Response | Page:
    if current_user.is_authenticated:
        return redirect(landing_url(current_user))
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return render_template("accounts/login.html", form=form), _form_status(form.is_submitted())
    user = services.authenticate(
        session=db.session, email=form.email.data or "", password=form.password.data or ""
    )
    if user is None:
        # One message for an unknown address and a wrong password: nobody learns who is registered.
        form.password.errors = [_("E-mail address or password is not correct.")]
        return render_template("accounts/login.html", form=form), 400
    if user.email_confirmed_at is None:
        return render_template("accounts/login.html", form=form, unconfirmed=True), 400
    login_user(user)
    return redirect(safe_next(form.next.data, landing_url(user)))


@bp.post("/abmelden")
def logout() -> Response:
    if current_user.is_authenticated:
        # A new session token invalidates this cookie and every copy of it.
        services.end_all_sessions(session=db.session, user=current_user._get_current_object())
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("pages.home"))


@bp.get("/bestaetigen/<token>")
def confirm_email(token: str) -> Response | Page:
    user = _user_from_token(token, services.CONFIRM_SALT, services.CONFIRM_MAX_AGE_S)
    if user is None:
        return _link_invalid(
            _("This confirmation link is invalid or has expired. You can request a new one.")
        )
    if user.email_confirmed_at is not None:
        # A used link must not stay a way to log in for days: later visits only get a hint.
        flash(_("Your e-mail address is already confirmed. Please log in."), "info")
        return redirect(url_for("accounts.login"))
    services.confirm_email(session=db.session, user=user)
    login_user(user)
    flash(_("Thank you, your e-mail address is confirmed."), "success")
    return redirect(landing_url(user))


@bp.route("/bestaetigung-senden", methods=["GET", "POST"])
def resend_confirmation() -> Page:
    form = EmailForm()
    if not form.validate_on_submit():
        return render_template("accounts/resend.html", form=form), _form_status(form.is_submitted())
    user = services.find_user_by_email(session=db.session, email=form.email.data or "")
    if user is not None and user.is_active and user.email_confirmed_at is None:
        mails.send_confirmation(user)
    # The same answer either way, so nobody learns which addresses are registered.
    return render_template("accounts/mail_sent.html")


@bp.route("/passwort-vergessen", methods=["GET", "POST"])
def forgot_password() -> Page:
    form = EmailForm()
    if not form.validate_on_submit():
        return render_template("accounts/forgot.html", form=form), _form_status(form.is_submitted())
    user = services.find_user_by_email(session=db.session, email=form.email.data or "")
    if user is not None and user.is_active:
        mails.send_password_reset(user)
    return render_template("accounts/mail_sent.html")


@bp.route("/passwort-setzen/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Response | Page:
    user = _user_from_token(token, services.RESET_SALT, services.RESET_MAX_AGE_S)
    if user is None:
        return _link_invalid(
            _("This link is invalid, has expired or was already used. Please request a new one.")
        )
    form = NewPasswordForm()
    if not form.validate_on_submit():
        page = render_template("accounts/reset.html", form=form, min_length=services.MIN_PASSWORD_LENGTH)
        return page, _form_status(form.is_submitted())
    # Following the mailed link proves the address belongs to them, so it counts as confirmed too.
    services.set_password(session=db.session, user=user, password=form.password.data or "", email_proven=True)
    login_user(user)
    flash(_("Your new password is saved."), "success")
    return redirect(landing_url(user))
