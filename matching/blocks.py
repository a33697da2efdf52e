"""Scoring one block of volunteers × needs, and keeping only pairs that can still be in a top k."""

import threading
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from matching.constraints import constraint_masks, eligible, make_block
from matching.features import NeedArrays, VolunteerArrays
from matching.scoring import SIGNALS, block_raw, combined, signals
from matching.types import MatchParams

Columns = dict[str, NDArray[np.generic]]


@dataclass(frozen=True)
class Chunk:
    """Row ranges of one block: volunteers[volunteers] × needs[needs]."""

    volunteers: slice
    needs: slice


def chunks(n_volunteers: int, n_needs: int, cells: int, max_side: int = 2048) -> list[Chunk]:
    """Blocks of at most `cells` pairs, square-ish so that each matrix product stays efficient.

    All volunteers against one range of needs, then the next range: what a block prepares for its
    needs (SplitText.wide_dense) serves every volunteer block in a row. With no rows on a side, one
    empty block: its (empty) result still says that nothing was found.
    """
    if not n_volunteers or not n_needs:
        return [Chunk(slice(0, n_volunteers), slice(0, n_needs))]
    v_size = max(1, min(n_volunteers, max_side, max(cells // max(1, min(n_needs, max_side)), 1)))
    n_size = max(1, min(n_needs, max(cells // v_size, 1)))
    return [
        Chunk(slice(v, min(v + v_size, n_volunteers)), slice(n, min(n + n_size, n_needs)))
        for n in range(0, n_needs, n_size)
        for v in range(0, n_volunteers, v_size)
    ]


class Bars:
    """The k best scores seen so far of each volunteer and each need, over the blocks scored so far:
    the k-th of them is a bar that the final k-th best reaches (the scores are of real, distinct pairs),
    so a pair below the bars of both its volunteer and its need cannot be in either top k.

    Kept as the k smallest negated float32 scores per row (unordered), the form near_top selects on:
    rounding to float32 keeps the order, so comparing rounded scores with the rounded bar never drops
    a pair that reaches the exact one. Threads scoring blocks side by side merge under one lock, so
    no pair's score can be counted twice.
    """

    def __init__(self, volunteers: int, needs: int, k: int) -> None:
        self.volunteer = np.full((volunteers, k), np.inf, dtype=np.float32)
        self.need = np.full((needs, k), np.inf, dtype=np.float32)
        self._lock = threading.Lock()

    def merge(self, best: NDArray[np.float32], side: str, rows: slice) -> NDArray[np.float32]:
        """Merges a block's k smallest per row into `side`'s (volunteer or need) rows; their new k-th."""
        seen = self.volunteer if side == "volunteer" else self.need
        with self._lock:
            both = np.concatenate([seen[rows], best], axis=1)
            seen[rows] = _k_smallest(both, seen.shape[1])
            return seen[rows].max(axis=1)

    def prune(self, parts: list[Columns]) -> None:
        """Keeps in each part of a pool the pairs that reach the bar of their volunteer or of their need:
        one pass, where an exact selection sorts. Once every block is merged, the bars are each side's
        exact k-th (rounded to float32), so what is left is the union of the top k's and their rounding
        ties. In place, part by part before they are joined: beside the parts there is only one part's
        copy, where pruning the joined pool would hold it twice (millions of pairs)."""
        with self._lock:  # blocks may be merging meanwhile: a row read half-merged could count a pair twice
            volunteer_bar, need_bar = self.volunteer.max(axis=1), self.need.max(axis=1)
        for i, part in enumerate(parts):
            low = np.negative(part["score"], dtype=np.float32)
            keep = low <= volunteer_bar[part["volunteer"]]
            keep |= low <= need_bar[part["need"]]
            parts[i] = {key: column[keep] for key, column in part.items()}


def candidates(
    v: VolunteerArrays, n: NeedArrays, chunk: Chunk, params: MatchParams, bars: Bars | None = None
) -> Columns:
    """The eligible pairs of one block that may be in a top k, with their signals.

    A pair in the top k of its need (over all volunteers) is in the top k of its column within this
    block and reaches the need's bar, and likewise for rows; so nothing that can win is dropped here.
    """
    block = make_block(v, n, chunk.volunteers, chunk.needs)
    ok = eligible(constraint_masks(v, n, block))
    raw = block_raw(v, n, block, params)
    score = combined(raw, params)
    ok &= score >= params.min_score
    np.copyto(score, -np.inf, where=~ok)
    rows, cols = np.nonzero(near_top(score, params.top_k, bars, chunk))
    # The signals of the candidates only: a block has millions of pairs, its candidates thousands.
    values = signals(raw.at(rows, cols))
    # Compact columns (int32 positions, float32 signals): at 100,000 × 10,000 the pool holds millions
    # of candidates; only the score, which decides the top k, keeps float64.
    return {
        "volunteer": (rows + chunk.volunteers.start).astype(np.int32),
        "need": (cols + chunk.needs.start).astype(np.int32),
        "score": score[rows, cols],
        "distance_km": block.distance_km[rows, cols].astype(np.float32),
        **{name: values[name].astype(np.float32) for name in SIGNALS},
    }


def near_top(
    score: NDArray[np.float64], k: int, bars: Bars | None = None, chunk: Chunk | None = None
) -> NDArray[np.bool_]:
    """Finite scores at least as high as the k-th highest of their row or of their column (ties included);
    with `bars`, as high as the k-th highest seen so far over all blocks (see Bars), which this block
    then joins.

    Selected on float32 copies: rounding is monotone, so the k-th highest rounded score is the rounded
    k-th highest, and every score at or above the k-th is still selected (ties of rounding may add a
    few). Half the bytes to move, and the rows of a C-ordered array select faster than its columns
    (measured here on a 976 × 2,049 block: 31 ms for both sides, against 60 ms in float64 by axis).
    """
    if k <= 0:
        return np.zeros(score.shape, dtype=bool)
    # The k-th largest as the k-th smallest of the negated scores: numpy's selection is several times
    # faster from the low end for a small k.
    low = np.negative(score, dtype=np.float32)
    by_row = _k_smallest(low, k)
    by_column = _k_smallest(np.ascontiguousarray(low.T), k)
    if bars is not None and chunk is not None:
        row_kth = bars.merge(by_row, "volunteer", chunk.volunteers)
        column_kth = bars.merge(by_column, "need", chunk.needs)
    else:
        row_kth, column_kth = by_row.max(axis=1), by_column.max(axis=1)
    # Ineligible pairs are -inf, +inf negated: never at or below a finite k-th, and excluded below
    # where a row or column has fewer than k (its k-th is +inf).
    result: NDArray[np.bool_] = (low <= row_kth[:, None]) | (low <= column_kth[None, :])
    result &= low < np.inf
    return result


def _k_smallest(low: NDArray[np.float32], k: int) -> NDArray[np.float32]:
    """Per row, the k smallest entries in no order, so that their largest is the k-th. A row of k or
    fewer comes whole with one +inf after it: it has no k-th yet, and all of it is kept."""
    if low.shape[1] <= k:
        return np.pad(low, ((0, 0), (0, 1)), constant_values=np.inf)
    # A copy of the k columns, not a view: a view would keep the whole partitioned block alive.
    return np.partition(low, k - 1, axis=1)[:, :k].copy()


def top_k_of_each(
    group: NDArray[np.generic], other: NDArray[np.generic], score: NDArray[np.float64], k: int
) -> NDArray[np.bool_]:
    """Marks, for each group value, its k best-scoring entries (ties: the lower `other` position)."""
    order = np.lexsort((other, -score, group))
    grouped = group[order]
    rank = np.arange(len(order)) - np.searchsorted(grouped, grouped, side="left")
    keep = np.zeros(len(order), dtype=bool)
    keep[order[rank < k]] = True
    return keep


def select(pool: Columns, k: int, volunteer_ids: NDArray[np.int64], need_ids: NDArray[np.int64]) -> Columns:
    """The union of each need's and each volunteer's k best pairs in the pool (ties: the lower id)."""
    score = np.asarray(pool["score"], dtype=np.float64)
    keep = top_k_of_each(pool["need"], volunteer_ids[pool["volunteer"]], score, k)
    keep |= top_k_of_each(pool["volunteer"], need_ids[pool["need"]], score, k)
    return {key: column[keep] for key, column in pool.items()}


def concatenate(parts: list[Columns]) -> Columns:
    """The parts' rows in one, emptying the parts column by column as each is copied: a pool holds
    millions of rows, and this way at most one column exists twice."""
    result = {key: np.concatenate([part.pop(key) for part in parts]) for key in list(parts[0])}
    parts.clear()
    return result
