from sqlmodel import Field, SQLModel


class Office(SQLModel, table=True):
    """The Integrationsbüro (central: sees every district) or a Stadtteilbüro (its districts)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    is_central: bool = False
    email: str = Field(default="", max_length=254)
    address: str = Field(default="", max_length=200)


class District(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    slug: str = Field(max_length=60, unique=True)
    # Centre point, for the distance between districts.
    latitude: float
    longitude: float
    office_id: int | None = Field(default=None, foreign_key="office.id", ondelete="SET NULL")
