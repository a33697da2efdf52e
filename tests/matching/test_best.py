import numpy as np

from matching.best import BestScores


def test_a_pool_gives_each_profile_its_k_best_scores_and_the_bar_to_beat() -> None:
    rng = np.random.default_rng(5)
    group = rng.integers(0, 30, 400)
    score = np.round(rng.random(400), 2)  # rounded: many ties
    best = BestScores.of_pool(group, score, k=4)
    for g in range(31):
        expected = sorted(score[group == g].tolist(), reverse=True)[:4]
        assert best.scores(g) == expected
    bars = best.bars(np.arange(31))
    for g in range(31):
        expected_bar = best.scores(g)[3] if len(best.scores(g)) == 4 else -np.inf
        assert bars[g] == expected_bar
    assert best.bars(np.array([30]))[0] == -np.inf  # no scores at all


def test_a_profile_with_fewer_than_k_scores_can_be_entered_by_anyone() -> None:
    best = BestScores.of_pool(np.array([7, 7, 8]), np.array([0.5, 0.9, 0.1]), k=3)
    assert best.scores(7) == [0.9, 0.5]
    assert best.bars(np.array([7, 8])).tolist() == [-np.inf, -np.inf]
    best.add(7, 0.2)
    assert best.bars(np.array([7])).tolist() == [0.2]
    assert BestScores.of_pool(np.array([], dtype=np.int64), np.array([]), k=3).scores(7) == []


def test_profiles_matched_after_a_full_run_keep_their_k_best() -> None:
    # A full run's rows are updated in place, or left for the dicts when their scores outgrow them;
    # ids 20 to 24 have no row at all.
    rng = np.random.default_rng(7)
    k = 3
    group, score = rng.integers(0, 20, 50), rng.random(50)
    best = BestScores.of_pool(group, score, k)
    expected = {g: sorted(score[group == g].tolist(), reverse=True)[:k] for g in range(26)}
    for _ in range(300):
        g = int(rng.integers(0, 25))
        if rng.random() < 0.8:
            value = float(rng.random())
            best.add(g, value)
            expected[g] = sorted([*expected[g], value], reverse=True)[:k]
        else:
            fresh = rng.random(int(rng.integers(0, 6)))
            best.replace(g, fresh)
            expected[g] = sorted(fresh.tolist(), reverse=True)[:k]
        assert [best.scores(g) for g in range(26)] == [expected[g] for g in range(26)]
        bars = [scores[k - 1] if len(scores) == k else -np.inf for scores in expected.values()]
        assert best.bars(np.arange(26)).tolist() == bars
