"""Volunteer sign-up, profile, edit and pause."""

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.accounts import mails
from app.accounts.access import role_required
from app.accounts.models import Role, User
from app.accounts.services import MIN_PASSWORD_LENGTH
from app.accounts.views import landing_url
from app.extensions import db
from app.offices.services import district_choices
from app.privacy.consent import CONSENT_VERSION
from app.vocab.services import language_choices, skill_choices
from app.volunteers import services
from app.volunteers.forms import LANGUAGE_ROWS, LEVEL_LABELS, ProfileForm, RegistrationForm
from app.volunteers.models import Volunteer
from app.volunteers.profile import DAY_PARTS, ProfileData, slots_to_cells

bp = Blueprint("volunteers", __name__, url_prefix="/ehrenamt")


def _locale() -> str:
    return str(get_locale() or "de")


def _prepared(form: ProfileForm) -> ProfileForm:
    form.set_choices(
        district_choices(session=db.session),
        language_choices(session=db.session, locale=_locale()),
        skill_choices(session=db.session, locale=_locale()),
    )
    return form


def _render(template: str, form: ProfileForm, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(
        template,
        form=form,
        day_parts=DAY_PARTS,
        consent_version=CONSENT_VERSION,
        min_password_length=MIN_PASSWORD_LENGTH,
        **context,
    ), status


def current_volunteer() -> Volunteer:
    """The logged-in volunteer's profile (404 for anyone without one)."""
    volunteer = services.volunteer_of_user(session=db.session, user_id=current_user.id)
    if volunteer is None:
        # An admin passes role_required but has no profile of their own.
        abort(404)
    return volunteer


@bp.route("/registrieren", methods=["GET", "POST"])
def register() -> Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(landing_url(current_user))
    form = _prepared(RegistrationForm())
    if not form.validate_on_submit():
        return _render("volunteers/register.html", form, 400 if form.is_submitted() else 200)
    try:
        volunteer = services.register_volunteer(session=db.session, data=form.to_registration(_locale()))
    except services.EmailTaken:
        form.email.errors = [_("This e-mail address is already registered. Please log in instead.")]
        return _render("volunteers/register.html", form, 400)
    user = db.session.get(User, volunteer.user_id)
    assert user is not None
    mail_sent = mails.send_confirmation(user)
    return _render("volunteers/check_mail.html", form, 200, email=user.email, mail_sent=mail_sent)


@bp.get("/profil")
@role_required(Role.VOLUNTEER)
def profile() -> str:
    volunteer = current_volunteer()
    overview = services.profile_overview(session=db.session, volunteer=volunteer, locale=_locale())
    return render_template(
        "volunteers/profile.html",
        volunteer=volunteer,
        overview=overview,
        day_parts=DAY_PARTS,
        level_labels=LEVEL_LABELS,
    )


def _form_data(data: ProfileData) -> dict[str, Any]:
    rows = [{"language": code, "level": level} for code, level in data.languages.items()]
    rows += [{"language": "", "level": ""}] * (LANGUAGE_ROWS - len(rows))
    return {
        **{k: getattr(data, k) for k in ("first_name", "last_name", "phone", "birth_date", "postcode")},
        **{k: getattr(data, k) for k in ("district_id", "travel_radius_km", "about", "max_active_pairings")},
        "languages": rows[:LANGUAGE_ROWS],
        "skill_ids": data.skill_ids,
        "availability": slots_to_cells(data.slots),
        "has_certificate": data.certificate_inspected_on is not None,
        "certificate_date": data.certificate_inspected_on,
    }


@bp.route("/profil/bearbeiten", methods=["GET", "POST"])
@role_required(Role.VOLUNTEER)
def edit() -> Response | tuple[str, int]:
    volunteer = current_volunteer()
    if request.method == "GET":
        stored = services.profile_data(session=db.session, volunteer=volunteer)
        return _render("volunteers/edit.html", _prepared(ProfileForm(data=_form_data(stored))))
    form = _prepared(ProfileForm())
    if not form.validate_on_submit():
        return _render("volunteers/edit.html", form, 400)
    services.update_profile(session=db.session, volunteer=volunteer, data=form.to_data())
    flash(_("Your profile is saved. We look for matching offers again."), "success")
    return redirect(url_for("volunteers.profile"))


@bp.post("/profil/pause")
@role_required(Role.VOLUNTEER)
def pause() -> Response:
    volunteer = current_volunteer()
    services.set_paused(session=db.session, volunteer=volunteer, paused=not volunteer.paused)
    if volunteer.paused:
        flash(_("Your profile is paused. You will not get new offers until you resume it."), "success")
    else:
        flash(_("Welcome back! Your profile is active again."), "success")
    return redirect(url_for("volunteers.profile"))
