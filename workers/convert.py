"""The one place where database rows become matching types."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.embeddings import own_words as own_words_of
from app.needs.models import Need, NeedLanguage, NeedSkill, NeedSlot, NeedStatus
from app.offices.models import District
from app.pairings.services import busy_count_by_volunteer, filled_places_by_need
from app.privacy.consent import consent_in_force
from app.proposals.models import Proposal, ProposalStatus
from app.vocab.models import Skill
from app.volunteers.models import Volunteer, VolunteerLanguage, VolunteerSkill, VolunteerSlot
from matching.embedding import from_bytes, text_key
from matching.types import NeedProfile, Slot, VolunteerProfile


def _stored_embedding(row: Volunteer | Need, text: str) -> NDArray[np.float32] | None:
    """The kept embedding, if it belongs to this very text (else workers.embeddings computes one)."""
    return from_bytes(row.embedding) if row.embedding_key == text_key(text) else None


def _skill_words(session: Session, ids: Iterable[int] | None) -> dict[int, tuple[str, str]]:
    """Skill id -> (key, words): German label plus multilingual synonyms, so free text meets tags.
    Only the given skills (all: None): one profile's task loads its few, not the vocabulary."""
    query = select(Skill)
    if ids is not None:
        query = query.where(col(Skill.id).in_(set(ids)))
    skills = session.exec(query)
    return {s.id: (s.key, " ".join([s.labels.get("de", ""), *s.synonyms])) for s in skills if s.id}


def _districts(session: Session, ids: Iterable[int]) -> dict[int, District]:
    query = select(District).where(col(District.id).in_(set(ids)))
    return {d.id: d for d in session.exec(query) if d.id is not None}


def _children(session: Session, owner: Any, *values: Any, ids: Sequence[int] | None) -> list[tuple[Any, ...]]:
    """(owner id, values...) of a profile's child rows as plain tuples (no model objects), for the
    owners given (all: None, which spares a list of every id in the query)."""
    query = select(owner, *values)
    if ids is not None:
        query = query.where(col(owner).in_(ids))
    return [tuple(row) for row in session.exec(query)]


def _all_skill_ids(skill_ids: dict[int, list[int]]) -> list[int]:
    return [i for found in skill_ids.values() for i in found]


def load_volunteers(*, session: Session, ids: Sequence[int] | None = None) -> list[VolunteerProfile]:
    # With the account's state: a deactivated account is never proposed, like a paused profile.
    # Without consent in force (withdrawn on the privacy page) a volunteer is not loaded at all: the
    # matcher neither sees nor proposes them, and a warm matcher drops them as if deleted.
    query = (
        select(Volunteer, User.is_active)
        .join(User, col(Volunteer.user_id) == col(User.id), isouter=True)
        .where(consent_in_force(Volunteer.user_id))
        .order_by(col(Volunteer.id))
    )
    if ids is not None:
        query = query.where(col(Volunteer.id).in_(ids))
    rows = list(session.exec(query))
    volunteers = [volunteer for volunteer, _ in rows]
    inactive = {volunteer.id for volunteer, active in rows if active is False}
    vol_ids = [v.id for v in volunteers if v.id is not None]
    asked = None if ids is None else vol_ids
    languages: dict[int, dict[str, str]] = defaultdict(dict)
    for owner, code, level in _children(
        session,
        VolunteerLanguage.volunteer_id,
        VolunteerLanguage.language_code,
        VolunteerLanguage.level,
        ids=asked,
    ):
        languages[owner][code] = level
    skill_ids: dict[int, list[int]] = defaultdict(list)
    for owner, skill_id in _children(
        session, VolunteerSkill.volunteer_id, VolunteerSkill.skill_id, ids=asked
    ):
        skill_ids[owner].append(skill_id)
    slots: dict[int, list[Slot]] = defaultdict(list)
    for owner, *slot in _children(
        session,
        VolunteerSlot.volunteer_id,
        VolunteerSlot.weekday,
        VolunteerSlot.start_minute,
        VolunteerSlot.end_minute,
        ids=asked,
    ):
        slots[owner].append(Slot(*slot))
    skills = _skill_words(session, None if ids is None else _all_skill_ids(skill_ids))
    districts = _districts(session, (v.district_id for v in volunteers))
    busy = busy_count_by_volunteer(session=session, volunteer_ids=asked)
    proposed = _times_proposed(session, asked)
    profiles = []
    for v in volunteers:
        assert v.id is not None
        district = districts[v.district_id]
        words = [skills[i][1] for i in skill_ids[v.id] if i in skills]
        text = " ".join([v.about, *words])
        own_words = own_words_of(v) or text
        profiles.append(
            VolunteerProfile(
                id=v.id,
                text=text,
                own_words=own_words,
                embedding=_stored_embedding(v, own_words),
                skills=frozenset(skills[i][0] for i in skill_ids[v.id] if i in skills),
                languages=languages[v.id],
                slots=tuple(sorted(slots[v.id], key=lambda s: (s.weekday, s.start_minute))),
                district=district.slug,
                location=(district.latitude, district.longitude),
                travel_radius_km=float(v.travel_radius_km),
                birth_date=v.birth_date,
                certificate_inspected_on=v.certificate_inspected_on,
                max_active_pairings=v.max_active_pairings,
                active_pairings=busy.get(v.id, 0),
                paused=v.paused or v.id in inactive,
                times_proposed=proposed.get(v.id, 0),
            )
        )
    return profiles


