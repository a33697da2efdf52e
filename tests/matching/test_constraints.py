"""Each hard constraint excludes exactly the pair that violates it, and explain_exclusions counts it."""

from datetime import date
from typing import Any

import numpy as np
import pytest

from matching.constraints import bitmap_product
from matching.pipeline import explain_exclusions, match
from matching.types import Slot

from .profiles import TODAY, need, params, volunteer

# (constraint, need changes, changes of the volunteer who violates it); the other volunteer is default.
CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("paused", {}, {"paused": True}),
    ("at_capacity", {}, {"active_pairings": 2, "max_active_pairings": 2}),
    ("certificate", {"requires_certificate": True}, {"certificate_inspected_on": None}),
    ("certificate", {"requires_certificate": True}, {"certificate_inspected_on": date(2021, 11, 25)}),
    ("min_age", {"min_age": 18}, {"birth_date": date(2008, 11, 26)}),
    ("min_age", {"min_age": 18}, {"birth_date": None}),
    ("required_languages", {"required_languages": frozenset({"tr"})}, {"languages": {"tr": "A2"}}),
    ("required_languages", {"required_languages": frozenset({"tr", "de"})}, {"languages": {"tr": "B1"}}),
    ("fixed_times", {"slots": (Slot(0, 16 * 60, 18 * 60),)}, {"slots": (Slot(0, 10 * 60, 16 * 60 + 15),)}),
    ("fixed_times", {"slots": (Slot(2, 16 * 60, 18 * 60),)}, {"slots": ()}),
    ("travel_radius", {"district": "neugablonz"}, {"travel_radius_km": 3.0}),
]
GOOD = {
    "certificate_inspected_on": date(2021, 11, 26),
    "birth_date": date(2008, 11, 25),
    "languages": {"tr": "native", "de": "B1"},
    "slots": (Slot(0, 14 * 60, 18 * 60), Slot(2, 17 * 60, 19 * 60)),
}


@pytest.mark.parametrize(("constraint", "need_changes", "violating"), CASES)
def test_a_hard_constraint_excludes_exactly_the_violating_volunteer(
    constraint: str, need_changes: dict[str, Any], violating: dict[str, Any]
) -> None:
    ok, bad = volunteer(1, **GOOD), volunteer(2, **{**GOOD, **violating})
    the_need = need(**need_changes)

    assert [(p.volunteer_id, p.need_id) for p in match([ok, bad], [the_need], params())] == [(1, 1)]
    excluded = explain_exclusions([ok, bad], the_need, params())
    assert excluded == {name: int(name == constraint) for name in excluded}


@pytest.mark.parametrize("need_changes", [{"paused": True}, {"open_places": 0}])
def test_a_paused_or_full_need_gets_nobody(need_changes: dict[str, Any]) -> None:
    the_need = need(**need_changes)
    assert match([volunteer(1), volunteer(2)], [the_need], params()) == []
    excluded = explain_exclusions([volunteer(1), volunteer(2)], the_need, params())
    assert excluded["paused" if "paused" in need_changes else "no_places"] == 2


def test_half_an_hour_of_shared_time_is_enough_but_two_quarter_hours_apart_are_not() -> None:
    fixed = need(slots=(Slot(3, 10 * 60, 12 * 60),))
    half_hour = volunteer(1, slots=(Slot(3, 11 * 60 + 30, 13 * 60),))
    scattered = volunteer(2, slots=(Slot(3, 9 * 60, 10 * 60 + 15), Slot(3, 11 * 60 + 45, 12 * 60 + 30)))
    assert [p.volunteer_id for p in match([half_hour, scattered], [fixed], params())] == [1]


def test_a_one_off_need_happens_on_the_weekday_of_its_date() -> None:
    # 2026-12-05 is a Saturday; the slot's own weekday (Monday) does not count.
    one_off = need(one_off_date=date(2026, 12, 5), slots=(Slot(0, 10 * 60, 12 * 60),))
    saturday = volunteer(1, slots=(Slot(5, 9 * 60, 13 * 60),))
    monday = volunteer(2, slots=(Slot(0, 9 * 60, 13 * 60),))

    proposals = match([saturday, monday], [one_off], params())

    assert [p.volunteer_id for p in proposals] == [1]
    assert proposals[0].reasons["matching_slots"] == [[5, 10 * 60, 12 * 60]]


def test_the_same_district_is_always_within_reach() -> None:
    homebody = volunteer(1, district="neugablonz", travel_radius_km=0.0)
    assert [p.volunteer_id for p in match([homebody], [need(district="neugablonz")], params())] == [1]
    assert match([homebody], [need(district="haken")], params()) == []


def test_a_certificate_counts_for_the_configured_years() -> None:
    inspected = volunteer(1, certificate_inspected_on=date(2023, 11, 25))
    needs_certificate = need(requires_certificate=True)
    assert match([inspected], [needs_certificate], params(certificate_valid_years=3)) == []
    assert len(match([inspected], [needs_certificate], params(certificate_valid_years=4))) == 1
    assert match([volunteer(1, certificate_inspected_on=TODAY)], [needs_certificate], params())


def test_explain_exclusions_counts_every_volunteer_a_constraint_excludes() -> None:
    the_need = need(requires_certificate=True, district="neugablonz")
    volunteers = [
        volunteer(1, travel_radius_km=1.0),
        volunteer(2, paused=True),
        volunteer(3, district="neugablonz"),
    ]
    assert explain_exclusions(volunteers, the_need, params()) == {
        "paused": 1,
        "no_places": 0,
        "at_capacity": 0,
        "certificate": 3,
        "min_age": 0,
        "required_languages": 0,
        "fixed_times": 0,
        "travel_radius": 1,
    }
    assert set(explain_exclusions([], the_need, params()).values()) == {0}


@pytest.mark.parametrize("shapes", [(1, 30), (30, 1), (12, 9)])
def test_bitmap_products_equal_the_float_products(shapes: tuple[int, int]) -> None:
    rng = np.random.default_rng(len(shapes) + shapes[0])
    left = (rng.random((shapes[0], 40)) < 0.3).astype(np.uint8)
    right = (rng.random((shapes[1], 40)) < 0.3).astype(np.uint8)
    weights = rng.integers(1, 5, 40).astype(np.float32)
    expected = (left * weights).astype(np.float64) @ right.T.astype(np.float64)
    np.testing.assert_array_equal(bitmap_product(left, right, weights), expected)
    np.testing.assert_array_equal(bitmap_product(left, right), left.astype(np.float64) @ right.T)
