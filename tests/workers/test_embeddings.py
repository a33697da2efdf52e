"""Embeddings are computed when a profile is saved, kept on its row, and made up by the worker if missing."""

import numpy as np
import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app import embeddings
from app.needs.models import Need
from app.needs.services import NeedData, create_need, update_need
from app.volunteers.models import Volunteer
from matching.embedding import DIMENSIONS, from_bytes, text_key
from tests import factories
from tests.app.test_volunteers_register import REGISTER, registration_form
from tests.support.mail import Mailbox
from workers import tasks


def kept(row: Volunteer | Need) -> np.ndarray | None:
    return from_bytes(row.embedding)


def test_registration_keeps_the_embedding_of_the_volunteers_own_words(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    response = client.post(REGISTER, data=registration_form(session, about="Mathe-Nachhilfe auf Ukrainisch"))
    assert response.status_code == 200, response.text
    volunteer = session.exec(select(Volunteer)).one()
    vector = kept(volunteer)
    assert vector is not None and vector.shape == (DIMENSIONS,)
    assert volunteer.embedding_key == text_key("Mathe-Nachhilfe auf Ukrainisch")
    expected = embeddings.EMBEDDER.embed(["Mathe-Nachhilfe auf Ukrainisch"])[0]
    assert float(vector @ expected) > 0.999


def test_a_changed_text_is_embedded_again_and_an_unchanged_one_is_not(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    organisation = factories.make_organisation(session, "Grundschule Haken")
    district_id = factories.district(session).id or 0
    need = create_need(
        session=session,
        organisation_id=organisation.id or 0,
        created_by_id=None,
        data=NeedData(
            title="Lesepaten", description="Vorlesen in der zweiten Klasse", district_id=district_id
        ),
    )
    first_key, first = need.embedding_key, kept(need)
    assert first is not None

    calls: list[list[str]] = []
    real_embed = embeddings.EMBEDDER.embed
    monkeypatch.setattr(
        embeddings.EMBEDDER, "embed", lambda texts: calls.append(list(texts)) or real_embed(texts)
    )
    update_need(
        session=session,
        need=need,
        data=NeedData(
            title="Lesepaten", description="Vorlesen in der zweiten Klasse", district_id=district_id, places=3
        ),
    )
    assert calls == [] and need.embedding_key == first_key
    update_need(
        session=session,
        need=need,
        data=NeedData(title="Schachpaten", description="Schach-AG am Nachmittag", district_id=district_id),
    )
    assert calls == [["Schachpaten Schach-AG am Nachmittag"]]
    second = kept(need)
    assert need.embedding_key == text_key("Schachpaten Schach-AG am Nachmittag")
    assert second is not None and float(second @ first) < 0.99


def test_a_failing_model_loses_no_registration_and_the_worker_embeds_later(
    client: FlaskClient, session: Session, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(texts: list[str]) -> np.ndarray:
        raise RuntimeError("model file unreadable")

    with monkeypatch.context() as patch:
        patch.setattr(embeddings.EMBEDDER, "embed", broken)
        response = client.post(
            REGISTER, data=registration_form(session, about="Fahrradwerkstatt, Deutsch B1")
        )
    assert response.status_code == 200, response.text
    volunteer = session.exec(select(Volunteer)).one()
    assert volunteer.embedding is None

    factories.make_need(session)
    tasks.match_volunteer.run(volunteer.id)
    session.refresh(volunteer)
    assert volunteer.embedding_key == text_key("Fahrradwerkstatt, Deutsch B1")
    assert kept(volunteer) is not None
