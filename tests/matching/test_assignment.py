"""assign(): bounds never exceeded, optimal against a MILP reference, deterministic, spreads proposals."""

import itertools
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_array

from matching import assignment
from matching.assignment import assign

Pairs = list[tuple[int, int, float]]


def run(
    pairs: Pairs, capacity: Mapping[int, int], places: Mapping[int, int], **options: Any
) -> NDArray[np.bool_]:
    volunteers, needs, scores = (
        (list(column) for column in zip(*pairs, strict=True)) if pairs else ([], [], [])
    )
    return assign(volunteers, needs, scores, capacity, places, **options)


def chosen(pairs: Pairs, mask: NDArray[np.bool_]) -> set[tuple[int, int]]:
    return {(v, n) for (v, n, _), keep in zip(pairs, mask, strict=True) if keep}


def volunteer_bound(capacity: int, per_volunteer: int | None) -> int:
    return max(capacity, 0) if per_volunteer is None else min(max(capacity, 0), per_volunteer)


def objective(pairs: Pairs, mask: NDArray[np.bool_], spread: float) -> float:
    """Σ score − spread × (0 + 1 + … + (k − 1)) per volunteer with k proposals."""
    counts: dict[int, int] = {}
    total = 0.0
    for (v, _, score), keep in zip(pairs, mask, strict=True):
        if keep:
            total += score - spread * counts.get(v, 0)
            counts[v] = counts.get(v, 0) + 1
    return total


def assert_feasible(
    pairs: Pairs,
    mask: NDArray[np.bool_],
    capacity: Mapping[int, int],
    places: Mapping[int, int],
    per_place: int,
    per_volunteer: int | None,
) -> None:
    taken = [pair for pair, keep in zip(pairs, mask, strict=True) if keep]
    for v in capacity:
        assert sum(1 for pv, _, _ in taken if pv == v) <= volunteer_bound(capacity[v], per_volunteer)
    for n in places:
        assert sum(1 for _, pn, _ in taken if pn == n) <= max(places[n], 0) * per_place
    assert all(np.isfinite(score) and score > 0 for _, _, score in taken)


def reference(
    pairs: Pairs,
    capacity: Mapping[int, int],
    places: Mapping[int, int],
    per_place: int,
    per_volunteer: int | None,
    spread: float,
) -> float:
    """The optimum by a binary MILP written independently of assign's LP.

    x_p: pair p is chosen; z_vk: volunteer v has at least k proposals, costing (k − 1) × spread;
    Σ_p∈v x_p = Σ_k z_vk, so the cheapest z fill first.
    """
    usable = [(v, n, s) for v, n, s in pairs if np.isfinite(s) and s > 0]
    volunteers = sorted(capacity)
    needs = sorted(places)
    bound = {v: volunteer_bound(capacity[v], per_volunteer) for v in volunteers}
    z_start = len(usable)
    z_of = {v: z_start + sum(bound[w] for w in volunteers[:i]) for i, v in enumerate(volunteers)}
    size = z_start + sum(bound.values())
    if size == 0:
        return 0.0
    cost = np.zeros(size)
    for p, (_, _, score) in enumerate(usable):
        cost[p] = -score
    for v in volunteers:
        for k in range(bound[v]):
            cost[z_of[v] + k] = spread * k
    rows = lil_array((len(volunteers) + len(needs), size))
    upper = np.zeros(len(volunteers) + len(needs))
    lower = np.zeros(len(volunteers) + len(needs))
    for i, v in enumerate(volunteers):
        for p, (pv, _, _) in enumerate(usable):
            if pv == v:
                rows[i, p] = 1
        for k in range(bound[v]):
            rows[i, z_of[v] + k] = -1
    for j, n in enumerate(needs):
        for p, (_, pn, _) in enumerate(usable):
            if pn == n:
                rows[len(volunteers) + j, p] = 1
        upper[len(volunteers) + j] = max(places[n], 0) * per_place
        lower[len(volunteers) + j] = -np.inf
    result = milp(
        cost,
        constraints=LinearConstraint(rows.tocsr(), lower, upper),
        bounds=Bounds(0, 1),
        integrality=np.ones(size),
    )
    assert result.status == 0, result.message
    return float(-result.fun)


