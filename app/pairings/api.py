"""The partner API for introductions: the volunteers who accepted one of the organisation's needs.

Only pairings a partner may know about are listed (introduced and later), with the contact details
the need's page shows; offers still waiting for the volunteer's answer stay invisible.
"""

from datetime import date, datetime

from apiflask import APIBlueprint
from pydantic import BaseModel, ConfigDict, Field

from app.accounts.api_auth import current_caller, token_auth
from app.accounts.api_tokens import Scope
from app.api import FORBIDDEN, NOT_FOUND, RowId
from app.audit.services import record_views
from app.extensions import db
from app.needs import queries
from app.needs.access import organisation_of, own_need
from app.pairings.models import PairingStatus

bp = APIBlueprint("introductions_api", __name__, url_prefix="/api/v1/introductions", tag="Introductions")


class IntroductionQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    need_id: RowId | None = Field(None, description="Only this need (one of the organisation's).")


class IntroductionOut(BaseModel):
    pairing_id: int
    need_id: int
    status: PairingStatus
    first_name: str
    last_name: str
    email: str
    phone: str
    introduced_at: datetime | None = Field(description="When the volunteer accepted.")
    first_meeting_at: datetime | None = Field(description="The first meeting, once arranged (UTC).")
    first_meeting_place: str
    started_on: date | None = Field(description="The day the pairing became active.")
    end_reason: str


class IntroductionList(BaseModel):
    items: list[IntroductionOut]


@bp.get("/")
@bp.auth_required(token_auth, roles=[Scope.INTRODUCTIONS_READ])
@bp.input(IntroductionQuery, location="query", arg_name="query")
@bp.output(IntroductionList)
@bp.doc(responses=FORBIDDEN | NOT_FOUND)
def list_introductions(query: IntroductionQuery) -> IntroductionList:
    """Volunteers introduced to the organisation's needs, oldest first"""
    user = current_caller().user
    if query.need_id is not None:
        need_ids = [own_need(query.need_id, user).id or 0]
    else:
        needs = queries.organisation_needs(session=db.session, organisation_id=organisation_of(user))
        need_ids = [need.id or 0 for need in needs]
    rows = queries.introductions(session=db.session, need_ids=need_ids)
    record_views(
        session=db.session,
        viewer_id=user.id,
        volunteer_ids=[volunteer.id or 0 for _pairing, volunteer, _email in rows],
        source="introductions_api.list_introductions",
    )
    return IntroductionList(
        items=[
            IntroductionOut(
                pairing_id=pairing.id or 0,
                need_id=pairing.need_id,
                status=PairingStatus(pairing.status),
                first_name=volunteer.first_name,
                last_name=volunteer.last_name,
                email=email,
                phone=volunteer.phone,
                introduced_at=pairing.answered_at,
                first_meeting_at=pairing.first_meeting_at,
                first_meeting_place=pairing.first_meeting_place,
                started_on=pairing.started_on,
                end_reason=pairing.end_reason,
            )
            for pairing, volunteer, email in rows
        ]
    )
