"""Staff accounts that an admin creates (coordinators, partner staff) and the overview counts."""

import secrets
from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select

from app.accounts.api_tokens import revoke_all_tokens
from app.accounts.models import Role, User, new_session_token
from app.accounts.services import add_user, find_user_by_email
from app.offices.models import District, Office
from app.offices.services import Taken
from app.partners.models import Organisation
from app.vocab.models import Language, Skill

# Roles whose accounts the admin pages manage; volunteers manage their own, admins come from the CLI.
STAFF_ROLES = (Role.COORDINATOR, Role.PARTNER)


def invite_user(
    *,
    session: Session,
    role: Role,
    email: str,
    display_name: str,
    office_id: int | None = None,
    organisation_id: int | None = None,
) -> User:
    """A confirmed account with an unknown random password; the caller mails the set-password link.

    Raises Taken("email") when the address has an account already.
    """
    if find_user_by_email(session=session, email=email) is not None:
        raise Taken("email")
    user = add_user(
        session=session,
        email=email,
        # Nobody ever sees this password; the invitation link replaces it.
        password=secrets.token_urlsafe(32),
        role=role,
        display_name=display_name,
        office_id=office_id,
        organisation_id=organisation_id,
        confirmed=True,
    )
    session.commit()
    return user


def staff_user(*, session: Session, user_id: int) -> User | None:
    """A coordinator or partner staff account, else None."""
    user = session.get(User, user_id)
    return user if user is not None and user.role in STAFF_ROLES else None


def set_active(*, session: Session, user: User, active: bool) -> User:
    """Deactivating also ends every login of the user at once and revokes their API tokens."""
    user.is_active = active
    if not active:
        user.session_token = new_session_token()
        revoke_all_tokens(session=session, user_id=user.id or 0)
    session.add(user)
    session.commit()
    return user


def list_coordinators(*, session: Session) -> Sequence[User]:
    return session.exec(
        select(User).where(User.role == Role.COORDINATOR).order_by(User.display_name, User.email)
    ).all()


def _count(session: Session, model: type[SQLModel], *where: object) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()  # type: ignore[arg-type]


def overview_counts(*, session: Session) -> dict[str, int]:
    return {
        "coordinators": _count(session, User, User.role == Role.COORDINATOR, col(User.is_active)),
        "organisations": _count(session, Organisation),
        "partner_staff": _count(session, User, User.role == Role.PARTNER, col(User.is_active)),
        "offices": _count(session, Office),
        "districts": _count(session, District),
        "skills": _count(session, Skill),
        "languages": _count(session, Language),
    }
