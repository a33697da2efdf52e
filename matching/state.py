"""One side (volunteers or needs) of a fitted matcher: profiles and arrays, row by row, with cheap
additions.

Copying 100,000 rows of arrays for every new registration would cost more than matching it. So an
added or changed profile goes to a small pending part, its old row is only marked paused (so it is
never proposed again), and both are merged into the main arrays at the next full use.

Rows are kept matchable first: the profiles that a constraint of their own excludes from every pairing
(paused, at capacity, no open places) come last, so matching scores only the first `matchable` rows.
"""

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import numpy as np
from numpy.typing import NDArray

from matching.features import Side
from matching.rows import drop_rows, stack_rows
from matching.types import NeedProfile, VolunteerProfile

P = TypeVar("P", VolunteerProfile, NeedProfile)
A = TypeVar("A", bound=Side)

# Pending rows are stacked anew after each change; past this many, one merge costs less.
PENDING_LIMIT = 512


class SideState(Generic[P, A]):
    def __init__(self, profiles: Sequence[P], encode: Callable[[Sequence[P]], A]) -> None:
        self.encode: Callable[[Sequence[P]], A] = encode
        self.profiles: list[P] = sorted(profiles, key=lambda p: not p.matchable)  # stable
        self.arrays: A = encode(self.profiles)
        self.matchable = sum(p.matchable for p in self.profiles)  # rows, from the first on
        self.position = {p.id: i for i, p in enumerate(self.profiles)}
        self.superseded: set[int] = set()  # positions of rows replaced by a pending one
        self.pending: dict[int, tuple[P, A]] = {}  # id -> the newest profile and its one-row arrays
        self._pending_part: tuple[list[P], A, int] | None = None  # the pending rows stacked (parts())

    def upsert(self, profiles: Sequence[P]) -> None:
        self._pending_part = None
        arrays = self.encode(profiles)
        for row, profile in enumerate(profiles):
            old = self.position.get(profile.id)
            if old is not None and old not in self.superseded:
                self.arrays.paused[old] = True  # in place: the old row is never proposed again
                self.superseded.add(old)
            keep = np.zeros(len(profiles), dtype=bool)
            keep[row] = True
            self.pending[profile.id] = (profile, drop_rows(arrays, keep))

    def remove(self, ids: Sequence[int]) -> None:
        gone = set(ids)
        self._pending_part = None
        for i in gone:
            self.pending.pop(i, None)
        keep = np.array([p.id not in gone for p in self.profiles], dtype=bool)
        if not keep.all():
            self.consolidate(keep)

    def parts(self) -> list[tuple[list[P], A, int]]:
        """The rows as they are, not merged (merging copies the whole side): the main part as
        (profiles, arrays, matchable rows, which come first) and, if any, the pending profiles with
        their rows stacked (a copy of those few only, kept until the next change). Scoring one
        profile against both parts is exact: the rows that pending ones replace are paused."""
        if len(self.pending) > PENDING_LIMIT:
            self.consolidate()
        parts = [(self.profiles, self.arrays, self.matchable)]
        if self.pending:
            if self._pending_part is None:
                profiles = [profile for profile, _ in self.pending.values()]
                rows = stack_rows([row for _, row in self.pending.values()])
                self._pending_part = (profiles, rows, len(profiles))
            parts.append(self._pending_part)
        return parts

    def one(self, profile_id: int) -> tuple[P, A] | None:
        """The current profile and its one-row arrays."""
        if profile_id in self.pending:
            return self.pending[profile_id]
        row = self.position.get(profile_id)
        if row is None:
            return None
        keep = np.zeros(len(self.profiles), dtype=bool)
        keep[row] = True
        return self.profiles[row], drop_rows(self.arrays, keep)

    def consolidate(self, keep: NDArray[np.bool_] | None = None) -> None:
        """Merges the pending rows into the main arrays (one copy), dropping superseded rows."""
        if keep is None:
            if not self.pending and not self.superseded:
                return
            keep = np.ones(len(self.profiles), dtype=bool)
        keep = keep.copy()
        keep[list(self.superseded)] = False
        matchable = np.array([p.matchable for p in self.profiles], dtype=bool)
        profiles: list[P] = []
        parts: list[A] = []
        for first in (True, False):  # matchable rows first
            rows = keep & (matchable == first)
            if rows.any():
                profiles += [p for p, kept in zip(self.profiles, rows.tolist(), strict=True) if kept]
                parts.append(drop_rows(self.arrays, rows))
            pending = [(p, row) for p, row in self.pending.values() if p.matchable == first]
            profiles += [p for p, _ in pending]
            parts += [row for _, row in pending]
            if first:
                self.matchable = len(profiles)
        self.arrays = stack_rows(parts) if parts else drop_rows(self.arrays, keep)
        self.profiles = profiles
        self.position = {p.id: i for i, p in enumerate(profiles)}
        self.superseded, self.pending, self._pending_part = set(), {}, None
