"""The fitted matcher: everything against everything, or one new profile against a warm state.

A worker keeps one `Matcher` between tasks: fitting (vocabulary, indexes, arrays) happens once, a
new or changed profile is added with `upsert_*` on the fitted basis, and matching it scores one row
or one column instead of refitting anything.
"""

from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import partial
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray
from threadpoolctl import threadpool_limits

from matching.best import BestScores
from matching.blocks import Bars, Chunk, Columns, candidates, chunks, concatenate, select, top_k_of_each
from matching.features import Encoder, NeedArrays, VolunteerArrays, compress_weeks
from matching.proposals import Proposals
from matching.relaxation import relaxations
from matching.state import SideState
from matching.types import MatchParams, NeedProfile, Proposal, VolunteerProfile

ROUNDING = 1e-6  # scores closer than this are equal (float32 products summed in different orders)
BLOCK_CELLS = 2_000_000  # volunteers × needs per block at most: bounds memory to tens of MB at any scale
POOL_LIMIT = 4_000_000  # candidate pairs kept before pruning the pool to the top k of each side
BARS_MAX_K = 256  # the largest top k for which blocks share their best scores (see blocks.Bars)
BIG = 2**31 - 1  # a top k that keeps everything

P = TypeVar("P", VolunteerProfile, NeedProfile)
A = TypeVar("A", VolunteerArrays, NeedArrays)


