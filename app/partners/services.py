"""Partner organisations and the staff who act for them."""

from collections.abc import Sequence
from dataclasses import dataclass, fields

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.offices.services import Taken
from app.partners.models import Organisation


@dataclass(frozen=True)
class OrganisationData:
    name: str
    kind: str
    district_id: int | None
    address: str
    contact_email: str
    phone: str


def list_organisations(*, session: Session) -> Sequence[Organisation]:
    return session.exec(select(Organisation).order_by(Organisation.name)).all()


def staff_counts(*, session: Session) -> dict[int, int]:
    """Active staff accounts per organisation id."""
    rows = session.exec(
        select(User.organisation_id, func.count())
        .where(User.role == Role.PARTNER, col(User.is_active))
        .group_by(User.organisation_id)  # type: ignore[arg-type]
    ).all()
    return {organisation_id: n for organisation_id, n in rows if organisation_id is not None}


def list_staff(*, session: Session, organisation_id: int) -> Sequence[User]:
    return session.exec(
        select(User)
        .where(User.organisation_id == organisation_id, User.role == Role.PARTNER)
        .order_by(User.display_name, User.email)
    ).all()


def save_organisation(
    *, session: Session, data: OrganisationData, organisation: Organisation | None = None
) -> Organisation:
    """Creates or updates an organisation; raises Taken("name") when another one has that name."""
    query = select(Organisation).where(Organisation.name == data.name)
    if organisation is not None:
        query = query.where(Organisation.id != organisation.id)
    with session.no_autoflush:
        if session.exec(query).first() is not None:
            raise Taken("name")
    organisation = organisation or Organisation(name=data.name)
    for field in fields(data):
        setattr(organisation, field.name, getattr(data, field.name))
    session.add(organisation)
    session.commit()
    return organisation
