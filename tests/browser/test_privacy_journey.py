"""In Chromium, with CSRF on: a volunteer withdraws the consent to being matched from the profile, gives
it again after reading the text, and reads all their data; no page of it breaks WCAG 2.1 AA."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from sqlmodel import col, select

from app.accounts.models import User
from app.extensions import db
from app.privacy.models import ConsentRecord
from app.proposals.models import Proposal, ProposalStatus
from tests.browser.conftest import LiveServer, fill, follow, submit, wait_for_path
from tests.browser.test_accessibility import violations
from tests.factories import PASSWORD, make_proposal, make_volunteer

pytestmark = pytest.mark.browser


def test_volunteer_withdraws_and_gives_consent_and_reads_their_data(
    browser: WebDriver, live_server: LiveServer
) -> None:
    with db.new_session() as session:
        volunteer = make_volunteer(session, first_name="Olena", last_name="Kovalenko")
        proposal_id = make_proposal(session, volunteer=volunteer).id
        user = session.get(User, volunteer.user_id)
        assert user is not None
        email, user_id = user.email, user.id
    browser.get(live_server.url + "/konto/anmelden")
    fill(browser, "email", email)
    fill(browser, "password", PASSWORD)
    submit(browser, "login-submit")
    wait_for_path(browser, "/ehrenamt/profil")

    follow(browser, browser.find_element(By.ID, "consent-data"))
    wait_for_path(browser, "/meine-daten/einwilligung")
    assert browser.find_element(By.ID, "consent-in-force").is_displayed()
    assert violations(browser) == []
    submit(browser, "withdraw-consent")

    assert "widerrufen" in browser.find_element(By.CSS_SELECTOR, ".flashes").text
    assert browser.find_element(By.ID, "consent-withdrawn").is_displayed()
    with db.new_session() as session:
        assert session.get(Proposal, proposal_id).status == ProposalStatus.WITHDRAWN  # type: ignore[union-attr]
    submit(browser, "give-consent")  # without the tick
    assert browser.find_element(By.ID, "error-summary").is_displayed()
    assert browser.find_element(By.ID, "consent-error").is_displayed()
    assert violations(browser) == []
    browser.find_element(By.ID, "consent").click()
    submit(browser, "give-consent")

    assert browser.find_element(By.ID, "consent-in-force").is_displayed()
    with db.new_session() as session:
        records = session.exec(
            select(ConsentRecord).where(ConsentRecord.user_id == user_id).order_by(col(ConsentRecord.id))
        ).all()
        assert [r.withdrawn_at is None for r in records] == [False, True]

    follow(browser, browser.find_element(By.ID, "all-my-data"))
    wait_for_path(browser, "/meine-daten/")
    assert "Kovalenko" in browser.find_element(By.ID, "data-volunteer").text
    assert len(browser.find_elements(By.CSS_SELECTOR, "#data-consents tbody tr")) == 2
    download = browser.find_element(By.ID, "download-json").get_attribute("href") or ""
    assert download.endswith("/meine-daten/export")
    assert violations(browser) == []
