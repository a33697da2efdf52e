"""The volunteer's answer to an offer (by mail link), and the pairing lifecycle afterwards."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.accounts.access import district_scope, role_required
from app.accounts.models import Role
from app.audit.services import record_views
from app.errors import render_error
from app.extensions import db
from app.labels import PAIRING_STATUS
from app.needs.models import Need
from app.needs.queries import need_facts
from app.pages.views import safe_next
from app.pairings import services
from app.pairings.forms import PairingUpdateForm, ResponseForm
from app.pairings.mails import send_introduction
from app.pairings.models import Pairing, PairingStatus

bp = Blueprint("pairings", __name__, url_prefix="/vermittlungen")


def _answered(pairing: Pairing, need: Need, status: int, just_answered: bool = False) -> tuple[str, int]:
    return render_template(
        "pairings/answered.html", pairing=pairing, need=need, just_answered=just_answered
    ), status


@bp.route("/antwort/<token>", methods=["GET", "POST"])
def respond(token: str) -> tuple[str, int]:
    """The link in the offer mail is the credential: volunteers answer on a phone without logging in."""
    pairing = services.pairing_by_token(session=db.session, token=token)
    need = db.session.get(Need, pairing.need_id) if pairing else None
    if pairing is None or need is None:
        abort(404)
    if pairing.status != PairingStatus.OFFERED:
        return _answered(pairing, need, 409 if request.method == "POST" else 200)
    form = ResponseForm()
    if not form.validate_on_submit():
        facts = need_facts(session=db.session, needs=[need], locale=str(get_locale() or "de"))
        status = 400 if form.is_submitted() else 200
        return render_template("pairings/respond.html", form=form, need=need, facts=facts), status
    try:
        services.move(
            session=db.session, pairing=pairing, action=form.answer.data, reason=form.reason.data or ""
        )
    except services.WrongState:
        # Answered in another tab a moment ago.
        db.session.rollback()
        return _answered(pairing, need, 409)
    if pairing.status == PairingStatus.INTRODUCED:
        send_introduction(db.session, pairing)
    return _answered(pairing, need, 200, just_answered=True)


@bp.get("/")
@role_required(Role.COORDINATOR)
def overview() -> str:
    scope = district_scope(current_user)
    status = request.args.get("status", "")
    if status not in {s.value for s in PairingStatus}:
        status = ""
    rows = services.pairings_in_scope(session=db.session, district_ids=scope, status=status or None)
    record_views(
        session=db.session,
        viewer_id=current_user.id,
        volunteer_ids=[row.volunteer.id or 0 for row in rows],
        source="pairings.overview",
    )
    return render_template(
        "pairings/overview.html",
        rows=rows,
        counts=services.status_counts(session=db.session, district_ids=scope),
        statuses=list(PairingStatus),
        chosen_status=status,
    )


def _may_update(need: Need) -> bool:
    """Coordinators for needs in their districts, admins, and the staff of the need's organisation."""
    if current_user.role == Role.PARTNER:
        return bool(need.organisation_id == current_user.organisation_id)
    scope = district_scope(current_user)
    return scope is None or need.district_id in scope


@bp.post("/<int:pairing_id>")
@role_required(Role.COORDINATOR, Role.PARTNER)
def update(pairing_id: int) -> Response | tuple[str, int]:
    pairing = db.session.get(Pairing, pairing_id)
    need = db.session.get(Need, pairing.need_id) if pairing else None
    if pairing is None or need is None or not _may_update(need):
        abort(404)
    form = PairingUpdateForm()
    target = safe_next(form.next.data, url_for("pairings.overview"))
    if form.action.data not in services.LIFECYCLE_ACTIONS:
        abort(400)
    if not services.can_move(pairing, form.action.data):
        return _wrong_state(pairing, need)
    if not form.validate_on_submit():
        # The buttons live on two pages (overview, need detail); a page of its own shows the error.
        return render_template("pairings/end_early.html", form=form, pairing=pairing, need=need), 400
    try:
        services.move(
            session=db.session, pairing=pairing, action=form.action.data, reason=form.reason.data or ""
        )
    except services.WrongState:
        db.session.rollback()
        return _wrong_state(pairing, need)
    flash(_("The pairing is now: %(status)s.", status=_status_label(pairing.status)), "success")
    return redirect(target, 303)


def _wrong_state(pairing: Pairing, need: Need) -> tuple[str, int]:
    message = _(
        "This step is not possible: the pairing for “%(title)s” is %(status)s.",
        title=need.title,
        status=_status_label(pairing.status),
    )
    return render_error(409, message)


def _status_label(status: str) -> str:
    return str(PAIRING_STATUS[PairingStatus(status)])
