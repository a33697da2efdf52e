"""Users, passwords and the signed tokens in confirmation and reset links."""

import hashlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session, select

from app.accounts.models import Role, User, new_session_token
from app.base import utcnow

_hasher = PasswordHasher()

CONFIRM_SALT = "confirm-email"
RESET_SALT = "reset-password"
CONFIRM_MAX_AGE_S = 7 * 24 * 3600
# Long enough for an invitation to wait over a weekend; the link dies once the password changes.
RESET_MAX_AGE_S = 3 * 24 * 3600
MIN_PASSWORD_LENGTH = 10
# Verified against when the e-mail is unknown, so the answer takes as long as for a known one.
_UNKNOWN_USER_HASH = _hasher.hash("no such user")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_matches(user: User, password: str) -> bool:
    return _verify(user.password_hash, password)


def find_user_by_email(*, session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def add_user(
    *,
    session: Session,
    email: str,
    password: str,
    role: Role,
    display_name: str = "",
    locale: str = "de",
    office_id: int | None = None,
    organisation_id: int | None = None,
    confirmed: bool = False,
) -> User:
    """Adds (does not commit) a user; the caller's service commits it with the rest."""
    user = User(
        email=normalise_email(email),
        password_hash=hash_password(password),
        role=role,
        display_name=display_name,
        locale=locale,
        office_id=office_id,
        organisation_id=organisation_id,
        email_confirmed_at=utcnow() if confirmed else None,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None; the caller refuses unconfirmed ones."""
    user = find_user_by_email(session=session, email=email)
    if user is None:
        _verify(_UNKNOWN_USER_HASH, password)
        return None
    if not user.is_active or not password_matches(user, password):
        return None
    if user.email_confirmed_at is not None:
        user.last_login_at = utcnow()
        user.retention_warned_at = None  # logging in is what keeps an account (app.privacy.retention)
        session.add(user)
        session.commit()
    return user


def end_all_sessions(*, session: Session, user: User) -> None:
    """Invalidates every login cookie of this user, including copies of it."""
    user.session_token = new_session_token()
    session.add(user)
    session.commit()


def _password_fingerprint(user: User) -> str:
    # Changes with the password, so links die once it changes; the hash itself stays out of the link.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_token(secret_key: str, salt: str, user: User) -> str:
    return URLSafeTimedSerializer(secret_key, salt=salt).dumps([user.id, _password_fingerprint(user)])


def read_token(*, session: Session, secret_key: str, salt: str, token: str, max_age_s: int) -> User | None:
    try:
        user_id, fingerprint = URLSafeTimedSerializer(secret_key, salt=salt).loads(token, max_age=max_age_s)
    except (BadSignature, SignatureExpired, ValueError, TypeError):
        return None
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active or _password_fingerprint(user) != fingerprint:
        return None
    return user


def confirm_email(*, session: Session, user: User) -> None:
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        session.add(user)
        session.commit()


def set_password(*, session: Session, user: User, password: str, email_proven: bool = False) -> None:
    """New password; every login cookie and every mailed link of this user stops working."""
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    if email_proven and user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    session.add(user)
    session.commit()


def set_locale(*, session: Session, user: User, locale: str) -> None:
    user.locale = locale
    session.add(user)
    session.commit()
