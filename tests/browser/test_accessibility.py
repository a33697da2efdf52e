"""axe-core (from npm, injected into Debian's Chromium) finds no WCAG 2.1 A/AA violation on any page, in
German and in Arabic (right to left), for every role, on the demo data; and no page asks another host
for anything (scripts, styles, fonts, images).

Every GET page of the app is visited as the person who sees it (a test fails when a new page is missing
from the list), and the forms are also checked with their error messages showing.
"""

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from sqlmodel import Session, col, select

from app import demo
from app.accounts.models import User
from app.base import local_today, utcnow
from app.calendar import services as calendar_services
from app.extensions import db
from app.hours.models import HoursEntry, HoursStatus
from app.needs.models import Need
from app.offices.models import District
from app.pairings.models import CheckIn, CheckInParty, PairingStatus
from app.partners.models import Organisation
from app.proposals import services as proposals
from app.proposals.models import Proposal, ProposalStatus
from app.vocab.models import Skill
from app.volunteers.models import Volunteer
from tests.browser.conftest import LiveServer, fill, requested_urls, submit
from tests.factories import make_pairing

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ANYONE = ""
# Not pages: redirects, a download, JSON, and links that change state when followed (tested elsewhere).
NOT_PAGES = {
    "static",
    "openapi.spec",
    "accounts.confirm_email",
    "privacy.export",
    "calendar.feed",
    "reports.export_csv",
    "reports.export_xlsx",
}
# (role, path, form to send empty or wrong so that its error messages show)
FORMS_WITH_ERRORS = [
    (ANYONE, "/ehrenamt/registrieren", "register-submit"),
    (ANYONE, "/konto/anmelden", "login-submit"),
    (ANYONE, "/barrierefreiheit", "feedback-submit"),
    ("partner", "/bedarfe/neu", "need-save"),
    ("volunteer", "/konto/", "password-submit"),
    ("volunteer", "/ehrenamt/stunden", "hours-save"),  # no time given
]


@dataclass
class World:
    logins: dict[str, tuple[str, str]]
    pages: dict[str, list[str]]  # role ('' for anyone, logged out) -> paths


@pytest.fixture
def world(live_app: Flask) -> World:
    with db.new_session() as session:
        logins = demo.seed_demo(session=session)  # matches everything in-process on commit
        coordinator = session.exec(select(User).where(User.email == logins["coordinator"][0])).one()
        pending = select(Proposal).where(Proposal.status == ProposalStatus.PENDING)
        proposal = session.exec(pending.order_by(col(Proposal.score).desc())).first()
        assert proposal is not None and proposal.id is not None, "the demo's matching proposed nothing"
        [outcome] = proposals.decide(
            session=session,
            proposal_ids=[proposal.id],
            decision=proposals.Decision.APPROVE,
            reason="",
            decided_by_id=coordinator.id or 0,
            district_ids=None,
        )
        assert outcome.pairing is not None
        need = session.exec(select(Need).order_by(col(Need.id))).first()
        organisation = session.exec(select(Organisation).order_by(col(Organisation.id))).first()
        skill = session.exec(select(Skill).order_by(col(Skill.id))).first()
        district = session.exec(select(District).order_by(col(District.id))).first()
        assert need and organisation and skill and district
        entry, entry_need_id = _hours_to_confirm(session, logins)
        check_in = CheckIn(pairing_id=entry.pairing_id, week=4, party=CheckInParty.VOLUNTEER)
        session.add(check_in)
        session.commit()
        pages = {
            ANYONE: [
                "/",
                "/bedarfe/",
                "/ehrenamt/registrieren",
                "/konto/anmelden",
                "/konto/passwort-vergessen",
                "/konto/bestaetigung-senden",
                "/konto/passwort-setzen/abgelaufen",
                "/datenschutz",
                "/impressum",
                "/barrierefreiheit",
                f"/vermittlungen/antwort/{outcome.pairing.response_token}",
                f"/vermittlungen/rueckmeldung/{check_in.token}",
                "/gibt-es-nicht",
            ],
            "volunteer": [
                "/ehrenamt/profil",
                "/ehrenamt/profil/bearbeiten",
                "/meine-daten/",
                "/meine-daten/einwilligung",
                "/meine-daten/loeschen",
                "/konto/",
                "/ehrenamt/stunden",
                f"/ehrenamt/stunden/{entry.id}",
            ],
            "partner": [
                "/bedarfe/unsere",
                "/bedarfe/neu",
                f"/bedarfe/{need.id}",
                f"/bedarfe/{need.id}/bearbeiten",
                "/konto/",
                "/stunden/bestaetigen",
                f"/bedarfe/{entry_need_id}",  # with confirmed hours
                f"/vermittlungen/{entry.pairing_id}",  # a first meeting arranged: its forms
            ],
            "coordinator": [
                "/vorschlaege/",
                "/vorschlaege/?select=all&language=tr",
                "/vorschlaege/?min_score=500&age=old",  # the filters' error messages
                "/entscheidungen/",
                "/entscheidungen/?since=gestern",
                "/vermittlungen/",
                f"/vermittlungen/{outcome.pairing.id}",  # an offer, with its approval in the timeline
                "/statistik/",
                "/statistik/?from_month=2026-13&to_month=2025-01",  # the filters' error messages
                "/abgleich-laeufe/",
                f"/bedarfe/{need.id}",
                "/meine-daten/",  # with the decision just taken
                "/stunden/bestaetigen",
            ],
            "admin": [
                "/verwaltung/",
                "/verwaltung/zugriffe",
                "/verwaltung/begriffe",
                "/verwaltung/bueros",
                "/verwaltung/koordination",
                "/verwaltung/partner",
                "/verwaltung/partner/neu",
                f"/verwaltung/partner/{organisation.id}",
                "/verwaltung/faehigkeiten/neu",
                f"/verwaltung/faehigkeiten/{skill.id}",
                "/verwaltung/sprachen/neu",
                "/verwaltung/stadtteile/neu",
                f"/verwaltung/stadtteile/{district.id}",
            ],
        }
    return World(logins, pages)


