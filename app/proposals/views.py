"""The coordinator's review queue: proposals with their explanation, decided one by one or in bulk."""

from math import ceil
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.accounts.access import district_scope, role_required
from app.accounts.models import Role
from app.audit.services import record_views
from app.base import utcnow
from app.extensions import db
from app.needs.models import Need
from app.offices.services import district_choices
from app.pages.views import filter_args
from app.proposals import services
from app.proposals.explain import explain
from app.proposals.forms import COMMON_REASONS, BulkDecisionForm, DecisionForm, QueueFilterForm
from app.proposals.models import Proposal
from app.proposals.offers import REFUSALS, take_decisions
from app.proposals.services import Decision, Outcome, Refusal
from app.proposals.sides import page_sides
from app.vocab.services import language_labels_by_code, skill_labels_by_key
from app.volunteers.forms import LEVEL_LABELS
from app.volunteers.models import Volunteer
from matching.features import age_on

bp = Blueprint("proposals", __name__, url_prefix="/vorschlaege")


def _locale() -> str:
    return str(get_locale() or "de")


PAGE_SIZE = 50
# The queue's GET parameters that pagination and decisions carry along ("select" and "page" are per link).
FILTER_ARGS = ("district", "need_title", "language", "age", "min_score", "need", "volunteer")


@bp.get("/")
@role_required(Role.COORDINATOR)
def queue() -> tuple[str, int]:
    return _render_queue()


def _return_args() -> dict[str, Any]:
    """The filters and page a decision was taken on (its form's address carries them), to return there."""
    page = request.args.get("page", "")
    return filter_args(FILTER_ARGS) | ({"page": page} if page.isdigit() else {})


def _valid(field: Any) -> Any:
    """A filter's value, or None if it was refused (the rest of the filters still apply)."""
    return None if field.errors else field.data


