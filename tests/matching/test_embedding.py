"""The projection of stored embeddings (matching.embedding.Projection), on random vectors."""

import numpy as np
from numpy.typing import NDArray

from matching.embedding import DIMENSIONS, KEPT, PARTS, PROJECTED_FROM, Projection


def unit_rows(rng: np.random.Generator, rows: int) -> NDArray[np.float32]:
    vectors = rng.standard_normal((rows, DIMENSIONS)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_a_small_corpus_is_only_centred_and_a_large_one_keeps_kept_directions_per_model() -> None:
    rng = np.random.default_rng(0)
    small = Projection().fit([list(unit_rows(rng, 20)), list(unit_rows(rng, 10))])
    large = Projection().fit([list(unit_rows(rng, PROJECTED_FROM)), list(unit_rows(rng, 50))])
    assert small.dimensions == DIMENSIONS
    assert large.dimensions == KEPT * len(PARTS)
    out = large.transform(unit_rows(rng, 3), side=1)
    assert out.shape == (3, KEPT * len(PARTS))
    # Each model's part has length √½, so two vectors' dot product is the mean of two cosines.
    assert np.allclose(np.linalg.norm(out[:, :KEPT], axis=1), np.sqrt(0.5), atol=1e-5)
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)


def test_an_offset_shared_by_one_side_does_not_change_its_products_with_the_other() -> None:
    """What every text of one side shares (needs written in German, say) is not meaning: it is removed
    with that side's mean, so a Ukrainian volunteer's cosines with German needs are not all pushed
    below 0, where the text signal is cut off."""
    rng = np.random.default_rng(1)
    volunteers, needs = unit_rows(rng, 40), unit_rows(rng, 30)
    offset = 3 * unit_rows(rng, 1)[0]
    plain = Projection().fit([list(volunteers), list(needs)])
    shifted = Projection().fit([list(volunteers), list(needs + offset)])
    before = plain.transform(volunteers, 0) @ plain.transform(needs, 1).T
    after = shifted.transform(volunteers, 0) @ shifted.transform(needs + offset, 1).T
    assert np.allclose(before, after, atol=1e-4)


def test_a_side_of_a_few_profiles_is_centred_on_everyones_mean() -> None:
    """One volunteer's own mean is the volunteer: centred on it, nothing of their meaning would be left."""
    rng = np.random.default_rng(2)
    volunteer, needs = unit_rows(rng, 1), unit_rows(rng, 30)
    projection = Projection().fit([list(volunteer), list(needs)])
    assert np.linalg.norm(projection.transform(volunteer, 0)) > 0.99
