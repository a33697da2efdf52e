"""Signals, the combined score, and the reasons of a proposal."""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from sparse_dot_topn import sp_matmul

from matching.constraints import Block
from matching.features import NeedArrays, VolunteerArrays, need_slots
from matching.types import MatchParams, NeedProfile, VolunteerProfile

SIGNALS = ("text", "skills", "languages", "time", "distance", "fairness")
Array = NDArray[np.float64]


@dataclass
class Raw:
    """The counts behind the signals, as arrays that broadcast to one shape: pairs (volunteers × needs)
    for the pairwise counts, one row for per-need totals, one column for per-volunteer values."""

    text: NDArray[np.floating[Any]]
    shared_skills: NDArray[np.floating[Any]]
    need_skills: Array
    names_skills: Array  # 1 where the volunteer chose skills at all
    shared_languages: NDArray[np.floating[Any]]
    listed_languages: Array
    overlap_quarters: NDArray[np.floating[Any]]
    need_quarters: Array
    distance_km: Array
    radius_km: Array
    times_proposed: Array
    fairness_half_at: float

    def at(self, rows: NDArray[np.intp], columns: NDArray[np.intp]) -> "Raw":
        """The counts of the pairs (rows[i], columns[i]) of the block, as flat arrays."""
        shape = np.broadcast_shapes(self.text.shape, self.need_skills.shape, self.radius_km.shape)

        def pick(value: NDArray[np.floating[Any]]) -> Array:
            return np.asarray(np.broadcast_to(value, shape)[rows, columns], dtype=np.float64)

        return Raw(
            **{f.name: pick(getattr(self, f.name)) for f in fields(self) if f.name != "fairness_half_at"},
            fairness_half_at=self.fairness_half_at,
        )


def text_similarity(
    volunteers: VolunteerArrays,
    needs: NeedArrays,
    rows: slice,
    chunk: slice,
    embedding_share: float,
    threads: int = 1,
) -> NDArray[np.float32]:
    """Similarity of the texts of all volunteers × the chunk's needs, in [0, 1], as float32.

    The spelling part (cosine of character n-grams) finds compounds and shared words; the meaning part
    (the mean cosine of two models' sentence embeddings, see matching.embedding.Projection, negatives
    cut to 0) finds the same need across languages.
    Without embeddings, spelling alone.
    """
    v_text, n_text = volunteers.text, needs.text
    spelling = v_text.dense[rows] @ n_text.dense[chunk].T
    if _length(chunk, len(needs.ids)) <= THIN_ROWS:  # one new need against everyone, say
        for part in SPARSE_PARTS:
            spelling += v_text.times_few(part, rows, n_text.rows(part, chunk))
    elif _length(rows, len(volunteers.ids)) <= THIN_ROWS:
        for part in SPARSE_PARTS:
            spelling += n_text.times_few(part, chunk, v_text.rows(part, rows)).T
    else:
        spelling += v_text.wide_dense(rows) @ n_text.wide_dense(chunk).T
        spelling += sparse_product(v_text.rows("rest", rows), n_text.rows("rest", chunk), threads)
    if volunteers.meaning.shape[1] == 0:
        return spelling
    meaning = volunteers.meaning[rows] @ needs.meaning[chunk].T
    np.maximum(meaning, 0.0, out=meaning)
    # In place and in float32 (both products are float32): a block's text is millions of pairs.
    spelling *= 1.0 - embedding_share
    meaning *= embedding_share
    spelling += meaning
    return spelling


# Up to this many rows, a side of a product of the sparse text parts is used as a dense matrix (see
# SplitText.times_few) instead of a sparse × sparse product.
THIN_ROWS = 8
SPARSE_PARTS = ("wide", "rest")


def _length(rows: slice, total: int) -> int:
    return len(range(*rows.indices(total)))


def sparse_product(left: sparse.csr_matrix, right: sparse.csr_matrix, threads: int = 1) -> Array:
    """left @ right.T as a dense array, in `threads` threads (sparse_dot_topn's product; scipy's is
    single-threaded)."""
    return np.asarray(sp_matmul(left, sparse.csr_matrix(right.T), n_threads=max(1, threads)).toarray())


