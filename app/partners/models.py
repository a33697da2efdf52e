from datetime import datetime

from sqlmodel import Field, SQLModel

from app.base import utcnow


class Organisation(SQLModel, table=True):
    """A network partner (school, club, parish, association, ...); several staff may act for it."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=160, unique=True)
    kind: str = Field(default="", max_length=60)
    district_id: int | None = Field(default=None, foreign_key="district.id", ondelete="SET NULL")
    address: str = Field(default="", max_length=200)
    contact_email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=40)
    created_at: datetime = Field(default_factory=utcnow)
