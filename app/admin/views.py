"""Administration: overview, coordinator accounts, partner organisations and their staff."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from app.accounts import mails
from app.accounts.access import role_required
from app.accounts.models import Role, User
from app.admin import services
from app.admin.forms import KIND_LABELS, NO_CHOICE, CoordinatorForm, OrganisationForm, StaffForm
from app.audit.services import recent_views
from app.extensions import db
from app.offices.services import Taken, district_choices, list_offices
from app.partners import services as partners
from app.partners.models import Organisation

bp = Blueprint("admin", __name__, url_prefix="/verwaltung")

Page = str | tuple[str, int]

TAKEN_MESSAGES = {
    "email": _l("This e-mail address has an account already."),
    "name": _l("This name is used already."),
    "slug": _l("This short name is used already."),
    "key": _l("This key is used already."),
    "code": _l("This language is in the list already."),
}


@bp.app_template_global("organisation_kind_label")
def organisation_kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


@bp.before_request
@role_required(Role.ADMIN)
def _admins_only() -> None:
    """Every page here is for admins; role_required answers everyone else."""


def status_of(form: FlaskForm) -> int:
    return 400 if form.is_submitted() else 200


def mark_taken(form: FlaskForm, error: Taken) -> None:
    form[error.field].errors = [str(TAKEN_MESSAGES[error.field])]


def office_choices() -> list[tuple[int, str]]:
    return [(office.id or 0, office.name) for office in list_offices(session=db.session)]


def invite(user: User) -> None:
    """Sends the set-password link and tells the admin whether it went out."""
    if mails.send_password_setup(user):
        flash(_("%(email)s got an e-mail with a link to choose a password.", email=user.email), "success")
    else:
        flash(_("The account exists, but the invitation could not be sent. Please try again."), "error")


@bp.get("/")
def index() -> str:
    counts = services.overview_counts(session=db.session)
    return render_template("admin/index.html", counts=counts)


@bp.get("/zugriffe")
def access_log() -> str:
    """Who of the staff saw which volunteer's data, newest first (the last 200 views)."""
    return render_template("admin/access_log.html", views=recent_views(session=db.session))


@bp.route("/koordination", methods=["GET", "POST"])
def coordinators() -> Response | Page:
    form = CoordinatorForm()
    form.office_id.choices = office_choices()
    if form.validate_on_submit():
        try:
            user = services.invite_user(
                session=db.session,
                role=Role.COORDINATOR,
                email=form.email.data or "",
                display_name=(form.display_name.data or "").strip(),
                office_id=form.office_id.data,
            )
        except Taken as error:
            mark_taken(form, error)
        else:
            invite(user)
            return redirect(url_for("admin.coordinators"))
    offices = {office.id: office.name for office in list_offices(session=db.session)}
    users = services.list_coordinators(session=db.session)
    return render_template("admin/coordinators.html", form=form, users=users, offices=offices), status_of(
        form
    )


@bp.post("/konten/<int:user_id>/aktiv")
def set_active(user_id: int) -> Response:
    user = services.staff_user(session=db.session, user_id=user_id)
    if user is None:
        abort(404)
    active = request.form.get("active") == "1"
    services.set_active(session=db.session, user=user, active=active)
    if active:
        flash(_("%(email)s can log in again.", email=user.email), "success")
    else:
        flash(_("%(email)s is deactivated and logged out.", email=user.email), "success")
    if user.role == Role.PARTNER and user.organisation_id is not None:
        return redirect(url_for("admin.organisation", organisation_id=user.organisation_id))
    return redirect(url_for("admin.coordinators"))


@bp.post("/konten/<int:user_id>/einladung")
def resend_invitation(user_id: int) -> Response:
    user = services.staff_user(session=db.session, user_id=user_id)
    if user is None or not user.is_active:
        abort(404)
    invite(user)
    if user.role == Role.PARTNER and user.organisation_id is not None:
        return redirect(url_for("admin.organisation", organisation_id=user.organisation_id))
    return redirect(url_for("admin.coordinators"))


