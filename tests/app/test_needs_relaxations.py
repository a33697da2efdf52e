"""A need's page tells, in words, how many more volunteers would qualify if a requirement were relaxed."""

from datetime import UTC, datetime

from flask.testing import FlaskClient
from sqlmodel import Session

from app.needs.models import Need
from tests.conftest import log_in
from tests.factories import make_coordinator, make_need, make_organisation, make_partner

COUNTED_AT = datetime(2026, 12, 3, 1, 30, tzinfo=UTC)  # 02:30 in Kaufbeuren


def counted_need(session: Session, counts: dict[str, int] | None, **fields: object) -> Need:
    return make_need(
        session,
        requires_certificate=True,
        qualify_if_relaxed=counts,
        qualify_counted_at=COUNTED_AT if counts is not None else None,
        **fields,
    )


def test_the_coordinator_reads_the_counts_in_german(client: FlaskClient, session: Session) -> None:
    need = counted_need(session, {"certificate": 1, "fixed_times": 12, "travel_radius": 5})
    log_in(client, make_coordinator(session))

    page = client.get(f"/bedarfe/{need.id}").get_data(as_text=True)

    assert "Mehr Ehrenamtliche bei gelockerten Anforderungen" in page
    assert (
        "1 weitere ehrenamtliche Person käme infrage, wenn kein erweitertes Führungszeugnis verlangt würde."
        in page
    )
    assert "12 weitere Ehrenamtliche kämen infrage, wenn die festen Zeiten flexibler wären." in page
    assert "5 weitere Ehrenamtliche kämen infrage, wenn der Einsatzort näher an ihrem Wohnort läge." in page
    assert "Mindestalter gälte" not in page and "Sprachen nur willkommen" not in page
    assert "Gezählt am 03.12.26, 02:30." in page


def test_the_partner_who_owns_the_need_sees_them_too(client: FlaskClient, session: Session) -> None:
    organisation = make_organisation(session)
    need = counted_need(session, {"min_age": 2}, organisation=organisation)
    log_in(client, make_partner(session, organisation))

    page = client.get(f"/bedarfe/{need.id}").get_data(as_text=True)

    assert "2 weitere Ehrenamtliche kämen infrage, wenn kein Mindestalter gälte." in page


def test_nothing_counted_says_so_and_never_counted_or_paused_shows_nothing(
    client: FlaskClient, session: Session
) -> None:
    log_in(client, make_coordinator(session))
    nobody = counted_need(session, {})
    never, paused = counted_need(session, None), counted_need(session, {"certificate": 3}, status="paused")

    page = client.get(f"/bedarfe/{nobody.id}").get_data(as_text=True)
    assert "Würde eine einzelne Anforderung gelockert, kämen keine weiteren Ehrenamtlichen infrage." in page
    assert "Gezählt am 03.12.26" in page
    for need in (never, paused):
        page = client.get(f"/bedarfe/{need.id}").get_data(as_text=True)
        assert 'id="qualify-if-relaxed"' not in page and "käme" not in page
