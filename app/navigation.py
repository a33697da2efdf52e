"""The main menu: one list, filtered by the user's role."""

from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.models import Role

ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class MenuItem:
    endpoint: str
    label: object  # a lazy string, translated when rendered
    roles: tuple[str, ...]


MENU = (
    MenuItem("needs.public_list", _l("Open needs"), (ANONYMOUS, Role.VOLUNTEER)),
    MenuItem("volunteers.register", _l("Volunteer with us"), (ANONYMOUS,)),
    MenuItem("volunteers.profile", _l("My profile"), (Role.VOLUNTEER,)),
    MenuItem("hours.mine", _l("My hours"), (Role.VOLUNTEER,)),
    MenuItem("needs.mine", _l("Our needs"), (Role.PARTNER,)),
    MenuItem("proposals.queue", _l("Review queue"), (Role.COORDINATOR, Role.ADMIN)),
    MenuItem("pairings.overview", _l("Pairings"), (Role.COORDINATOR, Role.ADMIN)),
    MenuItem("hours.review", _l("Hours to confirm"), (Role.PARTNER, Role.COORDINATOR, Role.ADMIN)),
    MenuItem("reports.overview", _l("Statistics"), (Role.COORDINATOR, Role.ADMIN)),
    MenuItem("audit.decisions", _l("Decision log"), (Role.COORDINATOR, Role.ADMIN)),
    MenuItem("matching_runs.overview", _l("Matching runs"), (Role.COORDINATOR, Role.ADMIN)),
    MenuItem("admin.index", _l("Administration"), (Role.ADMIN,)),
    MenuItem(
        "account.settings", _l("My account"), (Role.VOLUNTEER, Role.PARTNER, Role.COORDINATOR, Role.ADMIN)
    ),
)


def menu() -> list[tuple[str, object, str]]:
    """(url, label, endpoint) for the current user."""
    role = current_user.role if current_user.is_authenticated else ANONYMOUS
    return [
        (url_for(item.endpoint), item.label, item.endpoint)
        for item in MENU
        if role in item.roles and item.endpoint in current_app.view_functions
    ]
