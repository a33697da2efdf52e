"""The skills and languages vocabulary, with labels in the reader's language."""

from collections.abc import Sequence

from babel import Locale
from sqlmodel import Session, select

from app.offices.services import Taken
from app.vocab.models import Language, Skill

FALLBACK_LOCALE = "de"


def label(labels: dict[str, str], locale: str, fallback: str) -> str:
    """The label in `locale`, else in German, else `fallback`."""
    return labels.get(locale) or labels.get(FALLBACK_LOCALE) or fallback


def list_skills(*, session: Session) -> Sequence[Skill]:
    return session.exec(select(Skill).order_by(Skill.key)).all()


def list_languages(*, session: Session) -> Sequence[Language]:
    return session.exec(select(Language).order_by(Language.code)).all()


def skill_choices(*, session: Session, locale: str) -> list[tuple[int, str]]:
    """(id, label) pairs sorted by label, for form choices."""
    choices = [(s.id or 0, label(s.labels, locale, s.key)) for s in list_skills(session=session)]
    return sorted(choices, key=lambda choice: choice[1].casefold())


def language_choices(*, session: Session, locale: str) -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name, for form choices."""
    choices = [(lang.code, label(lang.labels, locale, lang.code)) for lang in list_languages(session=session)]
    return sorted(choices, key=lambda choice: choice[1].casefold())


def skill_labels_by_key(*, session: Session, locale: str) -> dict[str, str]:
    return {s.key: label(s.labels, locale, s.key) for s in list_skills(session=session)}


def language_labels_by_code(*, session: Session, locale: str) -> dict[str, str]:
    return {lang.code: label(lang.labels, locale, lang.code) for lang in list_languages(session=session)}


# --- writing the vocabulary (admin) ---

UI_LANGUAGES = ("de", "en", "tr", "ar", "ru", "uk")


def is_language_code(code: str) -> bool:
    """A two-letter ISO 639-1 code that Babel knows a name for."""
    return len(code) == 2 and code in Locale.parse(FALLBACK_LOCALE).languages


def babel_language_labels(code: str) -> dict[str, str]:
    """The language's name in every UI language, as Babel knows it."""
    return {ui: Locale.parse(ui).languages.get(code, code) for ui in UI_LANGUAGES}


def _skill_key_taken(session: Session, key: str) -> bool:
    return session.exec(select(Skill).where(Skill.key == key)).first() is not None


def add_skill(*, session: Session, key: str, labels: dict[str, str], synonyms: list[str]) -> Skill:
    """Raises Taken("key") when the key is used already."""
    if _skill_key_taken(session, key):
        raise Taken("key")
    skill = Skill(key=key)
    return update_skill(session=session, skill=skill, labels=labels, synonyms=synonyms)


def update_skill(*, session: Session, skill: Skill, labels: dict[str, str], synonyms: list[str]) -> Skill:
    """Labels left empty are dropped, so readers fall back to German."""
    skill.labels = {code: text for code, text in labels.items() if text}
    skill.synonyms = list(dict.fromkeys(s for s in synonyms if s))
    session.add(skill)
    session.commit()
    return skill


def add_language(*, session: Session, code: str) -> Language:
    """Raises Taken("code") when the language is listed already."""
    if session.get(Language, code) is not None:
        raise Taken("code")
    language = Language(code=code, labels=babel_language_labels(code))
    session.add(language)
    session.commit()
    return language
