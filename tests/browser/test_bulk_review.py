"""Review at speed in Chromium: a coordinator filters the queue, rejects several proposals at once with a
reason picked from the list, approves others in bulk, and finds it all in the decision log; once with the
mouse on a wide screen and once with the keyboard alone."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait
from sqlmodel import Session, col, select

from app.audit.models import DecisionAction, DecisionEntry
from app.extensions import db
from app.pairings.models import Pairing
from app.proposals.models import Proposal, ProposalStatus
from tests.browser.conftest import LiveServer, follow
from tests.browser.test_coordinator_journey import click, log_in
from tests.browser.test_keyboard import active_id, enter_and_wait, press, tab_to
from tests.browser.test_keyboard import log_in as log_in_by_keyboard
from tests.factories import make_coordinator, make_need, make_proposal, make_volunteer

pytestmark = pytest.mark.browser


def make_queue(session: Session) -> tuple[list[Proposal], Proposal]:
    """Four proposals of Arabic speakers, each for its own need, and one of a Turkish speaker."""
    arabic = [
        make_proposal(
            session,
            volunteer=make_volunteer(session, first_name=f"Samir{i}", languages={"ar": "native"}),
            need=make_need(session, title=f"Lesepatenschaft {i}"),
            score=0.9 - i / 100,
        )
        for i in range(4)
    ]
    turkish = make_proposal(
        session, volunteer=make_volunteer(session, languages={"tr": "native"}), need=make_need(session)
    )
    return arabic, turkish


def shown(driver: WebDriver) -> list[int]:
    return [
        int(str(article.get_attribute("id")).removeprefix("proposal-"))
        for article in driver.find_elements(By.CSS_SELECTOR, "article.proposal")
    ]


def focus_reaches(driver: WebDriver, element_id: str) -> None:
    """Key events are handled asynchronously: waits a moment for the focus to arrive."""
    WebDriverWait(driver, 2).until(lambda d: active_id(d) == element_id)


def statuses(session: Session, proposals: list[Proposal]) -> list[str]:
    session.expire_all()
    return [session.get(Proposal, p.id).status for p in proposals]  # type: ignore[union-attr]


def test_a_coordinator_rejects_and_approves_in_bulk(browser: WebDriver, live_server: LiveServer) -> None:
    browser.set_window_size(1280, 900)  # wide: volunteer and need side by side
    with db.new_session() as session:
        coordinator = make_coordinator(session, locale="en")
        arabic, turkish = make_queue(session)
    log_in(browser, live_server, coordinator.email)

    Select(browser.find_element(By.ID, "language")).select_by_value("ar")
    click(browser, "filter-submit")
    assert shown(browser) == [p.id for p in arabic]
    volunteer_side = browser.find_element(By.ID, f"volunteer-side-{arabic[0].id}").rect
    need_side = browser.find_element(By.ID, f"need-side-{arabic[0].id}").rect
    assert volunteer_side["y"] == need_side["y"] and volunteer_side["x"] != need_side["x"]

    for proposal in arabic[:2]:
        checkbox = browser.find_element(By.ID, f"select-{proposal.id}")
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", checkbox)
        checkbox.click()
    Select(browser.find_element(By.ID, "reason_choice")).select_by_value("too_far")
    browser.find_element(By.ID, "reason").send_keys("über 20 km")
    click(browser, "bulk-reject")

    assert "language=ar" in browser.current_url  # back on the filtered queue
    assert shown(browser) == [p.id for p in arabic[2:]]
    follow(browser, browser.find_element(By.ID, "select-all"))
    assert all(box.is_selected() for box in browser.find_elements(By.NAME, "proposal_ids"))
    click(browser, "bulk-approve")
    assert browser.find_elements(By.ID, "queue-empty")

    with db.new_session() as session:
        rejected, approved, pending = ProposalStatus.REJECTED, ProposalStatus.APPROVED, ProposalStatus.PENDING
        assert statuses(session, [*arabic, turkish]) == [rejected, rejected, approved, approved, pending]
        pairings = session.exec(select(Pairing).order_by(col(Pairing.id))).all()
        assert sorted(p.proposal_id or 0 for p in pairings) == sorted(p.id or 0 for p in arabic[2:])
        logged = session.exec(select(DecisionEntry).order_by(col(DecisionEntry.id))).all()
        assert [(e.proposal_id, e.action) for e in logged] == [
            (arabic[0].id, DecisionAction.REJECT),
            (arabic[1].id, DecisionAction.REJECT),
            (arabic[2].id, DecisionAction.APPROVE),
            (arabic[3].id, DecisionAction.APPROVE),
        ]
        assert logged[0].reason == logged[1].reason == "Too far away: über 20 km"

    browser.get(live_server.url + "/entscheidungen/?action=reject")
    rows = browser.find_elements(By.CSS_SELECTOR, "#decisions tbody tr")
    assert len(rows) == 2
    assert {row.find_element(By.CLASS_NAME, "decision-reason").text for row in rows} == {
        "Too far away: über 20 km"
    }
    assert {row.find_element(By.CLASS_NAME, "decision-need").text for row in rows} == {
        "Lesepatenschaft 0",
        "Lesepatenschaft 1",
    }
    browser.get(live_server.url + "/entscheidungen/")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#decisions tbody tr")) == 4


def test_a_bulk_rejection_with_the_keyboard_alone(browser: WebDriver, live_server: LiveServer) -> None:
    with db.new_session() as session:
        email = make_coordinator(session).email
        arabic, turkish = make_queue(session)
    log_in_by_keyboard(browser, live_server, email, "/vorschlaege/")

    # The skip link leads straight to the bulk decision form.
    tab_to(browser, "skip-to-bulk")
    press(browser, Keys.ENTER)
    press(browser, Keys.TAB)
    assert active_id(browser) == "reason_choice"

    browser.get(live_server.url + "/vorschlaege/")
    # j and k (app/static/queue-keys.js) move between proposals while the focus is in the list.
    tab_to(browser, f"select-{arabic[0].id}")
    press(browser, "j")
    focus_reaches(browser, f"proposal-{arabic[1].id}")
    press(browser, "k")
    focus_reaches(browser, f"proposal-{arabic[0].id}")
    browser.get(live_server.url + "/vorschlaege/")
    for proposal in (arabic[1], turkish):
        tab_to(browser, f"select-{proposal.id}")
        press(browser, Keys.SPACE)
    tab_to(browser, "reason_choice")
    press(browser, Keys.ARROW_DOWN)  # the first common reason
    tab_to(browser, "bulk-reject")
    enter_and_wait(browser, "/vorschlaege/")

    with db.new_session() as session:
        assert statuses(session, [arabic[1], turkish]) == [ProposalStatus.REJECTED] * 2
        assert statuses(session, [arabic[0], arabic[2], arabic[3]]) == [ProposalStatus.PENDING] * 3
        reasons = session.exec(select(DecisionEntry.reason)).all()
        assert len(reasons) == 2 and len(set(reasons)) == 1 and reasons[0]
    assert sorted(shown(browser)) == sorted(p.id or 0 for p in (arabic[0], arabic[2], arabic[3]))


def test_enter_in_a_reason_starts_a_new_line_and_decides_nothing(
    browser: WebDriver, live_server: LiveServer
) -> None:
    # A one-line field would send its form with the first button, Approve, and mail the volunteer.
    with db.new_session() as session:
        coordinator = make_coordinator(session)
        proposal = make_proposal(session)
    log_in(browser, live_server, coordinator.email)

    reason = browser.find_element(By.ID, f"reason-{proposal.id}")
    reason.send_keys("Zu weit weg", Keys.ENTER, "für die Familie")

    WebDriverWait(browser, 2).until(lambda _: reason.get_attribute("value") == "Zu weit weg\nfür die Familie")
    with db.new_session() as session:
        assert statuses(session, [proposal]) == [ProposalStatus.PENDING]
        assert not session.exec(select(DecisionEntry)).all()