def random_instance(
    rng: np.random.Generator, volunteers: int, needs: int, density: float, popular: int = 0
) -> tuple[Pairs, dict[int, int], dict[int, int]]:
    """Ids far from positions; a few popular volunteers are candidates of every need; scores tie often."""
    volunteer_ids = (rng.permutation(volunteers) * 7 + 100).tolist()
    need_ids = (rng.permutation(needs) * 5 + 3).tolist()
    pairs: Pairs = []
    for i, v in enumerate(volunteer_ids):
        for n in need_ids:
            if i < popular or rng.random() < density:
                pairs.append((v, n, float(rng.choice([0.3, 0.5, 0.55, 0.6, 0.8, 0.9]))))
    capacity = {v: int(rng.integers(0, 4)) for v in volunteer_ids}
    places = {n: int(rng.integers(0, 3)) for n in need_ids}
    return pairs, capacity, places


def test_the_best_total_is_chosen_within_the_bounds() -> None:
    # Need 1 has one place, need 2 two; volunteer 10 can take one need, 11 and 12 two each.
    pairs = [(10, 1, 0.9), (10, 2, 0.8), (11, 1, 0.7), (11, 2, 0.6), (12, 2, 0.5)]
    mask = run(pairs, {10: 1, 11: 2, 12: 2}, {1: 1, 2: 2}, per_place=1, spread=0.0)

    # Greedy would give 10 need 1 and leave need 2 with 11 and 12 (0.9 + 0.6 + 0.5 = 2.0);
    # 10 on need 2, 11 on both is better (0.8 + 0.7 + 0.6 = 2.1).
    assert chosen(pairs, mask) == {(10, 2), (11, 1), (11, 2)}


def test_a_need_gets_per_place_proposals_per_open_place() -> None:
    pairs = [(v, 1, 0.5 + v / 100) for v in range(1, 10)] + [(v, 2, 0.5 + v / 100) for v in range(1, 10)]
    capacity = dict.fromkeys(range(1, 10), 2)

    mask = run(pairs, capacity, {1: 1, 2: 2}, per_place=3, per_volunteer=1, spread=0.0)

    per_need = {
        n: sum(1 for (_, pn, _), keep in zip(pairs, mask, strict=True) if keep and pn == n) for n in (1, 2)
    }
    assert per_need == {1: 3, 2: 6}


def test_the_assignment_spreads_where_greedy_top_k_gives_one_volunteer_everything() -> None:
    # Volunteer 1 is everyone's first choice; 2, 3 and 4 are nearly as good for one need each.
    pairs = [(1, n, 0.9) for n in (1, 2, 3)] + [(v, v - 1, 0.85) for v in (2, 3, 4)]
    capacity = dict.fromkeys(range(1, 5), 3)
    places = dict.fromkeys((1, 2, 3), 1)
    greedy_top_1 = {(max((p for p in pairs if p[1] == n), key=lambda p: p[2])[0], n) for n in places}
    assert greedy_top_1 == {(1, 1), (1, 2), (1, 3)}

    spread = run(pairs, capacity, places, per_place=1, per_volunteer=None, spread=0.05)
    plain = run(pairs, capacity, places, per_place=1, per_volunteer=None, spread=0.0)
    capped = run(pairs, capacity, places, per_place=1, per_volunteer=1, spread=0.0)

    # 0.9 + 0.85 + 0.85 = 2.6 beats 0.9 + 0.85 + 0.8 = 2.55 (volunteer 1 charged 0.05 and 0.10).
    assert sum(1 for v, _ in chosen(pairs, spread) if v == 1) == 1
    assert len(chosen(pairs, spread)) == 3
    assert chosen(pairs, plain) == greedy_top_1  # without a spread, the plain total decides: 2.7
    assert sum(1 for v, _ in chosen(pairs, capped) if v == 1) == 1


