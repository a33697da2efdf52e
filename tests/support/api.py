"""API tokens for tests: a real token issued through the service, as its Authorization header."""

from collections.abc import Sequence

from sqlmodel import Session

from app.accounts import api_tokens
from app.accounts.models import User


def bearer(
    session: Session, user: User, scopes: Sequence[str] | None = None, **headers: str
) -> dict[str, str]:
    """Headers of a call with a new token of `user` (all scopes their role allows, unless given)."""
    granted = api_tokens.allowed_scopes(user) if scopes is None else scopes
    _token, secret = api_tokens.issue_token(
        session=session, user=user, name="test", scopes=granted, valid_days=None
    )
    return {"Authorization": f"Bearer {secret}", **headers}
