"""Which need a partner may manage, for the pages and the API alike."""

from flask import abort
from flask_babel import gettext as _

from app.accounts.models import Role, User
from app.errors import Conflict, NotAllowed
from app.extensions import db
from app.needs import services
from app.needs.models import Need


def own_need(need_id: int, user: User) -> Need:
    """The need if the user's organisation owns it (admins: any); 404 otherwise, revealing nothing."""
    need = db.session.get(Need, need_id)
    if need is None or (user.role != Role.ADMIN and need.organisation_id != user.organisation_id):
        abort(404)
    return need


def organisation_of(user: User) -> int:
    """The organisation whose needs the user manages; an admin without one has none to manage."""
    if user.organisation_id is None:
        raise NotAllowed(_("Only partner organisations have needs to manage."))
    return user.organisation_id


def refuse_if_closed(need: Need) -> None:
    if not services.can_change(need):
        raise Conflict(_("This need is closed and cannot be changed any more."))
