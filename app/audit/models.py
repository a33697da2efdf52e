from datetime import datetime

from sqlmodel import Field, SQLModel

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
