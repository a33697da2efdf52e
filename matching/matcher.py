"""The fitted matcher: everything against everything, or one new profile against a warm state.

A worker keeps one `Matcher` between tasks: fitting (vocabulary, indexes, arrays) happens once, a
new or changed profile is added with `upsert_*` on the fitted basis, and matching it scores one row
or one column instead of refitting anything.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from matching.blocks import Chunk, Columns, candidates, chunks, concatenate, select, top_k_of_each
from matching.features import Encoder, NeedArrays, VolunteerArrays, compress_weeks
from matching.rows import drop_rows, stack_rows
from matching.scoring import SIGNALS, reasons, requirements_met, strongest
from matching.types import MatchParams, NeedProfile, Proposal, VolunteerProfile

BLOCK_CELLS = 2_000_000  # volunteers × needs per block at most: bounds memory to tens of MB at any scale
POOL_LIMIT = 4_000_000  # candidate pairs kept before pruning the pool to the top k of each side


@dataclass
class Fitted:
    volunteers: list[VolunteerProfile]
    needs: list[NeedProfile]
    v: VolunteerArrays
    n: NeedArrays


class Matcher:
    def __init__(self, params: MatchParams, block_cells: int = BLOCK_CELLS) -> None:
        self.params = params
        self.block_cells = block_cells
        # The k-th best score of each need and volunteer at the last full run: a new profile enters
        # their top k when it beats it.
        self.need_bar: dict[int, float] = {}
        self.volunteer_bar: dict[int, float] = {}

    def fit(self, volunteers: Sequence[VolunteerProfile], needs: Sequence[NeedProfile]) -> "Matcher":
        volunteers = sorted(volunteers, key=lambda profile: profile.id)
        needs = sorted(needs, key=lambda profile: profile.id)
        self.encoder = Encoder().fit(volunteers, needs)
        self.state = Fitted(
            volunteers=volunteers,
            needs=needs,
            v=self._volunteer_arrays(volunteers),
            n=self.encoder.needs(needs),
        )
        self.need_bar, self.volunteer_bar = {}, {}
        return self

    def _volunteer_arrays(self, volunteers: Sequence[VolunteerProfile]) -> VolunteerArrays:
        return self.encoder.volunteers(volunteers, self.params.today, self.params.certificate_valid_years)

    # -- everything ---------------------------------------------------------------------------------

    def match_all(self, assignment: bool = False) -> list[Proposal]:
        """The union of the best `top_k` volunteers per need and the best `top_k` needs per volunteer.

        Only eligible pairs (all hard constraints met) scoring at least `min_score` are proposed.
        Deterministic: ties are broken by id, and the result is ordered by score (descending), then
        volunteer id, then need id. With `assignment`, the candidates are then thinned to a set that
        respects open places and volunteers' capacities and spreads proposals (matching.assignment).
        """
        s = self.state
        if not s.volunteers or not s.needs:
            return []
        v, n = compress_weeks(s.v, s.n)
        parts: list[Columns] = []
        pooled = 0
        for chunk in chunks(len(s.volunteers), len(s.needs), self.block_cells):
            found = candidates(v, n, chunk, self.params)
            parts.append(found)
            pooled += len(found["score"])
            if pooled > POOL_LIMIT:  # a pair pruned here is beaten by top_k others on both sides
                parts = [self._select(concatenate(parts))]
                pooled = len(parts[0]["score"])
        pool = self._select(concatenate(parts))
        self._remember_bars(pool)
        if assignment:
            pool = self._assign(pool)
        return self._proposals(pool)

    def _select(self, pool: Columns) -> Columns:
        return select(pool, self.params.top_k, self.state.v.ids, self.state.n.ids)

    def _remember_bars(self, pool: Columns) -> None:
        k = self.params.top_k
        score = pool["score"].astype(np.float64)
        v_ids = self.state.v.ids[pool["volunteer"]]
        n_ids = self.state.n.ids[pool["need"]]
        self.need_bar = _kth_best(n_ids, v_ids, score, k)
        self.volunteer_bar = _kth_best(v_ids, n_ids, score, k)

    def _assign(self, pool: Columns) -> Columns:
        from matching.assignment import assign

        s = self.state
        chosen = assign(
            s.v.ids[pool["volunteer"]],
            s.n.ids[pool["need"]],
            pool["score"].astype(np.float64),
            volunteer_capacity={
                p.id: max(0, p.max_active_pairings - p.active_pairings) for p in s.volunteers
            },
            need_places={p.id: max(0, p.open_places) for p in s.needs},
        )
        return {key: column[chosen] for key, column in pool.items()}

    # -- one new profile ----------------------------------------------------------------------------

    def upsert_volunteers(self, profiles: Sequence[VolunteerProfile]) -> None:
        """Adds or replaces volunteers on the fitted basis (no refit)."""
        ids = {p.id for p in profiles}
        s = self.state
        keep = np.array([p.id not in ids for p in s.volunteers], dtype=bool)
        s.volunteers = [p for p in s.volunteers if p.id not in ids] + list(profiles)
        s.v = stack_rows(drop_rows(s.v, keep), self._volunteer_arrays(profiles))

    def upsert_needs(self, profiles: Sequence[NeedProfile]) -> None:
        ids = {p.id for p in profiles}
        s = self.state
        keep = np.array([p.id not in ids for p in s.needs], dtype=bool)
        s.needs = [p for p in s.needs if p.id not in ids] + list(profiles)
        s.n = stack_rows(drop_rows(s.n, keep), self.encoder.needs(profiles))

    def remove(self, volunteer_ids: Sequence[int] = (), need_ids: Sequence[int] = ()) -> None:
        s = self.state
        gone_v, gone_n = set(volunteer_ids), set(need_ids)
        keep_v = np.array([p.id not in gone_v for p in s.volunteers], dtype=bool)
        keep_n = np.array([p.id not in gone_n for p in s.needs], dtype=bool)
        s.volunteers = [p for p in s.volunteers if p.id not in gone_v]
        s.needs = [p for p in s.needs if p.id not in gone_n]
        s.v, s.n = drop_rows(s.v, keep_v), drop_rows(s.n, keep_n)

    def match_volunteer(self, volunteer_id: int) -> list[Proposal]:
        """A fitted volunteer against every fitted need: their own top k, and every need whose
        top k they enter (they beat its k-th best score at the last full run)."""
        s = self.state
        row = [i for i, p in enumerate(s.volunteers) if p.id == volunteer_id]
        if not row or not s.needs:
            return []
        parts = [
            candidates(s.v, s.n, Chunk(slice(row[0], row[0] + 1), c.needs), self._everything())
            for c in chunks(1, len(s.needs), self.block_cells)
        ]
        return self._proposals(self._one_side(concatenate(parts), "volunteer", self.need_bar))

    def match_need(self, need_id: int) -> list[Proposal]:
        """A fitted need against every fitted volunteer (the mirror of match_volunteer)."""
        s = self.state
        column = [j for j, p in enumerate(s.needs) if p.id == need_id]
        if not column or not s.volunteers:
            return []
        parts = [
            candidates(s.v, s.n, Chunk(c.volunteers, slice(column[0], column[0] + 1)), self._everything())
            for c in chunks(len(s.volunteers), 1, self.block_cells)
        ]
        return self._proposals(self._one_side(concatenate(parts), "need", self.volunteer_bar))

    def _everything(self) -> MatchParams:
        """Params under which a block keeps every eligible pair: with one row or column, its top k
        along the other axis would otherwise keep them all anyway, and this side's top k is taken
        over all blocks afterwards."""
        from dataclasses import replace

        return replace(self.params, top_k=max(len(self.state.volunteers), len(self.state.needs), 1))

    def _one_side(self, pool: Columns, side: str, bars: dict[int, float]) -> Columns:
        other = "need" if side == "volunteer" else "volunteer"
        ids = (self.state.n if other == "need" else self.state.v).ids[pool[other]]
        score = pool["score"].astype(np.float64)
        keep = top_k_of_each(pool[side], ids, score, self.params.top_k)
        bar = np.array([bars.get(int(i), -np.inf) for i in ids], dtype=np.float64)
        keep |= score >= bar
        return {key: column[keep] for key, column in pool.items()}

    # -- output -------------------------------------------------------------------------------------

    def _proposals(self, chosen: Columns) -> list[Proposal]:
        s = self.state
        v_ids, n_ids = s.v.ids[chosen["volunteer"]], s.n.ids[chosen["need"]]
        scores = np.round(chosen["score"].astype(np.float64), 4)
        order = np.lexsort((n_ids, v_ids, -scores))
        values = {name: chosen[name].astype(np.float64) for name in SIGNALS}
        strongest_signal = strongest(values, self.params)
        met = {j: requirements_met(s.needs[j]) for j in set(chosen["need"].tolist())}
        result = []
        for p in order.tolist():
            i, j = int(chosen["volunteer"][p]), int(chosen["need"][p])
            result.append(
                Proposal(
                    volunteer_id=s.volunteers[i].id,
                    need_id=s.needs[j].id,
                    score=float(scores[p]),
                    reasons=reasons(
                        s.volunteers[i],
                        s.needs[j],
                        text_similarity=float(values["text"][p]),
                        distance_km=float(chosen["distance_km"][p]),
                        strongest=strongest_signal[p],
                        signal_values={name: float(values[name][p]) for name in SIGNALS},
                        requirements=met[j],
                    ),
                )
            )
        return result


def _kth_best(
    group: NDArray[np.int64], other: NDArray[np.int64], score: NDArray[np.float64], k: int
) -> dict[int, float]:
    """Per group id: its k-th best score in the pool, or -inf when it has fewer than k."""
    keep = top_k_of_each(group, other, score, k)
    result: dict[int, float] = {}
    counts: dict[int, int] = {}
    for g, value in zip(group[keep].tolist(), score[keep].tolist(), strict=True):
        counts[g] = counts.get(g, 0) + 1
        result[g] = min(result.get(g, np.inf), value)
    return {g: (value if counts[g] >= k else -np.inf) for g, value in result.items()}