def test_a_clearly_better_volunteer_still_gets_a_second_need() -> None:
    pairs = [(1, 1, 0.9), (1, 2, 0.9), (2, 1, 0.5), (3, 2, 0.5)]

    mask = run(pairs, dict.fromkeys((1, 2, 3), 2), {1: 1, 2: 1}, per_place=1, spread=0.05)

    assert chosen(pairs, mask) == {(1, 1), (1, 2)}


def test_zero_capacity_zero_places_and_useless_scores_are_never_chosen() -> None:
    pairs = [(1, 1, 0.9), (2, 2, 0.9), (3, 3, 0.0), (3, 4, -0.5), (3, 5, float("nan")), (3, 6, float("-inf"))]
    capacity = {1: 0, 2: 3, 3: 5}
    places = {1: 1, 2: 0, 3: 1, 4: 1, 5: 1, 6: 1}

    assert not run(pairs, capacity, places).any()
    assert not run(pairs, capacity, places, per_place=0).any()
    assert not run([(1, 1, 0.9)], {1: 2}, {1: 1}, per_volunteer=0).any()
    assert not run([(1, 1, 0.9)], {1: -1}, {1: 1}).any()  # more active pairings than allowed


def test_empty_input_gives_an_empty_mask() -> None:
    mask = assign(np.array([], dtype=np.int64), [], np.array([]), {}, {})

    assert mask.dtype == np.bool_
    assert mask.shape == (0,)


def test_the_mask_follows_the_input_order() -> None:
    pairs = [(5, 9, 0.2), (1, 9, 0.9), (3, 9, 0.5)]

    mask = run(pairs, dict.fromkeys((1, 3, 5), 1), {9: 1}, per_place=2)

    assert mask.tolist() == [False, True, True]


def test_the_result_depends_neither_on_the_input_order_nor_on_the_run() -> None:
    rng = np.random.default_rng(3)
    pairs, capacity, places = random_instance(rng, volunteers=40, needs=15, density=0.3, popular=3)
    first = chosen(pairs, run(pairs, capacity, places))

    for seed in range(3):
        shuffled = [pairs[i] for i in np.random.default_rng(seed).permutation(len(pairs))]
        assert chosen(shuffled, run(shuffled, capacity, places)) == first


def test_equal_candidates_are_decided_by_ids_alone() -> None:
    pairs = [(v, n, 0.5) for v in (4, 8, 15, 16, 23, 42) for n in (1, 2)]
    capacity = dict.fromkeys((4, 8, 15, 16, 23, 42), 1)
    results = {
        frozenset(chosen(order, run(order, capacity, {1: 1, 2: 1}, per_place=2)))
        for order in (pairs, pairs[::-1], pairs[3:] + pairs[:3])
    }

    assert len(results) == 1
    assert len(next(iter(results))) == 4


