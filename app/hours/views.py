"""Volunteers log their hours; partner staff and coordinators confirm or reject them."""

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from app.accounts.access import district_scope, role_required
from app.accounts.models import Role
from app.audit.services import record_views
from app.base import local_today
from app.extensions import db
from app.hours import services
from app.hours.ehrenamtskarte import YEARLY_MINUTES
from app.hours.forms import RULE_MESSAGES, HoursForm, ReviewForm
from app.hours.models import HoursEntry, HoursStatus
from app.hours.services import RULE_FIELDS, HoursRefused, OutOfScope, ReviewScope
from app.volunteers.models import Volunteer
from app.volunteers.views import current_volunteer

bp = Blueprint("hours", __name__)


def _form(volunteer: Volunteer, **kwargs: Any) -> HoursForm:
    form = HoursForm(**kwargs)
    form.set_pairings(services.loggable_pairings(session=db.session, volunteer_id=volunteer.id or 0))
    return form


def _render_mine(
    volunteer: Volunteer, form: HoursForm, status: int = 200, editing: int | None = None
) -> tuple[str, int]:
    today = local_today()
    entries = services.volunteer_entries(session=db.session, volunteer_id=volunteer.id or 0)
    confirmed = sum(row.entry.minutes for row in entries if row.entry.status == HoursStatus.CONFIRMED)
    waiting = sum(row.entry.minutes for row in entries if row.entry.status == HoursStatus.LOGGED)
    return render_template(
        "hours/mine.html",
        form=form,
        editing=editing,
        entries=entries,
        confirmed_minutes=confirmed,
        waiting_minutes=waiting,
        card=services.eligibility(session=db.session, volunteer=volunteer, today=today),
        yearly_minutes=YEARLY_MINUTES,
        max_day_hours=services.MAX_MINUTES_PER_DAY // 60,
        today=today,
    ), status


def _save(form: HoursForm, volunteer: Volunteer, entry: HoursEntry | None) -> bool:
    """Validates and saves; on a broken rule the message goes to its field and nothing is saved."""
    if not form.validate_on_submit():
        return False
    try:
        if entry is None:
            services.log_hours(
                session=db.session,
                volunteer_id=volunteer.id or 0,
                data=form.to_input(),
                today=local_today(),
            )
        else:
            services.correct_hours(session=db.session, entry=entry, data=form.to_input(), today=local_today())
    except HoursRefused as refused:
        db.session.rollback()
        form[RULE_FIELDS[refused.rule]].errors = [RULE_MESSAGES[refused.rule]]
        return False
    return True


@bp.route("/ehrenamt/stunden", methods=["GET", "POST"])
@role_required(Role.VOLUNTEER)
def mine() -> Response | tuple[str, int]:
    volunteer = current_volunteer()
    form = _form(volunteer)
    if not form.is_submitted():
        form.worked_on.data = local_today()
        return _render_mine(volunteer, form)
    if not _save(form, volunteer, None):
        return _render_mine(volunteer, form, 400)
    flash(
        _("Your hours are saved. They count once the organisation or a coordinator confirms them."), "success"
    )
    return redirect(url_for("hours.mine"), 303)


def _own_waiting(volunteer: Volunteer, entry_id: int) -> HoursEntry:
    try:
        return services.own_waiting_entry(
            session=db.session, volunteer_id=volunteer.id or 0, entry_id=entry_id
        )
    except OutOfScope:
        abort(404)


@bp.route("/ehrenamt/stunden/<int:entry_id>", methods=["GET", "POST"])
@role_required(Role.VOLUNTEER)
def correct(entry_id: int) -> Response | tuple[str, int]:
    volunteer = current_volunteer()
    entry = _own_waiting(volunteer, entry_id)
    form = _form(volunteer)
    if not form.is_submitted():
        form = _form(
            volunteer,
            data={
                "pairing_id": entry.pairing_id,
                "worked_on": entry.worked_on,
                "hours": entry.minutes // 60,
                "minutes": entry.minutes % 60,
                "note": entry.note,
            },
        )
        return _render_mine(volunteer, form, editing=entry_id)
    if not _save(form, volunteer, entry):
        return _render_mine(volunteer, form, 400, editing=entry_id)
    flash(_("Your correction is saved."), "success")
    return redirect(url_for("hours.mine"), 303)


@bp.post("/ehrenamt/stunden/<int:entry_id>/zurueckziehen")
@role_required(Role.VOLUNTEER)
def withdraw(entry_id: int) -> Response:
    volunteer = current_volunteer()
    services.withdraw_hours(session=db.session, entry=_own_waiting(volunteer, entry_id))
    flash(_("The entry is withdrawn."), "success")
    return redirect(url_for("hours.mine"), 303)


def _scope() -> ReviewScope:
    """Partner staff: their organisation's needs; coordinators: their districts; admins: all."""
    if current_user.role == Role.PARTNER:
        return ReviewScope(organisation_id=current_user.organisation_id or 0)
    return ReviewScope(district_ids=district_scope(current_user))


def _render_review(form: ReviewForm | None = None, status: int = 200) -> tuple[str, int]:
    rows = services.waiting_entries(session=db.session, scope=_scope())
    record_views(
        session=db.session,
        viewer_id=current_user.id,
        volunteer_ids=[row.entry.volunteer_id for row in rows],
        source="hours.review",
    )
    failed_row = form.row.data if form is not None else None
    return render_template(
        "hours/review.html",
        rows=rows,
        bulk_form=form if form is not None and failed_row is None else ReviewForm(formdata=None),
        row_form=form if failed_row is not None else None,
        failed_row=failed_row,
    ), status


@bp.get("/stunden/bestaetigen")
@role_required(Role.PARTNER, Role.COORDINATOR)
def review() -> tuple[str, int]:
    return _render_review()


@bp.post("/stunden/bestaetigen")
@role_required(Role.PARTNER, Role.COORDINATOR)
def decide() -> Response | tuple[str, int]:
    form = ReviewForm()
    if not form.validate_on_submit():
        return _render_review(form, 400)
    confirm = form.decision.data == "confirm"
    try:
        decided = services.review_hours(
            session=db.session,
            entry_ids=form.entry_ids.data or [],
            confirm=confirm,
            reason=form.reason.data or "",
            reviewer_id=current_user.id,
            scope=_scope(),
        )
    except OutOfScope:
        db.session.rollback()
        abort(404)
    if confirm:
        flash(ngettext("%(num)d entry confirmed.", "%(num)d entries confirmed.", len(decided)), "success")
    else:
        flash(ngettext("%(num)d entry rejected.", "%(num)d entries rejected.", len(decided)), "success")
    skipped = len(set(form.entry_ids.data or [])) - len(decided)
    if skipped:
        message = ngettext(
            "%(num)d entry had been decided or withdrawn in the meantime.",
            "%(num)d entries had been decided or withdrawn in the meantime.",
            skipped,
        )
        flash(message, "info")
    return redirect(url_for("hours.review"), 303)
