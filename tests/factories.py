"""Small make_* functions that create valid rows with sensible defaults; override what a test needs."""

from datetime import date
from itertools import count
from typing import Any

from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.accounts.services import add_user
from app.needs.models import Need, NeedLanguage, NeedSkill, NeedSlot
from app.offices.models import District, Office
from app.partners.models import Organisation
from app.privacy.consent import CONSENT_VERSION, DATA_PROCESSING
from app.privacy.models import ConsentRecord
from app.vocab.models import Skill
from app.volunteers.models import Volunteer, VolunteerLanguage, VolunteerSkill, VolunteerSlot

PASSWORD = "correct horse battery"
_serial = count(1)


def district(session: Session, slug: str = "haken") -> District:
    found = session.exec(select(District).where(District.slug == slug)).one()
    return found


def office(session: Session, name: str = "Integrationsbüro") -> Office:
    return session.exec(select(Office).where(Office.name == name)).one()


def skill(session: Session, key: str) -> Skill:
    return session.exec(select(Skill).where(Skill.key == key)).one()


def make_user(session: Session, role: Role = Role.VOLUNTEER, **fields: Any) -> User:
    n = next(_serial)
    fields.setdefault("email", f"{role}{n}@example.org")
    fields.setdefault("password", PASSWORD)
    fields.setdefault("confirmed", True)
    user = add_user(session=session, role=role, **fields)
    session.commit()
    return user


def make_coordinator(session: Session, office_name: str = "Integrationsbüro", **fields: Any) -> User:
    return make_user(session, Role.COORDINATOR, office_id=office(session, office_name).id, **fields)


def make_organisation(
    session: Session, name: str | None = None, district_slug: str = "haken"
) -> Organisation:
    organisation = Organisation(
        name=name or f"Grundschule {next(_serial)}",
        kind="school",
        district_id=district(session, district_slug).id,
        contact_email="schule@example.org",
    )
    session.add(organisation)
    session.commit()
    return organisation


def make_partner(session: Session, organisation: Organisation | None = None, **fields: Any) -> User:
    organisation = organisation or make_organisation(session)
    return make_user(session, Role.PARTNER, organisation_id=organisation.id, **fields)


def make_volunteer(
    session: Session,
    *,
    user: User | None = None,
    district_slug: str = "haken",
    languages: dict[str, str] | None = None,
    skills: tuple[str, ...] = (),
    slots: tuple[tuple[int, int, int], ...] = ((1, 14 * 60, 18 * 60), (3, 14 * 60, 18 * 60)),
    consent: bool = True,
    **fields: Any,
) -> Volunteer:
    """A volunteer with languages {code: level}, skill keys and (weekday, start, end) slots; with the
    consent to being matched that sign-up records, unless `consent` is False."""
    user = user or make_user(session, Role.VOLUNTEER)
    fields.setdefault("first_name", "Ayşe")
    fields.setdefault("last_name", f"Yılmaz{next(_serial)}")
    fields.setdefault("birth_date", date(1990, 5, 17))
    volunteer = Volunteer(user_id=user.id, district_id=district(session, district_slug).id, **fields)
    session.add(volunteer)
    session.flush()
    for code, level in (languages or {"de": "C1"}).items():
        session.add(VolunteerLanguage(volunteer_id=volunteer.id, language_code=code, level=level))
    for key in skills:
        session.add(VolunteerSkill(volunteer_id=volunteer.id, skill_id=skill(session, key).id))
    for weekday, start, end in slots:
        session.add(
            VolunteerSlot(volunteer_id=volunteer.id, weekday=weekday, start_minute=start, end_minute=end)
        )
    if consent:
        session.add(ConsentRecord(user_id=user.id, purpose=DATA_PROCESSING, text_version=CONSENT_VERSION))
    session.commit()
    return volunteer


def make_need(
    session: Session,
    *,
    organisation: Organisation | None = None,
    district_slug: str = "haken",
    languages: dict[str, bool] | None = None,
    skills: tuple[str, ...] = (),
    slots: tuple[tuple[int, int, int], ...] = ((1, 15 * 60, 17 * 60),),
    **fields: Any,
) -> Need:
    """A need with languages {code: required}, skill keys and (weekday, start, end) slots."""
    organisation = organisation or make_organisation(session)
    fields.setdefault("title", "Hausaufgabenhilfe für zwei Drittklässler")
    fields.setdefault("description", "Dienstags und donnerstags nachmittags in der Grundschule.")
    need = Need(organisation_id=organisation.id, district_id=district(session, district_slug).id, **fields)
    session.add(need)
    session.flush()
    for code, required in (languages or {}).items():
        session.add(NeedLanguage(need_id=need.id, language_code=code, required=required))
    for key in skills:
        session.add(NeedSkill(need_id=need.id, skill_id=skill(session, key).id))
    for weekday, start, end in slots:
        session.add(NeedSlot(need_id=need.id, weekday=weekday, start_minute=start, end_minute=end))
    session.commit()
    return need


from app.proposals.models import Proposal  # noqa: E402 (added with make_proposal, below the others)


def make_proposal(
    session: Session,
    *,
    volunteer: Volunteer | None = None,
    need: Need | None = None,
    score: float = 0.82,
    **fields: Any,
) -> Proposal:
    """A pending proposal with reasons as the matcher writes them (matching/types.py)."""
    volunteer = volunteer or make_volunteer(session, languages={"tr": "native", "de": "B2"})
    need = need or make_need(session)
    fields.setdefault(
        "reasons",
        {
            "shared_skills": ["homework_help"],
            "shared_languages": ["tr"],
            "matching_slots": [[1, 15 * 60, 17 * 60]],
            "distance_km": 1.2,
            "same_district": True,
            "text_similarity": 0.41,
            "requirements_met": ["certificate", "min_age"],
            "strongest": "skills",
        },
    )
    proposal = Proposal(volunteer_id=volunteer.id, need_id=need.id, score=score, **fields)
    session.add(proposal)
    session.commit()
    return proposal


from app.pairings.models import Pairing, PairingStatus  # noqa: E402 (added with make_pairing, below the others)


def make_pairing(
    session: Session,
    *,
    volunteer: Volunteer | None = None,
    need: Need | None = None,
    status: PairingStatus = PairingStatus.INTRODUCED,
    **fields: Any,
) -> Pairing:
    """A pairing of this volunteer and need (made up if not given) in `status`, without a proposal."""
    volunteer = volunteer or make_volunteer(session)
    need = need or make_need(session)
    pairing = Pairing(volunteer_id=volunteer.id, need_id=need.id, status=status, **fields)
    session.add(pairing)
    session.commit()
    return pairing