def _times_proposed(session: Session, volunteer_ids: list[int] | None) -> dict[int, int]:
    """Proposals coordinators decided on so far (fairness). Pending ones do not count: they are the
    matcher's own output, and counting them would change the next run's scores by the last one's."""
    counts: dict[int, int] = defaultdict(int)
    query = select(Proposal.volunteer_id).where(
        col(Proposal.status).in_((ProposalStatus.APPROVED, ProposalStatus.REJECTED))
    )
    if volunteer_ids is not None:
        query = query.where(col(Proposal.volunteer_id).in_(volunteer_ids))
    for volunteer_id in session.exec(query):
        counts[volunteer_id] += 1
    return counts


def load_needs(
    *, session: Session, ids: Sequence[int] | None = None, open_only: bool = False
) -> list[NeedProfile]:
    query = select(Need).order_by(col(Need.id))
    if ids is not None:
        query = query.where(col(Need.id).in_(ids))
    if open_only:
        query = query.where(Need.status == NeedStatus.OPEN)
    needs = list(session.exec(query))
    need_ids = [n.id for n in needs if n.id is not None]
    asked = None if ids is None and not open_only else need_ids
    required: dict[int, set[str]] = defaultdict(set)
    welcome: dict[int, set[str]] = defaultdict(set)
    for owner, code, is_required in _children(
        session, NeedLanguage.need_id, NeedLanguage.language_code, NeedLanguage.required, ids=asked
    ):
        (required if is_required else welcome)[owner].add(code)
    skill_ids: dict[int, list[int]] = defaultdict(list)
    for owner, skill_id in _children(session, NeedSkill.need_id, NeedSkill.skill_id, ids=asked):
        skill_ids[owner].append(skill_id)
    slots: dict[int, list[Slot]] = defaultdict(list)
    for owner, *slot in _children(
        session, NeedSlot.need_id, NeedSlot.weekday, NeedSlot.start_minute, NeedSlot.end_minute, ids=asked
    ):
        slots[owner].append(Slot(*slot))
    skills = _skill_words(session, None if ids is None else _all_skill_ids(skill_ids))
    districts = _districts(session, (n.district_id for n in needs))
    filled = filled_places_by_need(session=session, need_ids=need_ids)
    profiles = []
    for n in needs:
        assert n.id is not None
        district = districts[n.district_id]
        words = [skills[i][1] for i in skill_ids[n.id] if i in skills]
        text = " ".join([n.title, n.description, *words])
        own_words = own_words_of(n) or text
        profiles.append(
            NeedProfile(
                id=n.id,
                text=text,
                own_words=own_words,
                embedding=_stored_embedding(n, own_words),
                skills=frozenset(skills[i][0] for i in skill_ids[n.id] if i in skills),
                required_languages=frozenset(required[n.id]),
                welcome_languages=frozenset(welcome[n.id] - required[n.id]),
                slots=tuple(sorted(slots[n.id], key=lambda s: (s.weekday, s.start_minute))),
                district=district.slug,
                location=(district.latitude, district.longitude),
                one_off_date=n.one_off_date,
                requires_certificate=n.requires_certificate,
                min_age=n.min_age,
                open_places=n.places - filled.get(n.id, 0),
                paused=n.status != NeedStatus.OPEN,
            )
        )
    return profiles
