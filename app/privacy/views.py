"""A person's own data: read it, download it, give or withdraw consent, delete it."""

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from werkzeug.wrappers import Response as BaseResponse

from app.accounts.access import role_required
from app.accounts.models import Role, User
from app.accounts.services import password_matches
from app.accounts.settings_views import SCOPE_LABELS
from app.extensions import db
from app.privacy import services
from app.privacy.consent import CONSENT_VERSION, DATA_PROCESSING
from app.privacy.forms import EraseForm, GiveConsentForm, WithdrawConsentForm
from app.proposals.explain import explain
from app.volunteers.forms import LEVEL_LABELS
from app.volunteers.services import volunteer_of_user

bp = Blueprint("privacy", __name__, url_prefix="/meine-daten")

ROLE_LABELS = {
    Role.VOLUNTEER: _l("Volunteer"),
    Role.PARTNER: _l("Staff of a partner organisation"),
    Role.COORDINATOR: _l("Coordinator"),
    Role.ADMIN: _l("Administrator"),
}
PURPOSE_LABELS = {DATA_PROCESSING: _l("Processing of my profile to be matched with partner organisations")}


def _user() -> User:
    user = current_user._get_current_object()
    assert isinstance(user, User)
    return user


@bp.get("/")
@login_required
def overview() -> str:
    page = services.readable_data(session=db.session, user=_user(), locale=str(get_locale() or "de"))
    explanations = [
        explain(p["reasons"], page.skill_names, page.language_names) for p in page.data.get("proposals", [])
    ]
    return render_template(
        "privacy/overview.html",
        data=page.data,
        skill_names=page.skill_names,
        language_names=page.language_names,
        explanations=explanations,
        role_labels=ROLE_LABELS,
        purpose_labels=PURPOSE_LABELS,
        level_labels=LEVEL_LABELS,
        scope_labels=SCOPE_LABELS,
    )


@bp.get("/export")
@login_required
def export() -> Response:
    data = services.export_user_data(session=db.session, user=_user())
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="integration-aktiv-meine-daten.json"'},
    )


def _render_consent(give_form: GiveConsentForm, status: int = 200) -> tuple[str, int]:
    # Consent to being matched belongs to a volunteer profile (an admin passes role_required without one).
    if volunteer_of_user(session=db.session, user_id=current_user.id) is None:
        abort(404)
    state = services.consent_state(session=db.session, user_id=current_user.id)
    return render_template(
        "privacy/consent.html",
        state=state,
        withdraw_form=WithdrawConsentForm(formdata=None),
        give_form=give_form,
        consent_version=CONSENT_VERSION,
        purpose_labels=PURPOSE_LABELS,
    ), status


@bp.get("/einwilligung")
@role_required(Role.VOLUNTEER)
def consent() -> tuple[str, int]:
    return _render_consent(GiveConsentForm(formdata=None))


@bp.post("/einwilligung/widerrufen")
@role_required(Role.VOLUNTEER)
def withdraw() -> BaseResponse | tuple[str, int]:
    if not WithdrawConsentForm().validate_on_submit():
        return _render_consent(GiveConsentForm(formdata=None), 400)
    if volunteer_of_user(session=db.session, user_id=current_user.id) is None:
        abort(404)
    withdrawn = services.withdraw_consent(session=db.session, user_id=current_user.id)
    if withdrawn is None:
        flash(_("Your consent was already withdrawn."), "info")
    else:
        flash(_("Your consent is withdrawn. We no longer look for offers for you."), "success")
    return redirect(url_for("privacy.consent"))


@bp.post("/einwilligung/erteilen")
@role_required(Role.VOLUNTEER)
def give() -> BaseResponse | tuple[str, int]:
    form = GiveConsentForm()
    if not form.validate_on_submit():
        return _render_consent(form, 400)
    if volunteer_of_user(session=db.session, user_id=current_user.id) is None:
        abort(404)
    if services.give_consent(session=db.session, user_id=current_user.id):
        flash(_("Thank you: your consent is recorded. We look for matching offers for you again."), "success")
    else:
        flash(_("Your consent was already given."), "info")
    return redirect(url_for("privacy.consent"))


@bp.route("/loeschen", methods=["GET", "POST"])
@login_required
def erase() -> BaseResponse | tuple[str, int]:
    form = EraseForm()
    if not form.validate_on_submit():
        return render_template("privacy/erase.html", form=form), 400 if form.is_submitted() else 200
    if not password_matches(current_user, form.password.data or ""):
        form.password.errors = [_("The password is not correct.")]
        return render_template("privacy/erase.html", form=form), 400
    services.erase_user(session=db.session, user=_user())
    logout_user()
    flash(_("Your profile and all your data are deleted."), "success")
    return redirect(url_for("pages.home"))