@pytest.mark.parametrize(
    ("volunteers", "needs", "density", "popular"), [(5, 4, 0.6, 0), (30, 10, 0.3, 4), (120, 30, 0.1, 6)]
)
@pytest.mark.parametrize("spread", [0.0, 0.05, 0.25])
@pytest.mark.parametrize("seed", range(4))
def test_optimal_against_a_milp_reference(
    volunteers: int, needs: int, density: float, popular: int, spread: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    pairs, capacity, places = random_instance(rng, volunteers, needs, density, popular)
    per_place, per_volunteer = int(rng.integers(1, 4)), [None, 1, 2][seed % 3]

    mask = run(pairs, capacity, places, per_place=per_place, per_volunteer=per_volunteer, spread=spread)

    assert_feasible(pairs, mask, capacity, places, per_place, per_volunteer)
    best = reference(pairs, capacity, places, per_place, per_volunteer, spread)
    assert objective(pairs, mask, spread) == pytest.approx(best, abs=1e-6)


def test_optimal_against_brute_force() -> None:
    rng = np.random.default_rng(11)
    for _ in range(20):
        pairs, capacity, places = random_instance(rng, volunteers=3, needs=3, density=0.8)
        mask = run(pairs, capacity, places, per_place=1, per_volunteer=None, spread=0.1)
        best = 0.0
        for subset in itertools.product([False, True], repeat=len(pairs)):
            candidate = np.array(subset, dtype=bool)
            feasible = all(
                sum(1 for (pv, _, _), k in zip(pairs, candidate, strict=True) if k and pv == v) <= capacity[v]
                for v in capacity
            ) and all(
                sum(1 for (_, pn, _), k in zip(pairs, candidate, strict=True) if k and pn == n) <= places[n]
                for n in places
            )
            if feasible:
                best = max(best, objective(pairs, candidate, 0.1))
        assert objective(pairs, mask, 0.1) == pytest.approx(best, abs=1e-9)


@st.composite
def candidate_graphs(draw: st.DrawFn) -> tuple[Pairs, dict[int, int], dict[int, int]]:
    volunteers = draw(st.lists(st.integers(-5, 40), min_size=1, max_size=7, unique=True))
    needs = draw(st.lists(st.integers(0, 1000), min_size=1, max_size=6, unique=True))
    score = st.one_of(st.sampled_from([0.0, 0.25, 0.5, 0.75, -0.1]), st.floats(0.01, 1.0))
    edges = draw(
        st.lists(st.tuples(st.sampled_from(volunteers), st.sampled_from(needs)), unique=True, max_size=30)
    )
    pairs = [(v, n, draw(score)) for v, n in edges]
    capacity = {v: draw(st.integers(-1, 3)) for v in volunteers}
    places = {n: draw(st.integers(0, 3)) for n in needs}
    return pairs, capacity, places


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    graph=candidate_graphs(),
    per_place=st.integers(0, 3),
    per_volunteer=st.one_of(st.none(), st.integers(0, 3)),
    spread=st.sampled_from([0.0, 0.05, 0.3]),
)
def test_bounds_hold_and_the_choice_is_optimal_on_random_graphs(
    graph: tuple[Pairs, dict[int, int], dict[int, int]],
    per_place: int,
    per_volunteer: int | None,
    spread: float,
) -> None:
    pairs, capacity, places = graph

    mask = run(pairs, capacity, places, per_place=per_place, per_volunteer=per_volunteer, spread=spread)

    assert mask.shape == (len(pairs),)
    assert_feasible(pairs, mask, capacity, places, per_place, per_volunteer)
    best = reference(pairs, capacity, places, per_place, per_volunteer, spread)
    assert objective(pairs, mask, spread) == pytest.approx(best, abs=1e-6)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (([1, 2], [1], [0.5]), "differ in length"),
        (([1, 1], [2, 2], [0.5, 0.6]), "more than once"),
        (([1], [3], [0.5]), "need_places lacks"),
        (([7], [2], [0.5]), "volunteer_capacity lacks"),
    ],
)
def test_malformed_input_is_rejected(
    arguments: tuple[list[int], list[int], list[float]], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        assign(*arguments, {1: 1}, {2: 1})


def test_negative_parameters_are_rejected() -> None:
    for options in ({"per_place": -1}, {"per_volunteer": -1}, {"spread": -0.1}, {"spread": float("nan")}):
        with pytest.raises(ValueError, match="must not be negative"):
            assign([1], [2], [0.5], {1: 1}, {2: 1}, **options)


def test_a_fractional_lp_answer_falls_back_to_the_milp(monkeypatch: pytest.MonkeyPatch) -> None:
    # Unimodularity rules this out in exact arithmetic; the guard is for numerical trouble.
    def fractional(cost: NDArray[np.float64], **_: object) -> SimpleNamespace:
        return SimpleNamespace(status=0, x=np.full(len(cost), 0.5), message="")

    monkeypatch.setattr(assignment, "linprog", fractional)
    pairs = [(1, 1, 0.9), (2, 1, 0.8), (1, 2, 0.7), (2, 2, 0.1)]

    mask = run(pairs, {1: 1, 2: 1}, {1: 1, 2: 1}, per_place=1, spread=0.0)

    assert chosen(pairs, mask) == {(1, 2), (2, 1)}
