"""Stores what the matcher proposes: upsert on volunteer + need, withdraw what it no longer proposes."""

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from sqlmodel import Session, col, select

from app.base import insert_rows, utcnow
from app.proposals.models import Proposal, ProposalStatus

# The columns of a new proposal besides its pair, score, reasons and time (plain-row inserts).
NEW_ROW: dict[str, Any] = {
    "status": ProposalStatus.PENDING,
    "decided_at": None,
    "decided_by_id": None,
    "decision_reason": "",
}
# Decided proposals are the coordinators' work: the matcher never changes or re-proposes them.
REFRESHABLE = (ProposalStatus.PENDING, ProposalStatus.WITHDRAWN)


class Suggested(Protocol):
    """What the matcher returns (matching.types.Proposal); app/ does not import matching/."""

    @property
    def volunteer_id(self) -> int: ...
    @property
    def need_id(self) -> int: ...
    @property
    def score(self) -> float: ...
    @property
    def reasons(self) -> dict[str, Any]: ...


def store_proposals(
    *,
    session: Session,
    proposals: Iterable[Suggested],
    volunteer_ids: Sequence[int] | None = None,
    need_ids: Sequence[int] | None = None,
    new_rows: list[dict[str, Any]] | None = None,
) -> dict[str, int]:
    """Adds (does not commit) the matcher's proposals for a scope; storing the same result twice changes
    nothing.

    The scope is the volunteers and/or needs that were re-matched (both None: everything); pending
    proposals in it that the matcher no longer makes are withdrawn. Proposals must lie in the scope.
    New proposals are inserted as plain rows, in one statement; given `new_rows`, they are put there
    instead, so that a task storing many scopes inserts them all at once (insert_new_proposals).
    """
    query = select(Proposal)
    if volunteer_ids is not None:
        query = query.where(col(Proposal.volunteer_id).in_(volunteer_ids))
    if need_ids is not None:
        query = query.where(col(Proposal.need_id).in_(need_ids))
    existing = {(p.volunteer_id, p.need_id): p for p in session.exec(query)}
    in_scope = _scope_test(volunteer_ids, need_ids)
    counts = {"added": 0, "updated": 0, "withdrawn": 0}
    now = utcnow()
    proposed: set[tuple[int, int]] = set()
    added: list[dict[str, Any]] = [] if new_rows is None else new_rows
    already = len(added)
    for new in proposals:
        key = (new.volunteer_id, new.need_id)
        if not in_scope(key):
            raise ValueError(f"proposal {key} lies outside the re-matched scope")
        proposed.add(key)
        row = existing.get(key)
        if row is None:
            pair = {"volunteer_id": key[0], "need_id": key[1]}
            added.append({**NEW_ROW, **pair, "score": new.score, "reasons": new.reasons, "computed_at": now})
            continue
        # Stored as JSON: compare in that shape, so tuples in the reasons do not look like changes.
        reasons = json.loads(json.dumps(new.reasons))
        if row.status in REFRESHABLE and (
            row.status != ProposalStatus.PENDING or row.score != new.score or row.reasons != reasons
        ):
            row.status, row.score, row.reasons, row.computed_at = (
                ProposalStatus.PENDING,
                new.score,
                reasons,
                now,
            )
            session.add(row)
            counts["updated"] += 1
    counts["added"] = len(added) - already
    if new_rows is None:
        insert_new_proposals(session=session, rows=added)
    for key, row in existing.items():
        if key not in proposed and row.status == ProposalStatus.PENDING:
            row.status = ProposalStatus.WITHDRAWN
            row.computed_at = now
            session.add(row)
            counts["withdrawn"] += 1
    return counts


def insert_new_proposals(*, session: Session, rows: list[dict[str, Any]]) -> None:
    """Inserts the new proposals that store_proposals put into its `new_rows`."""
    insert_rows(session, Proposal, rows)


def _scope_test(
    volunteer_ids: Sequence[int] | None, need_ids: Sequence[int] | None
) -> Callable[[tuple[int, int]], bool]:
    volunteers = None if volunteer_ids is None else set(volunteer_ids)
    needs = None if need_ids is None else set(need_ids)

    def in_scope(key: tuple[int, int]) -> bool:
        return (volunteers is None or key[0] in volunteers) and (needs is None or key[1] in needs)

    return in_scope


def decided_pairs(*, session: Session) -> set[tuple[int, int]]:
    """(volunteer id, need id) of proposals coordinators approved or rejected: never proposed again."""
    query = select(Proposal.volunteer_id, Proposal.need_id).where(col(Proposal.status).not_in(REFRESHABLE))
    return {(volunteer_id, need_id) for volunteer_id, need_id in session.exec(query)}
