"""Learning the signal weights from coordinators' decisions, and falling back to the hand-set ones."""

from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.typing import NDArray

from matching.learning import LearnedWeights, apply, learn_weights
from matching.scoring import SIGNALS, weights
from matching.types import MatchParams

PARAMS = MatchParams(today=date(2026, 11, 25))
HAND_SET = weights(PARAMS)
DISTANCE = SIGNALS.index("distance")


def decisions(
    n: int, seed: int, favour: str | None = "distance"
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Uniform signals; coordinators approve when `favour` is high, or at random when it is None."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(size=(n, len(SIGNALS)))
    if favour is None:
        return x, rng.uniform(size=n) < 0.4
    return x, x[:, SIGNALS.index(favour)] + 0.15 * rng.normal(size=n) > 0.5


def assert_valid(learned: LearnedWeights) -> None:
    assert list(learned.weights) == list(SIGNALS)
    assert all(w >= 0 for w in learned.weights.values())
    assert sum(learned.weights.values()) == pytest.approx(1.0)


def test_learns_the_signal_the_coordinators_favour() -> None:
    # Distance weighs 0.1 by hand, text 0.35; these coordinators only look at distance.
    x, approved = decisions(300, seed=1)
    learned = learn_weights(x, approved, SIGNALS, HAND_SET)
    assert learned.source == "learned"
    assert_valid(learned)
    assert max(learned.weights, key=learned.weights.__getitem__) == "distance"
    assert learned.weights["distance"] > 0.6
    assert learned.cv_learned is not None and learned.cv_fallback is not None
    assert learned.cv_learned > 0.9 > learned.cv_fallback
    assert learned.gain == pytest.approx(learned.cv_learned - learned.cv_fallback)
    assert learned.gain_lower is not None and learned.gain_lower > 0


def test_ignores_a_signal_that_lowers_approval() -> None:
    # Approval falls with text similarity: the bound keeps its weight at 0 instead of negative.
    x, approved = decisions(300, seed=2, favour="skills")
    approved &= x[:, SIGNALS.index("text")] < 0.7
    learned = learn_weights(x, approved, SIGNALS, HAND_SET)
    assert learned.source == "learned"
    assert learned.weights["text"] == 0.0
    assert max(learned.weights, key=learned.weights.__getitem__) == "skills"


def test_is_deterministic_for_a_fixed_random_state() -> None:
    x, approved = decisions(200, seed=3)
    first = learn_weights(x, approved, SIGNALS, HAND_SET, random_state=7)
    assert learn_weights(x, approved, SIGNALS, HAND_SET, random_state=7) == first


def test_falls_back_below_min_decisions() -> None:
    x, approved = decisions(49, seed=4)
    learned = learn_weights(x, approved, SIGNALS, HAND_SET, min_decisions=50)
    assert (learned.source, learned.reason, learned.n_decisions) == ("fallback", "too_few_decisions", 49)
    assert learned.weights == pytest.approx(HAND_SET)
    assert learned.cv_learned is None and learned.gain is None


@pytest.mark.parametrize("value", [True, False])
def test_falls_back_with_one_class(value: bool) -> None:
    x, _ = decisions(100, seed=5)
    learned = learn_weights(x, np.full(100, value), SIGNALS, HAND_SET)
    assert (learned.source, learned.reason) == ("fallback", "one_class")
    assert learned.weights == pytest.approx(HAND_SET)


def test_falls_back_on_noise() -> None:
    # Decisions unrelated to the signals. The learned weights only win by chance, and the one-sided
    # test at 95 % lets that through in about 1 sample of 20 (here: 1, with seed 7); plain
    # "gain > 0" would adopt them in 8 of these 20.
    results = [
        learn_weights(*decisions(150, seed, favour=None), SIGNALS, HAND_SET, random_state=seed)
        for seed in range(20)
    ]
    assert sum(r.source == "learned" for r in results) <= 2
    assert sum(r.gain is not None and r.gain > 0 for r in results) >= 5
    for r in results:
        assert r.gain_lower is not None
        if r.source == "fallback":
            assert (r.reason, r.weights) == ("no_gain", pytest.approx(HAND_SET))
            assert r.gain_lower <= 0


def test_fallback_is_normalised_over_the_names() -> None:
    x, approved = decisions(10, seed=6)
    names = ["text", "distance"]
    learned = learn_weights(x[:, :2], approved, names, {"text": 3.0, "other": 5.0})
    assert learned.weights == {"text": 1.0, "distance": 0.0}
    uniform = learn_weights(x[:, :2], approved, names, {})
    assert uniform.weights == {"text": 0.5, "distance": 0.5}


def test_rejects_malformed_input() -> None:
    x, approved = decisions(60, seed=7)
    with pytest.raises(ValueError, match="n ×"):
        learn_weights(x[:, :3], approved, SIGNALS, HAND_SET)
    with pytest.raises(ValueError, match="distinct"):
        learn_weights(x[:, :2], approved, ["text", "text"], HAND_SET)
    with pytest.raises(ValueError, match="non-negative"):
        learn_weights(x, approved, SIGNALS, {"text": -1.0})


def test_apply_sets_the_weight_fields() -> None:
    x, approved = decisions(300, seed=1)
    params = apply(PARAMS, learn_weights(x, approved, SIGNALS, HAND_SET))
    assert max(weights(params), key=weights(params).__getitem__) == "distance"
    assert params.today == PARAMS.today and params.top_k == PARAMS.top_k


def test_apply_keeps_the_share_of_unlearned_signals_and_ignores_unknown_ones() -> None:
    params = apply(PARAMS, {"text": 1.0, "distance": 1.0, "unknown": 5.0})
    after = weights(params)
    for name in set(SIGNALS) - {"text", "distance"}:
        assert after[name] == pytest.approx(HAND_SET[name])
    assert after["text"] == pytest.approx(after["distance"])
    assert sum(after.values()) == pytest.approx(1.0)
    assert apply(PARAMS, {"unknown": 1.0}) == PARAMS


def test_apply_of_a_fallback_keeps_the_ranking() -> None:
    doubled = replace(PARAMS, **{f"weight_{name}": 2 * HAND_SET[name] for name in SIGNALS})  # type: ignore[arg-type]
    x, _ = decisions(10, seed=8)
    fallback = learn_weights(x, np.ones(10, dtype=bool), SIGNALS, weights(doubled))
    assert weights(apply(doubled, fallback)) == pytest.approx(HAND_SET)


@settings(max_examples=40, deadline=None)
@given(
    data=st.data(),
    n=st.integers(0, 80),
    min_decisions=st.integers(0, 60),
    random_state=st.integers(0, 2**31 - 1),
)
def test_always_returns_valid_weights(
    data: st.DataObject, n: int, min_decisions: int, random_state: int
) -> None:
    x = data.draw(hnp.arrays(np.float64, (n, len(SIGNALS)), elements=st.floats(0, 1)))
    approved = data.draw(hnp.arrays(np.bool_, n))
    fallback = data.draw(st.dictionaries(st.sampled_from(SIGNALS), st.floats(0, 10)))
    learned = learn_weights(x, approved, SIGNALS, fallback, min_decisions, random_state)
    assert_valid(learned)
    assert learned.n_decisions == n
    if learned.source == "learned":
        assert learned.gain is not None and learned.gain > 0
    scores = x @ np.array([learned.weights[name] for name in SIGNALS])
    assert np.all((scores >= -1e-12) & (scores <= 1 + 1e-12))
