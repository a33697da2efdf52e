"""Adding and removing rows of the fitted arrays (VolunteerArrays, NeedArrays) field by field."""

from collections.abc import Sequence
from dataclasses import fields, replace
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from matching.features import Side, SplitText

S = TypeVar("S", bound=Side)

# Per column of the week arrays, not per row: shared by all rows.
PER_COLUMN = {"quarters"}


def stack_rows(parts: Sequence[S]) -> S:
    """The rows of all parts in order (all encoded by the same fitted Encoder), in one copy."""
    first = parts[0]
    if len(parts) == 1:
        return first
    changes: dict[str, Any] = {}
    for f in fields(first):
        if f.name in PER_COLUMN or not f.init:  # not f.init: a memo, not rows
            continue
        values = [getattr(part, f.name) for part in parts]
        if isinstance(values[0], SplitText):
            changes[f.name] = SplitText(
                dense=np.concatenate([v.dense for v in values]),
                wide=sparse.csr_matrix(sparse.vstack([v.wide for v in values])),
                rest=sparse.csr_matrix(sparse.vstack([v.rest for v in values])),
            )
        else:
            changes[f.name] = np.concatenate(values)
    return replace(first, **changes)


def drop_rows(arrays: S, keep: NDArray[np.bool_]) -> S:
    changes: dict[str, Any] = {}
    for f in fields(arrays):
        if f.name in PER_COLUMN or not f.init:  # not f.init: a memo, not rows
            continue
        value = getattr(arrays, f.name)
        if isinstance(value, SplitText):
            changes[f.name] = SplitText(
                dense=value.dense[keep],
                wide=sparse.csr_matrix(value.wide[keep]),
                rest=sparse.csr_matrix(value.rest[keep]),
            )
        else:
            changes[f.name] = value[keep]
    return replace(arrays, **changes)
