"""Per need, how many more volunteers would qualify if one hard constraint were relaxed."""

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from matching.matcher import BLOCK_CELLS, Matcher
from matching.relaxation import RELAXABLE
from matching.types import NeedProfile, Slot, VolunteerProfile

from .profiles import need, params, random_world, volunteer

MONDAY_AFTERNOON = (Slot(0, 15 * 60, 17 * 60),)
# A need that sets every requirement, 4.2 km from the volunteers' Altstadt.
DEMANDING: dict[str, Any] = {
    "district": "neugablonz",
    "requires_certificate": True,
    "min_age": 18,
    "required_languages": frozenset({"tr"}),
    "slots": MONDAY_AFTERNOON,
}
# A volunteer who meets all of them.
QUALIFIED: dict[str, Any] = {
    "certificate_inspected_on": date(2024, 1, 10),
    "birth_date": date(1990, 1, 1),
    "languages": {"tr": "native", "de": "B2"},
    "slots": (Slot(0, 14 * 60, 18 * 60),),
    "travel_radius_km": 5.0,
}
# What fails each constraint on its own.
FAILS: dict[str, dict[str, Any]] = {
    "certificate": {"certificate_inspected_on": None},
    "min_age": {"birth_date": date(2010, 6, 1)},
    "required_languages": {"languages": {"tr": "A2", "de": "B2"}},
    "fixed_times": {"slots": (Slot(2, 9 * 60, 12 * 60),)},
    "travel_radius": {"travel_radius_km": 3.0},
}
# How many volunteers fail only that one: all different, so a count in the wrong place shows.
SINGLE = {"certificate": 3, "min_age": 1, "required_languages": 2, "fixed_times": 4, "travel_radius": 5}


def hand_made_world() -> tuple[list[VolunteerProfile], list[NeedProfile]]:
    volunteers = [volunteer(1, **QUALIFIED)]
    for name, how_many in SINGLE.items():
        for _ in range(how_many):
            volunteers.append(volunteer(len(volunteers) + 1, **{**QUALIFIED, **FAILS[name]}))
    first_uncounted = len(volunteers) + 1
    volunteers += [
        # Two failures: relaxing either alone would not let them in.
        volunteer(first_uncounted, **{**QUALIFIED, **FAILS["certificate"], **FAILS["min_age"]}),
        volunteer(first_uncounted + 1, **{**QUALIFIED, **FAILS["travel_radius"], **FAILS["fixed_times"]}),
        # Excluded by their own state, whatever the need asks.
        volunteer(first_uncounted + 2, paused=True, **{**QUALIFIED, **FAILS["certificate"]}),
        volunteer(
            first_uncounted + 3, active_pairings=2, max_active_pairings=2, **{**QUALIFIED, **FAILS["min_age"]}
        ),
    ]
    needs = [
        need(1, **DEMANDING),
        need(2),  # asks nothing, next door: everyone who is not paused or at capacity qualifies already
        need(3, paused=True, **DEMANDING),
        need(4, open_places=0, **DEMANDING),
    ]
    return volunteers, needs


@pytest.mark.parametrize("block_cells", [BLOCK_CELLS, 7])
def test_only_volunteers_failing_exactly_that_one_constraint_are_counted(block_cells: int) -> None:
    volunteers, needs = hand_made_world()
    matcher = Matcher(params(), block_cells=block_cells).fit(volunteers, needs)

    counted = matcher.relaxations()

    assert counted == {1: SINGLE, 2: dict.fromkeys(RELAXABLE, 0)}  # paused and full needs get none
    assert matcher.relaxations([1, 3]) == {1: SINGLE}


def test_a_volunteer_failing_two_constraints_counts_once_one_of_them_is_met() -> None:
    volunteers, needs = hand_made_world()
    matcher = Matcher(params()).fit(volunteers, needs)
    young = FAILS["min_age"]["birth_date"]
    two_failures = next(v for v in volunteers if v.certificate_inspected_on is None and v.birth_date == young)
    paused = next(v for v in volunteers if v.paused)

    matcher.upsert_volunteers([replace(two_failures, certificate_inspected_on=date(2025, 2, 1))])
    assert matcher.relaxations([1])[1] == {**SINGLE, "min_age": SINGLE["min_age"] + 1}
    matcher.upsert_volunteers([replace(paused, paused=False)])
    assert matcher.relaxations([1])[1] == {
        **SINGLE,
        "min_age": SINGLE["min_age"] + 1,
        "certificate": SINGLE["certificate"] + 1,
    }


def test_pending_profiles_count_as_a_fresh_fit_counts_them() -> None:
    volunteers, needs = random_world(3, volunteers=30, needs=6)
    # Varied requirements and places, so that every constraint excludes somebody.
    volunteers = [
        replace(
            v,
            district=("altstadt", "haken", "neugablonz")[v.id % 3],
            travel_radius_km=float(v.id % 6),
            certificate_inspected_on=date(2024, 1, 1) if v.id % 4 else None,
            birth_date=date(1990 + v.id % 25, 1, 1),
            languages={"de": "native", "tr": ("A2", "B1", "native")[v.id % 3]},
            slots=(Slot(v.id % 5, 14 * 60, 17 * 60),),
        )
        for v in volunteers
    ]
    needs = [
        replace(
            n,
            requires_certificate=bool(n.id % 2),
            min_age=(None, 16, 18, 30)[n.id % 4],
            required_languages=frozenset({"tr"}) if n.id % 3 else frozenset(),
            slots=(Slot(n.id % 5, 15 * 60, 16 * 60),) if n.id % 2 else (),
        )
        for n in needs
    ]
    warm = Matcher(params()).fit(volunteers[:-5], needs[:-1])
    warm.match_all()
    changed = [replace(volunteers[0], certificate_inspected_on=None), replace(needs[1], min_age=40)]
    warm.upsert_volunteers([*volunteers[-5:], changed[0]])
    warm.upsert_needs([needs[-1], changed[1]])

    fresh = Matcher(params()).fit([changed[0], *volunteers[1:]], [needs[0], changed[1], *needs[2:]])

    assert warm.relaxations() == fresh.relaxations()
    assert sum(sum(counts.values()) for counts in fresh.relaxations().values()) > 0
    assert warm.relaxations([needs[-1].id, needs[1].id]) == {
        i: fresh.relaxations()[i] for i in (needs[-1].id, needs[1].id)
    }
