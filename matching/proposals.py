"""The matcher's result: chosen pairs as columns, turned into Proposal objects only when read.

A full run at city scale chooses millions of pairs; building each one's reasons (shared skills,
matching slots) in Python costs more than choosing them, so it happens per proposal, on access.
"""

from collections.abc import Iterator, Sequence
from typing import overload

import numpy as np
from numpy.typing import NDArray

from matching.scoring import SIGNALS, reasons, requirements_met, strongest_index
from matching.types import MatchParams, NeedProfile, Proposal, VolunteerProfile

Columns = dict[str, NDArray[np.generic]]


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
        """`chosen` positions index `volunteers`/`volunteer_ids` and `needs`/`need_ids`."""
        v_ids, n_ids = volunteer_ids[chosen["volunteer"]], need_ids[chosen["need"]]
        scores = np.round(chosen["score"].astype(np.float64), 4)
        order = np.lexsort((n_ids, v_ids, -scores))
        self.volunteer_ids = v_ids[order]
        self.need_ids = n_ids[order]
        self.scores = scores[order]
        self._volunteer = chosen["volunteer"][order]
        self._need = chosen["need"][order]
        self._distance_km = chosen["distance_km"][order].astype(np.float64)
        self.signals = {name: chosen[name][order].astype(np.float64) for name in SIGNALS}
        self._volunteers, self._needs, self._params = volunteers, needs, params
        # For all rows at once: per proposal, numpy's fixed cost would outweigh the work.
        self._strongest = strongest_index(self.signals, params)

    def __len__(self) -> int:
        return len(self.scores)

    @overload
    def __getitem__(self, index: int) -> Proposal: ...

    @overload
    def __getitem__(self, index: slice) -> list[Proposal]: ...

    def __getitem__(self, index: int | slice) -> Proposal | list[Proposal]:
        if isinstance(index, slice):
            return [self._one(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._one(index)

    def __iter__(self) -> Iterator[Proposal]:
        return (self._one(i) for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def _one(self, p: int) -> Proposal:
        volunteer = self._volunteers[int(self._volunteer[p])]
        need = self._needs[int(self._need[p])]
        values = {name: float(column[p]) for name, column in self.signals.items()}
        return Proposal(
            volunteer_id=volunteer.id,
            need_id=need.id,
            score=float(self.scores[p]),
            reasons=reasons(
                volunteer,
                need,
                text_similarity=values["text"],
                distance_km=float(self._distance_km[p]),
                strongest=SIGNALS[self._strongest[p]],
                signal_values=values,
                requirements=requirements_met(need),
            ),
        )
