"""Hard constraints as boolean masks (volunteers × needs of one chunk): True = allowed."""

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from matching.features import NeedArrays, VolunteerArrays, haversine_km

CONSTRAINTS = (
    "paused",
    "no_places",
    "at_capacity",
    "certificate",
    "min_age",
    "required_languages",
    "fixed_times",
    "travel_radius",
)

Mask = NDArray[np.bool_]


@dataclass
class Block:
    """The pairwise quantities of a chunk of volunteers × a chunk of needs, computed once and shared."""

    volunteers: slice
    needs: slice
    overlap_quarters: NDArray[np.floating[Any]]  # shared quarter hours per week
    shared_spans: NDArray[np.float32]  # > 0 where one shared window is long enough
    distance_km: NDArray[np.float64]  # between district centres; 0 within a district


def make_block(volunteers: VolunteerArrays, needs: NeedArrays, rows: slice, chunk: slice) -> Block:
    """`rows` of the volunteers × `chunk` of the needs."""
    return Block(
        volunteers=rows,
        needs=chunk,
        overlap_quarters=bitmap_product(volunteers.week[rows], needs.week[chunk], volunteers.quarters),
        shared_spans=bitmap_product(volunteers.spans[rows], needs.spans[chunk]),
        distance_km=distances_km(volunteers, needs, rows, chunk),
    )


def bitmap_product(
    left: NDArray[np.uint8], right: NDArray[np.uint8], weights: NDArray[np.float32] | None = None
) -> NDArray[np.float32]:
    """left @ diag(weights) @ right.T in float32, for 0/1 bitmaps.

    Only columns where the thinner side has a 1 can add anything, so only those are converted: one
    profile against everyone touches a few dozen of 672 columns. The weights go on the thinner side.
    """
    thin_left = len(left) <= len(right)
    used = np.flatnonzero((left if thin_left else right).any(axis=0))
    a, b = left[:, used].astype(np.float32), right[:, used].astype(np.float32)
    if weights is not None:
        if thin_left:
            a *= weights[used][None, :]
        else:
            b *= weights[used][None, :]
    result: NDArray[np.float32] = a @ b.T
    return result


def distances_km(
    volunteers: VolunteerArrays, needs: NeedArrays, rows: slice, chunk: slice
) -> NDArray[np.float64]:
    """Distances between district centres (0 within a district), computed once per pair of distinct
    places and then gathered: a block has millions of pairs but only a few dozen places."""
    v, n = volunteers.places(rows), needs.places(chunk)
    between = haversine_km(v.lat[:, None], v.lon[:, None], n.lat[None, :], n.lon[None, :])
    between[v.district[:, None] == n.district[None, :]] = 0.0
    # Rows first, then columns: two gathers along one axis are faster than one two-dimensional gather.
    return np.take(between[v.index], n.index, axis=1)


def constraint_masks(volunteers: VolunteerArrays, needs: NeedArrays, block: Block) -> dict[str, Mask]:
    """One mask per hard constraint, keyed as CONSTRAINTS; a pair is eligible where all are True."""
    rows, chunk = block.volunteers, block.needs
    shape = block.distance_km.shape

    # Required languages: every one of them spoken at a good enough level.
    required_count = needs.required[chunk].sum(axis=1) + needs.required_unknown[chunk]
    qualified_count = volunteers.qualified[rows] @ needs.required[chunk].T

    # An unknown age (nan) fails every minimum age: comparisons with nan are False.
    min_age = needs.min_age[chunk]
    with np.errstate(invalid="ignore"):
        age_ok = np.isnan(min_age)[None, :] | (volunteers.age[rows, None] >= min_age[None, :])

    has_fixed_times = needs.has_times[chunk]

    def per_volunteer(ok: NDArray[np.bool_]) -> Mask:
        return np.broadcast_to(ok[rows, None], shape)

    def per_need(ok: NDArray[np.bool_]) -> Mask:
        return np.broadcast_to(ok[None, :], shape)

    return {
        "paused": per_volunteer(~volunteers.paused) & per_need(~needs.paused[chunk]),
        "no_places": per_need(~needs.no_places[chunk]),
        "at_capacity": per_volunteer(~volunteers.at_capacity),
        "certificate": ~needs.requires_certificate[chunk][None, :] | volunteers.certificate_ok[rows, None],
        "min_age": age_ok,
        "required_languages": qualified_count >= required_count[None, :],
        "fixed_times": ~has_fixed_times[None, :] | (block.shared_spans > 0),
        "travel_radius": block.distance_km <= volunteers.radius_km[rows, None],
    }


def eligible(masks: dict[str, Mask]) -> Mask:
    result = np.ones(next(iter(masks.values())).shape, dtype=bool)
    for mask in masks.values():
        result &= mask
    return result
