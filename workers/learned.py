"""Signal weights learned from coordinators' decisions, for the matcher's next full fit."""

import logging

import numpy as np
from sqlmodel import Session, col, select

from app.proposals.models import Proposal, ProposalStatus
from matching.learning import apply, learn_weights
from matching.scoring import SIGNALS, weights
from matching.types import MatchParams

log = logging.getLogger(__name__)


def learned_params(session: Session, params: MatchParams) -> MatchParams:
    """`params` re-weighted by the approved and rejected proposals, or unchanged (the hand-set weights)
    while there are too few decisions or learning does not beat them in cross-validation."""
    query = select(Proposal.reasons, Proposal.status).where(
        col(Proposal.status).in_((ProposalStatus.APPROVED, ProposalStatus.REJECTED))
    )
    rows, approved = [], []
    for reasons, status in session.exec(query):
        values = reasons.get("signals") if isinstance(reasons, dict) else None
        # Proposals stored before signals were recorded cannot be learned from.
        if isinstance(values, dict) and all(isinstance(values.get(name), int | float) for name in SIGNALS):
            rows.append([float(values[name]) for name in SIGNALS])
            approved.append(status == ProposalStatus.APPROVED)
    learned = learn_weights(
        np.array(rows, dtype=np.float64).reshape(len(rows), len(SIGNALS)),
        np.array(approved, dtype=bool),
        SIGNALS,
        fallback=weights(params),
        random_state=params.random_state,
    )
    log.info(
        "signal weights: %s from %s decisions (%s), gain %s",
        learned.source,
        learned.n_decisions,
        learned.reason,
        learned.gain,
    )
    return apply(params, learned) if learned.source == "learned" else params
