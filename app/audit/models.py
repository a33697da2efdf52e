from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel, Text

from app.base import utcnow


class PersonalDataView(SQLModel, table=True):
    """Someone of the staff saw a volunteer's personal data: who, whose, where and when (GDPR Art. 5(2))."""

    __tablename__ = "personal_data_view"

    id: int | None = Field(default=None, primary_key=True)
    # Kept when the viewer's account goes, so the log still says that someone looked.
    viewer_id: int | None = Field(
        default=None, foreign_key="user_account.id", index=True, ondelete="SET NULL"
    )
    # Goes with the volunteer: after erasure nothing of them may be left, their access log included.
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True, ondelete="CASCADE")
    # The page or API operation that showed the data (its endpoint name).
    source: str = Field(max_length=80)
    viewed_at: datetime = Field(default_factory=utcnow, index=True)


class DecisionAction(StrEnum):
    """Every decision that moves a proposal, a pairing or logged hours on."""

    APPROVE = "approve"  # a coordinator approves a proposal: the volunteer gets an offer
    REJECT = "reject"  # a coordinator rejects a proposal
    ACCEPT = "accept"  # the volunteer accepts the offer: the partner is introduced
    DECLINE = "decline"  # the volunteer declines the offer
    ARRANGE_MEETING = "arrange_meeting"  # the first meeting is set (or moved)
    START = "start"  # they met; the pairing is active
    COMPLETE = "complete"
    END_EARLY = "end_early"
    REMATCH = "rematch"  # after an ending, new proposals are sought for the volunteer and the need
    CONFIRM_HOURS = "confirm_hours"
    REJECT_HOURS = "reject_hours"


class DecisionEntry(SQLModel, table=True):
    """The audit log of decisions: who decided what about whom, why, and when."""

    __tablename__ = "decision_entry"

    id: int | None = Field(default=None, primary_key=True)
    decided_at: datetime = Field(default_factory=utcnow, index=True)
    # None when the account is gone, or for the volunteer's own answer through the offer link.
    actor_id: int | None = Field(default=None, foreign_key="user_account.id", index=True, ondelete="SET NULL")
    # Goes with the volunteer on erasure, like the access log.
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True, ondelete="CASCADE")
    need_id: int | None = Field(default=None, foreign_key="need.id", index=True, ondelete="SET NULL")
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id", ondelete="SET NULL")
    pairing_id: int | None = Field(default=None, foreign_key="pairing.id", ondelete="SET NULL")
    action: str = Field(max_length=20)  # DecisionAction
    reason: str = Field(default="", sa_type=Text)
