"""The first meeting: arranged and moved by the partner's staff or a coordinator in scope, entered in
Kaufbeuren's local time and stored as UTC, mailed to the volunteer (in their language) and the partner."""

from datetime import UTC, date, datetime, timedelta

from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from app.accounts.models import Role
from app.audit.models import DecisionEntry
from app.base import local_today
from app.pairings.models import Pairing, PairingStatus
from app.partners.models import Organisation
from tests.conftest import log_in
from tests.factories import (
    make_coordinator,
    make_need,
    make_organisation,
    make_pairing,
    make_partner,
    make_user,
    make_volunteer,
)
from tests.support.mail import Mailbox
from tests.support.pages import assert_error_summary_links_resolve

EN = {"Accept-Language": "en"}
NEXT_YEAR = date.today().year + 1
VOLUNTEER_EMAIL = "olena@example.org"


def introduced(
    session: Session,
    organisation: Organisation | None = None,
    status: PairingStatus = PairingStatus.INTRODUCED,
) -> Pairing:
    """A pairing of Olena (English, olena@example.org) with a need of the organisation."""
    user = make_user(session, Role.VOLUNTEER, email=VOLUNTEER_EMAIL, locale="en")
    volunteer = make_volunteer(session, user=user, first_name="Olena")
    need = make_need(session, organisation=organisation, title="Lesepatenschaft")
    return make_pairing(session, volunteer=volunteer, need=need, status=status)


def arrange(client: FlaskClient, pairing: Pairing, day: str, time: str, place: str) -> tuple[int, str]:
    data = {"meeting-day": day, "meeting-time": time, "meeting-place": place}
    response = client.post(f"/vermittlungen/{pairing.id}/treffen", data=data, headers=EN)
    return response.status_code, response.text


def stored(session: Session, pairing: Pairing) -> Pairing:
    session.expire_all()
    found = session.get(Pairing, pairing.id)
    assert found is not None
    return found


def test_partner_arranges_the_first_meeting_and_both_sides_get_it(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    organisation = make_organisation(session, "Familienzentrum Haken")
    staff = make_partner(session, organisation, locale="en")
    pairing = introduced(session, organisation)
    log_in(client, staff)

    code, _ = arrange(client, pairing, f"{NEXT_YEAR}-07-14", "16:30", "Familienzentrum, Raum 2")
    assert code == 303
    meeting = stored(session, pairing)
    assert meeting.status == PairingStatus.MEETING
    # Summer time in Kaufbeuren: UTC+2.
    assert meeting.first_meeting_at == datetime(NEXT_YEAR, 7, 14, 14, 30, tzinfo=UTC)
    assert meeting.first_meeting_place == "Familienzentrum, Raum 2"

    body = mailbox.body(VOLUNTEER_EMAIL, "First meeting")  # in English, the volunteer's language
    assert f"July 14, {NEXT_YEAR}" in body and "4:30" in body and "Familienzentrum, Raum 2" in body
    assert "Familienzentrum, Raum 2" in mailbox.body(staff.email, "First meeting")
    assert mailbox.body(organisation.contact_email, "Erstes Treffen")  # the shared address reads German

    entry = session.exec(select(DecisionEntry).where(DecisionEntry.pairing_id == pairing.id)).one()
    assert (entry.action, entry.actor_id) == ("arrange_meeting", staff.id)
    assert entry.reason == f"{NEXT_YEAR}-07-14 16:30, Familienzentrum, Raum 2"


def test_the_meeting_can_be_moved_until_the_pairing_is_active(client: FlaskClient, session: Session) -> None:
    pairing = introduced(session)
    log_in(client, make_coordinator(session, locale="en"))

    assert arrange(client, pairing, f"{NEXT_YEAR}-01-20", "15:00", "Schule")[0] == 303
    assert arrange(client, pairing, f"{NEXT_YEAR}-01-22", "09:15", "Rathaus")[0] == 303
    moved = stored(session, pairing)
    # Winter time: UTC+1.
    assert moved.first_meeting_at == datetime(NEXT_YEAR, 1, 22, 8, 15, tzinfo=UTC)
    assert moved.first_meeting_place == "Rathaus"
    page = client.get(f"/vermittlungen/{pairing.id}", headers=EN).text
    assert 'value="09:15"' in page and f'value="{NEXT_YEAR}-01-22"' in page and 'value="Rathaus"' in page
    actions = session.exec(
        select(DecisionEntry.action)
        .where(DecisionEntry.pairing_id == pairing.id)
        .order_by(col(DecisionEntry.id))
    ).all()
    assert actions == ["arrange_meeting", "arrange_meeting"]

    client.post(f"/vermittlungen/{pairing.id}", data={"action": "start"})
    assert (
        stored(session, pairing).started_on == local_today()
    )  # the meeting lies ahead: not later than today
    assert arrange(client, pairing, f"{NEXT_YEAR}-02-01", "10:00", "Schule")[0] == 409


def test_a_meeting_in_the_past_or_without_a_place_is_refused(client: FlaskClient, session: Session) -> None:
    pairing = introduced(session)
    log_in(client, make_coordinator(session, locale="en"))

    yesterday = (date.today() - timedelta(days=1)).isoformat()
    code, html = arrange(client, pairing, yesterday, "10:00", "Schule")
    assert code == 400 and "Please choose a time in the future." in html
    assert_error_summary_links_resolve(html)
    assert arrange(client, pairing, f"{NEXT_YEAR}-03-01", "10:00", "  ")[0] == 400
    assert arrange(client, pairing, "0001-01-01", "00:30", "Schule")[0] == 400  # was a 500 (to UTC)
    assert arrange(client, pairing, "tomorrow", "10:00", "Schule")[0] == 400
    assert arrange(client, pairing, f"{NEXT_YEAR}-03-01", "25:99", "Schule")[0] == 400
    assert arrange(client, pairing, f"{NEXT_YEAR}-03-01", "10:00", "x" * 201)[0] == 400
    unchanged = stored(session, pairing)
    assert (unchanged.status, unchanged.first_meeting_at) == (PairingStatus.INTRODUCED, None)
    assert session.exec(select(DecisionEntry)).first() is None


def test_no_meeting_for_offers_or_ended_pairings(client: FlaskClient, session: Session) -> None:
    offered = introduced(session, status=PairingStatus.OFFERED)
    ended = make_pairing(session, status=PairingStatus.ENDED_EARLY)
    log_in(client, make_coordinator(session))
    assert arrange(client, offered, f"{NEXT_YEAR}-03-01", "10:00", "Schule")[0] == 409
    assert arrange(client, ended, f"{NEXT_YEAR}-03-01", "10:00", "Schule")[0] == 409


def test_others_may_not_arrange_it(client: FlaskClient, session: Session) -> None:
    pairing = introduced(session)
    log_in(client, make_partner(session))  # of another organisation
    assert arrange(client, pairing, f"{NEXT_YEAR}-03-01", "10:00", "Schule")[0] == 404
    assert stored(session, pairing).status == PairingStatus.INTRODUCED


def test_coordinators_out_of_scope_may_not_arrange_it(client: FlaskClient, session: Session) -> None:
    pairing = introduced(session)
    log_in(client, make_coordinator(session, "Stadtteilbüro Bienenberg"))
    assert arrange(client, pairing, f"{NEXT_YEAR}-03-01", "10:00", "Schule")[0] == 404
    assert client.post("/vermittlungen/999999/treffen").status_code == 404
