"""Adding and removing rows of the fitted arrays (VolunteerArrays, NeedArrays) field by field."""

from dataclasses import fields, replace
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from matching.features import Side, SplitText

S = TypeVar("S", bound=Side)

# Per column of the week arrays, not per row: shared by all rows.
PER_COLUMN = {"quarters"}


def stack_rows(first: S, second: S) -> S:
    """The rows of `first`, then those of `second` (both encoded by the same fitted Encoder)."""
    changes: dict[str, Any] = {}
    for f in fields(first):
        if f.name in PER_COLUMN:
            continue
        a, b = getattr(first, f.name), getattr(second, f.name)
        if isinstance(a, SplitText):
            changes[f.name] = SplitText(
                dense=np.concatenate([a.dense, b.dense]),
                rest=sparse.csr_matrix(sparse.vstack([a.rest, b.rest])),
            )
        else:
            changes[f.name] = np.concatenate([a, b])
    return replace(first, **changes)


def drop_rows(arrays: S, keep: NDArray[np.bool_]) -> S:
    changes: dict[str, Any] = {}
    for f in fields(arrays):
        if f.name in PER_COLUMN:
            continue
        value = getattr(arrays, f.name)
        if isinstance(value, SplitText):
            changes[f.name] = SplitText(dense=value.dense[keep], rest=sparse.csr_matrix(value.rest[keep]))
        else:
            changes[f.name] = value[keep]
    return replace(arrays, **changes)
