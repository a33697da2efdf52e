"""Each profile's k best scores, kept up to date as single profiles are matched."""

from itertools import repeat

import numpy as np
from numpy.typing import NDArray


class BestScores:
    """The k best scores of each profile (descending), and the bar to beat to enter them: the k-th
    best, or -inf while a profile has fewer than k."""

    def __init__(self, k: int) -> None:
        self.k = k
        self._best: dict[int, list[float]] = {}
        self._bar: dict[int, float] = {}  # only profiles with k scores; kept beside for vectorised lookups

    @classmethod
    def of_pool(cls, group: NDArray[np.int64], score: NDArray[np.float64], k: int) -> "BestScores":
        """Per group id: its k best scores in the pool. Vectorised but for one dict entry per group:
        a full run's pool holds millions of pairs."""
        result = cls(k)
        if k <= 0 or not len(group):
            return result
        order = np.lexsort((-score, group))
        grouped, ordered = group[order], score[order]
        rank = np.arange(len(order)) - np.searchsorted(grouped, grouped, side="left")
        groups, values = grouped[rank < k], ordered[rank < k]
        starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
        ends = np.r_[starts[1:], len(groups)]
        flat = values.tolist()
        ids = groups[starts].tolist()
        result._best = {g: flat[a:b] for g, a, b in zip(ids, starts.tolist(), ends.tolist(), strict=True)}
        full = ends - starts >= k
        result._bar = dict(zip(groups[starts[full]].tolist(), values[ends[full] - 1].tolist(), strict=True))
        return result

    def scores(self, profile_id: int) -> list[float]:
        return self._best.get(profile_id, [])

    def bars(self, ids: NDArray[np.int64]) -> NDArray[np.float64]:
        """The bar of each id, without a Python loop of our own (tens of thousands per new profile)."""
        lookup = map(self._bar.get, ids.tolist(), repeat(-np.inf))
        return np.fromiter(lookup, dtype=np.float64, count=len(ids))

    def add(self, profile_id: int, value: float) -> None:
        self._keep(profile_id, sorted([*self.scores(profile_id), value], reverse=True)[: self.k])

    def replace(self, profile_id: int, scores: NDArray[np.float64]) -> None:
        """A profile matched afresh: its k best among `scores`."""
        if len(scores) > self.k:
            scores = np.partition(scores, len(scores) - self.k)[-self.k :]
        self._keep(profile_id, sorted(scores.tolist(), reverse=True))

    def _keep(self, profile_id: int, best: list[float]) -> None:
        self._best[profile_id] = best
        if self.k > 0 and len(best) >= self.k:
            self._bar[profile_id] = best[self.k - 1]
        else:
            self._bar.pop(profile_id, None)
