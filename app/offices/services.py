"""Offices and the districts they look after."""

from collections.abc import Sequence

from sqlmodel import Session, select

from app.offices.models import District, Office


def list_districts(*, session: Session) -> Sequence[District]:
    return session.exec(select(District).order_by(District.name)).all()


def district_choices(*, session: Session) -> list[tuple[int, str]]:
    return [(d.id or 0, d.name) for d in list_districts(session=session)]


def list_offices(*, session: Session) -> Sequence[Office]:
    return session.exec(select(Office).order_by(Office.is_central.desc(), Office.name)).all()  # type: ignore[attr-defined]


class Taken(Exception):
    """A unique value (name, slug, key, e-mail) is used already; `field` names the form field."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def districts_by_office(*, session: Session) -> dict[int | None, list[District]]:
    """Each office id (None: no office) with its districts, by name."""
    grouped: dict[int | None, list[District]] = {}
    for district in list_districts(session=session):
        grouped.setdefault(district.office_id, []).append(district)
    return grouped


def _check_unique(session: Session, district: District) -> None:
    # No autoflush: a changed, not yet checked district must not reach the database first.
    with session.no_autoflush:
        for field in ("name", "slug"):
            query = select(District).where(getattr(District, field) == getattr(district, field))
            if district.id is not None:
                query = query.where(District.id != district.id)
            if session.exec(query).first() is not None:
                raise Taken(field)


def save_district(*, session: Session, district: District) -> District:
    """Adds or updates a district; raises Taken("name"/"slug") when another district uses it."""
    _check_unique(session, district)
    session.add(district)
    session.commit()
    return district