def _render_queue(status: int = 200, **forms: Any) -> tuple[str, int]:
    """The queue page; `forms` carries a submitted form with errors back to where it was filled in."""
    scope = district_scope(current_user)
    skills = skill_labels_by_key(session=db.session, locale=_locale())
    languages = language_labels_by_code(session=db.session, locale=_locale())
    filters = QueueFilterForm(formdata=request.args)
    filters.set_choices(
        [(i, name) for i, name in district_choices(session=db.session) if scope is None or i in scope],
        sorted(languages.items(), key=lambda choice: choice[1].casefold()),
    )
    if request.args:
        filters.validate()
    target_need, target_volunteer = _targets(filters, scope)
    if filters.errors:
        status = max(status, 400)
    after, before = filters.computed_between(utcnow()) if not filters.age.errors else (None, None)
    chosen = services.QueueFilter(
        district_ids=scope,
        district_id=_valid(filters.district) or None,
        min_score=(_valid(filters.min_score) or 0) / 100,
        need_id=target_need.id if target_need else None,
        need_title=(_valid(filters.need_title) or "").strip(),
        volunteer_id=target_volunteer.id if target_volunteer else None,
        language=_valid(filters.language) or "",
        computed_after=after,
        computed_before=before,
    )
    total = services.queue_size(session=db.session, filters=chosen)
    pages = max(1, ceil(total / PAGE_SIZE))
    # A page beyond the last one (after decisions emptied it) shows the last one.
    page = min(_valid(filters.page) or 1, pages)
    entries = services.review_queue(
        session=db.session,
        district_ids=scope,
        filters=chosen,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    record_views(
        session=db.session,
        viewer_id=current_user.id,
        volunteer_ids=[entry.volunteer.id or 0 for entry in entries]
        + ([target_volunteer.id or 0] if target_volunteer else []),
        source="proposals.queue",
    )
    return render_template(
        "proposals/queue.html",
        entries=entries,
        sides=page_sides(session=db.session, entries=entries, locale=_locale(), skill_names=skills),
        explanations={e.proposal.id: explain(e.proposal.reasons, skills, languages) for e in entries},
        language_names=languages,
        level_names={level: str(name) for level, name in LEVEL_LABELS.items()},
        today=utcnow().date(),
        age_on=age_on,
        filters=filters,
        args=filter_args(FILTER_ARGS),
        total=total,
        page=page,
        pages=pages,
        select_all=_valid(filters.select) == "all",
        target_need=target_need,
        target_volunteer=target_volunteer,
        common_reasons=COMMON_REASONS,
        bulk_form=forms.get("bulk_form") or BulkDecisionForm(formdata=None),
        row_form=forms.get("row_form"),
        row_id=forms.get("row_id"),
    ), status


def _targets(filters: QueueFilterForm, scope: list[int] | None) -> tuple[Need | None, Volunteer | None]:
    """The need and the volunteer the queue is narrowed to by a link, checked to exist (and the need to
    lie in the coordinator's districts); an unknown one is an error of the filter form."""
    need = db.session.get(Need, filters.need.data) if _valid(filters.need) else None
    if (
        filters.need.data
        and not filters.need.errors
        and (need is None or (scope is not None and need.district_id not in scope))
    ):
        need = None
        filters.need.errors = [_("This need does not exist or is outside your districts.")]
    volunteer = db.session.get(Volunteer, filters.volunteer.data) if _valid(filters.volunteer) else None
    if (
        filters.volunteer.data
        and not filters.volunteer.errors
        and (
            volunteer is None
            or not services.volunteer_in_scope(session=db.session, volunteer=volunteer, district_ids=scope)
        )
    ):
        # One message for both: the answer must not tell who exists in other districts.
        volunteer = None
        filters.volunteer.errors = [_("This volunteer does not exist or is outside your districts.")]
    return need, volunteer


def _take(proposal_ids: list[int], decision: str, reason: str) -> list[Outcome]:
    taken = take_decisions(
        user=current_user._get_current_object(),
        proposal_ids=proposal_ids,
        decision=Decision(decision),
        reason=reason,
    )
    if taken.unsent_offers:
        flash(
            _(
                "The offer mail could not be sent to %(count)d volunteer(s); please contact them directly.",
                count=taken.unsent_offers,
            ),
            "error",
        )
    return taken.outcomes


def _success_message(decision: str, count: int) -> str:
    if decision == Decision.APPROVE:
        return _("%(count)d approved: each volunteer gets an offer by e-mail.", count=count)
    return _("%(count)d rejected.", count=count)


@bp.post("/<int:proposal_id>/entscheidung")
@role_required(Role.COORDINATOR)
def decide(proposal_id: int) -> Response | tuple[str, int]:
    proposal = db.session.get(Proposal, proposal_id)
    need = db.session.get(Need, proposal.need_id) if proposal else None
    scope = district_scope(current_user)
    if need is None or (scope is not None and need.district_id not in scope):
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _render_queue(400, row_form=form, row_id=proposal_id)
    outcome = _take([proposal_id], form.decision.data, form.reason_text())[0]
    if outcome.refusal == Refusal.NOT_FOUND:
        abort(404)
    if outcome.refusal is not None:
        flash(str(REFUSALS[outcome.refusal]), "error")
        return _render_queue(409)
    flash(_success_message(form.decision.data, 1), "success")
    anchor = f"proposal-{form.next_id.data}" if form.next_id.data else None
    return redirect(url_for("proposals.queue", **_return_args(), _anchor=anchor), 303)


@bp.post("/sammelentscheidung")
@role_required(Role.COORDINATOR)
def bulk_decide() -> Response | tuple[str, int]:
    form = BulkDecisionForm()
    if not form.validate_on_submit():
        return _render_queue(400, bulk_form=form)
    outcomes = _take(form.proposal_ids.data or [], form.decision.data, form.reason_text())
    done = [o for o in outcomes if o.refusal is None]
    if done:
        flash(_success_message(form.decision.data, len(done)), "success")
    for outcome in outcomes:
        if outcome.refusal is not None:
            flash(
                _(
                    "Not decided: %(proposal)s – %(why)s",
                    proposal=_label(outcome),
                    why=REFUSALS[outcome.refusal],
                ),
                "error",
            )
    return redirect(url_for("proposals.queue", **_return_args()), 303)


def _label(outcome: Outcome) -> str:
    """How the queue names a proposal: 'Ayşe Y. → Homework help' (or its number, if it is unknown)."""
    if outcome.proposal is None:
        return _("proposal no. %(id)d", id=outcome.proposal_id)
    volunteer = db.session.get(Volunteer, outcome.proposal.volunteer_id)
    need = db.session.get(Need, outcome.proposal.need_id)
    if volunteer is None or need is None:
        return _("proposal no. %(id)d", id=outcome.proposal_id)
    return f"{volunteer.first_name} {volunteer.last_name[:1]}. → {need.title}"
