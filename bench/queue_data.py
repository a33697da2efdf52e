"""The review queue's data for bench.queue_load: volunteers, needs and pending proposals in bulk.

Profiles come from bench.synthetic (the same fixed-seed volunteers and needs as the matcher's
benchmarks); proposals pair each need with randomly drawn volunteers, with reasons computed from both
profiles in the shape the matcher stores (matching.types.Proposal) and a score from the matcher's
weights, so the page renders what it would render in production. Rows go in as plain multi-row
inserts (app.base.insert_rows) with ids given here: the database is fresh, so the sequences are set
afterwards.
"""

import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, SQLModel, select

from app.accounts.models import Role, User
from app.accounts.services import hash_password
from app.base import insert_rows
from app.needs.models import Need, NeedLanguage, NeedSkill, NeedSlot
from app.offices.models import District, Office
from app.partners.models import Organisation
from app.privacy.consent import CONSENT_VERSION, DATA_PROCESSING
from app.privacy.models import ConsentRecord
from app.proposals.models import Proposal, ProposalStatus
from app.vocab.models import Skill
from app.volunteers.models import Volunteer, VolunteerLanguage, VolunteerSkill, VolunteerSlot
from bench.synthetic import make_needs, make_volunteers
from matching.types import MatchParams, NeedProfile, Slot, VolunteerProfile

PASSWORD = "bench password 123"
CHUNK = 5_000  # rows per insert_rows call: bounded memory for the statement's parameters
ORGANISATIONS = 40
SERIAL_TABLES = (
    "user_account",
    "volunteer",
    "volunteer_slot",
    "consent_record",
    "organisation",
    "need",
    "need_slot",
    "proposal",
)
SPREAD_DAYS = 60  # proposals' computed_at is spread over this many days before now
SIGNAL_WEIGHTS = {
    name.removeprefix("weight_"): float(f.default)  # type: ignore[arg-type]
    for f in fields(MatchParams)
    if (name := f.name).startswith("weight_")
}


@dataclass(frozen=True)
class Coordinator:
    email: str
    office: str
    sees: str  # for the table: which districts the queue shows


@dataclass(frozen=True)
class Seeded:
    volunteers: int
    needs: int
    proposals: int
    coordinators: tuple[Coordinator, ...]
    district_ids: tuple[int, ...]  # the central coordinator's filter choices


COORDINATORS = (
    Coordinator("zentrale@bench.example", "Integrationsbüro", "all districts"),
    Coordinator("haken@bench.example", "Stadtteilbüro Haken", "its districts"),
)


def seed(*, session: Session, volunteers: int, needs: int, proposals: int, seed: int = 0) -> Seeded:
    """Coordinators, volunteers with accounts, needs and `proposals` pending proposals; commits."""
    districts = {d.slug: d.id or 0 for d in session.exec(select(District))}
    offices = {o.name: o.id for o in session.exec(select(Office))}
    skills = {s.key: s.id or 0 for s in session.exec(select(Skill))}
    password_hash = hash_password(PASSWORD)  # one hash for every account: hashing 20,000 takes minutes
    now = datetime.now(UTC)
    coordinators = [
        User(
            email=c.email,
            password_hash=password_hash,
            role=Role.COORDINATOR,
            display_name=c.office,
            locale="en",
            email_confirmed_at=now,
            office_id=offices[c.office],
        )
        for c in COORDINATORS
    ]
    session.add_all(coordinators)
    session.commit()
    first_user = max(u.id or 0 for u in coordinators) + 1

    people = make_volunteers(volunteers, seed)
    _add_volunteers(session, people, first_user, password_hash, districts, skills, now)
    slugs = sorted(districts)
    _insert(session, Organisation, _organisations(slugs, districts, now))
    wanted = make_needs(needs, seed)
    _add_needs(session, wanted, districts, skills, now)
    count = _add_proposals(session, people, wanted, proposals, random.Random(f"queue-{seed}"), now)
    for table in SERIAL_TABLES:  # the ids were given here: the next row the app adds follows them
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"))
    session.commit()
    # As autovacuum does soon after a bulk load (PostgreSQL 13+ vacuums after many inserts too): fresh
    # statistics, and a visibility map, without which counting the queue reads the table, not the index.
    with session.get_bind().engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    return Seeded(len(people), len(wanted), count, COORDINATORS, tuple(sorted(districts.values())))


