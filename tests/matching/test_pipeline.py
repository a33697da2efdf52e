"""match(): the union of top-k per need and per volunteer, ties by id, chunking, reasons."""

import random
from collections.abc import Sequence

import pytest

from matching import features, matcher, scoring
from matching.matcher import Matcher
from matching.pipeline import match
from matching.scoring import SIGNALS
from matching.types import Proposal, Slot

from .profiles import TODAY, need, params, random_world, volunteer


def key(proposals: list[Proposal]) -> list[tuple[int, int, float]]:
    return [(p.volunteer_id, p.need_id, p.score) for p in proposals]


def test_the_result_is_the_union_of_top_k_per_need_and_per_volunteer() -> None:
    # Skill overlap decides: volunteer i has skills s1..si, need j asks for s1..s4 and text j.
    skills = [f"s{k}" for k in range(1, 5)]
    volunteers = [volunteer(i, skills=frozenset(skills[:i])) for i in range(1, 5)]
    needs = [need(j, skills=frozenset(skills)) for j in range(1, 4)]

    proposals = match(volunteers, needs, params(top_k=1))

    # Per need, volunteer 4 is best; per volunteer, ties between the equal needs go to the lowest id.
    assert sorted((p.volunteer_id, p.need_id) for p in proposals) == [
        (1, 1),
        (2, 1),
        (3, 1),
        (4, 1),
        (4, 2),
        (4, 3),
    ]


def test_proposals_are_ordered_by_score_then_ids() -> None:
    volunteers = [volunteer(i, skills=frozenset({"a"} if i % 2 else {"a", "b"})) for i in range(1, 7)]
    needs = [need(j, skills=frozenset({"a", "b"})) for j in range(1, 4)]
    proposals = match(volunteers, needs, params(top_k=10))
    assert key(proposals) == sorted(key(proposals), key=lambda row: (-row[2], row[0], row[1]))
    assert len(proposals) == 18


def test_the_same_input_in_any_order_gives_the_same_output() -> None:
    volunteers, needs = random_world(7, volunteers=29, needs=8)
    rng = random.Random(7)
    first = match(volunteers, needs, params(top_k=2))
    shuffled_v, shuffled_n = volunteers[:], needs[:]
    rng.shuffle(shuffled_v)
    rng.shuffle(shuffled_n)
    assert first == match(volunteers, needs, params(top_k=2))
    assert first == match(shuffled_v, shuffled_n, params(top_k=2))


@pytest.mark.parametrize("threads", [1, 2])
def test_blocks_and_pool_pruning_change_nothing(threads: int, monkeypatch: pytest.MonkeyPatch) -> None:
    volunteers, needs = random_world(3, volunteers=39, needs=11, skills="abcdefgh")
    whole = match(volunteers, needs, params(top_k=3))
    # Several threads score the blocks side by side; 4 × 11 blocks are not thin (the path of big runs),
    # and most text columns are wide (made dense per block).
    monkeypatch.setattr(scoring, "THIN_ROWS", 2)
    monkeypatch.setattr(features, "MAX_DENSE_COLUMNS", 4)
    blocks = Matcher(params(top_k=3, threads=threads), block_cells=4 * 11)
    assert blocks.fit(volunteers, needs).match_all() == whole
    monkeypatch.setattr(matcher, "POOL_LIMIT", 10)  # prune after every block
    assert blocks.fit(volunteers, needs).match_all() == whole


@pytest.mark.parametrize("seed", range(6))
def test_the_bars_raised_block_by_block_drop_no_pair_of_any_top_k(seed: int) -> None:
    # Small blocks, many of them per volunteer and per need: each block's selection is cut by the bars
    # that the blocks before it raised (matching.blocks.Bars), in one thread and in two.
    # Profiles in these worlds often tie exactly, and products of other shapes round differently in
    # the last bit, so which of two tied partners wins may differ: each side's k best scores may not.
    volunteers, needs = random_world(seed, volunteers=47, needs=23, skills="abcdefgh")
    for k in (1, 2, 4):
        whole = best_scores(match(volunteers, needs, params(top_k=k)), k)
        for threads, cells in ((1, 5 * 7), (2, 3 * 4), (2, 9 * 9)):
            blocks = Matcher(params(top_k=k, threads=threads), block_cells=cells)
            assert best_scores(blocks.fit(volunteers, needs).match_all(), k) == whole, (k, threads, cells)


