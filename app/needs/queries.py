"""Reading needs for pages: the public list, an organisation's list, facts labelled in a locale."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from babel.dates import format_date, get_day_names
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.needs.models import Need, NeedLanguage, NeedSkill, NeedSlot, NeedStatus
from app.offices.models import District
from app.pairings.models import Pairing, PairingStatus
from app.partners.models import Organisation
from app.vocab.models import Skill
from app.vocab.services import language_labels_by_code, skill_labels_by_key
from app.volunteers.models import Volunteer

# Partners learn who a volunteer is only once the volunteer has said yes.
VISIBLE_TO_PARTNER = (
    PairingStatus.INTRODUCED,
    PairingStatus.MEETING,
    PairingStatus.ACTIVE,
    PairingStatus.COMPLETED,
    PairingStatus.ENDED_EARLY,
)


@dataclass
class NeedFacts:
    """What a reader sees of a need besides its own columns, already labelled."""

    organisation: str = ""
    district: str = ""
    when: list[str] = field(default_factory=list)  # "Tue 15:00–17:00" or "12 Mar 2027, 15:00–17:00"
    skills: list[str] = field(default_factory=list)
    languages: list[tuple[str, bool]] = field(default_factory=list)  # (name, required)


def open_needs(
    *, session: Session, district_id: int | None = None, skill_id: int | None = None
) -> list[Need]:
    """Open needs, newest first, optionally in one district or wanting one skill."""
    query = select(Need).where(Need.status == NeedStatus.OPEN)
    if district_id:
        query = query.where(Need.district_id == district_id)
    if skill_id:
        wanting = select(NeedSkill.need_id).where(NeedSkill.skill_id == skill_id)
        query = query.where(col(Need.id).in_(wanting))
    return list(session.exec(query.order_by(col(Need.created_at).desc(), col(Need.id).desc())))


def organisation_needs(*, session: Session, organisation_id: int | None) -> list[Need]:
    query = select(Need).where(Need.organisation_id == organisation_id)
    return list(session.exec(query.order_by(col(Need.created_at).desc(), col(Need.id).desc())))


def pairing_counts(*, session: Session, need_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """{need id: {status: count}} for the pairings a partner may know about."""
    counts: dict[int, dict[str, int]] = {need_id: {} for need_id in need_ids}
    rows = session.exec(
        select(Pairing.need_id, Pairing.status, func.count())
        .where(col(Pairing.need_id).in_(need_ids), col(Pairing.status).in_(VISIBLE_TO_PARTNER))
        .group_by(col(Pairing.need_id), col(Pairing.status))
    )
    for need_id, status, count in rows:
        counts[need_id][status] = count
    return counts


def introduced_volunteers(*, session: Session, need_id: int) -> list[tuple[Pairing, Volunteer, str]]:
    """(pairing, volunteer, e-mail) of everyone who accepted this need, oldest first."""
    return introductions(session=session, need_ids=[need_id])


def introductions(*, session: Session, need_ids: Sequence[int]) -> list[tuple[Pairing, Volunteer, str]]:
    """(pairing, volunteer, e-mail) of everyone who accepted one of these needs, oldest first."""
    rows = session.exec(
        select(Pairing, Volunteer, User.email)
        .join(Volunteer, col(Volunteer.id) == col(Pairing.volunteer_id))
        .join(User, col(User.id) == col(Volunteer.user_id))
        .where(col(Pairing.need_id).in_(need_ids), col(Pairing.status).in_(VISIBLE_TO_PARTNER))
        .order_by(col(Pairing.created_at), col(Pairing.id))
    )
    return [(pairing, volunteer, email) for pairing, volunteer, email in rows]


def slot_text(weekday: int, start: int, end: int, locale: str) -> str:
    day = get_day_names("abbreviated", locale=locale)[weekday]
    return f"{day} {time_text(start)}–{time_text(end)}"


def time_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def need_facts(*, session: Session, needs: Sequence[Need], locale: str) -> dict[int, NeedFacts]:
    """Facts of several needs in a few queries, labelled in `locale`."""
    ids = [need.id for need in needs if need.id is not None]
    facts = {need_id: NeedFacts() for need_id in ids}
    organisations = _names(session, Organisation, {n.organisation_id for n in needs})
    districts = _names(session, District, {n.district_id for n in needs})
    for need in needs:
        facts[need.id or 0].organisation = organisations.get(need.organisation_id, "")
        facts[need.id or 0].district = districts.get(need.district_id, "")

    skill_names = skill_labels_by_key(session=session, locale=locale)
    for need_id, key in session.exec(
        select(NeedSkill.need_id, Skill.key)
        .join(Skill, col(Skill.id) == col(NeedSkill.skill_id))
        .where(col(NeedSkill.need_id).in_(ids))
    ):
        facts[need_id].skills.append(skill_names.get(key, key))
    language_names = language_labels_by_code(session=session, locale=locale)
    for row in session.exec(select(NeedLanguage).where(col(NeedLanguage.need_id).in_(ids))):
        name = language_names.get(row.language_code, row.language_code)
        facts[row.need_id].languages.append((name, row.required))

    by_id = {need.id: need for need in needs}
    slots = session.exec(
        select(NeedSlot)
        .where(col(NeedSlot.need_id).in_(ids))
        .order_by(col(NeedSlot.weekday), col(NeedSlot.start_minute))
    )
    for slot in slots:
        one_off = by_id[slot.need_id].one_off_date
        if one_off is not None:
            window = f"{time_text(slot.start_minute)}–{time_text(slot.end_minute)}"
            text = f"{format_date(one_off, format='medium', locale=locale)}, {window}"
        else:
            text = slot_text(slot.weekday, slot.start_minute, slot.end_minute, locale)
        facts[slot.need_id].when.append(text)
    for item in facts.values():
        item.skills.sort(key=str.casefold)
        item.languages.sort(key=lambda pair: (not pair[1], pair[0].casefold()))
    return facts


def _names(session: Session, model: type[Organisation] | type[District], ids: set[int]) -> dict[int, str]:
    rows = session.exec(select(model.id, model.name).where(col(model.id).in_(ids)))
    return {row_id: name for row_id, name in rows if row_id is not None}
