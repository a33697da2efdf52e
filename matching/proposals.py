"""The matcher's result: chosen pairs as columns, turned into Proposal objects only when read.

A full run at city scale chooses millions of pairs; building each one's reasons (shared skills,
matching slots) in Python costs more than choosing them, so it happens per proposal, on access.
"""

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import overload

import numpy as np
from numpy.typing import NDArray

from matching.scoring import (
    SIGNALS,
    SIGNALS_NOT_APPLYING,
    reasons,
    requirements_met,
    signals_not_applying,
    strongest_index,
)
from matching.types import MatchParams, NeedProfile, Proposal, VolunteerProfile

Columns = dict[str, NDArray[np.generic]]
# Proposals built per step when iterating: bounds the Python lists of a full run's millions.
BUILT_AT_ONCE = 4096


class Proposals(Sequence[Proposal]):
    """Ordered by score (descending), then volunteer id, then need id."""

    def __init__(
        self,
        chosen: Columns,
        volunteers: Sequence[VolunteerProfile],
        needs: Sequence[NeedProfile],
        volunteer_ids: NDArray[np.int64],
        need_ids: NDArray[np.int64],
        params: MatchParams,
    ) -> None:
        """`chosen` positions index `volunteers`/`volunteer_ids` and `needs`/`need_ids`.

        The columns are taken out of `chosen` (it is left empty), each released once reordered: a full
        run chooses millions of pairs, which would otherwise be held twice at the end of the run.
        """
        v_ids, n_ids = volunteer_ids[chosen["volunteer"]], need_ids[chosen["need"]]
        scores = np.round(chosen.pop("score").astype(np.float64), 4)
        order = np.lexsort((n_ids, v_ids, -scores))
        self.volunteer_ids = v_ids[order]
        self.need_ids = n_ids[order]
        self.scores = scores[order]
        self._volunteer = chosen.pop("volunteer")[order]
        self._need = chosen.pop("need")[order]
        # Kept in the pool's float32 (half the bytes of float64) and made float64 per part when read.
        self._distance_km = chosen.pop("distance_km")[order]
        self.signals = {name: chosen.pop(name)[order] for name in SIGNALS}
        self._volunteers, self._needs, self._params = volunteers, needs, params

    def __len__(self) -> int:
        return len(self.scores)

    @overload
    def __getitem__(self, index: int) -> Proposal: ...

    @overload
    def __getitem__(self, index: slice) -> list[Proposal]: ...

    def __getitem__(self, index: int | slice) -> Proposal | list[Proposal]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step == 1:
                return self._build(start, max(start, stop))
            return [self._build(i, i + 1)[0] for i in range(start, stop, step)]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._build(index, index + 1)[0]

    def __iter__(self) -> Iterator[Proposal]:
        for start in range(0, len(self), BUILT_AT_ONCE):
            yield from self._build(start, min(start + BUILT_AT_ONCE, len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def _build(self, start: int, stop: int) -> list[Proposal]:
        with _collector_paused():
            return self._make(start, stop)

    def _make(self, start: int, stop: int) -> list[Proposal]:
        """Proposals start..stop-1, from Python lists of their columns (one conversion per column,
        not one numpy scalar per value: a new need may enter thousands of volunteers' top k)."""
        part = slice(start, stop)
        volunteers = [self._volunteers[i] for i in self._volunteer[part].tolist()]
        needs = [self._needs[i] for i in self._need[part].tolist()]
        scores = self.scores[part].tolist()
        distances = np.round(self._distance_km[part].astype(np.float64), 1).tolist()
        # For the part at once: per proposal, numpy's fixed cost would outweigh the work.
        flags = np.array([signals_not_applying(v, n) for v, n in zip(volunteers, needs, strict=True)], bool)
        not_applying = (
            {name: flags[:, i] for i, name in enumerate(SIGNALS_NOT_APPLYING)} if len(flags) else None
        )
        part_signals = {name: column[part].astype(np.float64) for name, column in self.signals.items()}
        strongest = [SIGNALS[i] for i in strongest_index(part_signals, self._params, not_applying).tolist()]
        columns = {name: np.round(column, 3).tolist() for name, column in part_signals.items()}
        values = [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]
        requirements = {id(need): requirements_met(need) for need in needs}
        return [
            Proposal(
                volunteer_id=volunteer.id,
                need_id=need.id,
                score=score,
                reasons=reasons(
                    volunteer,
                    need,
                    text_similarity=signals["text"],
                    distance_km=distance,
                    strongest=best,
                    signal_values=signals,
                    requirements=requirements[id(need)],
                ),
            )
            for volunteer, need, score, distance, best, signals in zip(
                volunteers, needs, scores, distances, strongest, values, strict=True
            )
        ]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Building proposals makes many small objects and no reference cycles, so the cyclic garbage
    collector has nothing to find among them; its passes, triggered by their number, would also walk
    everything else alive (the fitted state), and took more than half of the time (15 → 7 µs each)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
