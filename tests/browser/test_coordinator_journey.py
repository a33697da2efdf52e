"""A coordinator reviews proposals on a phone; the volunteer accepts by mail link; the pairing goes on."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from sqlmodel import select

from app.accounts.models import User
from app.extensions import db
from app.pairings.models import Pairing, PairingStatus
from app.proposals.models import Proposal, ProposalStatus
from tests.browser.conftest import LiveServer, click, fill, log_in, wait_for_path
from tests.factories import (
    make_coordinator,
    make_need,
    make_organisation,
    make_partner,
    make_proposal,
    make_volunteer,
)
from tests.support.mail import Mailbox

pytestmark = pytest.mark.browser


def test_coordinator_reviews_and_the_pairing_runs_its_course(
    browser: WebDriver, live_server: LiveServer, mailbox: Mailbox
) -> None:
    with db.new_session() as session:
        coordinator = make_coordinator(session, locale="en")
        organisation = make_organisation(session, "Grundschule Neugablonz", district_slug="neugablonz")
        partner = make_partner(session, organisation, locale="en")
        need = make_need(
            session, organisation=organisation, district_slug="neugablonz", title="Lesepatenschaft"
        )
        ayse = make_volunteer(session, first_name="Ayşe", languages={"tr": "native"}, phone="0151 111")
        jonas = make_volunteer(session, first_name="Jonas")
        approved = make_proposal(session, volunteer=ayse, need=need, score=0.88)
        rejected = make_proposal(session, volunteer=jonas, need=need, score=0.61)
        ayse_user = session.get(User, ayse.user_id)
        assert ayse_user is not None
        ayse_email = ayse_user.email

    log_in(browser, live_server, coordinator.email)
    wait_for_path(browser, "/vorschlaege/")
    reasons = browser.find_element(By.ID, f"reasons-{approved.id}").text
    assert "Shared skills: Homework help" in reasons and "Shared languages: Turkish" in reasons
    assert "Available at the needed times: Tue 15:00–17:00" in reasons

    click(browser, f"approve-{approved.id}")
    assert browser.find_elements(By.ID, f"proposal-{approved.id}") == []
    fill(browser, f"reason-{rejected.id}", "Wohnt zu weit weg.")
    click(browser, f"reject-{rejected.id}")
    assert browser.find_elements(By.ID, "queue-empty")

    with db.new_session() as session:
        decided = {p.id: p for p in session.exec(select(Proposal))}
        assert decided[approved.id].status == ProposalStatus.APPROVED
        assert (decided[rejected.id].status, decided[rejected.id].decision_reason) == (
            ProposalStatus.REJECTED,
            "Wohnt zu weit weg.",
        )
        pairing = session.exec(select(Pairing)).one()
        assert pairing.status == PairingStatus.OFFERED

    # The volunteer opens the link from the real offer mail, without an account session.
    link = mailbox.link(ayse_email, "/vermittlungen/antwort/")
    browser.delete_all_cookies()
    browser.get(link)
    assert browser.find_element(By.ID, "offer-title").text == "Lesepatenschaft"
    click(browser, "accept-offer")
    assert browser.find_element(By.ID, "answer-state").get_attribute("data-status") == "introduced"
    introduction = mailbox.body(partner.email)
    assert ayse_email in introduction and "0151 111" in introduction
    assert mailbox.body(organisation.contact_email)

    browser.delete_all_cookies()
    log_in(browser, live_server, coordinator.email)
    browser.get(live_server.url + "/vermittlungen/")
    click(browser, f"start-{pairing.id}")
    assert browser.find_element(By.ID, f"pairing-{pairing.id}").get_attribute("data-status") == "active"
    click(browser, f"complete-{pairing.id}")
    assert browser.find_element(By.ID, f"pairing-{pairing.id}").get_attribute("data-status") == "completed"
    with db.new_session() as session:
        stored = session.get(Pairing, pairing.id)
        assert stored is not None and stored.status == PairingStatus.COMPLETED and stored.ended_at is not None