def _hours_to_confirm(session: Session, logins: dict[str, tuple[str, str]]) -> tuple[HoursEntry, int]:
    """The demo volunteer in a pairing with the demo partner's first need, a first meeting arranged, one
    entry confirmed and one waiting; and their calendar address switched on."""
    volunteer_user = session.exec(select(User).where(User.email == logins["volunteer"][0])).one()
    partner = session.exec(select(User).where(User.email == logins["partner"][0])).one()
    volunteer = session.exec(select(Volunteer).where(Volunteer.user_id == volunteer_user.id)).one()
    partner_need = session.exec(
        select(Need).where(Need.organisation_id == partner.organisation_id).order_by(col(Need.id))
    ).first()
    assert partner_need is not None
    pairing = make_pairing(
        session,
        volunteer=volunteer,
        need=partner_need,
        status=PairingStatus.MEETING,
        created_at=utcnow() - timedelta(days=10),
        first_meeting_at=utcnow() + timedelta(days=2),
    )
    yesterday = local_today() - timedelta(days=1)
    common = {"volunteer_id": volunteer.id or 0, "pairing_id": pairing.id or 0, "worked_on": yesterday}
    confirmed = HoursEntry(**common, minutes=90, status=HoursStatus.CONFIRMED)
    waiting = HoursEntry(**common, minutes=150, note="Lesen")
    session.add_all([confirmed, waiting])
    calendar_services.set_feed(session=session, volunteer=volunteer, enabled=True)
    session.refresh(waiting)
    return waiting, partner_need.id or 0


def violations(driver: WebDriver) -> list[str]:
    """axe's WCAG 2.1 A and AA violations on the current page, one line each with up to three places."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: "tag", values: arguments[0]}}).then(
            (result) => done(result.violations.map((v) => ({
                id: v.id, help: v.help,
                nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ") + ": " + n.failureSummary),
            }))),
            (error) => done([{id: "axe failed", help: String(error), nodes: []}]),
        );
        """,
        WCAG_21_AA,
    )
    return [f"{v['id']} ({v['help']}): {' | '.join(v['nodes'])}" for v in found]


def as_role(driver: WebDriver, server: LiveServer, world: World, role: str, locale: str) -> None:
    """Logged out, or logged in as the demo person of `role`, seeing the app in `locale`."""
    driver.delete_all_cookies()
    driver.get(server.url + "/impressum")
    driver.add_cookie({"name": "lang", "value": locale, "path": "/"})
    if role == ANYONE:
        return
    email, password = world.logins[role]
    with db.new_session() as session:
        user = session.exec(select(User).where(User.email == email)).one()
        user.locale = locale
        session.add(user)
        session.commit()
    driver.get(server.url + "/konto/anmelden")
    fill(driver, "email", email)
    fill(driver, "password", password)
    submit(driver, "login-submit")


@pytest.mark.parametrize("locale", ["de", "ar"])
def test_no_page_has_a_wcag_violation(
    browser: WebDriver, live_server: LiveServer, world: World, locale: str
) -> None:
    found: list[str] = []
    requested_urls(browser)  # forget what came before
    for role, paths in world.pages.items():
        as_role(browser, live_server, world, role, locale)
        for path in paths:
            browser.get(live_server.url + path)
            html = browser.find_element(By.TAG_NAME, "html")
            assert html.get_attribute("lang") == locale, path
            assert html.get_attribute("dir") == ("rtl" if locale == "ar" else "ltr"), path
            found += [f"{role or 'anyone'} {path}: {line}" for line in violations(browser)]
    for role, path, button in FORMS_WITH_ERRORS:
        as_role(browser, live_server, world, role, locale)
        browser.get(live_server.url + path)
        submit(browser, button)
        assert browser.find_elements(By.ID, "error-summary"), path
        found += [f"{role or 'anyone'} {path} with errors: {line}" for line in violations(browser)]
    assert not found, "\n".join(found)
    urls = requested_urls(browser)
    assert len(urls) > 50  # the log works: every page and its style sheet
    assert [url for url in urls if not url.startswith((live_server.url + "/", "data:"))] == []


def test_every_page_is_checked(live_app: Flask, world: World) -> None:
    adapter = live_app.url_map.bind("localhost")
    checked = {
        adapter.match(path.split("?")[0])[0]  # some pages are checked with query parameters too
        for paths in world.pages.values()
        for path in paths
        if path != "/gibt-es-nicht"
    }
    pages = {
        rule.endpoint
        for rule in live_app.url_map.iter_rules()
        if "GET" in (rule.methods or ())
        and not rule.rule.startswith("/api/")
        and rule.endpoint not in NOT_PAGES
    }
    assert pages - checked - NOT_PAGES == set()
