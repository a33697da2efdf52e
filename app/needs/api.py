"""The partner API for needs: the organisation's needs listed, read, posted, replaced, paused or closed.

A need sent here passes the same NeedForm as the page, so both keep one set of rules and messages.
"""

from datetime import date, datetime

from apiflask import APIBlueprint
from flask_babel import get_locale
from pydantic import BaseModel, ConfigDict, Field
from werkzeug.datastructures import MultiDict

from app.accounts.api_auth import current_caller, token_auth
from app.accounts.api_tokens import Scope
from app.api import BAD_BODY, CONFLICT, FORBIDDEN, NO_CSRF, NOT_FOUND, RowId, check_form
from app.extensions import db
from app.i18n import time_of_day
from app.needs import queries, services
from app.needs.access import organisation_of, own_need, refuse_if_closed
from app.needs.forms import LANGUAGE_ROWS, REQUIRED, SLOT_ROWS, WELCOME, NeedForm, with_choices
from app.needs.models import Need, NeedStatus, Schedule, TargetGroup
from app.needs.services import NeedData

bp = APIBlueprint("needs_api", __name__, url_prefix="/api/v1/needs", tag="Needs")

HH_MM = r"^\d{2}:\d{2}$"


class LanguageWish(BaseModel):
    code: str = Field(max_length=8, description="A language code from /api/v1/reference.")
    required: bool = Field(False, description="Required languages exclude everyone who does not speak them.")


class WeeklySlot(BaseModel):
    weekday: int = Field(ge=0, le=6, description="0 is Monday.")
    start: str = Field(pattern=HH_MM, examples=["15:00"])
    end: str = Field(pattern=HH_MM, examples=["17:00"])


class NeedIn(BaseModel):
    """A need as a partner posts it; the same fields and rules as the form on the website."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=160)
    description: str = Field("", max_length=4000)
    district_id: RowId = Field(description="A district id from /api/v1/reference.")
    skill_ids: list[RowId] = Field(default_factory=list, description="Skill ids from /api/v1/reference.")
    languages: list[LanguageWish] = Field(default_factory=list, max_length=LANGUAGE_ROWS)
    address: str = Field("", max_length=200)
    schedule: Schedule = Schedule.WEEKLY
    slots: list[WeeklySlot] = Field(
        default_factory=list, max_length=SLOT_ROWS, description="Weekly times; ignored for a one-off need."
    )
    one_off_date: date | None = Field(None, description="For a one-off need: the day, not in the past.")
    one_off_start: str | None = Field(None, pattern=HH_MM)
    one_off_end: str | None = Field(None, pattern=HH_MM)
    start_date: date | None = None
    end_date: date | None = None
    places: int = Field(1, ge=1, le=50)
    target_group: TargetGroup = TargetGroup.EVERYONE
    requires_certificate: bool = False
    min_age: int | None = Field(None, ge=16, le=99)


class NeedOut(NeedIn):
    model_config = ConfigDict(extra="ignore")

    id: int
    status: NeedStatus
    created_at: datetime
    updated_at: datetime
    introductions: int = Field(description="Volunteers introduced to this need so far (any state).")


class NeedList(BaseModel):
    items: list[NeedOut]


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: NeedStatus = Field(description="A closed need is final.")


def _locale() -> str:
    return str(get_locale() or "de")


def _own_need(need_id: int) -> Need:
    return own_need(need_id, current_caller().user)


def _validated(data: NeedIn) -> NeedData:
    """Runs the page's NeedForm over the sent need; its messages become a 422 detail."""
    form = with_choices(
        NeedForm(formdata=_as_form_fields(data), meta=NO_CSRF), session=db.session, locale=_locale()
    )
    check_form(form)
    return form.to_data()


def _as_form_fields(data: NeedIn) -> MultiDict[str, str]:
    fields: MultiDict[str, str] = MultiDict()
    for name in ("title", "description", "district_id", "address", "schedule", "places", "target_group"):
        fields.add(name, str(getattr(data, name)))
    for name in ("one_off_date", "one_off_start", "one_off_end", "start_date", "end_date", "min_age"):
        value = getattr(data, name)
        if value is not None:
            fields.add(name, value.isoformat() if isinstance(value, date) else str(value))
    if data.requires_certificate:
        fields.add("requires_certificate", "y")
    for skill_id in data.skill_ids:
        fields.add("skill_ids", str(skill_id))
    for row, wish in enumerate(data.languages):
        fields.add(f"languages-{row}-language", wish.code)
        fields.add(f"languages-{row}-importance", REQUIRED if wish.required else WELCOME)
    for row, slot in enumerate(data.slots):
        fields.add(f"slots-{row}-weekday", str(slot.weekday))
        fields.add(f"slots-{row}-start", slot.start)
        fields.add(f"slots-{row}-end", slot.end)
    return fields


