"""Both sides of the proposals on one queue page, volunteer and need, labelled in the reader's language;
a few queries per page, whatever its length."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.needs.queries import NeedFacts, need_facts, slot_text
from app.proposals.services import QueueEntry
from app.vocab.models import Skill
from app.volunteers.models import VolunteerSkill, VolunteerSlot


@dataclass
class VolunteerFacts:
    skills: list[str] = field(default_factory=list)
    when: list[str] = field(default_factory=list)  # "Tue 14:00–18:00"


@dataclass
class Sides:
    volunteers: dict[int, VolunteerFacts]
    needs: dict[int, NeedFacts]


def page_sides(
    *, session: Session, entries: Sequence[QueueEntry], locale: str, skill_names: dict[str, str]
) -> Sides:
    """The facts of every volunteer and need on the page, by their ids; `skill_names` labels skill keys."""
    volunteer_ids = list({entry.volunteer.id or 0 for entry in entries})
    volunteers = {volunteer_id: VolunteerFacts() for volunteer_id in volunteer_ids}
    for volunteer_id, key in session.exec(
        select(VolunteerSkill.volunteer_id, Skill.key)
        .join(Skill, col(Skill.id) == col(VolunteerSkill.skill_id))
        .where(col(VolunteerSkill.volunteer_id).in_(volunteer_ids))
    ):
        volunteers[volunteer_id].skills.append(skill_names.get(key, key))
    for slot in session.exec(
        select(VolunteerSlot)
        .where(col(VolunteerSlot.volunteer_id).in_(volunteer_ids))
        .order_by(col(VolunteerSlot.weekday), col(VolunteerSlot.start_minute))
    ):
        volunteers[slot.volunteer_id].when.append(
            slot_text(slot.weekday, slot.start_minute, slot.end_minute, locale)
        )
    for facts in volunteers.values():
        facts.skills.sort(key=str.casefold)
    needs = list({entry.need.id: entry.need for entry in entries}.values())
    return Sides(volunteers, need_facts(session=session, needs=needs, locale=locale))
