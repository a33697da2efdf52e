"""Sentence embeddings of a profile's own words, computed when the profile is saved and kept on its row.

The save pays for the model once (tens of milliseconds for a short text), so the worker that matches the
profile right after the commit only reads the vector. If embedding fails, the save goes on without it
and the worker computes what is missing (workers.embeddings): a registration is never lost to the model.
"""

import logging

import numpy as np
from numpy.typing import NDArray

from app.needs.models import Need
from app.volunteers.models import Volunteer
from matching.embedding import Embedder, FusedEmbedder, text_key, to_bytes

log = logging.getLogger(__name__)

# One model per process, loaded on first use and kept (web and worker processes alike).
EMBEDDER: Embedder = FusedEmbedder()


def own_words(row: Volunteer | Need) -> str:
    """What the person wrote: the meaning the embedding captures (skill synonyms are for the n-grams)."""
    if isinstance(row, Volunteer):
        return row.about.strip()
    return " ".join([row.title, row.description]).strip()


def keep(row: Volunteer | Need, text: str, vector: NDArray[np.float32]) -> None:
    """Writes `vector` as the row's embedding of `text`; the caller's commit keeps it."""
    row.embedding = to_bytes(vector)
    row.embedding_key = text_key(text)


def embed_on_save(row: Volunteer | Need) -> None:
    """Embeds the row's own words unless its kept embedding is of this very text already.

    A profile without own words is left to the worker, which embeds its skill words instead.
    """
    text = own_words(row)
    if not text or row.embedding_key == text_key(text):
        return
    try:
        vector = EMBEDDER.embed([text])[0]
    except Exception:  # the model is an optimisation of latency, never a reason to lose a save
        log.exception("embedding on save failed; the worker will embed %s %s", type(row).__name__, row.id)
        return
    keep(row, text, vector)