# --- partner organisations and their staff ---


def organisation_form(
    organisation: Organisation | None = None, from_request: bool = True
) -> OrganisationForm:
    """The organisation form, filled from the request when sent, else from `organisation`."""
    form = OrganisationForm(obj=organisation) if from_request else OrganisationForm(None, obj=organisation)
    form.district_id.choices = [(NO_CHOICE, _("– no district –")), *district_choices(session=db.session)]
    if organisation is None:
        return form
    if not (from_request and form.is_submitted()):
        form.district_id.data = organisation.district_id or NO_CHOICE
    # Keep a kind from older data selectable instead of silently changing it.
    if organisation.kind and organisation.kind not in KIND_LABELS:
        form.kind.choices = [*form.kind.choices, SelectChoice(organisation.kind, organisation.kind)]
    return form


def organisation_data(form: OrganisationForm) -> partners.OrganisationData:
    return partners.OrganisationData(
        name=(form.name.data or "").strip(),
        kind=form.kind.data or "",
        district_id=form.district_id.data or None,
        address=(form.address.data or "").strip(),
        contact_email=(form.contact_email.data or "").strip(),
        phone=(form.phone.data or "").strip(),
    )


def save_organisation(form: OrganisationForm, organisation: Organisation | None) -> Organisation | None:
    """The saved organisation, or None with the form's errors set."""
    if not form.validate_on_submit():
        return None
    try:
        return partners.save_organisation(
            session=db.session, data=organisation_data(form), organisation=organisation
        )
    except Taken as error:
        mark_taken(form, error)
        return None


def get_organisation(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    return organisation


@bp.get("/partner")
def organisations() -> str:
    return render_template(
        "admin/organisations.html",
        organisations=partners.list_organisations(session=db.session),
        staff_counts=partners.staff_counts(session=db.session),
        districts=dict(district_choices(session=db.session)),
    )


@bp.route("/partner/neu", methods=["GET", "POST"])
def new_organisation() -> Response | Page:
    form = organisation_form()
    organisation = save_organisation(form, None)
    if organisation is not None:
        flash(_("The organisation is saved. Now add the people who act for it."), "success")
        return redirect(url_for("admin.organisation", organisation_id=organisation.id))
    return render_template("admin/organisation_new.html", form=form), status_of(form)


def organisation_page(organisation: Organisation, form: OrganisationForm, staff_form: StaffForm) -> str:
    staff = partners.list_staff(session=db.session, organisation_id=organisation.id or 0)
    return render_template(
        "admin/organisation.html",
        organisation=organisation,
        form=form,
        staff_form=staff_form,
        staff=staff,
    )


@bp.route("/partner/<int:organisation_id>", methods=["GET", "POST"])
def organisation(organisation_id: int) -> Response | Page:
    found = get_organisation(organisation_id)
    form = organisation_form(found)
    if save_organisation(form, found) is not None:
        flash(_("The changes are saved."), "success")
        return redirect(url_for("admin.organisation", organisation_id=organisation_id))
    return organisation_page(found, form, StaffForm(formdata=None)), status_of(form)


@bp.post("/partner/<int:organisation_id>/mitarbeitende")
def add_staff(organisation_id: int) -> Response | Page:
    found = get_organisation(organisation_id)
    staff_form = StaffForm()
    if staff_form.validate_on_submit():
        try:
            user = services.invite_user(
                session=db.session,
                role=Role.PARTNER,
                email=staff_form.email.data or "",
                display_name=(staff_form.display_name.data or "").strip(),
                organisation_id=found.id,
            )
        except Taken as error:
            mark_taken(staff_form, error)
        else:
            invite(user)
            return redirect(url_for("admin.organisation", organisation_id=organisation_id))
    return organisation_page(found, organisation_form(found, from_request=False), staff_form), 400


# The other admin pages register their routes on `bp` when imported.
from app.admin import places, vocabulary  # noqa: E402,F401
