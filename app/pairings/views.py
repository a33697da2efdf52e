"""The volunteer's answer to an offer (by mail link), the coordinators' overview, and the pairing page
with the lifecycle's steps for coordinators and the partner's staff."""

from math import ceil

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.accounts.access import district_scope, role_required
from app.accounts.models import Role
from app.audit.services import pairing_timeline, record_views
from app.base import row_id
from app.errors import render_error
from app.extensions import db
from app.labels import PAIRING_STATUS
from app.needs.models import Need, NeedStatus
from app.needs.queries import VISIBLE_TO_PARTNER, need_facts
from app.pages.views import safe_next
from app.pairings import check_ins, services
from app.pairings.forms import CheckInForm, MeetingForm, PairingUpdateForm, ResponseForm
from app.pairings.mails import send_call_for_help, send_ended, send_introduction, send_meeting
from app.pairings.models import CheckIn, CheckInParty, CheckInRating, Pairing, PairingStatus
from app.volunteers.models import Volunteer

bp = Blueprint("pairings", __name__, url_prefix="/vermittlungen")
PAGE_SIZE = 50  # pairings on one page of the overview


def _answered(pairing: Pairing, need: Need, status: int, just_answered: bool = False) -> tuple[str, int]:
    return render_template(
        "pairings/answered.html", pairing=pairing, need=need, just_answered=just_answered
    ), status


def _not_open(need: Need, status: int) -> tuple[str, int]:
    """An offer for a need paused or closed since: nothing to accept now (a paused one may reopen)."""
    return render_template("pairings/need_not_open.html", need=need), status


@bp.route("/antwort/<token>", methods=["GET", "POST"])
def respond(token: str) -> tuple[str, int]:
    """The link in the offer mail is the credential: volunteers answer on a phone without logging in."""
    pairing = services.pairing_by_token(session=db.session, token=token)
    need = db.session.get(Need, pairing.need_id) if pairing else None
    if pairing is None or need is None:
        abort(404)
    if pairing.status != PairingStatus.OFFERED:
        return _answered(pairing, need, 409 if request.method == "POST" else 200)
    if need.status != NeedStatus.OPEN:
        return _not_open(need, 409 if request.method == "POST" else 200)
    form = ResponseForm()
    if not form.validate_on_submit():
        facts = need_facts(session=db.session, needs=[need], locale=str(get_locale() or "de"))
        status = 400 if form.is_submitted() else 200
        return render_template("pairings/respond.html", form=form, need=need, facts=facts), status
    volunteer = db.session.get(Volunteer, pairing.volunteer_id)
    try:
        services.move(
            session=db.session,
            pairing=pairing,
            action=form.answer.data,
            # The link stands for the volunteer: the log names their account as the one who decided.
            actor_id=volunteer.user_id if volunteer else None,
            reason=form.reason.data or "",
        )
    except services.WrongState:
        # Answered in another tab a moment ago.
        db.session.rollback()
        return _answered(pairing, need, 409)
    if pairing.status == PairingStatus.INTRODUCED:
        send_introduction(db.session, pairing)
    return _answered(pairing, need, 200, just_answered=True)


@bp.route("/rueckmeldung/<token>", methods=["GET", "POST"])
def check_in(token: str) -> tuple[str, int]:
    """The answer to a check-in, by mail link as for offers; a second answer is refused politely."""
    question = check_ins.check_in_by_token(session=db.session, token=token)
    pairing = db.session.get(Pairing, question.pairing_id) if question else None
    need = db.session.get(Need, pairing.need_id) if pairing else None
    if question is None or need is None:
        abort(404)
    context = {"check_in": question, "need": need, "to_volunteer": question.party == CheckInParty.VOLUNTEER}
    if question.answered_at is not None:
        status = 409 if request.method == "POST" else 200
        return render_template("pairings/check_in_answered.html", **context), status
    form = CheckInForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("pairings/check_in.html", form=form, **context), status
    try:
        check_ins.answer(
            session=db.session,
            check_in=question,
            rating=form.chosen_rating(),
            comment=form.comment.data or "",
        )
    except check_ins.AlreadyAnswered:
        db.session.rollback()
        return render_template("pairings/check_in_answered.html", **context), 409
    if question.rating == CheckInRating.POOR:
        send_call_for_help(db.session, question)
    return render_template("pairings/check_in_answered.html", just_answered=True, **context), 200


