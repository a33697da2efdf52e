from datetime import datetime

from sqlmodel import Field, SQLModel

from app.base import utcnow


class ConsentRecord(SQLModel, table=True):
    """That a person agreed, to which purpose, and to which version of the text."""

    __tablename__ = "consent_record"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    purpose: str = Field(max_length=40)
    text_version: str = Field(max_length=40)
    given_at: datetime = Field(default_factory=utcnow)
    withdrawn_at: datetime | None = None