def _add_volunteers(
    session: Session,
    people: Sequence[VolunteerProfile],
    first_user: int,
    password_hash: str,
    districts: dict[str, int],
    skills: dict[str, int],
    now: datetime,
) -> None:
    users, profiles, languages, wanted, slots, consents = [], [], [], [], [], []
    for p in people:
        user_id = first_user + p.id
        users.append(
            User(
                id=user_id,
                email=f"volunteer{p.id}@bench.example",
                password_hash=password_hash,
                role=Role.VOLUNTEER,
                email_confirmed_at=now,
            ).model_dump()
        )
        profiles.append(
            Volunteer(
                id=p.id,
                user_id=user_id,
                first_name="Bench",
                last_name=f"Volunteer {p.id}",
                birth_date=p.birth_date,
                district_id=districts[p.district],
                travel_radius_km=int(p.travel_radius_km),
                about=p.own_words,
                max_active_pairings=p.max_active_pairings,
                certificate_inspected_on=p.certificate_inspected_on,
                paused=p.paused,
            ).model_dump()
        )
        languages += [
            {"volunteer_id": p.id, "language_code": code, "level": level}
            for code, level in p.languages.items()
        ]
        wanted += [{"volunteer_id": p.id, "skill_id": skills[k]} for k in sorted(p.skills) if k in skills]
        slots += [{"volunteer_id": p.id, **_slot(s)} for s in p.slots]
        consents.append(
            ConsentRecord(
                id=p.id, user_id=user_id, purpose=DATA_PROCESSING, text_version=CONSENT_VERSION, given_at=now
            ).model_dump()
        )
    for i, row in enumerate(slots, start=1):
        row["id"] = i
    _insert(session, User, users)
    _insert(session, Volunteer, profiles)
    _insert(session, VolunteerLanguage, languages)
    _insert(session, VolunteerSkill, wanted)
    _insert(session, VolunteerSlot, slots)
    _insert(session, ConsentRecord, consents)


def _organisations(slugs: Sequence[str], districts: dict[str, int], now: datetime) -> list[dict[str, Any]]:
    return [
        Organisation(
            id=i + 1,
            name=f"Bench partner {i + 1}",
            kind="association",
            district_id=districts[slugs[i % len(slugs)]],
            created_at=now,
        ).model_dump()
        for i in range(ORGANISATIONS)
    ]


def _add_needs(
    session: Session,
    wanted: Sequence[NeedProfile],
    districts: dict[str, int],
    skills: dict[str, int],
    now: datetime,
) -> None:
    needs, languages, tags, slots = [], [], [], []
    for n in wanted:
        needs.append(
            Need(
                id=n.id,
                organisation_id=n.id % ORGANISATIONS + 1,
                title=n.own_words[:150],
                description=n.own_words[150:],
                district_id=districts[n.district],
                requires_certificate=n.requires_certificate,
                min_age=n.min_age,
                places=max(1, n.open_places),
                created_at=now,
                updated_at=now,
            ).model_dump()
        )
        languages += [
            {"need_id": n.id, "language_code": code, "required": code in n.required_languages}
            for code in sorted(n.required_languages | n.welcome_languages)
        ]
        tags += [{"need_id": n.id, "skill_id": skills[k]} for k in sorted(n.skills) if k in skills]
        slots += [{"need_id": n.id, **_slot(s)} for s in n.slots]
    for i, row in enumerate(slots, start=1):
        row["id"] = i
    _insert(session, Need, needs)
    _insert(session, NeedLanguage, languages)
    _insert(session, NeedSkill, tags)
    _insert(session, NeedSlot, slots)