@bp.get("/")
@role_required(Role.COORDINATOR)
def overview() -> str:
    scope = district_scope(current_user)
    status = request.args.get("status", "")
    if status not in {s.value for s in PairingStatus}:
        status = ""
    counts = services.status_counts(session=db.session, district_ids=scope)
    total = counts.get(status, 0) if status else sum(counts.values())
    pages = max(1, ceil(total / PAGE_SIZE))
    # A page number that is no number counts as the first, one past the end as the last.
    page = min(request.args.get("page", 1, type=row_id), pages)
    rows = services.pairings_in_scope(
        session=db.session,
        district_ids=scope,
        status=status or None,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    record_views(
        session=db.session,
        viewer_id=current_user.id,
        volunteer_ids=[row.volunteer.id or 0 for row in rows],
        source="pairings.overview",
    )
    attention = check_ins.needing_attention(
        session=db.session, pairing_ids=[row.pairing.id or 0 for row in rows]
    )
    return render_template(
        "pairings/overview.html",
        rows=rows,
        counts=counts,
        statuses=list(PairingStatus),
        chosen_status=status,
        page=page,
        pages=pages,
        args={"status": status} if status else {},
        attention=attention,
    )


def _may_see(pairing: Pairing, need: Need) -> bool:
    """Coordinators for needs in their districts, admins, and the staff of the need's organisation once
    the volunteer has accepted (before that, partners do not learn who it is)."""
    if current_user.role == Role.PARTNER:
        return need.organisation_id == current_user.organisation_id and pairing.status in VISIBLE_TO_PARTNER
    scope = district_scope(current_user)
    return scope is None or need.district_id in scope


def _pairing_in_reach(pairing_id: int) -> tuple[Pairing, Need]:
    pairing = db.session.get(Pairing, pairing_id)
    need = db.session.get(Need, pairing.need_id) if pairing else None
    if pairing is None or need is None or not _may_see(pairing, need):
        abort(404)
    return pairing, need


@bp.app_template_global("pairing_can")
def pairing_can(pairing: Pairing, action: str) -> bool:
    return services.can_move(pairing, action)


def _may_rematch() -> bool:
    # Partners cannot see the review queue that the new proposals land in.
    return bool(current_user.role in (Role.COORDINATOR, Role.ADMIN))


def _page(
    pairing: Pairing,
    meeting_form: MeetingForm | None = None,
    update_form: PairingUpdateForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    row = services.pairing_detail(session=db.session, pairing_id=pairing.id or 0)
    assert row is not None
    record_views(
        session=db.session,
        viewer_id=current_user.id,
        volunteer_ids=[row.volunteer.id or 0],
        source="pairings.detail",
    )
    if meeting_form is None:
        meeting_form = MeetingForm.for_pairing(pairing)
    page = render_template(
        "pairings/detail.html",
        row=row,
        pairing=pairing,
        need=row.need,
        volunteer_email=row.email,
        facts=need_facts(session=db.session, needs=[row.need], locale=str(get_locale() or "de")),
        timeline=pairing_timeline(
            session=db.session, pairing=pairing, with_review_reasons=current_user.role != Role.PARTNER
        ),
        check_ins=_check_ins_shown(pairing),
        meeting_form=meeting_form,
        update_form=update_form or PairingUpdateForm(formdata=None),
        may_rematch=_may_rematch(),
    )
    return page, status


def _check_ins_shown(pairing: Pairing) -> list[CheckIn]:
    """All answers for the coordinators; the partner's staff see only their own organisation's, so a
    volunteer can say frankly what does not work."""
    found = check_ins.check_ins_of(session=db.session, pairing_id=pairing.id or 0)
    if current_user.role == Role.PARTNER:
        return [c for c in found if c.party == CheckInParty.PARTNER]
    return found


@bp.get("/<int:pairing_id>")
@role_required(Role.COORDINATOR, Role.PARTNER)
def detail(pairing_id: int) -> tuple[str, int]:
    pairing, _need = _pairing_in_reach(pairing_id)
    return _page(pairing)


@bp.post("/<int:pairing_id>")
@role_required(Role.COORDINATOR, Role.PARTNER)
def update(pairing_id: int) -> Response | tuple[str, int]:
    pairing, need = _pairing_in_reach(pairing_id)
    form = PairingUpdateForm()
    target = safe_next(form.next.data, url_for("pairings.overview"))
    if form.action.data not in services.LIFECYCLE_ACTIONS:
        abort(400)
    if not services.can_move(pairing, form.action.data):
        return _wrong_state(pairing, need)
    if not form.validate_on_submit():
        # The buttons live on three pages; the pairing page shows the error beside its form.
        return _page(pairing, update_form=form, status=400)
    try:
        services.move(
            session=db.session,
            pairing=pairing,
            action=form.action.data,
            actor_id=current_user.id,
            reason=form.full_reason(),
        )
    except services.WrongState:
        db.session.rollback()
        return _wrong_state(pairing, need)
    if pairing.status in services.ENDED and not send_ended(db.session, pairing):
        flash(_("The volunteer could not be told by e-mail. Please let them know yourself."), "warning")
    flash(_("The pairing is now: %(status)s.", status=_status_label(pairing.status)), "success")
    return redirect(target, 303)


@bp.post("/<int:pairing_id>/treffen")
@role_required(Role.COORDINATOR, Role.PARTNER)
def arrange_meeting(pairing_id: int) -> Response | tuple[str, int]:
    pairing, need = _pairing_in_reach(pairing_id)
    if not services.can_move(pairing, "arrange_meeting"):
        return _wrong_state(pairing, need)
    form = MeetingForm(prefix="meeting")
    if not form.validate_on_submit():
        return _page(pairing, meeting_form=form, status=400)
    try:
        services.arrange_meeting(
            session=db.session,
            pairing=pairing,
            at=form.meeting_at(),
            place=form.place.data or "",
            actor_id=current_user.id,
        )
    except services.WrongState:
        db.session.rollback()
        return _wrong_state(pairing, need)
    if send_meeting(db.session, pairing):
        flash(_("The first meeting is saved; both sides have it by e-mail."), "success")
    else:
        flash(_("The first meeting is saved, but the e-mails could not be sent."), "warning")
    return redirect(url_for("pairings.detail", pairing_id=pairing.id), 303)


@bp.post("/<int:pairing_id>/neue-vermittlung")
@role_required(Role.COORDINATOR)
def rematch(pairing_id: int) -> Response | tuple[str, int]:
    pairing, need = _pairing_in_reach(pairing_id)
    try:
        services.request_rematch(session=db.session, pairing=pairing, actor_id=current_user.id)
    except services.WrongState:
        db.session.rollback()
        return _wrong_state(pairing, need)
    flash(_("We are looking for new matches for the volunteer and for the need."), "success")
    return redirect(url_for("pairings.detail", pairing_id=pairing.id, _anchor="rematch"), 303)


def _wrong_state(pairing: Pairing, need: Need) -> tuple[str, int]:
    message = _(
        "This step is not possible: the pairing for “%(title)s” is %(status)s.",
        title=need.title,
        status=_status_label(pairing.status),
    )
    return render_error(409, message)


def _status_label(status: str) -> str:
    return str(PAIRING_STATUS[PairingStatus(status)])
