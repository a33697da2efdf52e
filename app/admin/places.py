"""Administration of offices and the districts they look after."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.admin.forms import NO_CHOICE, DistrictForm, DistrictPlaceForm
from app.admin.views import Page, bp, mark_taken, office_choices, status_of
from app.extensions import db
from app.offices.models import District
from app.offices.services import Taken, districts_by_office, list_offices, save_district


def with_office_choices(form: DistrictPlaceForm) -> DistrictPlaceForm:
    form.office_id.choices = [(NO_CHOICE, _("– no office –")), *office_choices()]
    return form


def save(form: DistrictPlaceForm, district: District) -> bool:
    """Copies the form onto the district and saves it; False with the form's errors set."""
    if not form.validate_on_submit():
        return False
    form.populate_obj(district)
    district.office_id = form.office_id.data or None
    if isinstance(form, DistrictForm):
        district.name = (form.name.data or "").strip()
    try:
        save_district(session=db.session, district=district)
    except Taken as error:
        mark_taken(form, error)
        return False
    return True


@bp.get("/bueros")
def offices() -> str:
    return render_template(
        "admin/offices.html",
        offices=list_offices(session=db.session),
        districts=districts_by_office(session=db.session),
    )


@bp.route("/stadtteile/neu", methods=["GET", "POST"])
def new_district() -> Response | Page:
    form = with_office_choices(DistrictForm())
    district = District(name="", slug="", latitude=0.0, longitude=0.0)
    if save(form, district):
        flash(_("The district %(name)s is added.", name=district.name), "success")
        return redirect(url_for("admin.offices"))
    return render_template("admin/district.html", form=form, district=None), status_of(form)


@bp.route("/stadtteile/<int:district_id>", methods=["GET", "POST"])
def edit_district(district_id: int) -> Response | Page:
    district = db.session.get(District, district_id)
    if district is None:
        abort(404)
    form = with_office_choices(DistrictPlaceForm(obj=district))
    if not form.is_submitted():
        form.office_id.data = district.office_id or NO_CHOICE
    if save(form, district):
        flash(_("The district %(name)s is saved.", name=district.name), "success")
        return redirect(url_for("admin.offices"))
    # The form may have been copied onto the object before a failed check; keep the stored values.
    db.session.rollback()
    return render_template("admin/district.html", form=form, district=district), status_of(form)
