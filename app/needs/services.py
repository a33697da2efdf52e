"""Partner needs: create, edit, pause, close; every change asks for re-matching in the same commit."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, delete, select

from app.base import insert_rows, utcnow
from app.embeddings import embed_on_save
from app.needs.models import Need, NeedLanguage, NeedSkill, NeedSlot, NeedStatus, Schedule, TargetGroup
from app.outbox.services import request_need_matching


@dataclass
class NeedData:
    """A need as plain data, between the form and the database."""

    title: str
    district_id: int
    description: str = ""
    skill_ids: list[int] = field(default_factory=list)
    languages: dict[str, bool] = field(default_factory=dict)  # code -> required
    address: str = ""
    schedule: Schedule = Schedule.WEEKLY
    one_off_date: date | None = None
    # (weekday, start minute, end minute); a one-off need keeps its time window as one slot on its weekday.
    slots: list[tuple[int, int, int]] = field(default_factory=list)
    start_date: date | None = None
    end_date: date | None = None
    places: int = 1
    target_group: str = TargetGroup.EVERYONE
    requires_certificate: bool = False
    min_age: int | None = None


SCALARS = (
    "title", "description", "district_id", "address", "schedule", "one_off_date", "start_date", "end_date",
    "places", "target_group", "requires_certificate", "min_age",
)  # fmt: skip


def can_change(need: Need) -> bool:
    """A closed need is final: it can be neither edited nor reopened."""
    return need.status != NeedStatus.CLOSED


def create_need(*, session: Session, organisation_id: int, created_by_id: int | None, data: NeedData) -> Need:
    need = Need(organisation_id=organisation_id, created_by_id=created_by_id, **_scalars(data))
    embed_on_save(need)
    session.add(need)
    session.flush()
    _replace_children(session, need, data, stored=False)
    request_need_matching(session=session, need_id=_id(need))
    session.commit()
    return need


def update_need(*, session: Session, need: Need, data: NeedData) -> Need:
    """Replaces fields, skills, languages and slots; the caller checked `can_change`."""
    for name, value in _scalars(data).items():
        setattr(need, name, value)
    need.updated_at = utcnow()
    embed_on_save(need)
    session.add(need)
    _replace_children(session, need, data)
    request_need_matching(session=session, need_id=_id(need))
    session.commit()
    return need


def set_status(*, session: Session, need: Need, status: NeedStatus) -> Need:
    """Pauses, resumes or closes; the matcher then withdraws or renews the need's pending proposals."""
    need.status = status
    need.updated_at = utcnow()
    session.add(need)
    request_need_matching(session=session, need_id=_id(need))
    session.commit()
    return need


def need_data(*, session: Session, need: Need) -> NeedData:
    """The stored need as data, for pre-filling the edit form."""
    nid = need.id
    languages = session.exec(select(NeedLanguage).where(NeedLanguage.need_id == nid)).all()
    skills = session.exec(select(NeedSkill.skill_id).where(NeedSkill.need_id == nid)).all()
    slots = session.exec(select(NeedSlot).where(NeedSlot.need_id == nid)).all()
    scalars = {name: getattr(need, name) for name in SCALARS}
    scalars["schedule"] = Schedule(need.schedule)
    return NeedData(
        languages={row.language_code: row.required for row in languages},
        skill_ids=sorted(skills),
        slots=sorted((s.weekday, s.start_minute, s.end_minute) for s in slots),
        **scalars,
    )


def _id(need: Need) -> int:
    assert need.id is not None
    return need.id


def _scalars(data: NeedData) -> dict[str, Any]:
    values = {name: getattr(data, name) for name in SCALARS}
    values["schedule"] = str(data.schedule)
    return values


def _replace_children(session: Session, need: Need, data: NeedData, *, stored: bool = True) -> None:
    """Languages, skills and slots as `data` has them; a new need (not `stored`) has none to delete."""
    nid = _id(need)
    for model in (NeedLanguage, NeedSkill, NeedSlot) if stored else ():
        session.exec(delete(model).where(col(model.need_id) == nid))
    languages = [{"need_id": nid, "language_code": c, "required": r} for c, r in data.languages.items()]
    insert_rows(session, NeedLanguage, languages)
    insert_rows(session, NeedSkill, [{"need_id": nid, "skill_id": i} for i in sorted(set(data.skill_ids))])
    slots = [
        {"need_id": nid, "weekday": weekday, "start_minute": start, "end_minute": end}
        for weekday, start, end in sorted(set(data.slots))
    ]
    insert_rows(session, NeedSlot, slots)
