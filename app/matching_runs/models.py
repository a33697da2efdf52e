from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel, Text

from app.base import utcnow


class RunStatus(StrEnum):
    QUEUED = "queued"  # waiting for a worker, or for a retry after a failed attempt
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # given up: an error that retrying cannot fix, or too many attempts


class RunKind(StrEnum):
    VOLUNTEER = "volunteer"  # one volunteer against every open need
    NEED = "need"  # every volunteer against one need
    ALL = "all"  # everything against everything


class MatchRun(SQLModel, table=True):
    """One matching task, from its first attempt to its outcome; retries and redeliveries share the row."""

    __tablename__ = "match_run"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=12)
    subject_id: int | None = None  # the volunteer or need; None for a full run
    # Unique: a redelivered message finds its run; at most one run per outbox message.
    outbox_message_id: int | None = Field(
        default=None, foreign_key="outbox_message.id", unique=True, ondelete="SET NULL"
    )
    celery_task_id: str = Field(default="", max_length=64, index=True)
    status: str = Field(default=RunStatus.QUEUED, max_length=12, index=True)
    attempts: int = 0
    queued_at: datetime = Field(default_factory=utcnow, index=True)
    started_at: datetime | None = None
    finished_at: datetime | None = Field(default=None, index=True)
    volunteers: int = 0  # how many volunteers and needs the matcher looked at
    needs: int = 0
    added: int = 0
    updated: int = 0
    withdrawn: int = 0
    duration_ms: float | None = None  # of the last attempt, start to commit
    error: str = Field(default="", sa_type=Text)
