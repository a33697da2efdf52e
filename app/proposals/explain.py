"""A proposal's reasons (matcher data, see matching/types.py) as sentences in the reader's language."""

from collections.abc import Callable
from typing import Any

from babel.dates import get_day_names
from flask_babel import format_decimal, format_percent, get_locale
from flask_babel import gettext as _

from app.i18n import time_of_day

# Looked up when called, so they are translated into the current request's language.
SIGNAL_NAMES: dict[str, Callable[[], str]] = {
    "text": lambda: _("what both wrote in their own words"),
    "skills": lambda: _("shared skills"),
    "languages": lambda: _("shared languages"),
    "time": lambda: _("matching times"),
    "distance": lambda: _("a short distance"),
    "fairness": lambda: _("rarely proposed so far"),
}
REQUIREMENT_NAMES: dict[str, Callable[[], str]] = {
    "certificate": lambda: _("certificate of conduct"),
    "min_age": lambda: _("minimum age"),
    "required_languages": lambda: _("required languages"),
    "fixed_times": lambda: _("fixed times"),
}
# Below this, similar wording is a coincidence rather than a reason worth showing.
TEXT_SIMILARITY_SHOWN_FROM = 0.2


def explain(
    reasons: dict[str, Any], skill_names: dict[str, str], language_names: dict[str, str]
) -> list[str]:
    """Plain-language sentences for the reasons; unknown keys or values are skipped, never an error.

    `skill_names` and `language_names` map vocabulary keys and codes to labels in the reader's language.
    """
    sentences = []
    if skills := reasons.get("shared_skills"):
        names = ", ".join(skill_names.get(key, key) for key in skills)
        sentences.append(_("Shared skills: %(skills)s", skills=names))
    if languages := reasons.get("shared_languages"):
        names = ", ".join(language_names.get(code, code) for code in languages)
        sentences.append(_("Shared languages: %(languages)s", languages=names))
    if times := _times(reasons.get("matching_slots") or []):
        sentences.append(_("Available at the needed times: %(times)s", times=times))
    if isinstance(reasons.get("distance_km"), int | float):
        km = format_decimal(reasons["distance_km"], "0.0")
        if reasons.get("same_district"):
            sentences.append(_("Distance: %(km)s km (same district)", km=km))
        else:
            sentences.append(_("Distance: %(km)s km", km=km))
    similarity = reasons.get("text_similarity")
    if isinstance(similarity, int | float) and similarity >= TEXT_SIMILARITY_SHOWN_FROM:
        sentences.append(
            _("Similar wording in what both wrote: %(percent)s", percent=format_percent(similarity))
        )
    met = [REQUIREMENT_NAMES[r]() for r in reasons.get("requirements_met") or [] if r in REQUIREMENT_NAMES]
    if met:
        sentences.append(_("Requirements met: %(requirements)s", requirements=", ".join(met)))
    if reasons.get("strongest") in SIGNAL_NAMES:
        sentences.append(_("Weighed most: %(signal)s", signal=SIGNAL_NAMES[reasons["strongest"]]()))
    return sentences


def _times(slots: list[Any]) -> str:
    """'Tue 15:00–17:00; Thu 15:00–16:00' from [weekday, start_minute, end_minute] triples."""
    days = get_day_names("abbreviated", locale=get_locale() or "de")
    windows = [
        f"{days[day]} {time_of_day(start)}–{time_of_day(end)}"
        for day, start, end in (slot for slot in slots if isinstance(slot, list | tuple) and len(slot) == 3)
        if day in days
    ]
    return "; ".join(windows)
