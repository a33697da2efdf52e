"""Registering volunteers and keeping their profiles; every change asks for re-matching."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from app.accounts.models import Role
from app.accounts.services import add_user
from app.base import insert_rows, utcnow
from app.embeddings import embed_on_save
from app.needs.models import Need
from app.offices.models import District
from app.outbox.services import request_volunteer_matching
from app.pairings.models import Pairing
from app.partners.models import Organisation
from app.privacy.consent import CONSENT_VERSION, DATA_PROCESSING, consent_in_force
from app.privacy.models import ConsentRecord
from app.vocab.services import language_labels_by_code, skill_choices
from app.volunteers.models import Volunteer, VolunteerLanguage, VolunteerSkill, VolunteerSlot
from app.volunteers.profile import ProfileData, Registration, slots_to_cells


class EmailTaken(Exception):
    """The e-mail address belongs to an account already; nothing was written."""


def register_volunteer(*, session: Session, data: Registration) -> Volunteer:
    """Account, profile, consent and the matching request in one transaction; raises EmailTaken.

    A taken address is found by the unique index on the account's e-mail, at its insert, the first
    write: no query beforehand, and no race between a check and the insert.
    """
    try:
        user = add_user(
            session=session,
            email=data.email,
            password=data.password,
            role=Role.VOLUNTEER,
            display_name=data.profile.first_name,
            locale=data.locale,
        )
    except IntegrityError as error:
        session.rollback()
        raise EmailTaken(data.email) from error
    assert user.id is not None
    volunteer = Volunteer(user_id=user.id, **_scalar_fields(data.profile))
    embed_on_save(volunteer)
    session.add(volunteer)
    session.flush()
    _replace_children(session, volunteer, data.profile, stored=False)
    consent = {"user_id": user.id, "purpose": DATA_PROCESSING, "text_version": CONSENT_VERSION}
    insert_rows(session, ConsentRecord, [{**consent, "given_at": utcnow()}])
    request_volunteer_matching(session=session, volunteer_id=volunteer.id or 0)
    session.commit()
    return volunteer


def update_profile(*, session: Session, volunteer: Volunteer, data: ProfileData) -> Volunteer:
    """Replaces the whole profile (languages, skills, slots too) and asks for re-matching."""
    for name, value in _scalar_fields(data).items():
        setattr(volunteer, name, value)
    volunteer.updated_at = utcnow()
    embed_on_save(volunteer)
    session.add(volunteer)
    _replace_children(session, volunteer, data)
    request_volunteer_matching(session=session, volunteer_id=volunteer.id or 0)
    session.commit()
    return volunteer


def set_paused(*, session: Session, volunteer: Volunteer, paused: bool) -> Volunteer:
    """The matcher withdraws a paused volunteer's pending proposals, so it is asked to run here too."""
    volunteer.paused = paused
    volunteer.updated_at = utcnow()
    session.add(volunteer)
    request_volunteer_matching(session=session, volunteer_id=volunteer.id or 0)
    session.commit()
    return volunteer


def volunteer_of_user(*, session: Session, user_id: int) -> Volunteer | None:
    return session.exec(select(Volunteer).where(Volunteer.user_id == user_id)).first()


def profile_data(*, session: Session, volunteer: Volunteer) -> ProfileData:
    """The stored profile as form data, for pre-filling the edit form."""
    vid = volunteer.id
    languages = session.exec(select(VolunteerLanguage).where(VolunteerLanguage.volunteer_id == vid)).all()
    skills = session.exec(select(VolunteerSkill.skill_id).where(VolunteerSkill.volunteer_id == vid)).all()
    slots = session.exec(select(VolunteerSlot).where(VolunteerSlot.volunteer_id == vid)).all()
    return ProfileData(
        languages={row.language_code: row.level for row in languages},
        skill_ids=list(skills),
        slots=sorted((s.weekday, s.start_minute, s.end_minute) for s in slots),
        **{name: getattr(volunteer, name) for name in _scalar_fields_names()},
    )


def _scalar_fields_names() -> tuple[str, ...]:
    return (
        "first_name",
        "last_name",
        "phone",
        "birth_date",
        "postcode",
        "district_id",
        "travel_radius_km",
        "about",
        "max_active_pairings",
        "certificate_inspected_on",
    )


def _scalar_fields(data: ProfileData) -> dict[str, Any]:
    return {name: getattr(data, name) for name in _scalar_fields_names()}


def _replace_children(
    session: Session, volunteer: Volunteer, data: ProfileData, *, stored: bool = True
) -> None:
    """Languages, skills and slots as `data` has them; a new profile (not `stored`) has none to delete."""
    vid = volunteer.id
    assert vid is not None
    for model in (VolunteerLanguage, VolunteerSkill, VolunteerSlot) if stored else ():
        session.exec(delete(model).where(col(model.volunteer_id) == vid))
    languages = [{"volunteer_id": vid, "language_code": c, "level": lv} for c, lv in data.languages.items()]
    insert_rows(session, VolunteerLanguage, languages)
    skills = [{"volunteer_id": vid, "skill_id": skill_id} for skill_id in sorted(set(data.skill_ids))]
    insert_rows(session, VolunteerSkill, skills)
    slots = [
        {"volunteer_id": vid, "weekday": weekday, "start_minute": start, "end_minute": end}
        for weekday, start, end in data.slots
    ]
    insert_rows(session, VolunteerSlot, slots)


@dataclass
class Overview:
    """What the profile page shows: labels in the reader's language, offers newest first."""

    district_name: str
    languages: list[tuple[str, str]]  # (language name, level)
    skills: list[str]
    cells: set[str]
    offers: list[tuple[Pairing, str, str]]  # (pairing, need title, organisation name)
    consent_in_force: bool  # else the matcher leaves the volunteer out (app/privacy)


def profile_overview(*, session: Session, volunteer: Volunteer, locale: str) -> Overview:
    stored = profile_data(session=session, volunteer=volunteer)
    language_names = language_labels_by_code(session=session, locale=locale)
    skill_names = {skill_id: name for skill_id, name in skill_choices(session=session, locale=locale)}
    district = session.get(District, volunteer.district_id)
    offers = session.exec(
        select(Pairing, Need.title, Organisation.name)
        .join(Need, col(Need.id) == col(Pairing.need_id))
        .join(Organisation, col(Organisation.id) == col(Need.organisation_id))
        .where(Pairing.volunteer_id == volunteer.id)
        .order_by(col(Pairing.created_at).desc())
    ).all()
    return Overview(
        district_name=district.name if district else "",
        languages=sorted((language_names.get(code, code), level) for code, level in stored.languages.items()),
        skills=sorted((skill_names[i] for i in stored.skill_ids if i in skill_names), key=str.casefold),
        cells=set(slots_to_cells(stored.slots)),
        offers=[(pairing, title, name) for pairing, title, name in offers],
        consent_in_force=bool(session.exec(select(consent_in_force(volunteer.user_id))).one()),
    )
