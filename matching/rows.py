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
    return replace(first, **{name: _stack([getattr(p, name) for p in parts]) for name in _row_fields(first)})


def drop_rows(arrays: S, keep: NDArray[np.bool_]) -> S:
    return replace(arrays, **{name: _take(getattr(arrays, name), keep) for name in _row_fields(arrays)})


def _row_fields(arrays: Side | SplitText) -> list[str]:
    # Fields not set at construction (not f.init) are memos, not rows.
    return [f.name for f in fields(arrays) if f.init and f.name not in PER_COLUMN]


def _stack(values: list[Any]) -> Any:
    if isinstance(values[0], SplitText):
        names = _row_fields(values[0])
        return SplitText(**{name: _stack([getattr(v, name) for v in values]) for name in names})
    if sparse.issparse(values[0]):
        return sparse.csr_matrix(sparse.vstack(values))
    return np.concatenate(values)


def _take(value: Any, keep: NDArray[np.bool_]) -> Any:
    if isinstance(value, SplitText):
        return SplitText(**{name: _take(getattr(value, name), keep) for name in _row_fields(value)})
    if sparse.issparse(value):
        return sparse.csr_matrix(value[keep])
    return value[keep]
