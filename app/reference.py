"""Loads offices, districts and the vocabulary from app/data; safe to run again (it upserts)."""

import json
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from app.offices.models import District, Office
from app.vocab.models import Language, Skill
from app.vocab.services import UI_LANGUAGES, babel_language_labels

__all__ = ["UI_LANGUAGES", "load_reference_data"]

DATA_DIR = Path(__file__).resolve().parent / "data"


def _read(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
    return data


def load_reference_data(*, session: Session) -> None:
    """Offices, districts, languages and skills, as shipped in app/data."""
    places = _read("districts.json")
    offices: dict[str, Office] = {}
    for row in places["offices"]:
        office = session.exec(select(Office).where(Office.name == row["name"])).first() or Office(
            name=row["name"]
        )
        office.is_central, office.email, office.address = row["is_central"], row["email"], row["address"]
        session.add(office)
        offices[office.name] = office
    session.flush()
    for row in places["districts"]:
        district = session.exec(select(District).where(District.slug == row["slug"])).first() or District(
            slug=row["slug"], name=row["name"], latitude=row["latitude"], longitude=row["longitude"]
        )
        district.name, district.latitude, district.longitude = row["name"], row["latitude"], row["longitude"]
        district.office_id = offices[row["office"]].id
        session.add(district)

    vocabulary = _read("vocabulary.json")
    for code in vocabulary["languages"]:
        language = session.get(Language, code) or Language(code=code)
        language.labels = babel_language_labels(code)
        session.add(language)
    for row in vocabulary["skills"]:
        skill = session.exec(select(Skill).where(Skill.key == row["key"])).first() or Skill(key=row["key"])
        skill.labels, skill.synonyms = row["labels"], row["synonyms"]
        session.add(skill)
    session.commit()
