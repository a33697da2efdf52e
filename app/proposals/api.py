"""The coordinator API for proposals: the review queue of the caller's districts, read and decided.

A proposal shows the volunteer as the queue does (first name, initial, district, languages): contact
details reach nobody before a coordinator approves and the volunteer accepts.
"""

from datetime import datetime
from typing import Any

from apiflask import APIBlueprint
from flask import abort
from flask_babel import get_locale
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import select
from werkzeug.datastructures import MultiDict

from app.accounts.access import district_scope
from app.accounts.api_auth import current_caller, token_auth
from app.accounts.api_tokens import Scope
from app.api import BAD_BODY, CONFLICT, FORBIDDEN, NO_CSRF, NOT_FOUND, RowId, check_form
from app.audit.services import record_views
from app.errors import Conflict
from app.extensions import db
from app.needs.models import Need
from app.offices.services import district_choices
from app.partners.models import Organisation
from app.proposals import services
from app.proposals.explain import explain
from app.proposals.forms import REASON_MAX, DecisionForm
from app.proposals.models import Proposal, ProposalStatus
from app.proposals.offers import REFUSALS, take_decisions
from app.proposals.services import Decision, QueueEntry
from app.vocab.services import language_labels_by_code, skill_labels_by_key
from app.volunteers.models import Volunteer, VolunteerLanguage

bp = APIBlueprint("proposals_api", __name__, url_prefix="/api/v1/proposals", tag="Proposals")

PAGE_MAX = 200


class QueueQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    district_id: RowId | None = Field(None, description="Only needs in this district (one of yours).")
    min_score: float = Field(0.0, ge=0, le=1)
    limit: int = Field(50, ge=1, le=PAGE_MAX)
    offset: int = Field(0, ge=0, le=10_000_000)


class VolunteerSummary(BaseModel):
    id: int
    first_name: str
    last_initial: str
    district_id: int
    languages: list[str] = Field(description="Language codes the volunteer speaks.")


class NeedSummary(BaseModel):
    id: int
    title: str
    district_id: int
    organisation: str


class ProposalOut(BaseModel):
    id: int
    status: ProposalStatus
    score: float
    computed_at: datetime
    explanation: list[str] = Field(description="Why the matcher proposes it, in the caller's language.")
    reasons: dict[str, Any] = Field(description="The same reasons as data.")
    volunteer: VolunteerSummary
    need: NeedSummary


class ProposalPage(BaseModel):
    items: list[ProposalOut]
    limit: int
    offset: int


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Decision
    reason: str = Field("", max_length=REASON_MAX, description="Required when rejecting.")


class DecisionOut(BaseModel):
    proposal: ProposalOut
    pairing_id: int | None = Field(description="The offer sent to the volunteer, when approved.")
    offer_mailed: bool


def _outs(entries: list[QueueEntry]) -> list[ProposalOut]:
    """The entries as the API shows them; the vocabulary's labels are read once for a whole page."""
    locale = str(get_locale() or "de")
    skills = skill_labels_by_key(session=db.session, locale=locale)
    languages = language_labels_by_code(session=db.session, locale=locale)
    return [_out(entry, skills, languages) for entry in entries]


def _out(entry: QueueEntry, skills: dict[str, str], languages: dict[str, str]) -> ProposalOut:
    proposal, volunteer, need = entry.proposal, entry.volunteer, entry.need
    return ProposalOut(
        id=proposal.id or 0,
        status=ProposalStatus(proposal.status),
        score=proposal.score,
        computed_at=proposal.computed_at,
        explanation=explain(proposal.reasons, skills, languages),
        reasons=proposal.reasons,
        volunteer=VolunteerSummary(
            id=volunteer.id or 0,
            first_name=volunteer.first_name,
            last_initial=volunteer.last_name[:1],
            district_id=volunteer.district_id,
            languages=[code for code, _level in entry.languages],
        ),
        need=NeedSummary(
            id=need.id or 0,
            title=need.title,
            district_id=need.district_id,
            organisation=entry.organisation.name,
        ),
    )


