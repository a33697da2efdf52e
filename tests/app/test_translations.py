"""Every UI language's catalogue is complete (German is the default), and no translation breaks a
placeholder; the default settings offer exactly the languages that have a catalogue."""

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.config import Settings

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "app" / "translations"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
METHOD_MAP = [("**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")]
LOCALES = ("de", "en", "tr", "ar", "ru", "uk")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]")


def source_msgids() -> set[str]:
    ids: set[str] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT / "app"), METHOD_MAP, keywords=KEYWORDS
    ):
        ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


def catalogue(locale: str) -> Catalog:
    path = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"missing catalogue {path}: run pybabel init/update (see README)"
    with path.open("rb") as file:
        return read_po(file, locale=locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_translates_every_message_in_the_source(locale: str) -> None:
    translated = {
        (m.id[0] if isinstance(m.id, tuple) else m.id)
        for m in catalogue(locale)
        if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = sorted(source_msgids() - translated)
    assert not missing, f"{len(missing)} messages lack a {locale} translation, e.g. {missing[:5]}"


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_their_placeholders(locale: str) -> None:
    broken = []
    found = catalogue(locale)
    for message in found:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[0])) | set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            used = set(PLACEHOLDER.findall(string))
            # A plural form may spell its number out ("one", "two"), but never use an unknown name,
            # and a singular message keeps all of them.
            if not used <= wanted or (len(ids) == 1 and used != wanted):
                broken.append(ids[0])
        if len(ids) > 1 and len(strings) != found.num_plurals:
            broken.append(ids[0])
    assert not broken, broken


def test_the_default_settings_offer_every_catalogue() -> None:
    on_disk = {
        path.name for path in TRANSLATIONS.iterdir() if (path / "LC_MESSAGES" / "messages.po").exists()
    }
    assert set(Settings().locales) == on_disk == set(LOCALES)
