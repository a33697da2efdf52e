"""The two mails of a pairing: the offer to the volunteer, and the introduction to the partner."""

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from app.accounts.models import User
from app.mailer import send_mail
from app.needs.models import Need
from app.needs.queries import need_facts
from app.pairings.models import Pairing
from app.pairings.services import introduction_recipients
from app.partners.models import Organisation
from app.volunteers.models import Volunteer


def _parts(session: Session, pairing: Pairing) -> tuple[Volunteer, User, Need, Organisation]:
    volunteer = session.get(Volunteer, pairing.volunteer_id)
    need = session.get(Need, pairing.need_id)
    assert volunteer is not None and need is not None
    user = session.get(User, volunteer.user_id)
    organisation = session.get(Organisation, need.organisation_id)
    assert user is not None and organisation is not None
    return volunteer, user, need, organisation


def send_offer(session: Session, pairing: Pairing) -> bool:
    """What, where, when and with whom, plus the answer link; no contact details of the partner yet."""
    volunteer, user, need, _organisation = _parts(session, pairing)
    return send_mail(
        to=user.email,
        subject=_l("An offer for you: %(title)s", title=need.title),
        template="pairing_offer",
        locale=user.locale,
        volunteer=volunteer,
        need=need,
        facts=need_facts(session=session, needs=[need], locale=user.locale)[need.id or 0],
        link=current_app.config["BASE_URL"] + url_for("pairings.respond", token=pairing.response_token),
    )


def send_introduction(session: Session, pairing: Pairing) -> int:
    """Tells the partner's contact address and staff whom to expect; returns how many mails went out."""
    volunteer, user, need, organisation = _parts(session, pairing)
    link = current_app.config["BASE_URL"] + url_for("needs.detail", need_id=need.id)
    sent = 0
    for email, locale in introduction_recipients(session=session, organisation=organisation).items():
        sent += send_mail(
            to=email,
            subject=_l("A volunteer for: %(title)s", title=need.title),
            template="pairing_introduction",
            locale=locale,
            need=need,
            volunteer=volunteer,
            volunteer_email=user.email,
            link=link,
        )
    return sent
