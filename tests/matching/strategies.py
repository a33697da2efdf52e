"""Hypothesis strategies for the matcher: small random worlds of volunteers and needs around Kaufbeuren.

The values are chosen to hit the edges of the hard constraints often: birth dates and certificate
inspections a day either side of a birthday or expiry (29 February included), capacities at their
limit, zero or negative open places, travel radii of 0 km, districts far away, slots that share
less or more than half an hour, one-off dates, and free texts in several languages and scripts.
"""

import math
import zlib
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cached_property
from typing import Any, TypeVar

import numpy as np
from hypothesis import strategies as st
from numpy.typing import NDArray

from matching.embedding import DIMENSIONS
from matching.types import MatchParams, NeedProfile, Slot, VolunteerProfile

SKILLS = (
    "homework_help",
    "maths_tutoring",
    "language_cafe",
    "accompaniment",
    "bike_repair",
    "cooking",
    "forms_help",
    "sports",
)
LANGUAGES = ("de", "en", "tr", "uk", "ru", "ar", "fa", "ro")
LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2", "native")

# District centres in and around Kaufbeuren (latitude, longitude).
NEAR_PLACES = {
    "altstadt": (47.8810, 10.6220),
    "haken": (47.8712, 10.6318),
    "neugablonz": (47.9068, 10.6540),
    "oberbeuren": (47.8870, 10.5960),
    "kemnat": (47.8600, 10.6080),
    "hirschzell": (47.8640, 10.6480),
}
FAR_PLACES = {
    "kempten": (47.7267, 10.3139),
    "augsburg": (48.3705, 10.8978),
    "muenchen": (48.1372, 11.5756),
}

# Days on which birthdays and expiries around 29 February behave differently.
TODAYS = (
    date(2026, 11, 25),
    date(2026, 2, 28),
    date(2026, 3, 1),
    date(2027, 2, 28),
    date(2028, 2, 28),
    date(2028, 2, 29),
    date(2028, 3, 1),
    date(2025, 12, 31),
)
MIN_AGES = (14, 16, 18, 21, 65)

PHRASES = (
    "Hausaufgabenhilfe Mathematik für Grundschüler",
    "Begleitung zu Arztterminen",
    "Deutsch-Konversation für Frauen",
    "Fahrradwerkstatt: Reparatur mit Jugendlichen",
    "Kochen im Seniorentreff",
    "Formulare beim Jobcenter ausfüllen",
    "ödev yardımı, matematik",
    "doktor randevularına eşlik",
    "yemek pişirmek",
    "допомога з домашнім завданням, математика",
    "супровід до лікаря",
    "помощь с документами в джобцентре",
    "ремонт велосипедов с подростками",
    "مساعدة في الواجبات المدرسية والرياضيات",
    "مرافقة إلى الطبيب",
    "help with homework and maths",
    "bike repair with teenagers",
    "cooking for seniors",
    "کمک به تکالیف مدرسه",
    "Fußball",
    "futbol",
    "футбол",
)


Profile = TypeVar("Profile", VolunteerProfile, NeedProfile)


@dataclass(frozen=True)
class World:
    """The profiles are kept without their embeddings, which are added on access: Hypothesis prints
    a failing example field by field, and hundreds of numbers per profile would bury it."""

    plain_volunteers: list[VolunteerProfile]
    plain_needs: list[NeedProfile]
    params: MatchParams
    embedded: frozenset[str]  # "v<id>" and "n<id>" of the profiles that carry an embedding

    @cached_property
    def volunteers(self) -> list[VolunteerProfile]:
        return [with_embedding(v, f"v{v.id}" in self.embedded) for v in self.plain_volunteers]

    @cached_property
    def needs(self) -> list[NeedProfile]:
        return [with_embedding(n, f"n{n.id}" in self.embedded) for n in self.plain_needs]


