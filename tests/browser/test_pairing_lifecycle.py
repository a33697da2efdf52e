"""A pairing's whole life, clicked as people would: a coordinator approves, the volunteer accepts by the
mailed link, the partner arranges the first meeting and marks it active, the 4-week check-in goes out and
both sides answer through their mailed links, the coordinator ends it early with a reason and asks for a
new match, and the decision log shows every step."""

from datetime import timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select
from sqlmodel import col, select

from app.accounts.models import Role, User
from app.audit.models import DecisionEntry
from app.base import local_today
from app.extensions import db
from app.outbox.models import OutboxMessage
from app.pairings.models import CheckIn, Pairing, PairingStatus
from tests.browser.conftest import LiveServer, click, fill, log_in, wait_for_path
from tests.factories import (
    make_coordinator,
    make_need,
    make_organisation,
    make_partner,
    make_proposal,
    make_user,
    make_volunteer,
)
from tests.support.mail import Mailbox
from workers import housekeeping

pytestmark = pytest.mark.browser


def open_link(driver: WebDriver, url: str) -> None:
    """A link from a mail, opened without any session, as on the recipient's phone."""
    driver.delete_all_cookies()
    driver.get(url)


def status_on_page(driver: WebDriver) -> str:
    return str(driver.find_element(By.ID, "pairing-status").get_attribute("data-status"))


def test_a_pairing_from_approval_to_a_new_match(
    browser: WebDriver, live_server: LiveServer, mailbox: Mailbox
) -> None:
    with db.new_session() as session:
        coordinator = make_coordinator(session, email="koordination@example.org", locale="en")
        organisation = make_organisation(session, "Familienzentrum Haken")
        partner = make_partner(session, organisation, email="team@example.org", locale="en")
        need = make_need(session, organisation=organisation, title="Lesepatenschaft")
        user = make_user(session, Role.VOLUNTEER, email="olena@example.org", locale="en")
        volunteer = make_volunteer(session, user=user, first_name="Olena", languages={"uk": "native"})
        proposal = make_proposal(session, volunteer=volunteer, need=need)

    # The coordinator approves the proposal in the queue.
    log_in(browser, live_server, coordinator.email)
    browser.get(live_server.url + "/vorschlaege/")
    click(browser, f"approve-{proposal.id}")
    with db.new_session() as session:
        pairing = session.exec(select(Pairing)).one()
        assert pairing.status == PairingStatus.OFFERED

    # The volunteer accepts through the offer link.
    open_link(browser, mailbox.link("olena@example.org", "/vermittlungen/antwort/"))
    click(browser, "accept-offer")
    assert browser.find_element(By.ID, "answer-state").get_attribute("data-status") == "introduced"

    # The partner opens the pairing from the need's page and arranges the first meeting.
    log_in(browser, live_server, partner.email)
    browser.get(f"{live_server.url}/bedarfe/{need.id}")
    click(browser, f"open-pairing-{pairing.id}")
    wait_for_path(browser, f"/vermittlungen/{pairing.id}")
    meeting_day = local_today() + timedelta(days=3)
    # Chromium's date and time pickers take typed digits in the browser's own locale; the value they
    # submit is ISO either way, so it is set as the picker would set it.
    for field_id, value in (("meeting-day", meeting_day.isoformat()), ("meeting-time", "16:30")):
        browser.execute_script(
            "arguments[0].value = arguments[1]", browser.find_element(By.ID, field_id), value
        )
    fill(browser, "meeting-place", "Familienzentrum, Raum 2")
    click(browser, "meeting-save")
    assert status_on_page(browser) == "meeting"
    assert browser.find_element(By.ID, "first-meeting").text.endswith("Familienzentrum, Raum 2")
    appointment = mailbox.body("olena@example.org", "First meeting")
    assert "4:30" in appointment and "Familienzentrum, Raum 2" in appointment

    # They met: the partner marks it active.
    click(browser, "start")
    assert status_on_page(browser) == "active"
    with db.new_session() as session:
        started = session.get(Pairing, pairing.id)
        assert started is not None and started.started_on == local_today()

    # Four weeks later the daily task asks both sides; each answers through the mailed link.
    assert housekeeping.check_ins(today=(local_today() + timedelta(weeks=4)).isoformat()) == {
        "due": 2,
        "sent": 2,
    }
    open_link(browser, mailbox.link("olena@example.org", "/vermittlungen/rueckmeldung/"))
    browser.find_element(By.CSS_SELECTOR, "input[name='rating'][value='mixed']").click()
    fill(browser, "comment", "Die Termine passen nicht immer.")
    click(browser, "check-in-submit")
    assert browser.find_element(By.ID, "check-in-state").get_attribute("data-rating") == "mixed"
    open_link(browser, mailbox.link("team@example.org", "/vermittlungen/rueckmeldung/"))
    browser.find_element(By.CSS_SELECTOR, "input[name='rating'][value='good']").click()
    click(browser, "check-in-submit")
    assert browser.find_element(By.ID, "check-in-state").get_attribute("data-rating") == "good"

    # The coordinator sees the answers, ends the pairing early with a reason and asks for a new match.
    log_in(browser, live_server, coordinator.email)
    browser.get(live_server.url + "/vermittlungen/")
    click(browser, f"open-pairing-{pairing.id}")
    assert browser.find_element(By.ID, "check-in-4-volunteer").get_attribute("data-rating") == "mixed"
    assert browser.find_element(By.ID, "check-in-4-partner").get_attribute("data-rating") == "good"
    Select(browser.find_element(By.ID, "reason_kind")).select_by_value("moved")
    fill(browser, "reason", "Umzug nach Augsburg")
    click(browser, "end-early")
    assert status_on_page(browser) == "ended_early"
    assert browser.find_element(By.ID, "end-reason").text == "Moved away: Umzug nach Augsburg"
    assert "/ehrenamt/profil" in mailbox.body("olena@example.org", "engagement has ended")
    click(browser, "rematch-submit")
    assert (
        browser.find_element(By.ID, "queue-volunteer")
        .get_attribute("href")
        .endswith(f"/vorschlaege/?volunteer={volunteer.id}")
    )
    assert (
        browser.find_element(By.ID, "queue-need")
        .get_attribute("href")
        .endswith(f"/vorschlaege/?need={need.id}")
    )
    steps = [e.get_attribute("data-action") for e in browser.find_elements(By.CSS_SELECTOR, "#timeline li")]
    assert steps == ["approve", "accept", "arrange_meeting", "start", "end_early", "rematch"]

    # The decision log page shows the same steps, newest first.
    browser.get(live_server.url + "/entscheidungen/")
    logged = [e.get_attribute("data-action") for e in browser.find_elements(By.CSS_SELECTOR, "tr.decision")]
    assert logged == ["rematch", "end_early", "start", "arrange_meeting", "accept", "approve"]
    with db.new_session() as session:
        entries = session.exec(select(DecisionEntry).order_by(col(DecisionEntry.id))).all()
        actors = {entry.action: entry.actor_id for entry in entries}
        assert actors["accept"] == user.id and actors["arrange_meeting"] == partner.id
        assert actors["end_early"] == coordinator.id
        tasks = {message.task_name for message in session.exec(select(OutboxMessage))}
        assert {"matching.match_volunteer", "matching.match_need"} <= tasks
        assert len(session.exec(select(CheckIn)).all()) == 2
        assert session.get(User, user.id) is not None
