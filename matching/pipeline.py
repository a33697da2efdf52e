"""match(volunteers, needs, params) -> proposals: constraints first, then scores, then top-k."""

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from matching.constraints import CONSTRAINTS, constraint_masks, eligible, make_block
from matching.features import Encoder, NeedArrays, VolunteerArrays
from matching.scoring import SIGNALS, block_raw, combined, reasons, requirements_met, signals, strongest
from matching.types import MatchParams, NeedProfile, Proposal, VolunteerProfile

CHUNK_SIZE = 256  # needs per block at most
CHUNK_CELLS = 500_000  # volunteers × needs per block at most: bounds memory to tens of MB at any scale

Columns = dict[str, NDArray[np.generic]]


def match(
    volunteers: Sequence[VolunteerProfile], needs: Sequence[NeedProfile], params: MatchParams
) -> list[Proposal]:
    """The union of the best `top_k` volunteers per need and the best `top_k` needs per volunteer.

    Only eligible pairs (all hard constraints met) scoring at least `min_score` are proposed.
    Deterministic: ties are broken by id, and the result is ordered by score (descending), then
    volunteer id, then need id, whatever the order of the inputs.
    """
    if not volunteers or not needs:
        return []
    # Position order = id order, so comparing positions breaks ties by id.
    volunteers = sorted(volunteers, key=lambda profile: profile.id)
    needs = sorted(needs, key=lambda profile: profile.id)
    v, n = Encoder().fit_transform(volunteers, needs, params.today, params.certificate_valid_years)
    size = max(1, min(CHUNK_SIZE, CHUNK_CELLS // len(volunteers)))
    pool: Columns = {}
    for start in range(0, len(needs), size):
        found = _candidates(v, n, slice(start, min(start + size, len(needs))), params)
        pool = {key: np.concatenate([pool[key], found[key]]) for key in found} if pool else found
        # Pruning after every chunk keeps the pool at most top_k × (volunteers + needs) pairs; a pair
        # it drops is already beaten by top_k others for its volunteer and for its (finished) need.
        pool = _select(pool, params.top_k)
    return _proposals(pool, volunteers, needs, params)


def _select(pool: Columns, k: int) -> Columns:
    score = pool["score"].astype(np.float64)
    keep = _top_k_of_each(pool["need"], pool["volunteer"], score, k)
    keep |= _top_k_of_each(pool["volunteer"], pool["need"], score, k)
    return {key: column[keep] for key, column in pool.items()}


def _candidates(v: VolunteerArrays, n: NeedArrays, chunk: slice, params: MatchParams) -> Columns:
    """The eligible pairs of one chunk that may be in a top k, with their signals.

    A pair in the top k of its need is in the top k of its column here; a pair in the top k of
    its volunteer over all needs is in the top k of its row within this chunk.
    """
    block = make_block(v, n, chunk)
    ok = eligible(constraint_masks(v, n, block))
    values = signals(block_raw(v, n, block))
    total = combined(values, params)
    score = np.where(ok & (total >= params.min_score), total, -np.inf)
    rows, cols = np.nonzero(_near_top(score, params.top_k, axis=0) | _near_top(score, params.top_k, axis=1))
    return {
        "volunteer": rows,
        "need": cols + chunk.start,
        "score": score[rows, cols],
        "distance_km": block.distance_km[rows, cols],
        **{name: values[name][rows, cols] for name in SIGNALS},
    }


def _near_top(score: NDArray[np.float64], k: int, axis: int) -> NDArray[np.bool_]:
    """Finite scores at least as high as the k-th highest along `axis` (ties included)."""
    finite = np.isfinite(score)
    if k <= 0:
        return np.zeros_like(finite)
    if score.shape[axis] <= k:
        return finite
    kth = np.take(np.partition(score, -k, axis=axis), [-k], axis=axis)
    return finite & (score >= kth)


def _top_k_of_each(
    group: NDArray[np.generic], other: NDArray[np.generic], score: NDArray[np.float64], k: int
) -> NDArray[np.bool_]:
    """Marks, for each group value, its k best-scoring entries (ties: the lower `other` position)."""
    order = np.lexsort((other, -score, group))
    grouped = group[order]
    rank = np.arange(len(order)) - np.searchsorted(grouped, grouped, side="left")
    keep = np.zeros(len(order), dtype=bool)
    keep[order[rank < k]] = True
    return keep


def _proposals(
    chosen: Columns,
    volunteers: Sequence[VolunteerProfile],
    needs: Sequence[NeedProfile],
    params: MatchParams,
) -> list[Proposal]:
    scores = np.round(chosen["score"].astype(np.float64), 4)
    # Positions are in id order, so this is score descending, then volunteer id, then need id.
    order = np.lexsort((chosen["need"], chosen["volunteer"], -scores))
    strongest_signal = strongest({name: chosen[name].astype(np.float64) for name in SIGNALS}, params)
    rows = zip(
        chosen["volunteer"][order].tolist(),
        chosen["need"][order].tolist(),
        scores[order].tolist(),
        chosen["text"][order].tolist(),
        chosen["distance_km"][order].tolist(),
        [strongest_signal[p] for p in order],
        strict=True,
    )
    met = {j: requirements_met(needs[j]) for j in set(chosen["need"].tolist())}
    return [
        Proposal(
            volunteer_id=volunteers[i].id,
            need_id=needs[j].id,
            score=score,
            reasons=reasons(
                volunteers[i],
                needs[j],
                text_similarity=text,
                distance_km=km,
                strongest=signal,
                requirements=met[j],
            ),
        )
        for i, j, score, text, km, signal in rows
    ]


def explain_exclusions(
    volunteers: Sequence[VolunteerProfile], need: NeedProfile, params: MatchParams
) -> dict[str, int]:
    """For one need: how many volunteers each hard constraint excludes (a volunteer may count twice)."""
    if not volunteers:
        return dict.fromkeys(CONSTRAINTS, 0)
    v, n = Encoder().fit_transform(volunteers, [need], params.today, params.certificate_valid_years)
    masks = constraint_masks(v, n, make_block(v, n, slice(0, 1)))
    return {name: int((~masks[name]).sum()) for name in CONSTRAINTS}


__all__ = ["explain_exclusions", "match"]
