from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, text
from sqlmodel import JSON, Column, Field, SQLModel, Text, UniqueConstraint

from app.base import utcnow


class ProposalStatus(StrEnum):
    PENDING = "pending"  # waiting in a coordinator's queue
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # the matcher no longer proposes it (profile or need changed)


class Proposal(SQLModel, table=True):
    """A pairing the matcher suggests; nobody is contacted before a coordinator approves it."""

    __table_args__ = (
        UniqueConstraint("volunteer_id", "need_id"),
        # The review queue: pending proposals best first (read backwards), a page at a time, and counted
        # from the index alone on PostgreSQL: the columns the queue filters on ride along (INCLUDE).
        Index(
            "ix_proposal_pending_rank",
            "score",
            "id",
            postgresql_include=["need_id", "volunteer_id", "computed_at"],
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True, ondelete="CASCADE")
    need_id: int = Field(foreign_key="need.id", index=True, ondelete="CASCADE")
    score: float
    # Explanation as data (matched skills, languages, slots, distance), translated when shown.
    reasons: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=ProposalStatus.PENDING, max_length=12, index=True)
    computed_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = None
    decided_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    decision_reason: str = Field(default="", sa_type=Text)
