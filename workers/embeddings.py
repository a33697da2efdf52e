"""Embeds profiles that reach the matcher without a kept embedding, and keeps the result on their rows.

Most profiles were embedded when they were saved (app.embeddings); this covers the rest: a profile
without own words (its skill words are embedded), demo or imported rows, and a save whose embedding failed.
"""

from collections.abc import Sequence
from dataclasses import replace
from typing import TypeVar

from sqlmodel import Session

from app.embeddings import EMBEDDER, keep
from app.needs.models import Need
from app.volunteers.models import Volunteer
from matching.types import NeedProfile, VolunteerProfile

P = TypeVar("P", VolunteerProfile, NeedProfile)


def with_embeddings(session: Session, profiles: Sequence[P]) -> list[P]:
    """The profiles, each with an embedding; those computed now are written to their rows (the
    caller's commit keeps them), so every text is embedded once."""
    missing = [i for i, p in enumerate(profiles) if p.embedding is None]
    if not missing:
        return list(profiles)
    vectors = EMBEDDER.embed([embedded_text(profiles[i]) for i in missing])
    result = list(profiles)
    for i, vector in zip(missing, vectors, strict=True):
        profile = profiles[i]
        row: Volunteer | Need | None = (
            session.get(Volunteer, profile.id)
            if isinstance(profile, VolunteerProfile)
            else session.get(Need, profile.id)
        )
        if row is not None:
            keep(row, embedded_text(profile), vector)
            session.add(row)
        result[i] = replace(profile, embedding=vector)
    return result


def embedded_text(profile: VolunteerProfile | NeedProfile) -> str:
    return profile.own_words or profile.text