def _add_proposals(
    session: Session,
    people: Sequence[VolunteerProfile],
    wanted: Sequence[NeedProfile],
    total: int,
    rng: random.Random,
    now: datetime,
) -> int:
    """`total` pending proposals, as evenly over the needs as it divides, each pair at most once."""
    per_need, extra = divmod(min(total, len(people) * len(wanted)), len(wanted))
    rows: list[dict[str, Any]] = []
    count = 0
    for i, need in enumerate(wanted):
        for person in rng.sample(people, per_need + (1 if i < extra else 0)):
            count += 1
            score, reasons = _reasons(person, need, rng)
            age = timedelta(seconds=rng.uniform(0, SPREAD_DAYS * 86_400))
            rows.append(
                {
                    "id": count,
                    "volunteer_id": person.id,
                    "need_id": need.id,
                    "score": score,
                    "reasons": reasons,
                    "status": ProposalStatus.PENDING,
                    "computed_at": now - age,
                    "decided_at": None,
                    "decided_by_id": None,
                    "decision_reason": "",
                }
            )
            if len(rows) >= CHUNK:
                insert_rows(session, Proposal, rows)
                rows = []
    insert_rows(session, Proposal, rows)
    return count


def _reasons(v: VolunteerProfile, n: NeedProfile, rng: random.Random) -> tuple[float, dict[str, Any]]:
    """A score and reasons in the matcher's shape (matching.types.Proposal), from both profiles."""
    shared_skills = sorted(v.skills & n.skills)
    shared_languages = sorted((n.required_languages | n.welcome_languages) & v.languages.keys())
    overlaps = list(_overlaps(v.slots, n.slots))
    distance = round(_distance_km(v.location, n.location), 1)
    similarity = round(rng.uniform(0.05, 0.75), 3)
    signals = {
        "text": similarity,
        "skills": round(len(shared_skills) / max(1, len(n.skills)), 3),
        "languages": round(
            len(shared_languages) / max(1, len(n.required_languages | n.welcome_languages)), 3
        ),
        "time": 1.0 if not n.slots else round(len(overlaps) / len(n.slots), 3),
        "distance": round(max(0.0, 1 - distance / max(1.0, v.travel_radius_km)), 3),
        "fairness": round(0.5 ** (v.times_proposed / 5), 3),
    }
    score = sum(SIGNAL_WEIGHTS[k] * value for k, value in signals.items()) / sum(SIGNAL_WEIGHTS.values())
    met = [
        name
        for name, applies in (
            ("certificate", n.requires_certificate),
            ("min_age", n.min_age is not None),
            ("required_languages", bool(n.required_languages)),
            ("fixed_times", bool(n.slots)),
        )
        if applies
    ]
    reasons = {
        "shared_skills": shared_skills,
        "shared_languages": shared_languages,
        "matching_slots": overlaps,
        "distance_km": distance,
        "same_district": v.district == n.district,
        "text_similarity": similarity,
        "requirements_met": met,
        "strongest": max(signals, key=lambda k: SIGNAL_WEIGHTS[k] * signals[k]),
        "signals": signals,
    }
    return round(score, 4), reasons


def _overlaps(mine: Sequence[Slot], theirs: Sequence[Slot]) -> Iterator[list[int]]:
    for a in mine:
        for b in theirs:
            start, end = max(a.start_minute, b.start_minute), min(a.end_minute, b.end_minute)
            if a.weekday == b.weekday and start < end:
                yield [a.weekday, start, end]


def _distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _slot(s: Slot) -> dict[str, int]:
    return {"weekday": s.weekday, "start_minute": s.start_minute, "end_minute": s.end_minute}


def _insert(session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> None:
    for offset in range(0, len(rows), CHUNK):
        insert_rows(session, model, rows[offset : offset + CHUNK])
