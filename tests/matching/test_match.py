"""The matcher's behaviour: hard constraints, ranking across languages, reasons, top-k, determinism."""

from dataclasses import replace
from datetime import date

import pytest

from matching.pipeline import explain_exclusions, match
from matching.types import MatchParams, NeedProfile, Slot, VolunteerProfile

TODAY = date(2026, 11, 25)
HAKEN = (47.8712, 10.6318)
KERNSTADT = (47.8806, 10.6222)
NEUGABLONZ = (47.9068, 10.6540)
PARAMS = MatchParams(today=TODAY, min_score=0.0)


def volunteer(vid: int = 1, **fields: object) -> VolunteerProfile:
    base = VolunteerProfile(
        id=vid,
        text="Hausaufgaben Mathe",
        skills=frozenset({"homework_help"}),
        languages={"de": "C1", "tr": "native"},
        slots=(Slot(1, 14 * 60, 18 * 60),),
        district="haken",
        location=HAKEN,
        travel_radius_km=5,
        birth_date=date(1990, 1, 1),
        certificate_inspected_on=date(2025, 1, 1),
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def need(nid: int = 1, **fields: object) -> NeedProfile:
    base = NeedProfile(
        id=nid,
        text="Hausaufgabenhilfe Mathematik für Drittklässler",
        skills=frozenset({"homework_help"}),
        required_languages=frozenset(),
        welcome_languages=frozenset({"tr"}),
        slots=(Slot(1, 15 * 60, 17 * 60),),
        district="haken",
        location=HAKEN,
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def pairs(
    volunteers: list[VolunteerProfile], needs: list[NeedProfile], params: MatchParams = PARAMS
) -> set[tuple[int, int]]:
    return {(p.volunteer_id, p.need_id) for p in match(volunteers, needs, params)}


def test_an_eligible_pair_is_proposed() -> None:
    assert pairs([volunteer()], [need()]) == {(1, 1)}


@pytest.mark.parametrize(
    ("volunteer_fields", "need_fields", "constraint"),
    [
        ({"paused": True}, {}, "paused"),
        ({}, {"paused": True}, "paused"),
        ({}, {"open_places": 0}, "no_places"),
        ({"active_pairings": 2, "max_active_pairings": 2}, {}, "at_capacity"),
        ({"certificate_inspected_on": None}, {"requires_certificate": True}, "certificate"),
        ({"certificate_inspected_on": date(2020, 1, 1)}, {"requires_certificate": True}, "certificate"),
        ({"birth_date": date(2010, 1, 1)}, {"min_age": 18}, "min_age"),
        ({"birth_date": None}, {"min_age": 18}, "min_age"),
        (
            {"languages": {"de": "C1", "tr": "A2"}},
            {"required_languages": frozenset({"tr"})},
            "required_languages",
        ),
        ({"slots": (Slot(2, 15 * 60, 17 * 60),)}, {}, "fixed_times"),
        ({"district": "neugablonz", "location": NEUGABLONZ, "travel_radius_km": 2}, {}, "travel_radius"),
    ],
)
def test_each_hard_constraint_excludes_the_pair(
    volunteer_fields: dict[str, object], need_fields: dict[str, object], constraint: str
) -> None:
    v, n = volunteer(**volunteer_fields), need(**need_fields)
    assert pairs([v], [n]) == set()
    assert explain_exclusions([v], n, PARAMS)[constraint] == 1


def test_constraints_that_are_met_let_the_pair_through() -> None:
    v = volunteer(languages={"de": "C1", "tr": "B1"}, birth_date=date(2000, 1, 1))
    n = need(required_languages=frozenset({"tr"}), min_age=18, requires_certificate=True)
    assert pairs([v], [n]) == {(1, 1)}
    assert set(explain_exclusions([v], n, PARAMS).values()) == {0}


def test_a_need_without_fixed_times_accepts_any_availability() -> None:
    assert pairs([volunteer(slots=())], [need(slots=())]) == {(1, 1)}


def test_german_compounds_rank_the_right_need_first() -> None:
    needs = [
        need(1, text="Fahrradwerkstatt für Jugendliche", skills=frozenset()),
        need(2, text="Hausaufgabenhilfe Mathematik", skills=frozenset()),
        need(3, text="Nähcafé im Mehrgenerationenhaus", skills=frozenset()),
    ]
    v = volunteer(text="Hausaufgaben Mathe", skills=frozenset())
    assert match([v], needs, PARAMS)[0].need_id == 2


def test_a_turkish_profile_with_tags_finds_the_german_need() -> None:
    needs = [
        need(1, text="Fußballtraining E-Jugend", skills=frozenset({"sports"})),
        need(2, text="Hausaufgabenhilfe Mathematik", skills=frozenset({"homework_help", "maths_tutoring"})),
    ]
    v = volunteer(text="ödev yardımı, matematik", skills=frozenset({"homework_help", "maths_tutoring"}))
    assert match([v], needs, PARAMS)[0].need_id == 2


def test_reasons_name_what_matched() -> None:
    (proposal,) = match([volunteer()], [need()], PARAMS)
    reasons = proposal.reasons
    assert reasons["shared_skills"] == ["homework_help"]
    assert reasons["shared_languages"] == ["tr"]
    assert reasons["matching_slots"] == [[1, 15 * 60, 17 * 60]]
    assert reasons["same_district"] is True
    assert reasons["distance_km"] == 0.0
    assert reasons["requirements_met"] == ["fixed_times"]
    assert reasons["strongest"] in {"text", "skills", "languages", "time", "distance"}
    assert 0.0 < proposal.score <= 1.0


def test_distance_between_districts_is_reported() -> None:
    v = volunteer(district="kernstadt", location=KERNSTADT)
    (proposal,) = match([v], [need()], PARAMS)
    assert proposal.reasons["same_district"] is False
    assert 1.0 < proposal.reasons["distance_km"] < 2.0


def test_union_of_top_k_per_need_and_per_volunteer() -> None:
    volunteers = [volunteer(i) for i in range(1, 7)]
    needs = [need(j) for j in range(1, 4)]
    params = replace(PARAMS, top_k=2)
    proposals = match(volunteers, needs, params)
    per_need = {j: sum(1 for p in proposals if p.need_id == j) for j in range(1, 4)}
    per_volunteer = {i: sum(1 for p in proposals if p.volunteer_id == i) for i in range(1, 7)}
    # Each side gets at least its own best two; the union stays below all 18 pairs.
    assert all(count >= 2 for count in per_volunteer.values())
    assert all(count >= 2 for count in per_need.values())
    assert len(proposals) < 18


def test_min_score_filters_weak_pairs() -> None:
    weak = volunteer(text="Fahrrad reparieren", skills=frozenset(), languages={"de": "C1"})
    assert pairs([weak], [need()], replace(PARAMS, min_score=0.9)) == set()


def test_same_input_same_output() -> None:
    volunteers = [volunteer(i, text=t) for i, t in enumerate(["Mathe", "Fußball", "Kochen", "ödev"], start=1)]
    needs = [need(j, text=t) for j, t in enumerate(["Hausaufgaben", "Sport", "Kochabend"], start=1)]
    assert match(volunteers, needs, PARAMS) == match(list(volunteers), list(needs), PARAMS)


def test_empty_inputs_and_empty_texts() -> None:
    assert match([], [need()], PARAMS) == []
    assert match([volunteer()], [], PARAMS) == []
    assert pairs([volunteer(text="")], [need(text="")]) == {(1, 1)}


def test_a_one_off_need_matches_on_its_weekday() -> None:
    friday = date(2026, 12, 4)
    n = need(one_off_date=friday, slots=(Slot(friday.weekday(), 10 * 60, 12 * 60),))
    assert pairs([volunteer(slots=(Slot(4, 9 * 60, 13 * 60),))], [n]) == {(1, 1)}
    assert pairs([volunteer(slots=(Slot(3, 9 * 60, 13 * 60),))], [n]) == set()
