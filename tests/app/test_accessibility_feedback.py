"""Reporting a barrier through the accessibility statement: stored, mailed to the Integrationsbüro."""

from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.pages.models import AccessibilityFeedback
from tests.support.mail import Mailbox

EN = {"Accept-Language": "en"}
CENTRAL_OFFICE = "integrationsbuero@kaufbeuren.example"


def test_a_report_is_kept_and_mailed_to_the_integrationsbuero(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    page = client.get("/barrierefreiheit?seite=/bedarfe/", headers=EN)
    assert page.status_code == 200 and 'value="/bedarfe/"' in page.text

    response = client.post(
        "/barrierefreiheit",
        data={
            "message": "Der Filter ist per Tastatur nicht erreichbar.",
            "page": "/bedarfe/",
            "email": "",
        },
        headers=EN,
    )

    assert response.status_code == 303
    stored = session.exec(select(AccessibilityFeedback)).one()
    assert (stored.page, stored.email, stored.locale) == ("/bedarfe/", "", "en")
    body = mailbox.body(CENTRAL_OFFICE)
    assert "Der Filter ist per Tastatur nicht erreichbar." in body and "/bedarfe/" in body
    assert "Thank you" in client.get("/barrierefreiheit", headers=EN).text


def test_an_empty_or_invalid_report_is_refused_in_the_users_language(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    empty = client.post("/barrierefreiheit", data={"message": "  "})
    bad_address = client.post("/barrierefreiheit", data={"message": "Zu kleine Schrift", "email": "kein@"})

    assert empty.status_code == 400 and "Bitte beschreiben Sie die Barriere." in empty.text
    assert bad_address.status_code == 400 and "gültige E-Mail-Adresse" in bad_address.text
    assert "Zu kleine Schrift" in bad_address.text  # what was typed stays in the form
    assert session.exec(select(AccessibilityFeedback)).all() == [] and mailbox.messages == []
