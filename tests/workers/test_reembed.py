"""workers.reembed: profiles whose kept embedding is missing or of an older model are embedded again."""

import numpy as np
import pytest
from sqlmodel import Session

from app import embeddings
from app.needs.models import Need
from app.volunteers.models import Volunteer
from matching.embedding import from_bytes, text_key
from tests import factories
from workers.reembed import reembed


def test_outdated_and_missing_embeddings_are_made_and_current_ones_kept(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    current = factories.make_volunteer(session, about="Ich lese Kindern gern vor.")
    embeddings.embed_on_save(current)
    older_model = factories.make_volunteer(session, about="Fahrräder reparieren")
    older_model.embedding = np.ones(384, dtype="<f4").tobytes()  # what e5 alone used to store
    older_model.embedding_key = "0" * 32
    need = factories.make_need(session)  # saved without one
    session.add_all([current, older_model, need])
    session.commit()
    kept_before = current.embedding

    calls: list[list[str]] = []
    real_embed = embeddings.EMBEDDER.embed
    monkeypatch.setattr(
        embeddings.EMBEDDER, "embed", lambda texts: calls.append(list(texts)) or real_embed(texts)
    )
    assert reembed(session, batch=1, report=lambda line: None) == 2

    assert calls == [["Fahrräder reparieren"], [f"{need.title} {need.description}".strip()]]
    for row in (session.get(Volunteer, older_model.id), session.get(Need, need.id)):
        assert row is not None and from_bytes(row.embedding) is not None
    assert session.get(Volunteer, older_model.id).embedding_key == text_key("Fahrräder reparieren")  # type: ignore[union-attr]
    assert current.embedding == kept_before
    assert reembed(session, report=lambda line: None) == 0, "a second run finds nothing left"
