"""The mails of a pairing's life: offer, introduction, first meeting, ending, check-ins, a call for help."""

from datetime import datetime

from flask_babel import force_locale, format_date, format_time
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from app.accounts.models import User
from app.labels import CHECK_IN_RATING
from app.mailer import link, send_mail
from app.needs.models import Need
from app.needs.queries import need_facts
from app.pairings.check_ins import coordinators_for
from app.pairings.models import CheckIn, CheckInParty, CheckInRating, Pairing, PairingStatus
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
        link=link("pairings.respond", token=pairing.response_token),
    )


def send_introduction(session: Session, pairing: Pairing) -> int:
    """Tells the partner's contact address and staff whom to expect; returns how many mails went out."""
    volunteer, user, need, organisation = _parts(session, pairing)
    # The pairing's own page: the need page cannot move the meeting or end the pairing.
    page = link("pairings.detail", pairing_id=pairing.id)
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
            link=page,
        )
    return sent


def _when(at: datetime, locale: str) -> str:
    """The meeting's day and time in the recipient's language, on the city's clock (Babel's time zone)."""
    with force_locale(locale):
        return f"{format_date(at, 'full')}, {format_time(at, 'short')}"


def send_meeting(session: Session, pairing: Pairing) -> int:
    """The first meeting (new or moved) to the volunteer and the partner; returns how many mails went out."""
    volunteer, user, need, organisation = _parts(session, pairing)
    assert pairing.first_meeting_at is not None
    recipients = {user.email.lower(): user.locale}
    recipients.update(introduction_recipients(session=session, organisation=organisation))
    sent = 0
    for email, locale in recipients.items():
        sent += send_mail(
            to=email,
            subject=_l("First meeting: %(title)s", title=need.title),
            template="pairing_meeting",
            locale=locale,
            to_volunteer=email == user.email.lower(),
            need=need,
            organisation=organisation,
            volunteer=volunteer,
            when=_when(pairing.first_meeting_at, locale),
            place=pairing.first_meeting_place,
            link=link("pairings.detail", pairing_id=pairing.id),
        )
    return sent


def send_ended(session: Session, pairing: Pairing) -> bool:
    """Tells the volunteer that the engagement is over and that new offers come unless they pause."""
    volunteer, user, need, organisation = _parts(session, pairing)
    return send_mail(
        to=user.email,
        subject=_l("Your engagement has ended: %(title)s", title=need.title),
        template="pairing_ended",
        locale=user.locale,
        name=volunteer.first_name,
        need=need,
        organisation=organisation,
        early=pairing.status == PairingStatus.ENDED_EARLY,
        profile_link=link("volunteers.profile"),
    )


def send_check_in(session: Session, check_in: CheckIn) -> bool:
    """The question "how is it going?" with its answer link, to the volunteer or to the partner's staff
    and contact address. True when it reached someone (for the partner: at least one of them)."""
    pairing = session.get(Pairing, check_in.pairing_id)
    assert pairing is not None
    volunteer, user, need, organisation = _parts(session, pairing)
    if check_in.party == CheckInParty.VOLUNTEER:
        recipients = {user.email: user.locale}
    else:
        recipients = introduction_recipients(session=session, organisation=organisation)
    sent = 0
    for email, locale in recipients.items():
        sent += send_mail(
            to=email,
            subject=_l("How is it going? %(title)s", title=need.title),
            template="check_in",
            locale=locale,
            to_volunteer=check_in.party == CheckInParty.VOLUNTEER,
            weeks=check_in.week,
            need=need,
            organisation=organisation,
            volunteer=volunteer,
            link=link("pairings.check_in", token=check_in.token),
        )
    return sent > 0


def send_call_for_help(session: Session, check_in: CheckIn) -> int:
    """A "not working" answer goes to the coordinators of the need's district at once."""
    pairing = session.get(Pairing, check_in.pairing_id)
    assert pairing is not None
    volunteer, _user, need, organisation = _parts(session, pairing)
    sent = 0
    for coordinator in coordinators_for(session=session, need=need):
        with force_locale(coordinator.locale):
            rating = str(CHECK_IN_RATING[CheckInRating(check_in.rating)])
        sent += send_mail(
            to=coordinator.email,
            subject=_l("A pairing needs your attention: %(title)s", title=need.title),
            template="check_in_poor",
            locale=coordinator.locale,
            need=need,
            organisation=organisation,
            volunteer=volunteer,
            from_volunteer=check_in.party == CheckInParty.VOLUNTEER,
            weeks=check_in.week,
            rating=rating,
            comment=check_in.comment,
            link=link("pairings.detail", pairing_id=pairing.id),
        )
    return sent
