from sqlmodel import JSON, Column, Field, SQLModel


class Skill(SQLModel, table=True):
    """A curated skill or interest; labels per UI language, synonyms in any language."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=60, unique=True)
    labels: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    synonyms: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Language(SQLModel, table=True):
    """A spoken language (ISO 639-1 code), with its name in each UI language."""

    code: str = Field(primary_key=True, max_length=8)
    labels: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
