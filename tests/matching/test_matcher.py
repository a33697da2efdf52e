"""The fitted Matcher: one new profile against a warm state, without refitting."""

import gc
import weakref
from dataclasses import replace

import numpy as np
import pytest

from matching import state
from matching.embedding import DIMENSIONS
from matching.matcher import Matcher
from matching.pipeline import match
from matching.types import NeedProfile, Proposal, VolunteerProfile

from .profiles import need, params, random_world, volunteer


def world(seed: int = 5) -> tuple[list[VolunteerProfile], list[NeedProfile]]:
    return random_world(seed, volunteers=39, needs=14)


def pairs(proposals: list[Proposal]) -> set[tuple[int, int]]:
    return {(p.volunteer_id, p.need_id) for p in proposals}


def test_a_dropped_matcher_is_freed_at_once_not_by_the_cyclic_collector() -> None:
    # A fitted state is 800 MB at 100,000 volunteers: kept alive by a reference cycle, it would wait for
    # a full collection, and a worker refitting in the meantime would hold two or three of them.
    volunteers, needs = world()
    matcher = Matcher(params(top_k=3)).fit(volunteers, needs)
    matcher.upsert_volunteers([volunteer(100, text="Hausaufgaben")])
    matcher.match_all()
    gone = weakref.ref(matcher)
    enabled = gc.isenabled()
    gc.disable()
    try:
        del matcher
        assert gone() is None
    finally:
        if enabled:
            gc.enable()


def test_a_volunteer_gets_their_top_k_needs_and_the_needs_whose_top_k_they_enter() -> None:
    volunteers, needs = world()
    # Every skill: they are among the best for many needs.
    newcomer = volunteer(100, text="Hausaufgaben Mathe Begleitung", skills=frozenset("abcdef"))
    matcher = Matcher(params(top_k=3)).fit([*volunteers, newcomer], needs)
    full = pairs([p for p in matcher.match_all() if p.volunteer_id == 100])
    assert len(full) > 3  # more than their own top 3: they also enter some needs' top 3
    assert pairs(matcher.match_volunteer(100)) == full


def test_a_new_volunteer_is_matched_on_the_warm_state_without_refitting() -> None:
    volunteers, needs = world()
    warm = Matcher(params(top_k=3)).fit(volunteers, needs)
    warm.match_all()
    encoder = warm.encoder
    newcomer = volunteer(100, text="Hausaufgaben Mathe Begleitung", skills=frozenset("ab"))
    warm.upsert_volunteers([newcomer])
    incremental = warm.match_volunteer(100)
    assert warm.encoder is encoder
    assert {p.volunteer_id for p in incremental} == {100} and len(incremental) >= 3
    # Its own top 3 equals what a fresh fit proposes (the vocabulary differs only by the new text).
    fresh = Matcher(params(top_k=3)).fit([*volunteers, newcomer], needs)
    best = sorted(fresh.match_volunteer(100), key=lambda p: (-p.score, p.need_id))[:3]
    assert {p.need_id for p in best} <= {p.need_id for p in incremental}


def test_matching_one_volunteer_scores_like_the_full_run_on_the_same_basis() -> None:
    volunteers, needs = world(9)
    matcher = Matcher(params(top_k=50)).fit(volunteers, needs)
    everything = {(p.volunteer_id, p.need_id): p.score for p in matcher.match_all()}
    for volunteer_id in (1, 17, 39):
        for proposal in matcher.match_volunteer(volunteer_id):
            assert everything[(proposal.volunteer_id, proposal.need_id)] == proposal.score
    for need_id in (2, 14):
        for proposal in matcher.match_need(need_id):
            assert everything[(proposal.volunteer_id, proposal.need_id)] == proposal.score


