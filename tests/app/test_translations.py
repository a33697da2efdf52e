"""German is the default locale and its catalogue is complete; English too."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "app" / "translations"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
METHOD_MAP = [("**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")]


def source_msgids() -> set[str]:
    ids: set[str] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT / "app"), METHOD_MAP, keywords=KEYWORDS
    ):
        ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


@pytest.mark.parametrize("locale", ["de", "en"])
def test_catalogue_translates_every_message_in_the_source(locale: str) -> None:
    path = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"missing catalogue {path}: run pybabel init/update (see README)"
    with path.open("rb") as file:
        catalogue = read_po(file, locale=locale)
    translated = {
        (m.id[0] if isinstance(m.id, tuple) else m.id)
        for m in catalogue
        if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = sorted(source_msgids() - translated)
    assert not missing, f"{len(missing)} messages lack a {locale} translation, e.g. {missing[:5]}"
