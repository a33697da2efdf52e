"""Embeds every profile whose kept embedding is missing or of another model, a batch at a time.

    .venv/bin/python -m workers.reembed            # e.g. after an upgrade that changed the models

The worker embeds what is missing anyway (workers.embeddings), but only when it next fits, all in one
transaction: after a change of models that is every profile, which at the batch rate measured here
(13–40 texts per second) is up to an hour or two of a nightly run for 100,000 profiles. Run ahead of
it, this commits batch by batch, so it can be stopped and run again where it stopped.
"""

from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlmodel import Session

from matching.types import NeedProfile, VolunteerProfile
from workers.convert import load_needs, load_volunteers
from workers.embeddings import with_embeddings

P = TypeVar("P", VolunteerProfile, NeedProfile)
BATCH = 256


def reembed(session: Session, batch: int = BATCH, report: Callable[[str], None] = print) -> int:
    """Embeds the volunteers and needs (open or not) without a kept embedding of their current text;
    returns how many."""
    done = _in_batches(session, "volunteers", load_volunteers(session=session), batch, report)
    return done + _in_batches(session, "needs", load_needs(session=session), batch, report)


def _in_batches(
    session: Session, kind: str, profiles: Sequence[P], batch: int, report: Callable[[str], None]
) -> int:
    missing = [p for p in profiles if p.embedding is None]
    for start in range(0, len(missing), batch):
        with_embeddings(session, missing[start : start + batch])
        session.commit()
        report(f"{kind}: {min(start + batch, len(missing))}/{len(missing)} embedded")
    return len(missing)


def main() -> None:
    from app import create_app
    from app.extensions import db

    with create_app().app_context(), db.new_session() as session:
        count = reembed(session)
    print(f"{count} profiles embedded")


if __name__ == "__main__":
    main()