def best_scores(proposals: Sequence[Proposal], k: int) -> dict[tuple[str, int], list[float]]:
    """Each volunteer's and each need's k best scores among the proposals: its own top k."""
    scores: dict[tuple[str, int], list[float]] = {}
    for p in proposals:
        scores.setdefault(("volunteer", p.volunteer_id), []).append(p.score)
        scores.setdefault(("need", p.need_id), []).append(p.score)
    return {key: sorted(values, reverse=True)[:k] for key, values in scores.items()}


def test_pairs_below_min_score_are_dropped() -> None:
    good = volunteer(1, skills=frozenset({"a", "b"}))
    weak = volunteer(2, skills=frozenset(), languages={}, district="neugablonz")
    the_need = need(skills=frozenset({"a", "b"}), welcome_languages=frozenset({"de"}))
    scores = {p.volunteer_id: p.score for p in match([good, weak], [the_need], params())}
    assert scores[1] > scores[2]
    threshold = (scores[1] + scores[2]) / 2
    assert [p.volunteer_id for p in match([good, weak], [the_need], params(min_score=threshold))] == [1]


def test_empty_and_single_inputs() -> None:
    assert match([], [], params()) == []
    assert match([], [need()], params()) == []
    assert match([volunteer()], [], params()) == []
    assert len(match([volunteer()], [need(j) for j in range(1, 20)], params(top_k=5))) == 19
    assert len(match([volunteer(i) for i in range(1, 20)], [need()], params(top_k=5))) == 19


def test_empty_and_wordless_texts_do_not_break_the_text_model() -> None:
    volunteers = [volunteer(1, text=""), volunteer(2, text="  !? "), volunteer(3, text="Mathe")]
    proposals = match(volunteers, [need(text=""), need(2, text="...")], params())
    assert len(proposals) == 6
    assert {p.reasons["text_similarity"] for p in proposals} == {0.0}


def test_reasons_explain_the_proposal() -> None:
    v = volunteer(
        text="Ich helfe gern bei Hausaufgaben in Mathe",
        skills=frozenset({"homework", "maths", "cooking"}),
        languages={"de": "native", "tr": "B2", "ar": "A1"},
        slots=(Slot(0, 14 * 60, 17 * 60), Slot(2, 9 * 60, 12 * 60)),
        district="haken",
        certificate_inspected_on=TODAY,
    )
    n = need(
        text="Hausaufgabenhilfe Mathematik",
        skills=frozenset({"homework", "maths", "reading"}),
        required_languages=frozenset({"tr"}),
        welcome_languages=frozenset({"ar", "uk"}),
        slots=(Slot(0, 16 * 60, 18 * 60), Slot(4, 9 * 60, 12 * 60)),
        requires_certificate=True,
        min_age=18,
    )

    (proposal,) = match([v], [n], params())

    reasons = proposal.reasons
    assert reasons["shared_skills"] == ["homework", "maths"]
    assert reasons["shared_languages"] == ["ar", "tr"]
    assert reasons["matching_slots"] == [[0, 16 * 60, 17 * 60]]
    assert reasons["same_district"] is False
    assert 1.0 < reasons["distance_km"] < 1.5
    assert 0.1 < reasons["text_similarity"] < 1.0
    assert reasons["requirements_met"] == ["certificate", "min_age", "required_languages", "fixed_times"]
    assert reasons["strongest"] == "skills"  # 0.30 × 2/3 beats 0.35 × the text similarity
    assert set(reasons) == {
        "shared_skills",
        "shared_languages",
        "matching_slots",
        "distance_km",
        "same_district",
        "text_similarity",
        "requirements_met",
        "strongest",
        "signals",
    }
    assert set(reasons["signals"]) == set(SIGNALS)


def test_the_score_is_the_weighted_sum_of_the_signals() -> None:
    # Only the distance signal is weighted: same district → 1.0; 1.2 km of a 4 km radius → 0.7.
    only_distance = params(
        weight_text=0,
        weight_skills=0,
        weight_languages=0,
        weight_time=0,
        weight_distance=2,
        weight_fairness=0,
    )
    near, far = volunteer(1, travel_radius_km=4.0), volunteer(2, district="haken", travel_radius_km=4.0)
    proposals = {p.volunteer_id: p for p in match([near, far], [need()], only_distance)}
    assert proposals[1].score == 1.0
    assert proposals[2].score == pytest.approx(1 - proposals[2].reasons["distance_km"] / 4, abs=0.01)
    assert {p.reasons["strongest"] for p in proposals.values()} == {"distance"}
    assert "distance" in SIGNALS