def anniversary(day: date, years: int) -> date:
    """The same calendar day `years` later (earlier if negative); 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def texts() -> st.SearchStrategy[str]:
    """Free texts: known phrases in several languages and scripts, mixed with arbitrary Unicode."""
    part = st.one_of(st.sampled_from(PHRASES), st.text(max_size=12))
    return st.lists(part, max_size=3).map(" ".join)


def fake_embedding(text: str, dimensions: int = DIMENSIONS) -> NDArray[np.float32]:
    """A unit vector that depends on the text only, standing in for its sentence embedding."""
    vector = np.random.default_rng(zlib.crc32(text.encode())).standard_normal(dimensions)
    return np.asarray(vector / np.linalg.norm(vector), dtype=np.float32)


def with_embedding(profile: Profile, embedded: bool) -> Profile:
    return replace(profile, embedding=fake_embedding(profile.text) if embedded else None)


# Built once: creating (and validating) strategies inside every draw would dominate the run time.
TEXTS = texts()
COORDINATE = st.floats(-1.0, 1.0, allow_nan=False, allow_infinity=False, allow_subnormal=False)
PLACE_NAMES = st.lists(st.sampled_from([*NEAR_PLACES, *FAR_PLACES]), max_size=4, unique=True)
VOLUNTEER_SKILLS = st.frozensets(st.sampled_from(SKILLS), max_size=4)
NEED_SKILLS = st.frozensets(st.sampled_from(SKILLS), max_size=3)
SPOKEN = st.builds(
    lambda others, german: {**others, **german},
    st.dictionaries(st.sampled_from(LANGUAGES), st.sampled_from(LEVELS), max_size=3),
    st.one_of(st.sampled_from(LEVELS).map(lambda level: {"de": level}), st.just({})),
)
REQUIRED: st.SearchStrategy[frozenset[str]] = st.one_of(
    st.just(frozenset()), st.frozensets(st.sampled_from(("de", "tr", "uk")), max_size=2)
)
WELCOME = st.frozensets(st.sampled_from(LANGUAGES), max_size=3)
RADII = st.one_of(
    st.sampled_from([5.0, 10.0, 2.5, 300.0, 1.0, 0.0]),
    st.floats(0.0, 40.0, allow_nan=False, allow_subnormal=False),
)
LEAP_BIRTHS = st.sampled_from([date(2008, 2, 29), date(2010, 2, 28), date(2010, 3, 1), date(2012, 2, 29)])
LEAP_INSPECTIONS = st.sampled_from(
    [date(2020, 2, 29), date(2021, 2, 28), date(2021, 3, 1), date(2024, 2, 29)]
)
ANY_INSPECTION = st.dates(date(2015, 1, 1), date(2030, 12, 31))
MIN_AGE = st.one_of(st.none(), st.sampled_from(MIN_AGES))
# Hypothesis favours the ends of a range, so the rare outcome sits in the middle.
RARELY = st.integers(0, 7).map(lambda x: x == 3)
SOMETIMES = st.integers(0, 2).map(lambda x: x == 1)
OPEN_PLACES = st.sampled_from([1, 2, 3, 1, 2, 0, -1])


@st.composite
def places(draw: st.DrawFn) -> dict[str, tuple[float, float]]:
    """1 to 5 districts: named ones near and far, and random ones a few km around Kaufbeuren or far."""
    result = {name: {**NEAR_PLACES, **FAR_PLACES}[name] for name in draw(PLACE_NAMES)}
    for i in range(draw(st.integers(0 if result else 1, 3))):
        if draw(st.integers(0, 4)) == 0:  # far away: tens to hundreds of km
            lat, lon = 47.88 + 1.5 * draw(COORDINATE), 10.62 + 2.0 * draw(COORDINATE)
        else:  # a few km around the town centre
            lat, lon = 47.88 + 0.05 * draw(COORDINATE), 10.62 + 0.07 * draw(COORDINATE)
        result[f"bezirk-{i}"] = (lat, lon)
    return result


@st.composite
def slots(draw: st.DrawFn, step: int, longest: int) -> tuple[Slot, ...]:
    """Up to 4 weekly windows of up to `longest` minutes; times are multiples of `step` minutes, mostly
    between 6:00 and 22:00."""
    whole_day = draw(st.integers(0, 4)) == 0
    first, last = (0, 24 * 60 - step) if whole_day else (6 * 60, 22 * 60)
    result = []
    for _ in range(draw(st.sampled_from([2, 1, 3, 4, 0]))):
        weekday = draw(st.integers(0, 6))
        start = draw(st.integers(first // step, last // step)) * step
        # Now and then a short one: under half an hour, or not covering a whole quarter hour.
        most = 40 if draw(st.integers(0, 3)) == 0 else longest
        length = draw(st.integers(1, max(1, most // step))) * step
        result.append(Slot(weekday, start, min(24 * 60, start + length)))
    return tuple(result)


STEPS = (1, 5, 15, 30)
AVAILABLE = {step: slots(step, longest=600) for step in STEPS}  # volunteers: long windows
FIXED = {step: st.one_of(st.just(()), slots(step, longest=240)) for step in STEPS}  # needs: half none


def near(day: date, years: int) -> st.SearchStrategy[date]:
    """A day either side of the anniversary `years` before `day`."""
    return st.integers(-1, 1).map(lambda offset: anniversary(day, -years) + timedelta(days=offset))


@dataclass(frozen=True)
class Setting:
    """What the profiles of one world share, as strategies built once per world."""

    where: dict[str, tuple[float, float]]
    district: st.SearchStrategy[str]
    available: st.SearchStrategy[tuple[Slot, ...]]
    fixed: st.SearchStrategy[tuple[Slot, ...]]
    birth_date: st.SearchStrategy[date | None]
    certificate: st.SearchStrategy[date | None]
    one_off_date: st.SearchStrategy[date | None]

    def aimed_radius(self, home: tuple[float, float]) -> st.SearchStrategy[float]:
        """A radius just short of or just beyond another district (by a flat-earth estimate)."""

        def estimate(there: tuple[float, float]) -> float:
            north = (there[0] - home[0]) * 111.2
            east = (there[1] - home[1]) * 111.2 * math.cos(math.radians(home[0]))
            return math.hypot(north, east)

        return st.builds(
            lambda there, factor: estimate(there) * factor,
            st.sampled_from(sorted(self.where.values())),
            st.sampled_from([0.999, 1.001, 0.99, 1.01]),
        )


def setting(where: dict[str, tuple[float, float]], params: MatchParams, step: int) -> Setting:
    today = params.today
    return Setting(
        where=where,
        district=st.sampled_from(sorted(where)),
        available=AVAILABLE[step],
        fixed=FIXED[step],
        # The likelier a branch passes the constraints, the earlier it comes: Hypothesis favours it.
        birth_date=st.one_of(
            st.dates(date(1935, 1, 1), today),
            st.one_of(*(near(today, age) for age in MIN_AGES)),
            LEAP_BIRTHS,
            st.none(),
        ),
        certificate=st.one_of(
            st.dates(today - timedelta(days=300), today),
            near(today, params.certificate_valid_years),
            ANY_INSPECTION,
            LEAP_INSPECTIONS,
            st.none(),
        ),
        one_off_date=st.one_of(st.none(), st.dates(today - timedelta(days=10), today + timedelta(days=60))),
    )


@st.composite
def volunteers(draw: st.DrawFn, vid: int, world: Setting) -> VolunteerProfile:
    district = draw(world.district)
    location = world.where[district]
    text = draw(TEXTS)
    at_capacity = draw(RARELY)
    most = draw(st.integers(0 if at_capacity else 1, 3))
    return VolunteerProfile(
        id=vid,
        text=text,
        skills=draw(VOLUNTEER_SKILLS),
        languages=draw(SPOKEN),
        slots=draw(world.available),
        district=district,
        location=location,
        travel_radius_km=draw(st.one_of(RADII, world.aimed_radius(location))),
        birth_date=draw(world.birth_date),
        certificate_inspected_on=draw(world.certificate),
        max_active_pairings=most,
        active_pairings=draw(st.integers(most, most + 1) if at_capacity else st.integers(0, most - 1)),
        paused=draw(RARELY),
        times_proposed=draw(st.integers(0, 10)),
    )


@st.composite
def needs(draw: st.DrawFn, nid: int, world: Setting) -> NeedProfile:
    district = draw(world.district)
    text = draw(TEXTS)
    return NeedProfile(
        id=nid,
        text=text,
        skills=draw(NEED_SKILLS),
        required_languages=draw(REQUIRED),
        welcome_languages=draw(WELCOME),
        slots=draw(world.fixed),
        district=district,
        location=world.where[district],
        one_off_date=draw(world.one_off_date),
        requires_certificate=draw(SOMETIMES),
        min_age=draw(MIN_AGE),
        open_places=draw(OPEN_PLACES),
        paused=draw(RARELY),
    )


WEIGHT = st.floats(0.0, 1.0, allow_nan=False, allow_subnormal=False)


@st.composite
def match_params(draw: st.DrawFn) -> MatchParams:
    result = MatchParams(
        today=draw(st.sampled_from(TODAYS)),
        top_k=draw(st.integers(1, 4)),
        min_score=draw(st.sampled_from([0.0, 0.1, 0.2, 0.3, 0.5])),
        certificate_valid_years=draw(st.integers(1, 6)),
        random_state=draw(st.integers(0, 3)),
    )
    if draw(st.booleans()):
        weights: dict[str, Any] = {name: draw(WEIGHT) for name in vars(result) if name.startswith("weight_")}
        result = replace(result, **weights)
    return result


@st.composite
def worlds(draw: st.DrawFn, max_volunteers: int = 10, max_needs: int = 6) -> World:
    """Volunteers and needs with distinct ids in arbitrary order (the ids of the two kinds may clash)."""
    params = draw(match_params())
    step = draw(st.sampled_from([15, 15, 30, 5, 1]))  # slot times: multiples of `step` minutes
    shared = setting(draw(places()), params, step)
    ids = st.integers(1, 10_000)
    volunteer_ids = draw(st.lists(ids, max_size=max_volunteers, unique=True))
    need_ids = draw(st.lists(ids, max_size=max_needs, unique=True))
    # Stored profiles mostly carry the embedding of their text; older ones have none.
    embedded = [f"v{vid}" for vid in volunteer_ids] + [f"n{nid}" for nid in need_ids]
    return World(
        plain_volunteers=[draw(volunteers(vid, shared)) for vid in volunteer_ids],
        plain_needs=[draw(needs(nid, shared)) for nid in need_ids],
        params=params,
        embedded=frozenset(key for key in embedded if draw(st.integers(0, 3)) != 1),
    )
