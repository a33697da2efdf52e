"""Embeds profiles whose text has no kept embedding yet, and keeps the result on their rows."""

from collections.abc import Sequence
from dataclasses import replace
from typing import TypeVar

from sqlmodel import Session

from app.needs.models import Need
from app.volunteers.models import Volunteer
from matching.embedding import E5Embedder, Embedder, text_key, to_bytes
from matching.types import NeedProfile, VolunteerProfile

P = TypeVar("P", VolunteerProfile, NeedProfile)

# One model per worker process, loaded on first use and kept.
_embedder: Embedder = E5Embedder()


def with_embeddings(session: Session, profiles: Sequence[P]) -> list[P]:
    """The profiles, each with an embedding; those computed now are written to their rows (the
    caller's commit keeps them), so every text is embedded once, when it is first matched."""
    missing = [i for i, p in enumerate(profiles) if p.embedding is None]
    if not missing:
        return list(profiles)
    vectors = _embedder.embed([embedded_text(profiles[i]) for i in missing])
    result = list(profiles)
    for i, vector in zip(missing, vectors, strict=True):
        profile = profiles[i]
        model = Volunteer if isinstance(profile, VolunteerProfile) else Need
        row = session.get(model, profile.id)
        if row is not None:
            row.embedding = to_bytes(vector)
            row.embedding_key = text_key(embedded_text(profile))
            session.add(row)
        result[i] = replace(profile, embedding=vector)
    return result


def embedded_text(profile: VolunteerProfile | NeedProfile) -> str:
    return profile.own_words or profile.text
