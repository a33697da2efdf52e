"""The need task and the nightly run store, with the proposals, how many more volunteers would qualify
for each need if one of its requirements were relaxed."""

from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from app.base import utcnow
from app.needs.models import Need
from app.pairings.models import Pairing, PairingStatus
from tests import factories
from workers import tasks

INSPECTED = date.today() - timedelta(days=30)  # a valid certificate
TOO_YOUNG = date.today() - timedelta(days=16 * 366)
TURKISH = {"tr": "C1", "de": "B2"}


def stored(session: Session, need: Need) -> tuple[dict[str, int] | None, datetime | None]:
    session.expire_all()
    row = session.get(Need, need.id)
    assert row is not None
    return row.qualify_if_relaxed, row.qualify_counted_at


def demanding_need(session: Session, **fields: Any) -> Need:
    """Haken, Tuesday 15–17, Turkish required, certificate and age 18 (factories.make_need's defaults)."""
    return factories.make_need(
        session, requires_certificate=True, min_age=18, languages={"tr": True, "de": False}, **fields
    )


def volunteers_around_it(session: Session) -> None:
    """Volunteers in Haken on Tuesdays: one qualifies, four miss exactly one requirement (two of them
    the certificate), and three are not counted anywhere."""
    qualified: dict[str, Any] = {"certificate_inspected_on": INSPECTED, "languages": TURKISH}
    factories.make_volunteer(session, **qualified)
    factories.make_volunteer(session, **{**qualified, "certificate_inspected_on": None})
    factories.make_volunteer(session, **{**qualified, "certificate_inspected_on": None})
    factories.make_volunteer(session, **{**qualified, "birth_date": TOO_YOUNG})
    factories.make_volunteer(session, **{**qualified, "district_slug": "neugablonz", "travel_radius_km": 2})
    # Not counted: two requirements missing; paused; at capacity (busy elsewhere).
    factories.make_volunteer(
        session, **{**qualified, "certificate_inspected_on": None, "languages": {"de": "C1"}}
    )
    factories.make_volunteer(session, **{**qualified, "certificate_inspected_on": None, "paused": True})
    busy = factories.make_volunteer(
        session, **{**qualified, "birth_date": TOO_YOUNG, "max_active_pairings": 1}
    )
    elsewhere = factories.make_need(session, title="Schon besetzt")
    session.add(Pairing(volunteer_id=busy.id, need_id=elsewhere.id, status=PairingStatus.ACTIVE))
    session.commit()


def test_matching_a_need_stores_who_would_qualify_if_one_requirement_were_relaxed(session: Session) -> None:
    need = demanding_need(session)
    volunteers_around_it(session)
    before = utcnow()

    tasks.match_need.run(need.id)

    counts, counted_at = stored(session, need)
    assert counts == {"certificate": 2, "min_age": 1, "travel_radius": 1}
    assert counted_at is not None and counted_at >= before - timedelta(seconds=1)
    # Paused, it would bring nobody in: its counts go.
    need.status = "paused"
    session.add(need)
    session.commit()
    tasks.match_need.run(need.id)
    assert stored(session, need) == (None, None)


def test_the_nightly_run_counts_every_open_need_and_clears_the_others(session: Session) -> None:
    volunteers_around_it(session)
    demanding = demanding_need(session)
    fixed_on_saturday = factories.make_need(session, slots=((5, 9 * 60, 11 * 60),))
    easy = factories.make_need(session)
    closed = demanding_need(session)
    closed.qualify_if_relaxed, closed.qualify_counted_at = {"certificate": 9}, utcnow()  # from before
    closed.status = "closed"
    session.add(closed)
    session.commit()

    tasks.match_all.run()

    assert stored(session, demanding)[0] == {"certificate": 2, "min_age": 1, "travel_radius": 1}
    # Nobody is free on Saturdays; the one who lives too far away would still be too far.
    assert stored(session, fixed_on_saturday)[0] == {"fixed_times": 5}
    easy_counts, easy_counted_at = stored(session, easy)
    assert easy_counts == {"travel_radius": 1} and easy_counted_at is not None
    assert stored(session, closed) == (None, None)
