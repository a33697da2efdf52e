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
