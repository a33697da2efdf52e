"""Small builders of matcher inputs with neutral defaults: every test states only what it is about."""

import random
from dataclasses import replace
from datetime import date
from typing import Any

from matching.types import MatchParams, NeedProfile, Slot, VolunteerProfile

TODAY = date(2026, 11, 25)  # a Wednesday
PLACES = {
    "altstadt": (47.8810, 10.6220),
    "haken": (47.8900, 10.6300),  # about 1.2 km from the Altstadt
    "neugablonz": (47.9120, 10.6530),  # about 4.2 km from the Altstadt
}
MONDAY_AFTERNOON = Slot(0, 14 * 60, 17 * 60)


def volunteer(id: int = 1, **changes: Any) -> VolunteerProfile:
    district = changes.pop("district", "altstadt")
    base = VolunteerProfile(
        id=id,
        text="",
        skills=frozenset(),
        languages={"de": "native"},
        slots=(MONDAY_AFTERNOON,),
        district=district,
        location=PLACES[district],
        travel_radius_km=5.0,
        birth_date=date(1990, 1, 1),
    )
    return replace(base, **changes)


def need(id: int = 1, **changes: Any) -> NeedProfile:
    district = changes.pop("district", "altstadt")
    base = NeedProfile(
        id=id,
        text="",
        skills=frozenset(),
        required_languages=frozenset(),
        welcome_languages=frozenset(),
        slots=(),
        district=district,
        location=PLACES[district],
    )
    return replace(base, **changes)


def params(**changes: Any) -> MatchParams:
    return replace(MatchParams(today=TODAY, min_score=0.0), **changes)


WORDS = ["Hausaufgaben", "Mathe", "Fußball", "Kochen", "ödev", "перевод", "Arzttermin", "Begleitung"]


def random_world(
    seed: int, volunteers: int, needs: int, skills: str = "abcdef"
) -> tuple[list[VolunteerProfile], list[NeedProfile]]:
    """Volunteers 1.. and needs 1.. with three random words of text and two random skills each."""
    rng = random.Random(seed)

    def words() -> str:
        return " ".join(rng.sample(WORDS, 3))

    return (
        [
            volunteer(i, text=words(), skills=frozenset(rng.sample(skills, 2)))
            for i in range(1, volunteers + 1)
        ],
        [need(j, text=words(), skills=frozenset(rng.sample(skills, 2))) for j in range(1, needs + 1)],
    )
