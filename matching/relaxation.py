"""How many more volunteers would qualify for a need if one of its hard constraints were relaxed.

For each need and each constraint in RELAXABLE: the volunteers who fail exactly that one and pass every
other hard constraint. A volunteer failing two would still be excluded with either relaxed, so they
count for neither. Volunteers that their own state excludes (paused, at capacity) never count, and a
need that its own state excludes (paused, no open places) gets no counts at all.
"""

from collections.abc import Collection, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from numpy.typing import NDArray
from threadpoolctl import threadpool_limits

from matching.blocks import Chunk, chunks
from matching.constraints import CONSTRAINTS, Mask, constraint_masks, make_block
from matching.features import NeedArrays, VolunteerArrays, compress_weeks
from matching.rows import drop_rows
from matching.types import NeedProfile, VolunteerProfile

# The hard constraints (of CONSTRAINTS) that a need sets or that depend on the pair; the others are a
# profile's own state, which relaxing a requirement cannot change.
RELAXABLE = ("certificate", "min_age", "required_languages", "fixed_times", "travel_radius")

# A pair's code is the sum of the weights of the constraints it meets: each relaxable one a bit of its
# own, every other one (a profile's own state) OWN_STATE, more than all those bits together. So the
# code tells how many of the others are met and exactly which relaxable ones, and only a pair failing
# constraint c alone has the code ALL_MET - WEIGHT[c].
WEIGHT = {name: 1 << i for i, name in enumerate(RELAXABLE)}
OWN_STATE = 1 << len(RELAXABLE)
ALL_MET = sum(WEIGHT.values()) + OWN_STATE * (len(CONSTRAINTS) - len(RELAXABLE))
CODE = np.min_scalar_type(ALL_MET)
FAILING_ALONE = [ALL_MET - WEIGHT[name] for name in RELAXABLE]
# Rows of 0/1 summed in uint8 at a time: 255 cannot overflow, and small sums are several times faster.
ROWS_PER_SUM = 255

# (profiles, arrays, matchable rows, which come first) of one part of a side, as SideState.parts().
VolunteerPart = tuple[Sequence[VolunteerProfile], VolunteerArrays, int]
NeedPart = tuple[Sequence[NeedProfile], NeedArrays, int]


def relaxations(
    volunteer_parts: Sequence[VolunteerPart],
    need_parts: Sequence[NeedPart],
    need_ids: Collection[int] | None,
    cells: int,
    threads: int = 1,
) -> dict[int, dict[str, int]]:
    """{need id: {constraint: count}} for every countable need (all, or those of `need_ids`), with
    every RELAXABLE constraint; needs that their own state excludes are left out.

    All needs at once are counted in square blocks on compressed weeks, as a full run scores them;
    a few needs in long blocks of all volunteers, as one need is matched (see Matcher).
    """
    every_need = need_ids is None
    result: dict[int, dict[str, int]] = {}
    for needs, need_rows in _countable(need_parts, need_ids):
        totals = np.zeros((need_rows, len(RELAXABLE)), dtype=np.int64)
        for _, volunteers, volunteer_rows in volunteer_parts:
            v, n = compress_weeks(volunteers, needs) if every_need else (volunteers, needs)
            totals += count(v, volunteer_rows, n, need_rows, cells, threads, square=every_need)
        for need_id, row in zip(needs.ids[:need_rows].tolist(), totals.tolist(), strict=True):
            result[need_id] = dict(zip(RELAXABLE, row, strict=True))
    return result