def _record(volunteer_ids: list[int], source: str) -> None:
    record_views(
        session=db.session, viewer_id=current_caller().user.id, volunteer_ids=volunteer_ids, source=source
    )


def _entry_in_scope(proposal_id: int) -> QueueEntry:
    """The proposal, in any state, if its need lies in the caller's districts; 404 otherwise."""
    proposal = db.session.get(Proposal, proposal_id)
    need = db.session.get(Need, proposal.need_id) if proposal else None
    scope = district_scope(current_caller().user)
    if proposal is None or need is None or (scope is not None and need.district_id not in scope):
        abort(404)
    volunteer = db.session.get(Volunteer, proposal.volunteer_id)
    organisation = db.session.get(Organisation, need.organisation_id)
    if volunteer is None or organisation is None:
        abort(404)
    districts = dict(district_choices(session=db.session))
    entry = QueueEntry(
        proposal,
        volunteer,
        need,
        organisation,
        districts.get(need.district_id, ""),
        districts.get(volunteer.district_id, ""),
    )
    rows = db.session.exec(select(VolunteerLanguage).where(VolunteerLanguage.volunteer_id == volunteer.id))
    entry.languages = [(row.language_code, row.level) for row in rows]
    return entry


@bp.get("/")
@bp.auth_required(token_auth, roles=[Scope.PROPOSALS_READ])
@bp.input(QueueQuery, location="query", arg_name="query")
@bp.output(ProposalPage)
@bp.doc(responses=FORBIDDEN | NOT_FOUND)
def list_proposals(query: QueueQuery) -> ProposalPage:
    """Pending proposals in the caller's districts, best score first"""
    scope = district_scope(current_caller().user)
    if query.district_id is not None and scope is not None and query.district_id not in scope:
        abort(404)
    entries = services.review_queue(
        session=db.session,
        district_ids=scope,
        district_id=query.district_id,
        min_score=query.min_score,
        limit=query.limit,
        offset=query.offset,
    )
    _record([entry.volunteer.id or 0 for entry in entries], "proposals_api.list_proposals")
    return ProposalPage(items=_outs(entries), limit=query.limit, offset=query.offset)


@bp.get("/<int:proposal_id>")
@bp.auth_required(token_auth, roles=[Scope.PROPOSALS_READ])
@bp.output(ProposalOut)
@bp.doc(responses=FORBIDDEN | NOT_FOUND)
def get_proposal(proposal_id: int) -> ProposalOut:
    """One proposal in the caller's districts, in any state"""
    entry = _entry_in_scope(proposal_id)
    _record([entry.volunteer.id or 0], "proposals_api.get_proposal")
    return _outs([entry])[0]


@bp.post("/<int:proposal_id>/decision")
@bp.auth_required(token_auth, roles=[Scope.PROPOSALS_DECIDE])
@bp.input(DecisionIn, location="json", arg_name="sent")
@bp.output(DecisionOut)
@bp.doc(responses=BAD_BODY | FORBIDDEN | NOT_FOUND | CONFLICT)
def decide(proposal_id: int, sent: DecisionIn) -> DecisionOut:
    """Approves (an offer goes to the volunteer by e-mail) or rejects with a reason"""
    _entry_in_scope(proposal_id)
    # The page's form holds the rule and its message (a reason is needed for rejecting).
    form = DecisionForm(formdata=MultiDict({"decision": sent.decision, "reason": sent.reason}), meta=NO_CSRF)
    check_form(form)
    taken = take_decisions(
        user=current_caller().user, proposal_ids=[proposal_id], decision=sent.decision, reason=sent.reason
    )
    outcome = taken.outcomes[0]
    if outcome.refusal is not None:
        raise Conflict(str(REFUSALS[outcome.refusal]))
    pairing_id = outcome.pairing.id if outcome.pairing is not None else None
    return DecisionOut(
        proposal=_outs([_entry_in_scope(proposal_id)])[0],
        pairing_id=pairing_id,
        offer_mailed=pairing_id is None or taken.unsent_offers == 0,
    )
