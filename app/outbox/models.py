from datetime import datetime
from typing import Any

from sqlmodel import JSON, Column, Field, SQLModel, Text

from app.base import utcnow


class OutboxMessage(SQLModel, table=True):
    """Background work, written in the same transaction as the change that needs it."""

    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    task_name: str = Field(max_length=120)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    # Unsent rows are what the periodic relay publishes again.
    sent_at: datetime | None = Field(default=None, index=True)
    processed_at: datetime | None = None
    attempts: int = 0
    last_error: str = Field(default="", sa_type=Text)