def _need_out(need: Need, introductions: int) -> NeedOut:
    data = services.need_data(session=db.session, need=need)
    one_off = data.schedule == Schedule.ONE_OFF and bool(data.slots)
    return NeedOut(
        id=need.id or 0,
        status=NeedStatus(need.status),
        created_at=need.created_at,
        updated_at=need.updated_at,
        introductions=introductions,
        title=data.title,
        description=data.description,
        district_id=data.district_id,
        skill_ids=data.skill_ids,
        languages=[LanguageWish(code=code, required=required) for code, required in data.languages.items()],
        address=data.address,
        schedule=data.schedule,
        slots=[] if one_off else [_slot(*slot) for slot in data.slots],
        one_off_date=data.one_off_date,
        one_off_start=time_of_day(data.slots[0][1]) if one_off else None,
        one_off_end=time_of_day(data.slots[0][2]) if one_off else None,
        start_date=data.start_date,
        end_date=data.end_date,
        places=data.places,
        target_group=TargetGroup(data.target_group),
        requires_certificate=data.requires_certificate,
        min_age=data.min_age,
    )


def _slot(weekday: int, start: int, end: int) -> WeeklySlot:
    return WeeklySlot(weekday=weekday, start=time_of_day(start), end=time_of_day(end))


def _introductions(need_ids: list[int]) -> dict[int, int]:
    counts = queries.pairing_counts(session=db.session, need_ids=need_ids)
    return {need_id: sum(by_status.values()) for need_id, by_status in counts.items()}


@bp.get("/")
@bp.auth_required(token_auth, roles=[Scope.NEEDS_READ])
@bp.output(NeedList)
@bp.doc(responses=FORBIDDEN)
def list_needs() -> NeedList:
    """The organisation's needs, newest first"""
    needs = queries.organisation_needs(
        session=db.session, organisation_id=organisation_of(current_caller().user)
    )
    counts = _introductions([need.id or 0 for need in needs])
    return NeedList(items=[_need_out(need, counts.get(need.id or 0, 0)) for need in needs])


@bp.get("/<int:need_id>")
@bp.auth_required(token_auth, roles=[Scope.NEEDS_READ])
@bp.output(NeedOut)
@bp.doc(responses=FORBIDDEN | NOT_FOUND)
def get_need(need_id: int) -> NeedOut:
    """One of the organisation's needs"""
    need = _own_need(need_id)
    return _need_out(need, _introductions([need_id]).get(need_id, 0))


@bp.post("/")
@bp.auth_required(token_auth, roles=[Scope.NEEDS_WRITE])
@bp.input(NeedIn, location="json", arg_name="sent")
@bp.output(NeedOut, status_code=201)
@bp.doc(responses=BAD_BODY | FORBIDDEN)
def post_need(sent: NeedIn) -> NeedOut:
    """Publishes a need; the matcher starts looking for volunteers at once"""
    need = services.create_need(
        session=db.session,
        organisation_id=organisation_of(current_caller().user),
        created_by_id=current_caller().user.id,
        data=_validated(sent),
    )
    return _need_out(need, 0)


@bp.put("/<int:need_id>")
@bp.auth_required(token_auth, roles=[Scope.NEEDS_WRITE])
@bp.input(NeedIn, location="json", arg_name="sent")
@bp.output(NeedOut)
@bp.doc(responses=BAD_BODY | FORBIDDEN | NOT_FOUND | CONFLICT)
def replace_need(need_id: int, sent: NeedIn) -> NeedOut:
    """Replaces every field of a need that is not closed; matching starts again"""
    need = _own_need(need_id)
    refuse_if_closed(need)
    services.update_need(session=db.session, need=need, data=_validated(sent))
    return _need_out(need, _introductions([need_id]).get(need_id, 0))


@bp.post("/<int:need_id>/status")
@bp.auth_required(token_auth, roles=[Scope.NEEDS_WRITE])
@bp.input(StatusIn, location="json", arg_name="sent")
@bp.output(NeedOut)
@bp.doc(responses=BAD_BODY | FORBIDDEN | NOT_FOUND | CONFLICT)
def set_status(need_id: int, sent: StatusIn) -> NeedOut:
    """Pauses, reopens or closes a need"""
    need = _own_need(need_id)
    refuse_if_closed(need)
    services.set_status(session=db.session, need=need, status=sent.status)
    return _need_out(need, _introductions([need_id]).get(need_id, 0))