def test_an_upserted_profile_replaces_the_old_one_and_removed_ones_are_gone() -> None:
    volunteers, needs = world()
    matcher = Matcher(params(top_k=5)).fit(volunteers, needs)
    matcher.upsert_volunteers([volunteer(1, paused=True)])
    assert matcher.match_volunteer(1) == []
    assert len(matcher.volunteers.profiles) == len(volunteers)
    matcher.remove(volunteer_ids=[2], need_ids=[3])
    assert all(p.volunteer_id != 2 and p.need_id != 3 for p in matcher.match_all())
    assert matcher.match_need(3) == [] and matcher.match_volunteer(2) == []


def test_a_new_need_with_a_language_nobody_in_the_fit_speaks_excludes_everyone() -> None:
    volunteers, needs = world()
    matcher = Matcher(params()).fit(volunteers, needs)
    matcher.upsert_needs([need(50, required_languages=frozenset({"fa"}), skills=frozenset({"zz"}))])
    assert matcher.match_need(50) == []


def test_embeddings_carry_meaning_across_languages() -> None:
    # Two needs with unrelated spellings; the volunteer's embedding points at the second one.
    rng = np.random.default_rng(0)
    first, second = rng.standard_normal((2, DIMENSIONS)).astype(np.float32)
    close = second + 0.1 * rng.standard_normal(DIMENSIONS).astype(np.float32)
    unit = [v / np.linalg.norm(v) for v in (first, second, close)]
    needs = [
        need(1, text="Fahrradwerkstatt", embedding=unit[0]),
        need(2, text="Hausaufgaben", embedding=unit[1]),
    ]
    proposals = match([volunteer(1, text="ödev yardımı", embedding=unit[2])], needs, params())
    assert [p.need_id for p in proposals] == [2, 1]
    assert proposals[0].reasons["text_similarity"] > 0.5


def test_changes_wait_in_a_small_pending_part_until_the_next_full_use() -> None:
    volunteers, needs = world()
    matcher = Matcher(params(top_k=5)).fit(volunteers, needs)
    assert any(v == 1 for v, _ in pairs(matcher.match_all()))
    matcher.upsert_volunteers(
        [volunteer(1, paused=True), volunteer(200, text="Mathe", skills=frozenset("ab"))]
    )
    assert len(matcher.volunteers.arrays.ids) == len(volunteers)  # nothing copied yet
    assert matcher.match_volunteer(1) == [] and matcher.match_volunteer(200)
    after = pairs(matcher.match_all())
    assert len(matcher.volunteers.arrays.ids) == len(volunteers) + 1
    assert all(v != 1 for v, _ in after) and any(v == 200 for v, _ in after)


def test_needs_fill_their_top_k_as_volunteers_arrive_one_by_one() -> None:
    needs = [need(j, skills=frozenset("abc")) for j in range(1, 9)]
    matcher = Matcher(params(top_k=2)).fit([], needs)
    matcher.match_all()
    counts = []
    # Each arrival scores a little lower than the one before (proposed more often: fairness).
    for i in range(1, 7):
        matcher.upsert_volunteers([volunteer(i, skills=frozenset("abc"), times_proposed=i)])
        counts.append(len(matcher.match_volunteer(i)))
    # The first two enter every need (each has fewer than 2 yet); later ones only get their own top 2.
    assert counts == [8, 8, 2, 2, 2, 2]


def test_a_volunteer_whose_needs_went_away_can_be_entered_by_the_next_new_need() -> None:
    # k = 1. V's only eligible need A matches V's skills; W speaks no Turkish, which A requires.
    v = volunteer(1, skills=frozenset("ab"), languages={"de": "native", "tr": "native"})
    w = volunteer(2, skills=frozenset("c"))
    a = need(10, skills=frozenset("ab"), required_languages=frozenset({"tr"}))
    matcher = Matcher(params(top_k=1)).fit([v, w], [a])
    assert pairs(matcher.match_all()) == {(1, 10)}
    # A is paused; matching V again leaves V with no need at all, so any need may enter V's top 1.
    matcher.upsert_needs(
        [need(10, skills=frozenset("ab"), required_languages=frozenset({"tr"}), paused=True)]
    )
    assert matcher.match_need(10) == []
    assert matcher.match_volunteer(1) == []
    # C suits W better (skill c) and scores lower for V than A did: V gets it only as its top 1.
    matcher.upsert_needs([need(11, skills=frozenset("c"))])
    assert pairs(matcher.match_need(11)) == {(1, 11), (2, 11)}