class Matcher:
    def __init__(self, params: MatchParams, block_cells: int = BLOCK_CELLS) -> None:
        self.params = params
        self.block_cells = block_cells
        # The k best scores of each need and volunteer (descending), from the last full run and kept
        # up to date as single profiles are matched: a new profile enters their top k when it beats
        # the k-th; one with fewer than k takes anyone eligible.
        self.need_best = BestScores(params.top_k)
        self.volunteer_best = BestScores(params.top_k)

    def fit(self, volunteers: Sequence[VolunteerProfile], needs: Sequence[NeedProfile]) -> "Matcher":
        volunteers = sorted(volunteers, key=lambda profile: profile.id)
        needs = sorted(needs, key=lambda profile: profile.id)
        self.encoder = Encoder().fit(volunteers, needs)
        # The encoder's own method, not one of the matcher's: a bound method of the matcher kept by its
        # state would be a reference cycle, and a dropped matcher (800 MB at 100,000 volunteers) would
        # then wait for the cyclic collector instead of being freed at once.
        encode = partial(
            self.encoder.volunteers, today=self.params.today, valid_years=self.params.certificate_valid_years
        )
        self.volunteers: SideState[VolunteerProfile, VolunteerArrays] = SideState(volunteers, encode)
        self.needs: SideState[NeedProfile, NeedArrays] = SideState(needs, self.encoder.needs)
        self.need_best = BestScores(self.params.top_k)
        self.volunteer_best = BestScores(self.params.top_k)
        return self

    # -- everything ---------------------------------------------------------------------------------

    def match_all(
        self, assignment: bool = False, decided: Collection[tuple[int, int]] = ()
    ) -> Sequence[Proposal]:
        """The union of the best `top_k` volunteers per need and the best `top_k` needs per volunteer.

        Only eligible pairs (all hard constraints met) scoring at least `min_score` are proposed.
        Deterministic: ties are broken by id, and the result is ordered by score (descending), then
        volunteer id, then need id. With `assignment`, the candidates are then thinned to a set that
        respects open places and volunteers' capacities and spreads proposals (matching.assignment);
        `decided` (volunteer id, need id) pairs, which coordinators already approved or rejected, then
        take no place in it.
        """
        self.volunteers.consolidate()
        self.needs.consolidate()
        v_all, n_all = self.volunteers.arrays, self.needs.arrays
        if not len(v_all.ids) or not len(n_all.ids):
            return []
        v, n = compress_weeks(v_all, n_all)
        # Rows past `matchable` are excluded from every pair (SideState), so they are not scored.
        blocks = chunks(self.volunteers.matchable, self.needs.matchable, self.block_cells)
        parts: list[Columns] = []
        pooled = 0
        # Blocks are scored `threads` at a time, each on one core (BLAS capped to one thread meanwhile):
        # much of a block is numpy's element-wise work and selection, one core per call, and that
        # releases the interpreter lock. map() keeps the blocks' order, so the result is the same.
        threads = max(1, min(self.params.threads, len(blocks)))
        one_thread = replace(self.params, threads=1)
        k = self.params.top_k
        # The bars keep k scores per profile: for a large k they would cost more memory than they save.
        bars = Bars(len(v.ids), len(n.ids), k) if k <= BARS_MAX_K else None
        with threadpool_limits(limits=1 if threads > 1 else None), ThreadPoolExecutor(threads) as executor:
            for found in executor.map(lambda chunk: candidates(v, n, chunk, one_thread, bars), blocks):
                parts.append(found)
                pooled += len(found["score"])
                if pooled > POOL_LIMIT:  # a pair pruned here is beaten by top_k others on both sides
                    parts = [self._prune(parts, bars)]
                    pooled = len(parts[0]["score"])
        if bars is not None:
            bars.prune(parts)
        pool = self._select(concatenate(parts))
        self._remember_bars(pool)
        if assignment:
            if decided:
                pairs = zip(
                    v_all.ids[pool["volunteer"]].tolist(), n_all.ids[pool["need"]].tolist(), strict=True
                )
                open_pairs = np.array([pair not in decided for pair in pairs], dtype=bool)
                pool = {key: column[open_pairs] for key, column in pool.items()}
            pool = self._assign(pool)
        return self._proposals(pool, self.volunteers.profiles, self.needs.profiles, v_all, n_all)

    def _prune(self, parts: list[Columns], bars: Bars | None) -> Columns:
        """The parts in one pool, without the pairs beaten by top_k others on both sides: by the bars
        where there are any (one pass over each part, before they are joined), by exact selection
        where there are none or the bars leave too many."""
        if bars is not None:
            bars.prune(parts)
        pool = concatenate(parts)
        return pool if len(pool["score"]) <= POOL_LIMIT // 2 else self._select(pool)

    def _select(self, pool: Columns) -> Columns:
        return select(pool, self.params.top_k, self.volunteers.arrays.ids, self.needs.arrays.ids)

    def _remember_bars(self, pool: Columns) -> None:
        k = self.params.top_k
        score = np.asarray(pool["score"], dtype=np.float64)
        # One side's ids at a time: each is as long as the pool (millions of pairs).
        self.need_best = BestScores.of_pool(self.needs.arrays.ids[pool["need"]], score, k)
        self.volunteer_best = BestScores.of_pool(self.volunteers.arrays.ids[pool["volunteer"]], score, k)

    def _assign(self, pool: Columns) -> Columns:
        from matching.assignment import assign

        chosen = assign(
            self.volunteers.arrays.ids[pool["volunteer"]],
            self.needs.arrays.ids[pool["need"]],
            np.asarray(pool["score"], dtype=np.float64),
            volunteer_capacity={
                p.id: max(0, p.max_active_pairings - p.active_pairings) for p in self.volunteers.profiles
            },
            need_places={p.id: max(0, p.open_places) for p in self.needs.profiles},
        )
        return {key: column[chosen] for key, column in pool.items()}

    # -- one new profile ----------------------------------------------------------------------------

    def upsert_volunteers(self, profiles: Sequence[VolunteerProfile]) -> None:
        """Adds or replaces volunteers on the fitted basis (no refit)."""
        self.volunteers.upsert(profiles)

    def upsert_needs(self, profiles: Sequence[NeedProfile]) -> None:
        self.needs.upsert(profiles)

    def remove(self, volunteer_ids: Sequence[int] = (), need_ids: Sequence[int] = ()) -> None:
        self.volunteers.remove(volunteer_ids)
        self.needs.remove(need_ids)

    def match_volunteer(self, volunteer_id: int) -> Sequence[Proposal]:
        """A fitted volunteer against every fitted need: their own top k, and every need whose
        top k they enter (they beat its k-th best score at the last full run)."""
        found, parts = self.volunteers.one(volunteer_id), self.needs.parts()
        if found is None or not any(len(arrays.ids) for _, arrays, _ in parts):
            return []
        profile, v = found

        def against(n: NeedArrays, rows: int) -> list[Columns]:
            blocks = chunks(1, rows, self.block_cells, max_side=self.block_cells)
            return [candidates(v, n, Chunk(slice(0, 1), c.needs), self._everything()) for c in blocks]

        pool, needs, need_ids = _against_parts(parts, against, "need")
        chosen = self._one_side(pool, "volunteer", volunteer_id, need_ids, self.need_best)
        return Proposals(chosen, [profile], needs, v.ids, need_ids, self.params)

    def match_need(self, need_id: int) -> Sequence[Proposal]:
        """A fitted need against every fitted volunteer (the mirror of match_volunteer)."""
        found, parts = self.needs.one(need_id), self.volunteers.parts()
        if found is None or not any(len(arrays.ids) for _, arrays, _ in parts):
            return []
        profile, n = found

        def against(v: VolunteerArrays, rows: int) -> list[Columns]:
            blocks = chunks(rows, 1, self.block_cells, max_side=self.block_cells)
            return [candidates(v, n, Chunk(c.volunteers, slice(0, 1)), self._everything()) for c in blocks]

        pool, volunteers, volunteer_ids = _against_parts(parts, against, "volunteer")
        chosen = self._one_side(pool, "need", need_id, volunteer_ids, self.volunteer_best)
        return Proposals(chosen, volunteers, [profile], volunteer_ids, n.ids, self.params)

    def _everything(self) -> MatchParams:
        """Params under which a block keeps every eligible pair of its one row or column; this
        side's top k is taken over all blocks afterwards."""
        return replace(self.params, top_k=BIG)

    def _one_side(
        self,
        pool: Columns,
        side: str,
        profile_id: int,
        other_ids: NDArray[np.int64],
        others_best: BestScores,
    ) -> Columns:
        """One profile's pool: its own top k, and the others whose top k it enters; both sides' best
        scores are updated with the result."""
        k = self.params.top_k
        other = "need" if side == "volunteer" else "volunteer"
        ids = other_ids[pool[other]]
        score = np.asarray(pool["score"], dtype=np.float64)
        keep = top_k_of_each(pool[side], ids, score, k)
        # Within rounding of the bar counts as reaching it: a full run and this one-row path sum the
        # same products in different orders (BLAS kernels differ by shape), so equal scores may differ
        # in the last bits; the bar may even be this very profile's own score from the last full run.
        keep |= score >= others_best.bars(ids) - ROUNDING
        for i, value in zip(ids[keep].tolist(), score[keep].tolist(), strict=True):
            others_best.add(i, value)
        own = self.volunteer_best if side == "volunteer" else self.need_best
        own.replace(profile_id, score)
        return {key: column[keep] for key, column in pool.items()}

    # -- output -------------------------------------------------------------------------------------

    def _proposals(
        self,
        chosen: Columns,
        volunteers: Sequence[VolunteerProfile],
        needs: Sequence[NeedProfile],
        v: VolunteerArrays,
        n: NeedArrays,
    ) -> Proposals:
        return Proposals(chosen, volunteers, needs, v.ids, n.ids, self.params)

    # -- what relaxing one requirement would bring ---------------------------------------------------

    def relaxations(self, need_ids: Collection[int] | None = None) -> dict[int, dict[str, int]]:
        """Per fitted need (all, or these ids), how many more volunteers would qualify if each one of its
        hard constraints were relaxed (matching.relaxation); a paused or full need is left out.

        Reads both sides as they are, pending parts beside the main rows, like match_need.
        """
        return relaxations(
            self.volunteers.parts(), self.needs.parts(), need_ids, self.block_cells, self.params.threads
        )


def _against_parts(
    parts: Sequence[tuple[Sequence[P], A, int]], against: Callable[[A, int], list[Columns]], other: str
) -> tuple[Columns, list[P], NDArray[np.int64]]:
    """One profile's pairs with each part of the other side (SideState.parts) in one pool, `other`
    positions counted over the parts in order; and the parts' profiles and ids in that order."""
    pools, offset = [], 0
    for _, arrays, matchable in parts:
        for pool in against(arrays, matchable):
            pool[other] = np.asarray(pool[other], dtype=np.int32) + np.int32(offset)
            pools.append(pool)
        offset += len(arrays.ids)
    profiles = [profile for part, _, _ in parts for profile in part]
    return concatenate(pools), profiles, np.concatenate([arrays.ids for _, arrays, _ in parts])
