"""Each profile's k best scores, kept up to date as single profiles are matched."""

from itertools import repeat

import numpy as np
from numpy.typing import NDArray

MOVED = -1  # the count of a row whose profile's scores outgrew it: they are in the dicts


class BestScores:
    """The k best scores of each profile (descending), and the bar to beat to enter them: the k-th
    best, or -inf while a profile has fewer than k.

    A full run's scores are kept in one flat array, each profile's in a row of its own (at most k),
    updated in place: at city scale, Python lists of them took 70 MB, and twice that while being built
    at the end of the run, where its memory peaks. A profile without a row (added since), or whose
    scores outgrow the room of its row, is kept in dicts instead.
    """

    def __init__(self, k: int) -> None:
        self.k = k
        self._ids = np.zeros(0, dtype=np.int64)  # sorted: the profiles with a row, in row order
        self._starts = np.zeros(1, dtype=np.int64)  # row r is _values[_starts[r] : _starts[r + 1]]
        self._values = np.zeros(0, dtype=np.float64)
        self._counts = np.zeros(0, dtype=np.int64)  # a row's scores, first in it; MOVED: in the dicts
        self._best: dict[int, list[float]] = {}  # the profiles kept without a row
        self._bar: dict[int, float] = {}  # only those with k scores; kept beside for vectorised lookups

    @classmethod
    def of_pool(cls, group: NDArray[np.int64], score: NDArray[np.float64], k: int) -> "BestScores":
        """Per group id: its k best scores in the pool, vectorised: a full run's pool holds millions of
        pairs."""
        result = cls(k)
        if k <= 0 or not len(group):
            return result
        order = np.lexsort((-score, group))
        grouped = group[order]
        first = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
        result._ids = grouped[first]
        del grouped
        room = np.minimum(np.diff(np.r_[first, len(order)]), k)
        result._starts = np.r_[0, np.cumsum(room)]
        # Row r's j-th score is the j-th of its group in `order`: at first[r] + j there, _starts[r] + j here.
        taken = np.repeat(first - result._starts[:-1], room)
        taken += np.arange(len(taken))
        result._values = score[order[taken]]
        result._counts = room
        return result

    def scores(self, profile_id: int) -> list[float]:
        row = self._row(profile_id)
        if row is None:
            return self._best.get(profile_id, [])
        start = self._starts[row]
        return self._values[start : start + self._counts[row]].tolist()

    def bars(self, ids: NDArray[np.int64]) -> NDArray[np.float64]:
        """The bar of each id, without a Python loop over the rows (tens of thousands per new profile)."""
        result = np.full(len(ids), -np.inf)
        in_rows = np.zeros(len(ids), dtype=bool)
        if len(self._ids):
            rows = np.minimum(np.searchsorted(self._ids, ids), len(self._ids) - 1)
            counts = np.where(self._ids[rows] == ids, self._counts[rows], MOVED)
            in_rows = counts != MOVED
            full = counts >= self.k
            result[full] = self._values[self._starts[rows[full]] + self.k - 1]
        if self._bar:
            others = np.flatnonzero(~in_rows)
            lookup = map(self._bar.get, ids[others].tolist(), repeat(-np.inf))
            result[others] = np.fromiter(lookup, dtype=np.float64, count=len(others))
        return result

    def add(self, profile_id: int, value: float) -> None:
        self._keep(profile_id, sorted([*self.scores(profile_id), value], reverse=True)[: self.k])

    def replace(self, profile_id: int, scores: NDArray[np.float64]) -> None:
        """A profile matched afresh: its k best among `scores`."""
        if len(scores) > self.k:
            scores = np.partition(scores, len(scores) - self.k)[-self.k :]
        self._keep(profile_id, sorted(scores.tolist(), reverse=True))

    def _row(self, profile_id: int) -> int | None:
        """The profile's row, if its scores are in one."""
        row = int(np.searchsorted(self._ids, profile_id))
        if row < len(self._ids) and self._ids[row] == profile_id and self._counts[row] != MOVED:
            return row
        return None

    def _keep(self, profile_id: int, best: list[float]) -> None:
        """`best` (at most k, descending) as the profile's scores: in its row if they fit."""
        row = self._row(profile_id)
        if row is not None:
            start, stop = self._starts[row], self._starts[row + 1]
            if len(best) <= stop - start:
                self._values[start : start + len(best)] = best
                self._counts[row] = len(best)
                return
            self._counts[row] = MOVED
        self._best[profile_id] = best
        if self.k > 0 and len(best) >= self.k:
            self._bar[profile_id] = best[self.k - 1]
        else:
            self._bar.pop(profile_id, None)
