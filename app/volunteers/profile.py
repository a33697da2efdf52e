"""A volunteer profile as plain data, between the form and the service."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

# Availability is offered as parts of the day; each ticked cell becomes one weekly slot.
DAY_PARTS = {
    "morning": (_l("Morning (8–12)"), 8 * 60, 12 * 60),
    "afternoon": (_l("Afternoon (12–17)"), 12 * 60, 17 * 60),
    "evening": (_l("Evening (17–21)"), 17 * 60, 21 * 60),
}
RADIUS_CHOICES = (1, 2, 5, 10, 20)


@dataclass
class ProfileData:
    first_name: str
    last_name: str
    district_id: int
    travel_radius_km: int
    languages: dict[str, str]
    phone: str = ""
    birth_date: date | None = None
    postcode: str = ""
    skill_ids: list[int] = field(default_factory=list)
    slots: list[tuple[int, int, int]] = field(default_factory=list)  # (weekday, start, end)
    about: str = ""
    max_active_pairings: int = 2
    certificate_inspected_on: date | None = None


@dataclass
class Registration:
    """A sign-up: the account, in the UI language of the moment, and its first profile."""

    email: str
    password: str
    locale: str
    profile: ProfileData


def cells_to_slots(cells: list[str]) -> list[tuple[int, int, int]]:
    """'2-afternoon' → (2, 720, 1020)."""
    slots = []
    for cell in cells:
        day, _, part = cell.partition("-")
        if day.isdigit() and 0 <= int(day) <= 6 and part in DAY_PARTS:
            slots.append((int(day), DAY_PARTS[part][1], DAY_PARTS[part][2]))
    return sorted(set(slots))


def slots_to_cells(slots: list[tuple[int, int, int]]) -> list[str]:
    by_window = {(start, end): part for part, (_label, start, end) in DAY_PARTS.items()}
    return [f"{day}-{by_window[(start, end)]}" for day, start, end in slots if (start, end) in by_window]