def count(
    volunteers: VolunteerArrays,
    volunteer_rows: int,
    needs: NeedArrays,
    need_rows: int,
    cells: int,
    threads: int = 1,
    square: bool = True,
) -> NDArray[np.int64]:
    """(need_rows × RELAXABLE): per need of the first `need_rows`, how many of the first `volunteer_rows`
    volunteers fail exactly that constraint, in blocks of at most `cells` pairs."""
    result = np.zeros((need_rows, len(RELAXABLE)), dtype=np.int64)
    if not volunteer_rows or not need_rows:
        return result
    blocks = chunks(volunteer_rows, need_rows, cells, **({} if square else {"max_side": cells}))
    threads = max(1, min(threads, len(blocks)))
    # As in Matcher.match_all: blocks side by side, each on one core (BLAS capped meanwhile).
    with threadpool_limits(limits=1 if threads > 1 else None), ThreadPoolExecutor(threads) as executor:
        for chunk, counted in zip(
            blocks, executor.map(lambda c: count_block(volunteers, needs, c), blocks), strict=True
        ):
            result[chunk.needs] += counted
    return result


def count_block(volunteers: VolunteerArrays, needs: NeedArrays, chunk: Chunk) -> NDArray[np.int64]:
    """(needs of the chunk × RELAXABLE): the chunk's volunteers failing exactly that one constraint."""
    block = make_block(volunteers, needs, chunk.volunteers, chunk.needs)
    code = met_codes(constraint_masks(volunteers, needs, block))
    return count_equal(code, FAILING_ALONE)


def met_codes(masks: dict[str, Mask]) -> NDArray[np.unsignedinteger[Any]]:
    """Each pair's code (see WEIGHT) from the constraint masks.

    Plain integer additions: negating the masks or adding under `where=` took ten times as long. A mask
    that is one profile's value broadcast (a stride of 0) is added once per row or column.
    """
    shape = next(iter(masks.values())).shape
    code = np.zeros(shape, dtype=CODE)
    per_volunteer, per_need = np.zeros(shape[0], dtype=CODE), np.zeros(shape[1], dtype=CODE)
    weighed = np.empty(shape, dtype=CODE)
    for name, allowed in masks.items():
        weight = CODE.type(WEIGHT.get(name, OWN_STATE))
        if allowed.strides[0] == 0:
            per_need += allowed[0].view(np.uint8) * weight
        elif allowed.strides[1] == 0:
            per_volunteer += allowed[:, 0].view(np.uint8) * weight
        else:
            np.multiply(allowed.view(np.uint8), weight, out=weighed, casting="unsafe")
            code += weighed
    code += per_volunteer[:, None]
    code += per_need[None, :]
    return code


def count_equal(code: NDArray[np.unsignedinteger[Any]], values: Sequence[int]) -> NDArray[np.int64]:
    """(columns × values): how often each value occurs in each column."""
    rows, columns = code.shape
    whole = rows // ROWS_PER_SUM * ROWS_PER_SUM
    result = np.zeros((columns, len(values)), dtype=np.int64)
    hits = np.empty(code.shape, dtype=bool)
    for i, value in enumerate(values):
        np.equal(code, value, out=hits)
        ones = hits.view(np.uint8)
        in_groups = ones[:whole].reshape(-1, ROWS_PER_SUM, columns).sum(axis=1, dtype=np.uint8)
        result[:, i] = in_groups.sum(axis=0) + ones[whole:].sum(axis=0)
    return result


def _countable(
    parts: Sequence[NeedPart], need_ids: Collection[int] | None
) -> Iterator[tuple[NeedArrays, int]]:
    """Per part, the needs to count as arrays whose first rows they are, and how many.

    Only a need's matchable rows count: not paused (a row replaced by a pending one is paused too),
    with open places. When they are the part's first rows, the part is used as it is, without a copy.
    """
    wanted = None if need_ids is None else np.fromiter(need_ids, dtype=np.int64)
    for _, arrays, matchable in parts:
        keep = np.zeros(len(arrays.ids), dtype=bool)
        keep[:matchable] = True
        keep &= ~arrays.paused & ~arrays.no_places
        if wanted is not None:
            keep &= np.isin(arrays.ids, wanted)
        rows = int(keep.sum())
        if rows:
            yield (arrays, rows) if keep[:rows].all() else (drop_rows(arrays, keep), rows)
