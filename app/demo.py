"""Kaufbeuren demo data from app/data/demo.json: one login per role, volunteers, partners, needs."""

import json
import unicodedata
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.accounts.services import hash_password
from app.base import utcnow
from app.demo_history import add_history
from app.needs.models import Need, NeedLanguage, NeedSkill, NeedSlot, Schedule
from app.offices.models import District, Office
from app.outbox.services import MATCH_ALL, add_message
from app.partners.models import Organisation
from app.privacy.consent import CONSENT_VERSION, DATA_PROCESSING
from app.privacy.models import ConsentRecord
from app.reference import DATA_DIR
from app.vocab.models import Skill
from app.volunteers.models import Volunteer, VolunteerLanguage, VolunteerSkill, VolunteerSlot

WEEKDAYS = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
# Login handle and display name of each office's coordinator; other offices get one derived from the name.
COORDINATORS = {
    "Integrationsbüro": ("koordination", "Koordination Integrationsbüro"),
    "Stadtteilbüro Haken": ("haken", "Stadtteilbüro Haken"),
    "Stadtteilbüro Bienenberg": ("bienenberg", "Stadtteilbüro Bienenberg"),
}
Slot = tuple[int, int, int]


def seed_demo(*, session: Session) -> dict[str, tuple[str, str]]:
    """Adds the demo data once (a second run finds the admin and adds nothing); returns logins by role."""
    data: dict[str, Any] = json.loads((DATA_DIR / "demo.json").read_text(encoding="utf-8"))
    password, domain = data["password"], data["domain"]
    logins = {
        "admin": (f"admin@{domain}", password),
        "coordinator": (f"{COORDINATORS['Integrationsbüro'][0]}@{domain}", password),
        "coordinator (Haken)": (f"{COORDINATORS['Stadtteilbüro Haken'][0]}@{domain}", password),
        "partner": (f"{data['organisations'][0]['handle']}@{domain}", password),
        "volunteer": (volunteer_email(data["volunteers"][0], domain), password),
    }
    if session.exec(select(User).where(User.email == logins["admin"][0])).first() is not None:
        return logins

    # One argon2 hash for every demo login: hashing ~55 times would make seeding slow.
    password_hash = hash_password(password)

    def user(
        email: str, role: Role, name: str, office_id: int | None = None, organisation_id: int | None = None
    ) -> User:
        account = User(
            email=email, password_hash=password_hash, role=role, display_name=name,
            email_confirmed_at=utcnow(), office_id=office_id, organisation_id=organisation_id,
        )  # fmt: skip
        session.add(account)
        session.flush()
        return account

    user(logins["admin"][0], Role.ADMIN, "Administration")
    for office in session.exec(select(Office).order_by(col(Office.id))).all():
        handle, name = COORDINATORS.get(office.name, (office.name.lower().replace(" ", "-"), office.name))
        user(f"{handle}@{domain}", Role.COORDINATOR, name, office_id=office.id)

    districts = {d.slug: d.id for d in session.exec(select(District))}
    skills = {s.key: s.id for s in session.exec(select(Skill))}
    staff: dict[str, User] = {}
    for row in data["organisations"]:
        organisation = Organisation(
            name=row["name"], kind=row["kind"], district_id=districts[row["district"]],
            contact_email=f"{row['handle']}@{domain}",
        )  # fmt: skip
        session.add(organisation)
        session.flush()
        staff[row["handle"]] = user(
            f"{row['handle']}@{domain}", Role.PARTNER, row["name"], organisation_id=organisation.id
        )
    for row in data["needs"]:
        _add_need(session, row, staff[row["organisation"]], districts, skills)
    for row in data["volunteers"]:
        account = user(volunteer_email(row, domain), Role.VOLUNTEER, row["first_name"])
        _add_volunteer(session, account, row, districts, skills)
    add_history(session=session, today=date.today())  # a year of pairings, hours and decisions
    # The matcher proposes pairings for everything once the data is committed.
    add_message(session=session, task_name=MATCH_ALL, payload={})
    session.commit()
    return logins


def volunteer_email(row: dict[str, Any], domain: str) -> str:
    """'Ayşe Yılmaz' → 'ayse.yilmaz@domain' (accents dropped, so the address is plain ASCII)."""

    def plain(name: str) -> str:
        decomposed = unicodedata.normalize("NFKD", name.replace("ı", "i"))
        return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c == "-")).lower()

    return f"{plain(row['first_name'])}.{plain(row['last_name'])}@{domain}"


def parse_slot(text: str) -> Slot:
    """'Di 15:00-17:00' → (1, 900, 1020): weekday (Monday 0) and minutes since midnight."""
    day, times = text.split()
    start, end = (_minutes(part) for part in times.split("-"))
    return WEEKDAYS.index(day), start, end


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _add_need(
    session: Session, row: dict[str, Any], author: User, districts: dict[str, Any], skills: dict[str, Any]
) -> None:
    assert author.organisation_id is not None
    slots = [parse_slot(text) for text in row["slots"]]
    one_off = row.get("one_off")
    need = Need(
        organisation_id=author.organisation_id, title=row["title"], description=row["description"],
        district_id=districts[row["district"]], places=row["places"], target_group=row["target_group"],
        requires_certificate=row["requires_certificate"], min_age=row["min_age"], status=row["status"],
        schedule=Schedule.ONE_OFF if one_off else Schedule.WEEKLY, created_by_id=author.id,
    )  # fmt: skip
    if one_off:
        # Always in the future, whenever the demo is seeded; its time window is a slot on that weekday.
        need.one_off_date = date.today() + timedelta(days=one_off["in_days"])
        _day, start, end = parse_slot(f"Mo {one_off['time']}")
        slots = [(need.one_off_date.weekday(), start, end)]
    session.add(need)
    session.flush()
    assert need.id is not None
    for key in row["skills"]:
        session.add(NeedSkill(need_id=need.id, skill_id=skills[key]))
    for code, required in row["languages"].items():
        session.add(NeedLanguage(need_id=need.id, language_code=code, required=required))
    for weekday, start, end in slots:
        session.add(NeedSlot(need_id=need.id, weekday=weekday, start_minute=start, end_minute=end))


def _add_volunteer(
    session: Session, account: User, row: dict[str, Any], districts: dict[str, Any], skills: dict[str, Any]
) -> None:
    years_ago = row["certificate_years_ago"]
    inspected = None if years_ago is None else date.today() - timedelta(days=365 * years_ago)
    assert account.id is not None
    volunteer = Volunteer(
        user_id=account.id, first_name=row["first_name"], last_name=row["last_name"],
        birth_date=date(row["birth_year"], 6, 15), district_id=districts[row["district"]],
        travel_radius_km=row["radius_km"], about=row["about"], paused=row["paused"],
        certificate_inspected_on=inspected,
    )  # fmt: skip
    session.add(volunteer)
    session.flush()
    assert volunteer.id is not None
    for code, level in row["languages"].items():
        session.add(VolunteerLanguage(volunteer_id=volunteer.id, language_code=code, level=level))
    for key in row["skills"]:
        session.add(VolunteerSkill(volunteer_id=volunteer.id, skill_id=skills[key]))
    for weekday, start, end in map(parse_slot, row["slots"]):
        session.add(
            VolunteerSlot(volunteer_id=volunteer.id, weekday=weekday, start_minute=start, end_minute=end)
        )
    session.add(ConsentRecord(user_id=account.id, purpose=DATA_PROCESSING, text_version=CONSENT_VERSION))
