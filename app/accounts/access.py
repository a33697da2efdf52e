"""Who may see what: login loading, role checks, and a coordinator's district scope."""

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user
from sqlmodel import select

from app.accounts.models import Role, User
from app.extensions import db
from app.offices.models import District, Office

P = ParamSpec("P")
R = TypeVar("R")


def init_login(login_manager: LoginManager) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(session_token: str) -> User | None:
        user = db.session.exec(select(User).where(User.session_token == session_token)).first()
        return user if user is not None and user.is_active else None


def role_required(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Only logged-in users with one of these roles (admins pass everywhere) reach the view."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            from app.extensions import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles and current_user.role != Role.ADMIN:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def district_scope(user: User) -> list[int] | None:
    """District ids a coordinator may see; None means all (Integrationsbüro and admins)."""
    if user.role == Role.ADMIN:
        return None
    if user.role != Role.COORDINATOR or user.office_id is None:
        return []
    office = db.session.get(Office, user.office_id)
    if office is None:
        return []
    if office.is_central:
        return None
    ids = db.session.exec(select(District.id).where(District.office_id == office.id)).all()
    return [district_id for district_id in ids if district_id is not None]
