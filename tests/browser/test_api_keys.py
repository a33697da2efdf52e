"""In Chromium: a partner makes an API key on the account page, a program uses it, the partner revokes it;
then changes the password and stays logged in."""

import json
import urllib.error
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from app.extensions import db
from tests.browser.conftest import LiveServer, fill, follow, submit, wait_for_path
from tests.factories import PASSWORD, make_partner

NEW_PASSWORD = "Lesepaten 2026 Kaufbeuren"


def call_api(server: LiveServer, key: str) -> int:
    headers = {"Authorization": f"Bearer {key}"}
    request = urllib.request.Request(server.url + "/api/v1/needs/", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            json.load(response)
            return int(response.status)
    except urllib.error.HTTPError as error:
        error.close()
        return error.code


def test_partner_makes_uses_and_revokes_a_key_then_changes_the_password(
    browser: WebDriver, live_server: LiveServer
) -> None:
    with db.new_session() as session:
        email = make_partner(session).email
    browser.get(live_server.url + "/konto/anmelden")
    fill(browser, "email", email)
    fill(browser, "password", PASSWORD)
    submit(browser, "login-submit")
    wait_for_path(browser, "/bedarfe/unsere")

    follow(browser, browser.find_element(By.LINK_TEXT, "Mein Konto"))
    wait_for_path(browser, "/konto/")
    fill(browser, "name", "Vereinsverwaltung")
    browser.find_element(By.XPATH, "//label[normalize-space()='Unsere Bedarfe lesen']").click()
    submit(browser, "token-submit")
    key = browser.find_element(By.ID, "new-token").get_attribute("value") or ""
    assert key.startswith("iam_")
    assert call_api(live_server, key) == 200

    follow(browser, browser.find_element(By.LINK_TEXT, "Zurück zu meinem Konto"))
    row = browser.find_element(By.CSS_SELECTOR, "#tokens-table tbody tr")
    assert "Vereinsverwaltung" in row.text and key not in browser.page_source
    follow(browser, row.find_element(By.TAG_NAME, "button"))
    assert "widerrufen" in browser.find_element(By.CSS_SELECTOR, ".flashes").text
    assert call_api(live_server, key) == 401

    fill(browser, "current_password", PASSWORD)
    fill(browser, "password", NEW_PASSWORD)
    fill(browser, "password_repeat", NEW_PASSWORD)
    submit(browser, "password-submit")
    wait_for_path(browser, "/konto/")
    assert "Ihr neues Passwort ist gespeichert" in browser.find_element(By.CSS_SELECTOR, ".flashes").text
    assert browser.find_elements(By.CSS_SELECTOR, "form[action$='/konto/abmelden']")  # still logged in
