"""The volunteer's calendar feed: its switch on the profile page, and the feed itself."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectField
from wtforms.validators import InputRequired

from app.accounts.access import role_required
from app.accounts.models import Role, User
from app.calendar import services
from app.calendar.feed import build_feed
from app.extensions import db
from app.volunteers.views import current_volunteer

bp = Blueprint("calendar", __name__)

MESSAGES = {
    "enable": _l("Your calendar address is ready. Add it to your calendar app."),
    "renew": _l("Your calendar has a new address; the old one no longer works."),
    "disable": _l("Your calendar address is switched off."),
}


class FeedForm(FlaskForm):
    action = SelectField(choices=list(MESSAGES), validators=[InputRequired()])


@bp.post("/ehrenamt/profil/kalender")
@role_required(Role.VOLUNTEER)
def switch() -> Response:
    volunteer = current_volunteer()
    form = FeedForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_feed(session=db.session, volunteer=volunteer, enabled=form.action.data != "disable")
    flash(str(MESSAGES[form.action.data]), "success")
    return redirect(url_for("volunteers.profile", _anchor="calendar"), 303)


@bp.get("/kalender/<token>.ics")
def feed(token: str) -> Response:
    """No login: calendar apps cannot log in, so the secret address is the credential."""
    volunteer = services.volunteer_by_token(session=db.session, token=token)
    user = db.session.get(User, volunteer.user_id) if volunteer else None
    if volunteer is None or user is None:
        abort(404)
    domain = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    with force_locale(user.locale):
        body = build_feed(session=db.session, volunteer=volunteer, domain=domain)
    return Response(body, mimetype="text/calendar", content_type="text/calendar; charset=utf-8")