def block_raw(volunteers: VolunteerArrays, needs: NeedArrays, block: Block, params: MatchParams) -> Raw:
    """The raw counts of the block's volunteers × needs (the shared counts stay float32: exact integers)."""
    rows, chunk = block.volunteers, block.needs

    def row_sums(matrix: NDArray[np.float32], unknown: NDArray[np.float64] | None = None) -> Array:
        total = matrix[chunk].sum(axis=1, dtype=np.float64)
        return (total if unknown is None else total + unknown[chunk])[None, :]

    return Raw(
        text=text_similarity(volunteers, needs, rows, chunk, params.embedding_share, params.threads),
        shared_skills=volunteers.skills[rows] @ needs.skills[chunk].T,
        need_skills=row_sums(needs.skills, needs.skills_unknown),
        names_skills=volunteers.names_skills[rows, None].astype(np.float64),
        shared_languages=volunteers.speaks[rows] @ needs.listed[chunk].T,
        listed_languages=row_sums(needs.listed, needs.listed_unknown),
        overlap_quarters=block.overlap_quarters,
        need_quarters=needs.total_quarters[chunk][None, :],
        distance_km=block.distance_km,
        radius_km=volunteers.radius_km[rows, None],
        times_proposed=volunteers.times_proposed[rows, None],
        fairness_half_at=float(params.fairness_half_at),
    )


def signals(raw: Raw) -> dict[str, Array]:
    """Each signal in [0, 1], keyed as SIGNALS (see _scaled_signals for their definitions)."""
    values = dict(_scaled_signals(raw, {}))
    shape = np.broadcast_shapes(*(v.shape for v in values.values()))
    return {name: np.broadcast_to(values[name], shape) for name in SIGNALS}


def combined(raw: Raw, params: MatchParams) -> Array:
    """The score: the signals weighed by weights(params) and added up, as a new array of the pairs' shape.

    Each weight is folded into the signal's per-row or per-column factor, and the sum is built in
    place, so a block of millions of pairs takes a few passes over memory per signal, not a dozen.
    """
    total: Array | None = None
    for _, value in _scaled_signals(raw, weights(params)):
        if total is None:
            shape = np.broadcast_shapes(raw.text.shape, raw.need_skills.shape, raw.radius_km.shape)
            total = np.array(np.broadcast_to(value, shape), dtype=np.float64)
        else:
            total += value
        # Dropped before the next signal is computed: a block's signal is millions of float64 pairs,
        # and only the sum of them is kept (_scaled_signals drops its own reference likewise).
        del value
    assert total is not None
    return total


def _scaled_signals(raw: Raw, scale: Mapping[str, float]) -> Iterator[tuple[str, Array]]:
    """Each signal times its scale (1 where none is given), each array new or a broadcast vector.

    skills: the share of the need's skills the volunteer has; languages: 1 when the volunteer speaks
    any language the need lists (required ones are a hard constraint; of the welcome ones, one is what
    a family needs: "Arabic, Russian or Ukrainian welcome"), else 0; time: the share of the need's
    weekly time the volunteer covers; distance: 1 - km / travel radius, at least 0; fairness: 1 for a
    volunteer never proposed, one half at `fairness_half_at` earlier proposals, so the same few people
    are not offered everything. min(x, 1)·s is computed as min(x·s, s).

    A signal that does not apply to a pair (SIGNALS_NOT_APPLYING: the need names no skills or the
    volunteer chose none, the need lists no languages, it has no fixed times) takes its full value:
    nothing is missing, so it cannot count against the pair, and a need that names a skill or a
    language can at most tie with one that names none, never outrank it only for naming it.
    """
    s = {name: float(scale.get(name, 1.0)) for name in SIGNALS}
    # Each signal is dropped here once taken (del after each yield): held until the last, all of a
    # block's signals would exist at once, where `combined` needs one at a time beside its sum.
    # Rounding can lift a cosine a hair above 1; the ratios below are within [0, 1] by construction.
    text = raw.text * s["text"]
    yield "text", np.minimum(text, s["text"], out=text)
    del text
    with np.errstate(invalid="ignore", divide="ignore"):
        per_skill = np.where(raw.need_skills > 0, s["skills"] / raw.need_skills, 0.0)
        per_quarter = np.where(raw.need_quarters > 0, s["time"] / raw.need_quarters, 0.0)
    skills = np.multiply(raw.shared_skills, per_skill, dtype=np.float64)
    skills += np.where(raw.need_skills > 0, 0.0, s["skills"])
    np.copyto(skills, s["skills"], where=np.broadcast_to(raw.names_skills == 0, skills.shape))
    yield "skills", skills
    del skills
    languages = np.minimum(raw.shared_languages * s["languages"], s["languages"], dtype=np.float64)
    yield (
        "languages",
        np.add(languages, np.where(raw.listed_languages > 0, 0.0, s["languages"]), out=languages),
    )
    del languages
    time = np.multiply(raw.overlap_quarters, per_quarter, dtype=np.float64)
    np.minimum(time, s["time"], out=time)
    yield "time", np.add(time, np.where(raw.need_quarters > 0, 0.0, s["time"]), out=time)
    del time
    distance = raw.distance_km * (s["distance"] / np.maximum(raw.radius_km, 1.0))
    np.subtract(s["distance"], distance, out=distance)
    yield "distance", np.maximum(distance, 0.0, out=distance)
    del distance
    half = max(raw.fairness_half_at, 1.0)
    yield "fairness", s["fairness"] * half / (half + raw.times_proposed)