def test_profiles_that_no_pairing_can_include_are_kept_last_and_not_scored() -> None:
    volunteers, needs = world()
    paused = volunteer(100, text="Hausaufgaben Mathe", skills=frozenset("abcdef"), paused=True)
    full = volunteer(101, skills=frozenset("abcdef"), max_active_pairings=1, active_pairings=1)
    closed = need(100, skills=frozenset("abcdef"), open_places=0)
    matcher = Matcher(params(top_k=3)).fit([paused, full, *volunteers], [closed, *needs])

    def rows_in_order() -> bool:
        for side in (matcher.volunteers, matcher.needs):
            flags = [p.matchable for p in side.profiles]
            if flags != sorted(flags, reverse=True) or side.matchable != sum(flags):
                return False
        return True

    assert rows_in_order() and matcher.volunteers.matchable == len(volunteers)
    assert {p.id for p in matcher.volunteers.profiles[-2:]} == {100, 101}
    before = pairs(matcher.match_all())
    assert before and not any(v in (100, 101) or n == 100 for v, n in before)
    # Back from the pause, the volunteer joins the matchable rows; the closed need reopens too.
    matcher.upsert_volunteers([replace(paused, paused=False)])
    matcher.upsert_needs([replace(closed, open_places=1)])
    proposed = pairs(matcher.match_all())
    assert rows_in_order() and matcher.volunteers.matchable == len(volunteers) + 1
    assert any(v == 100 for v, _ in proposed) and any(n == 100 for _, n in proposed)
    assert not any(v == 101 for v, _ in proposed)
    # The same as a fresh run on the same profiles.
    assert pairs(match(matcher.volunteers.profiles, matcher.needs.profiles, params(top_k=3))) == proposed


def test_one_profile_is_matched_against_pending_ones_as_if_they_were_merged() -> None:
    volunteers, needs = world()
    newcomer = volunteer(200, text="Hausaufgaben Mathe", skills=frozenset("abcdef"))
    new_need = need(100, text="Mathe Hausaufgaben", skills=frozenset("abcdef"))
    merged, unmerged = (Matcher(params(top_k=3)).fit(volunteers, needs) for _ in range(2))
    for matcher in (merged, unmerged):
        matcher.match_all()
        matcher.upsert_volunteers([newcomer, replace(volunteers[0], paused=True)])
        matcher.upsert_needs([new_need, replace(needs[0], paused=True)])
    merged.volunteers.consolidate()
    merged.needs.consolidate()
    main_rows = unmerged.volunteers.arrays
    found = pairs(unmerged.match_need(100))
    assert unmerged.volunteers.arrays is main_rows  # nothing copied
    assert found == pairs(merged.match_need(100)) and (200, 100) in found
    assert not any(v == volunteers[0].id for v, _ in found)
    found = pairs(unmerged.match_volunteer(200))
    assert found == pairs(merged.match_volunteer(200)) and (200, 100) in found
    assert not any(n == needs[0].id for _, n in found)


def test_pending_profiles_are_merged_once_there_are_many(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(state, "PENDING_LIMIT", 2)
    volunteers, needs = world()
    matcher = Matcher(params(top_k=3)).fit(volunteers, needs)
    matcher.upsert_volunteers([volunteer(200 + i, skills=frozenset("ab")) for i in range(2)])
    matcher.match_need(needs[0].id)
    assert len(matcher.volunteers.arrays.ids) == len(volunteers)  # two: still pending
    matcher.upsert_volunteers([volunteer(300, skills=frozenset("ab"))])
    matcher.match_need(needs[0].id)
    assert len(matcher.volunteers.arrays.ids) == len(volunteers) + 3 and not matcher.volunteers.pending
