"""Coordinator review: the queue, approving (which creates a pairing offer) and rejecting."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.audit.models import DecisionAction
from app.audit.services import record_decision
from app.base import utcnow
from app.needs.models import Need, NeedStatus
from app.offices.services import district_choices
from app.pairings.models import Pairing
from app.pairings.services import busy_count_by_volunteer, filled_places_by_need
from app.partners.models import Organisation
from app.proposals.models import Proposal, ProposalStatus
from app.volunteers.models import Volunteer, VolunteerLanguage

Row = TypeVar("Row", Proposal, Need, Volunteer)


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class Refusal(StrEnum):
    """Why a decision was not taken; the view words it."""

    NOT_FOUND = "not_found"  # unknown, or outside the coordinator's districts
    ALREADY_DECIDED = "already_decided"
    VOLUNTEER_PAUSED = "volunteer_paused"
    NEED_NOT_OPEN = "need_not_open"
    VOLUNTEER_FULL = "volunteer_full"
    NEED_FULL = "need_full"


@dataclass
class QueueEntry:
    proposal: Proposal
    volunteer: Volunteer
    need: Need
    organisation: Organisation
    need_district: str
    volunteer_district: str
    languages: list[tuple[str, str]] = field(default_factory=list)  # (code, level) of the volunteer


@dataclass(frozen=True)
class QueueFilter:
    """Which pending proposals the queue shows; None or empty means no restriction."""

    district_ids: Sequence[int] | None = None  # the coordinator's scope
    district_id: int | None = None  # district of the need
    min_score: float = 0.0
    need_id: int | None = None
    need_title: str = ""  # part of the need's title, any case
    volunteer_id: int | None = None
    language: str = ""  # a language the volunteer speaks
    computed_after: datetime | None = None
    computed_before: datetime | None = None


def volunteer_in_scope(*, session: Session, volunteer: Volunteer, district_ids: Sequence[int] | None) -> bool:
    """Whether a coordinator with these districts may see the volunteer: they live there, or they have a
    proposal or a pairing for a need there (a pairing's "find a new match" links to them)."""
    if district_ids is None or volunteer.district_id in district_ids:
        return True
    for model in (Proposal, Pairing):
        query = (
            select(model.id)
            .join(Need, col(Need.id) == model.need_id)
            .where(model.volunteer_id == volunteer.id, col(Need.district_id).in_(district_ids))
            .limit(1)
        )
        if session.exec(query).first() is not None:
            return True
    return False


def review_queue(
    *,
    session: Session,
    district_ids: Sequence[int] | None,
    district_id: int | None = None,
    min_score: float = 0.0,
    limit: int | None = None,
    offset: int = 0,
    filters: QueueFilter | None = None,
) -> list[QueueEntry]:
    """Pending proposals whose need lies in these districts (None: all), best score first; `limit` of
    them from `offset` on (None: all). `filters` (if given) replaces the district and score arguments."""
    filters = filters or QueueFilter(district_ids=district_ids, district_id=district_id, min_score=min_score)
    query = _filtered(
        select(Proposal, Volunteer, Need, Organisation)
        .join(Volunteer, col(Volunteer.id) == col(Proposal.volunteer_id))
        .join(Need, col(Need.id) == col(Proposal.need_id))
        .join(Organisation, col(Organisation.id) == col(Need.organisation_id)),
        filters,
    ).order_by(col(Proposal.score).desc(), col(Proposal.id).desc())  # ix_proposal_pending_rank backwards
    query = query.offset(offset).limit(limit)
    districts = dict(district_choices(session=session))
    entries = [
        QueueEntry(p, v, n, o, districts.get(n.district_id, ""), districts.get(v.district_id, ""))
        for p, v, n, o in session.exec(query)
    ]
    by_volunteer: dict[int, list[QueueEntry]] = {}
    for entry in entries:
        by_volunteer.setdefault(entry.volunteer.id or 0, []).append(entry)
    languages = session.exec(
        select(VolunteerLanguage)
        .where(col(VolunteerLanguage.volunteer_id).in_(list(by_volunteer)))
        .order_by(col(VolunteerLanguage.language_code))
    )
    for row in languages:
        for entry in by_volunteer[row.volunteer_id]:
            entry.languages.append((row.language_code, row.level))
    return entries


def queue_size(*, session: Session, filters: QueueFilter) -> int:
    """How many pending proposals the filters let through (for the page count)."""
    query = select(func.count()).select_from(Proposal)
    if filters.district_ids is not None or filters.district_id is not None or filters.need_title:
        # Only then: without the join, counting reads nothing but the index of pending proposals.
        query = query.join(Need, col(Need.id) == col(Proposal.need_id))
    return int(session.exec(_filtered(query, filters)).one())


def _filtered(query: Any, filters: QueueFilter) -> Any:
    """The query (over Proposal joined with Need) restricted to the pending proposals `filters` allow."""
    query = query.where(Proposal.status == ProposalStatus.PENDING)
    if filters.min_score > 0:
        query = query.where(col(Proposal.score) >= filters.min_score)
    if filters.district_ids is not None:
        query = query.where(col(Need.district_id).in_(filters.district_ids))
    if filters.district_id is not None:
        query = query.where(Need.district_id == filters.district_id)
    if filters.need_id is not None:
        query = query.where(Proposal.need_id == filters.need_id)
    if filters.need_title:
        query = query.where(col(Need.title).icontains(filters.need_title, autoescape=True))
    if filters.volunteer_id is not None:
        query = query.where(Proposal.volunteer_id == filters.volunteer_id)
    if filters.language:
        speaks = select(VolunteerLanguage.volunteer_id).where(
            VolunteerLanguage.language_code == filters.language
        )
        query = query.where(col(Proposal.volunteer_id).in_(speaks))
    if filters.computed_after is not None:
        query = query.where(col(Proposal.computed_at) >= filters.computed_after)
    if filters.computed_before is not None:
        query = query.where(col(Proposal.computed_at) < filters.computed_before)
    return query


@dataclass
class Outcome:
    """What became of one proposal in a (bulk) decision."""

    proposal_id: int
    proposal: Proposal | None = None
    pairing: Pairing | None = None  # the offer, when approved
    refusal: Refusal | None = None


def decide(
    *,
    session: Session,
    proposal_ids: Sequence[int],
    decision: Decision,
    reason: str,
    decided_by_id: int,
    district_ids: Sequence[int] | None,
) -> list[Outcome]:
    """Decides every proposal the rules allow and reports the others; one commit for all.

    Approving creates a Pairing offer. `district_ids` is the coordinator's scope (None: all).
    """
    reason = reason.strip()
    if decision == Decision.REJECT and not reason:
        raise ValueError("rejecting needs a reason")
    _lock_in_order(session, proposal_ids, with_volunteers=decision == Decision.APPROVE)
    outcomes = []
    for proposal_id in dict.fromkeys(proposal_ids):
        outcome = Outcome(proposal_id)
        outcome.proposal = proposal = _locked(session, Proposal, proposal_id)
        need = _locked(session, Need, proposal.need_id) if proposal else None
        if (
            proposal is None
            or need is None
            or (district_ids is not None and need.district_id not in district_ids)
        ):
            outcome.proposal, outcome.refusal = None, Refusal.NOT_FOUND
        elif decision == Decision.APPROVE:
            outcome.refusal = _approval_refusal(session, proposal, need)
            if outcome.refusal is None:
                outcome.pairing = Pairing(
                    proposal_id=proposal.id, volunteer_id=proposal.volunteer_id, need_id=proposal.need_id
                )
                session.add(outcome.pairing)
        elif proposal.status != ProposalStatus.PENDING:
            outcome.refusal = Refusal.ALREADY_DECIDED
        if proposal is not None and outcome.refusal is None:
            proposal.status = (
                ProposalStatus.APPROVED if decision == Decision.APPROVE else ProposalStatus.REJECTED
            )
            proposal.decided_by_id = decided_by_id
            proposal.decided_at = utcnow()
            proposal.decision_reason = reason
            session.add(proposal)
            # Flushed now, so the next proposal's capacity counts include this pairing (and it has an id).
            session.flush()
            record_decision(
                session=session,
                action=DecisionAction.APPROVE if decision == Decision.APPROVE else DecisionAction.REJECT,
                volunteer_id=proposal.volunteer_id,
                actor_id=decided_by_id,
                need_id=proposal.need_id,
                proposal_id=proposal.id,
                pairing_id=outcome.pairing.id if outcome.pairing else None,
                reason=reason,
            )
        outcomes.append(outcome)
    session.commit()
    return outcomes


def _lock_in_order(session: Session, proposal_ids: Sequence[int], *, with_volunteers: bool) -> None:
    """Locks (PostgreSQL) the proposals, then their needs, then their volunteers, each by ascending id.

    Locked one by one in the order they were sent, two bulk decisions sharing volunteers in crossing order
    wait for each other for ever, and PostgreSQL cancels one of them (deadlock). In one global order, the
    second waits until the first has committed; the loop's own locks are then already held.
    """
    proposals = session.exec(
        select(Proposal)
        .where(col(Proposal.id).in_(proposal_ids))
        .order_by(col(Proposal.id))
        .with_for_update()
    ).all()
    need_ids = sorted({proposal.need_id for proposal in proposals})
    session.exec(
        select(Need.id).where(col(Need.id).in_(need_ids)).order_by(col(Need.id)).with_for_update()
    ).all()
    if with_volunteers:
        volunteer_ids = sorted({proposal.volunteer_id for proposal in proposals})
        query = select(Volunteer.id).where(col(Volunteer.id).in_(volunteer_ids))
        session.exec(query.order_by(col(Volunteer.id)).with_for_update()).all()


def _locked(session: Session, model: type[Row], row_id: int) -> Row | None:
    """The row, locked until commit (PostgreSQL), so concurrent approvals cannot both take the last place."""
    query = (
        select(model)
        .where(col(model.id) == row_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.exec(query).first()


def _approval_refusal(session: Session, proposal: Proposal, need: Need) -> Refusal | None:
    if proposal.status != ProposalStatus.PENDING:
        return Refusal.ALREADY_DECIDED
    volunteer = _locked(session, Volunteer, proposal.volunteer_id)
    if volunteer is None:
        return Refusal.NOT_FOUND
    if volunteer.paused:
        return Refusal.VOLUNTEER_PAUSED
    if need.status != NeedStatus.OPEN:
        return Refusal.NEED_NOT_OPEN
    busy = busy_count_by_volunteer(session=session, volunteer_ids=[proposal.volunteer_id])
    if busy.get(proposal.volunteer_id, 0) >= volunteer.max_active_pairings:
        return Refusal.VOLUNTEER_FULL
    filled = filled_places_by_need(session=session, need_ids=[proposal.need_id])
    if filled.get(proposal.need_id, 0) >= need.places:
        return Refusal.NEED_FULL
    return None