def weights(params: MatchParams) -> dict[str, float]:
    """The signal weights of MatchParams, normalised to sum to 1 so that scores stay in [0, 1]."""
    raw = {
        "text": params.weight_text,
        "skills": params.weight_skills,
        "languages": params.weight_languages,
        "time": params.weight_time,
        "distance": params.weight_distance,
        "fairness": params.weight_fairness,
    }
    total = sum(raw.values()) or 1.0
    return {name: value / total for name, value in raw.items()}


def strongest_index(
    values: dict[str, Array], params: MatchParams, not_applying: dict[str, NDArray[np.bool_]] | None = None
) -> NDArray[np.uint8]:
    """Per pair, the position in SIGNALS of the signal with the largest weighted contribution (ties:
    the earlier); one byte per pair, without stacking all contributions. A signal marked in
    `not_applying` is never the strongest there: its full value says nothing about the pair."""
    w = weights(params)
    top = np.full(np.shape(values[SIGNALS[0]]), -1.0)
    best = np.zeros(top.shape, dtype=np.uint8)
    for i, name in enumerate(SIGNALS):
        contribution = w[name] * np.asarray(values[name], dtype=np.float64)
        if not_applying is not None and name in not_applying:
            contribution = np.where(not_applying[name], -1.0, contribution)
        better = contribution > top
        best[better] = i
        np.maximum(top, contribution, out=top)
    return best


def signals_not_applying(volunteer: VolunteerProfile, need: NeedProfile) -> tuple[bool, bool, bool]:
    """Whether skills, languages and time (in SIGNALS_NOT_APPLYING's order) do not apply to the pair:
    the profile-side twin of the rule in _scaled_signals."""
    return (
        not need.skills or not volunteer.skills,
        not need.required_languages and not need.welcome_languages,
        not need.slots,
    )


SIGNALS_NOT_APPLYING = ("skills", "languages", "time")


def matching_slots(volunteer: VolunteerProfile, need: NeedProfile) -> list[list[int]]:
    """The windows [weekday, start_minute, end_minute] in which both are available."""
    windows: set[tuple[int, int, int]] = set()
    for ns in need_slots(need):
        for vs in volunteer.slots:
            start, end = max(ns.start_minute, vs.start_minute), min(ns.end_minute, vs.end_minute)
            if ns.weekday == vs.weekday and end > start:
                windows.add((ns.weekday, start, end))
    return [list(window) for window in sorted(windows)]


def requirements_met(need: NeedProfile) -> list[str]:
    """The hard requirements this need sets; an eligible volunteer has met all of them."""
    applied = {
        "certificate": need.requires_certificate,
        "min_age": need.min_age is not None,
        "required_languages": bool(need.required_languages),
        "fixed_times": bool(need.slots),
    }
    return [name for name, applies in applied.items() if applies]


def reasons(
    volunteer: VolunteerProfile,
    need: NeedProfile,
    *,
    text_similarity: float,
    distance_km: float,
    strongest: str,
    signal_values: dict[str, float],
    requirements: Sequence[str] | None = None,
) -> dict[str, object]:
    """The explanation of one proposal, as data (schema in matching.types.Proposal).

    The numbers come rounded as they are shown (text similarity and signals to 3 places, the distance
    to 1): Proposals rounds whole columns at once, which costs far less than Python's round per value.
    `requirements` may pass requirements_met(need) computed once for many proposals of one need.
    """
    required, welcome = need.required_languages, need.welcome_languages
    return {
        "shared_skills": sorted(volunteer.skills & need.skills),
        "shared_languages": sorted([c for c in volunteer.languages if c in required or c in welcome]),
        "matching_slots": matching_slots(volunteer, need) if need.slots and volunteer.slots else [],
        "distance_km": distance_km,
        "same_district": volunteer.district == need.district,
        "text_similarity": text_similarity,
        "requirements_met": list(requirements_met(need) if requirements is None else requirements),
        "strongest": strongest,
        "signals": dict(signal_values),
    }
