"""The API's IDOR matrix: partner A ↔ B, district office 1 ↔ 2, volunteer, and cross-role; all denied.

Each row is tried by the owner too (the positive control), so a row cannot pass because the route is broken.
Nothing the outsider sends may change a row.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from app.accounts import api_tokens
from app.accounts.models import Role
from app.needs.models import Need, NeedStatus
from app.partners.models import Organisation
from app.proposals.models import Proposal, ProposalStatus
from tests.factories import (
    district,
    make_coordinator,
    make_need,
    make_pairing,
    make_partner,
    make_proposal,
    make_user,
)
from tests.support.api import bearer


@dataclass
class World:
    headers: dict[str, dict[str, str]]
    need_b: int
    proposal_bienenberg: int
    bienenberg: int  # the district


def build(session: Session) -> World:
    partner_a, partner_b = make_partner(session), make_partner(session)
    need_b = make_need(session, organisation=session.get(Organisation, partner_b.organisation_id))
    make_pairing(session, need=need_b)
    proposal = make_proposal(session, need=make_need(session, district_slug="bienenberg"))
    volunteer = make_user(session, Role.VOLUNTEER)
    # A volunteer cannot create a token on the account page; one made anyway carries no scope.
    _token, volunteer_secret = api_tokens.issue_token(
        session=session, user=volunteer, name="x", scopes=["needs:read", "proposals:read"], valid_days=None
    )
    return World(
        headers={
            "partner A": bearer(session, partner_a),
            "partner B": bearer(session, partner_b),
            "office Haken": bearer(session, make_coordinator(session, "Stadtteilbüro Haken")),
            "office Bienenberg": bearer(session, make_coordinator(session, "Stadtteilbüro Bienenberg")),
            "volunteer": {"Authorization": f"Bearer {volunteer_secret}"},
        },
        need_b=need_b.id or 0,
        proposal_bienenberg=proposal.id or 0,
        bienenberg=district(session, "bienenberg").id or 0,
    )


def need_body(session: Session) -> dict[str, Any]:
    return {"title": "Übernommen", "district_id": district(session, "haken").id}


# (method, path, body, owner, status the owner gets)
Row = tuple[str, Callable[[World], str], Callable[[Session], Any] | None, str, int]
ROWS: dict[str, Row] = {
    "read a need": ("GET", lambda w: f"/api/v1/needs/{w.need_b}", None, "partner B", 200),
    "replace a need": ("PUT", lambda w: f"/api/v1/needs/{w.need_b}", need_body, "partner B", 200),
    "close a need": (
        "POST",
        lambda w: f"/api/v1/needs/{w.need_b}/status",
        lambda s: {"status": "closed"},
        "partner B",
        200,
    ),
    "read introductions": (
        "GET",
        lambda w: f"/api/v1/introductions/?need_id={w.need_b}",
        None,
        "partner B",
        200,
    ),
    "read a proposal": (
        "GET",
        lambda w: f"/api/v1/proposals/{w.proposal_bienenberg}",
        None,
        "office Bienenberg",
        200,
    ),
    "list a district": (
        "GET",
        lambda w: f"/api/v1/proposals/?district_id={w.bienenberg}",
        None,
        "office Bienenberg",
        200,
    ),
    "decide a proposal": (
        "POST",
        lambda w: f"/api/v1/proposals/{w.proposal_bienenberg}/decision",
        lambda s: {"decision": "approve"},
        "office Bienenberg",
        200,
    ),
}
OUTSIDERS = ("partner A", "partner B", "office Haken", "office Bienenberg", "volunteer")


def unchanged(session: Session, world: World) -> bool:
    session.expire_all()
    need = session.get(Need, world.need_b)
    proposal = session.get(Proposal, world.proposal_bienenberg)
    assert need is not None and proposal is not None
    return (
        need.status == NeedStatus.OPEN
        and need.title != "Übernommen"
        and proposal.status == ProposalStatus.PENDING
    )


@pytest.mark.parametrize("row", ROWS)
def test_only_the_owner_reaches_the_row(client: FlaskClient, session: Session, row: str) -> None:
    world = build(session)
    method, path, body, owner, owner_status = ROWS[row]
    url = path(world)
    payload = body(session) if body else None

    for outsider in (name for name in OUTSIDERS if name != owner):
        response = client.open(url, method=method, json=payload, headers=world.headers[outsider])
        assert response.status_code in (403, 404), (row, outsider, response.status_code, response.text)
        assert unchanged(session, world), (row, outsider)
        assert response.json is not None and "message" in response.json

    owned = client.open(url, method=method, json=payload, headers=world.headers[owner])
    assert owned.status_code == owner_status, (row, owned.text)
