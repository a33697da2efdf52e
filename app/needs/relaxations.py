"""Stores what the matcher counted per need: how many more volunteers would qualify if one of its
requirements were relaxed (matching/relaxation.py), in the matching task's transaction."""

from collections.abc import Mapping, Sequence

from sqlalchemy import bindparam, update
from sqlmodel import Session, col

from app.base import utcnow
from app.needs.models import Need


def store_relaxations(
    *,
    session: Session,
    counts: Mapping[int, Mapping[str, int]],
    need_ids: Sequence[int] | None = None,
) -> None:
    """Adds (does not commit) the counts of the needs that were counted, {need id: {constraint: count}};
    the other needs in the scope (None: every need), which the matcher left out because they are
    paused, full or closed, lose theirs. Only counts above 0 are kept.

    Plain UPDATE statements, past the ORM: the nightly run writes every open need, and `updated_at`
    stays as it is (it tells the warm matcher which profiles were edited).
    """
    table = Need.__table__  # type: ignore[attr-defined]
    stale = update(table).where(col(Need.qualify_counted_at).is_not(None))
    if need_ids is not None:
        stale = stale.where(col(Need.id).in_(need_ids))
    connection = session.connection()
    connection.execute(stale.values(qualify_if_relaxed=None, qualify_counted_at=None))
    now = utcnow()
    rows = [
        {"need": need_id, "counts": {name: n for name, n in by_constraint.items() if n > 0}, "at": now}
        for need_id, by_constraint in counts.items()
    ]
    if rows:
        counted = (
            update(table)
            .where(table.c.id == bindparam("need"))
            .values(qualify_if_relaxed=bindparam("counts"), qualify_counted_at=bindparam("at"))
        )
        connection.execute(counted, rows)
