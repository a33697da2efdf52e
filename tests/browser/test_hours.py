"""A volunteer logs hours on a phone, the partner confirms them, and the volunteer sees them confirmed and
counted towards the Bayerische Ehrenamtskarte."""

from datetime import timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from sqlmodel import select

from app.base import utcnow
from app.extensions import db
from app.hours.models import HoursEntry, HoursStatus
from app.pairings.models import PairingStatus
from tests.browser.conftest import LiveServer, fill, log_in, submit, wait_for_path
from tests.factories import (
    make_need,
    make_organisation,
    make_pairing,
    make_partner,
    make_user,
    make_volunteer,
)

pytestmark = pytest.mark.browser


def test_volunteer_logs_partner_confirms(browser: WebDriver, live_server: LiveServer) -> None:
    with db.new_session() as session:
        organisation = make_organisation(session, "Grundschule Neugablonz", district_slug="neugablonz")
        partner = make_partner(session, organisation)
        volunteer_user = make_user(session)
        volunteer = make_volunteer(session, user=volunteer_user)
        need = make_need(session, organisation=organisation, district_slug="neugablonz")
        pairing = make_pairing(
            session,
            volunteer=volunteer,
            need=need,
            status=PairingStatus.ACTIVE,
            created_at=utcnow() - timedelta(days=20),
        )

    log_in(browser, live_server, volunteer_user.email)
    browser.get(live_server.url + "/ehrenamt/stunden")
    assert browser.find_element(By.ID, "pairing_id").get_attribute("value") == str(pairing.id)
    fill(browser, "hours", "3")
    fill(browser, "minutes", "30")
    fill(browser, "note", "Mathe und Lesen")
    submit(browser, "hours-save")
    wait_for_path(browser, "/ehrenamt/stunden")
    with db.new_session() as session:
        entry = session.exec(select(HoursEntry)).one()
    assert (entry.minutes, entry.status) == (210, HoursStatus.LOGGED)
    assert browser.find_element(By.ID, f"entry-{entry.id}").get_attribute("data-status") == "logged"

    log_in(browser, live_server, partner.email)
    browser.get(live_server.url + "/stunden/bestaetigen")
    assert "Mathe und Lesen" in browser.find_element(By.ID, f"entry-{entry.id}").text
    submit(browser, f"confirm-{entry.id}")
    wait_for_path(browser, "/stunden/bestaetigen")
    assert browser.find_elements(By.ID, "review-empty")

    log_in(browser, live_server, volunteer_user.email)
    browser.get(live_server.url + "/ehrenamt/stunden")
    assert browser.find_element(By.ID, f"entry-{entry.id}").get_attribute("data-status") == "confirmed"
    year = browser.find_element(By.ID, "card-year-0")
    assert year.get_attribute("data-minutes") == "210"
    progress = year.find_element(By.TAG_NAME, "progress")
    assert (progress.get_attribute("value"), progress.get_attribute("max")) == ("210", "15000")
    assert browser.find_element(By.ID, "ehrenamtskarte").get_attribute("data-eligible") == "no"
