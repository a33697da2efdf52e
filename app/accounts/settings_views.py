"""A logged-in person's own account: change the password, and (partners, coordinators) manage API keys."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from app.accounts import api_tokens, services
from app.accounts.api_tokens import Scope
from app.accounts.forms import ApiTokenForm, ChangePasswordForm
from app.accounts.models import User
from app.extensions import db

bp = Blueprint("account", __name__, url_prefix="/konto")

SCOPE_LABELS = {
    Scope.NEEDS_READ: _l("Read our needs"),
    Scope.NEEDS_WRITE: _l("Post, change, pause and close our needs"),
    Scope.INTRODUCTIONS_READ: _l("Read the introduced volunteers and their contact details"),
    Scope.PROPOSALS_READ: _l("Read the proposals in my districts"),
    Scope.PROPOSALS_DECIDE: _l("Approve and reject proposals"),
}


def _user() -> User:
    user = current_user._get_current_object()
    assert isinstance(user, User)
    return user


def _token_form(submitted: bool = True) -> ApiTokenForm:
    form = ApiTokenForm() if submitted else ApiTokenForm(formdata=None)
    form.scopes.choices = [
        SelectChoice(scope, SCOPE_LABELS[scope]) for scope in api_tokens.allowed_scopes(_user())
    ]
    return form


def _page(
    password_form: ChangePasswordForm | None = None, token_form: ApiTokenForm | None = None, status: int = 200
) -> tuple[str, int]:
    user = _user()
    return render_template(
        "accounts/settings.html",
        password_form=password_form or ChangePasswordForm(formdata=None),
        token_form=token_form or _token_form(submitted=False),
        tokens=api_tokens.tokens_of(session=db.session, user=user),
        may_have_tokens=bool(api_tokens.allowed_scopes(user)),
        scope_labels=SCOPE_LABELS,
        min_length=services.MIN_PASSWORD_LENGTH,
    ), status


@bp.get("/")
@login_required
def settings() -> tuple[str, int]:
    return _page()


@bp.post("/passwort")
@login_required
def change_password() -> Response | tuple[str, int]:
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return _page(password_form=form, status=400)
    user = _user()
    if not services.password_matches(user, form.current_password.data or ""):
        form.current_password.errors = [_("This is not your current password.")]
        return _page(password_form=form, status=400)
    # Every login of this person ends, on every device; this browser gets a fresh one at once.
    services.set_password(session=db.session, user=user, password=form.password.data or "")
    login_user(user)
    flash(_("Your new password is saved. You were logged out everywhere else."), "success")
    return redirect(url_for("account.settings"), 303)


@bp.post("/api-schluessel")
@login_required
def create_token() -> tuple[str, int]:
    if not api_tokens.allowed_scopes(_user()):
        abort(403)
    form = _token_form()
    if not form.validate_on_submit():
        return _page(token_form=form, status=400)
    token, secret = api_tokens.issue_token(
        session=db.session,
        user=_user(),
        name=form.name.data or "",
        scopes=form.scopes.data or [],
        valid_days=int(form.valid_days.data or 0),
    )
    return render_template("accounts/token_created.html", token=token, secret=secret), 201


@bp.post("/api-schluessel/<int:token_id>/widerrufen")
@login_required
def revoke_token(token_id: int) -> Response:
    # The CSRF check of the app covers this form; another person's key id is simply "not found".
    if not api_tokens.revoke_token(session=db.session, user=_user(), token_id=token_id):
        abort(404)
    flash(_("The key is revoked. Programs that use it are refused from now on."), "success")
    return redirect(url_for("account.settings"), 303)
