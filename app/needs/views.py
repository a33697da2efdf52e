"""Partners post and manage needs; everyone may browse the open ones."""

from collections.abc import Sequence
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.accounts.access import district_scope, role_required
from app.accounts.models import Role
from app.audit.services import record_views
from app.base import row_id
from app.extensions import db
from app.hours.services import confirmed_minutes_by_pairing
from app.labels import NEED_STATUS
from app.needs import queries, services
from app.needs.access import own_need, refuse_if_closed
from app.needs.forms import NeedForm, form_data, with_choices
from app.needs.models import Need, NeedStatus
from app.offices.services import district_choices
from app.partners.models import Organisation
from app.vocab.services import skill_choices

bp = Blueprint("needs", __name__, url_prefix="/bedarfe")


def _locale() -> str:
    return str(get_locale() or "de")


def _context(needs: Sequence[Need]) -> dict[str, Any]:
    """What templates/needs/_summary.html needs for these needs (pairings pages use it too)."""
    return {"needs": needs, "facts": queries.need_facts(session=db.session, needs=needs, locale=_locale())}


def _own_need(need_id: int) -> Need:
    return own_need(need_id, current_user._get_current_object())


def _visible_need(need_id: int) -> Need:
    """Partners see their organisation's needs, coordinators the needs in their districts."""
    if current_user.role != Role.COORDINATOR:
        return _own_need(need_id)
    need = db.session.get(Need, need_id)
    if need is None:
        abort(404)
    scope = district_scope(current_user)
    if scope is not None and need.district_id not in scope:
        abort(404)
    return need


@bp.get("/")
def public_list() -> str:
    district_id = request.args.get("district", type=row_id)
    skill_id = request.args.get("skill", type=row_id)
    needs = queries.open_needs(session=db.session, district_id=district_id, skill_id=skill_id)
    return render_template(
        "needs/public_list.html",
        district_choices=district_choices(session=db.session),
        skill_choices=skill_choices(session=db.session, locale=_locale()),
        chosen_district=district_id,
        chosen_skill=skill_id,
        **_context(needs),
    )


@bp.get("/unsere")
@role_required(Role.PARTNER)
def mine() -> str:
    needs = queries.organisation_needs(session=db.session, organisation_id=current_user.organisation_id)
    counts = queries.pairing_counts(session=db.session, need_ids=[need.id or 0 for need in needs])
    organisation = (
        db.session.get(Organisation, current_user.organisation_id) if current_user.organisation_id else None
    )
    return render_template("needs/mine.html", needs=needs, counts=counts, organisation=organisation)


def _prepared(form: NeedForm) -> NeedForm:
    return with_choices(form, session=db.session, locale=_locale())


def _render_form(form: NeedForm, need: Need | None, status: int = 200) -> tuple[str, int]:
    return render_template("needs/form.html", form=form, need=need), status


@bp.route("/neu", methods=["GET", "POST"])
@role_required(Role.PARTNER)
def new() -> Response | tuple[str, int]:
    if current_user.organisation_id is None:
        abort(403)  # an admin without an organisation cannot post for one
    form = _prepared(NeedForm())
    if not form.validate_on_submit():
        return _render_form(form, None, 400 if form.is_submitted() else 200)
    need = services.create_need(
        session=db.session,
        organisation_id=current_user.organisation_id,
        created_by_id=current_user.id,
        data=form.to_data(),
    )
    flash(_("The need is published. We are looking for matching volunteers."), "success")
    return redirect(url_for("needs.detail", need_id=need.id))


@bp.route("/<int:need_id>/bearbeiten", methods=["GET", "POST"])
@role_required(Role.PARTNER)
def edit(need_id: int) -> Response | tuple[str, int]:
    need = _own_need(need_id)
    refuse_if_closed(need)
    if request.method == "GET":
        stored = services.need_data(session=db.session, need=need)
        return _render_form(_prepared(NeedForm(data=form_data(stored))), need)
    form = _prepared(NeedForm())
    if not form.validate_on_submit():
        return _render_form(form, need, 400)
    services.update_need(session=db.session, need=need, data=form.to_data())
    flash(_("Your changes are saved. We are looking for matching volunteers again."), "success")
    return redirect(url_for("needs.detail", need_id=need.id))


@bp.get("/<int:need_id>")
@role_required(Role.PARTNER, Role.COORDINATOR)
def detail(need_id: int) -> str:
    need = _visible_need(need_id)
    introduced = queries.introduced_volunteers(session=db.session, need_id=need_id)
    record_views(
        session=db.session,
        viewer_id=current_user.id,
        volunteer_ids=[volunteer.id or 0 for _pairing, volunteer, _email in introduced],
        source="needs.detail",
    )
    may_manage = current_user.role == Role.ADMIN or need.organisation_id == current_user.organisation_id
    hours = confirmed_minutes_by_pairing(
        session=db.session, pairing_ids=[pairing.id or 0 for pairing, _volunteer, _email in introduced]
    )
    return render_template(
        "needs/detail.html",
        need=need,
        introduced=introduced,
        may_manage=may_manage,
        confirmed_minutes=hours,
        **_context([need]),
    )


@bp.post("/<int:need_id>/status")
@role_required(Role.PARTNER)
def set_status(need_id: int) -> Response:
    need = _own_need(need_id)
    try:
        status = NeedStatus(request.form.get("status", ""))
    except ValueError:
        abort(400)
    refuse_if_closed(need)
    services.set_status(session=db.session, need=need, status=status)
    flash(_("The need is now %(status)s.", status=NEED_STATUS[status]), "success")
    return redirect(url_for("needs.detail", need_id=need.id))
