"""Deciding proposals on behalf of a coordinator, then mailing each new offer (pages and API alike)."""

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.accounts.access import district_scope
from app.accounts.models import User
from app.extensions import db
from app.pairings.mails import send_offer
from app.proposals import services
from app.proposals.services import Decision, Outcome, Refusal

REFUSALS = {
    Refusal.NOT_FOUND: _l("This proposal does not exist or is outside your districts."),
    Refusal.ALREADY_DECIDED: _l("This proposal was already decided."),
    Refusal.VOLUNTEER_PAUSED: _l("The volunteer has paused their profile."),
    Refusal.NEED_NOT_OPEN: _l("The need is paused or closed."),
    Refusal.VOLUNTEER_FULL: _l("The volunteer already has as many engagements as they want."),
    Refusal.NEED_FULL: _l("All places of this need are taken."),
}


@dataclass
class Taken:
    outcomes: list[Outcome]
    unsent_offers: int  # approvals whose offer mail failed; someone must contact the volunteer


def take_decisions(*, user: User, proposal_ids: Sequence[int], decision: Decision, reason: str) -> Taken:
    """Decides within the user's districts; offer mails go out only after the decision's commit."""
    outcomes = services.decide(
        session=db.session,
        proposal_ids=proposal_ids,
        decision=decision,
        reason=reason,
        decided_by_id=user.id or 0,
        district_ids=district_scope(user),
    )
    unsent = [o for o in outcomes if o.pairing is not None and not send_offer(db.session, o.pairing)]
    return Taken(outcomes, len(unsent))
