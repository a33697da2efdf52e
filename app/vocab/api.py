"""What the API's ids and codes mean: districts, skills and languages, labelled in the caller's language."""

from apiflask import APIBlueprint
from flask_babel import get_locale
from pydantic import BaseModel

from app.accounts.api_auth import token_auth
from app.extensions import db
from app.offices.services import district_choices
from app.vocab.services import language_choices, list_skills, skill_labels_by_key

bp = APIBlueprint("reference_api", __name__, url_prefix="/api/v1/reference", tag="Reference")


class District(BaseModel):
    id: int
    name: str


class Skill(BaseModel):
    id: int
    key: str
    label: str


class Language(BaseModel):
    code: str
    name: str


class Reference(BaseModel):
    districts: list[District]
    skills: list[Skill]
    languages: list[Language]


@bp.get("/")
@bp.auth_required(token_auth)
@bp.output(Reference)
def reference() -> Reference:
    """Districts, skills and languages with their ids and codes"""
    locale = str(get_locale() or "de")
    labels = skill_labels_by_key(session=db.session, locale=locale)
    return Reference(
        districts=[District(id=i, name=name) for i, name in district_choices(session=db.session)],
        skills=[Skill(id=s.id or 0, key=s.key, label=labels[s.key]) for s in list_skills(session=db.session)],
        languages=[Language(code=c, name=n) for c, n in language_choices(session=db.session, locale=locale)],
    )
