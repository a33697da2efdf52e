"""API tokens: issued with the scopes a role may hold, checked by hash, revoked by their owner."""

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select, update

from app.accounts.models import ApiToken, Role, User
from app.base import utcnow

TOKEN_PREFIX = "iam_"
SHOWN_CHARS = 8  # of the random part, kept in clear as the token's label
# A token's last use is written at most this often, so reading the API is not a write per call.
LAST_USED_PRECISION = timedelta(minutes=5)


class Scope:
    NEEDS_READ = "needs:read"
    NEEDS_WRITE = "needs:write"
    INTRODUCTIONS_READ = "introductions:read"
    PROPOSALS_READ = "proposals:read"
    PROPOSALS_DECIDE = "proposals:decide"


# What each role's tokens may be given; admins act as either.
SCOPES_BY_ROLE: dict[str, tuple[str, ...]] = {
    Role.PARTNER: (Scope.NEEDS_READ, Scope.NEEDS_WRITE, Scope.INTRODUCTIONS_READ),
    Role.COORDINATOR: (Scope.PROPOSALS_READ, Scope.PROPOSALS_DECIDE),
}
SCOPES_BY_ROLE[Role.ADMIN] = SCOPES_BY_ROLE[Role.PARTNER] + SCOPES_BY_ROLE[Role.COORDINATOR]


@dataclass(frozen=True)
class ApiCaller:
    """Who calls the API, and with which token."""

    user: User
    token: ApiToken

    def may(self, scope: str) -> bool:
        return scope in self.token.scope_set and scope in allowed_scopes(self.user)


def allowed_scopes(user: User) -> tuple[str, ...]:
    return SCOPES_BY_ROLE.get(user.role, ())


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(
    *, session: Session, user: User, name: str, scopes: Sequence[str], valid_days: int | None
) -> tuple[ApiToken, str]:
    """A new token and its secret, which is returned only here; scopes outside the user's role are dropped."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    granted = [scope for scope in allowed_scopes(user) if scope in scopes]
    token = ApiToken(
        user_id=user.id or 0,
        name=name.strip(),
        token_hash=_digest(secret),
        prefix=secret[: len(TOKEN_PREFIX) + SHOWN_CHARS],
        scopes=" ".join(granted),
        expires_at=utcnow() + timedelta(days=valid_days) if valid_days else None,
    )
    session.add(token)
    session.commit()
    return token, secret


def caller_for(*, session: Session, secret: str, now: datetime | None = None) -> ApiCaller | None:
    """The caller behind a token; None if it is unknown, revoked or expired, or its user is inactive."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == _digest(secret))).first()
    now = now or utcnow()
    if token is None or token.revoked_at is not None or (token.expires_at and token.expires_at <= now):
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
        session.add(token)
        session.commit()
    return ApiCaller(user=user, token=token)


def tokens_of(*, session: Session, user: User) -> list[ApiToken]:
    """The user's tokens that still work, newest first."""
    query = (
        select(ApiToken)
        .where(ApiToken.user_id == user.id, col(ApiToken.revoked_at).is_(None))
        .order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())
    )
    now = utcnow()
    return [token for token in session.exec(query) if token.expires_at is None or token.expires_at > now]


def revoke_token(*, session: Session, user: User, token_id: int) -> bool:
    """Revokes one of the user's own tokens; False if they have no such working token."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    session.add(token)
    session.commit()
    return True


def revoke_all_tokens(*, session: Session, user_id: int) -> None:
    """Revokes every token of a user (deactivation); the caller commits."""
    session.exec(
        update(ApiToken)
        .where(col(ApiToken.user_id) == user_id, col(ApiToken.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
