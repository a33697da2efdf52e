import secrets
from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.base import utcnow


class Role(StrEnum):
    VOLUNTEER = "volunteer"
    PARTNER = "partner"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(SQLModel, table=True):
    """A login. Coordinators belong to an office, partner staff to an organisation."""

    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    password_hash: str = Field(max_length=200)
    role: str = Field(max_length=20)
    display_name: str = Field(default="", max_length=120)
    locale: str = Field(default="de", max_length=10)
    email_confirmed_at: datetime | None = None
    # What the login cookie carries; rotated on logout and password change, so a copied cookie dies.
    session_token: str = Field(default_factory=new_session_token, max_length=64, unique=True)
    office_id: int | None = Field(default=None, foreign_key="office.id", ondelete="SET NULL")
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", ondelete="CASCADE")
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None
    # When the retention job warned that the account will be deleted for inactivity; a login clears it.
    retention_warned_at: datetime | None = None

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return self.session_token


class ApiToken(SQLModel, table=True):
    """A partner's or coordinator's key for the JSON API: only its hash is stored, shown once at creation."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=80)
    # SHA-256 of the whole token: the token is 32 random bytes, so a slow password hash adds nothing.
    token_hash: str = Field(max_length=64, unique=True)
    # The token's first characters, so its owner can tell tokens apart without the secret.
    prefix: str = Field(max_length=16)
    scopes: str = Field(max_length=200)  # space-separated, as in OAuth
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())
