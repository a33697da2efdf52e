from datetime import datetime

from sqlmodel import Field, SQLModel, Text

from app.base import utcnow


class AccessibilityFeedback(SQLModel, table=True):
    """A barrier someone reported through the accessibility statement (BITV 2.0 feedback mechanism)."""

    __tablename__ = "accessibility_feedback"

    id: int | None = Field(default=None, primary_key=True)
    page: str = Field(default="", max_length=500)
    message: str = Field(sa_type=Text)
    # Optional, only to answer; removed with the rest when the feedback is deleted.
    email: str = Field(default="", max_length=254)
    locale: str = Field(default="de", max_length=10)
    created_at: datetime = Field(default_factory=utcnow)
