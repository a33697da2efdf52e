"""Cross-lingual matching on hand-written cases: German needs, volunteers writing in tr, ar, ru, uk, en, de.

    .venv/bin/python -m bench.crosslingual                                  # bench/data/crosslingual.json
    .venv/bin/python -m bench.crosslingual path/to/cases.json

Each volunteer describes one activity in their own language, mostly without skill tags; the case names
the need a person would pick (see the file's _comment). Two readings of every case:

- open: the volunteer is free all week and every need is within reach; certificate, age and languages as
  written. A hit when `expected` ranks first among the needs proposed to them.
- as written: their slots, district and travel radius as written. A hit when `expected_written` is among
  the first three; a `trap` (a need their text fits but a hard constraint excludes) must never appear.

Rankers, in the same run and under the same hard constraints (the pairs the matcher may propose): the
matcher with every signal, its text signal alone, and word TF-IDF on the texts (the baseline). Every
proposed pair is also checked against the hard constraints here, by hand (certificate, age, required
languages at B1 or better, 30 shared minutes on one weekday, distance within the radius): `violations`
must be 0. Prints a table, then one line of JSON.
"""

import argparse
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sklearn.feature_extraction.text import TfidfVectorizer

from app.demo import parse_slot
from bench.common import cached_embeddings, print_json, print_table
from matching.pipeline import match
from matching.types import MatchParams, NeedProfile, Proposal, Slot, VolunteerProfile

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CASES = ROOT / "bench" / "data" / "crosslingual.json"
DATA = ROOT / "app" / "data"
TODAY = date(2026, 6, 1)  # fixed, so that ages and certificates read the same on any day
ALL_WEEK = tuple(Slot(day, 0, 24 * 60) for day in range(7))
WITHIN_REACH_KM = 100.0
MIN_SHARED_MINUTES = 30
LEVELS = {"A1": 1, "A2": 2, "B1": 3, "B2": 4, "C1": 5, "C2": 6, "native": 7}
LANGUAGES = ("tr", "ar", "ru", "uk", "en", "de")


@dataclass(frozen=True)
class Case:
    volunteer: VolunteerProfile
    language: str
    expected: int
    expected_written: int
    traps: frozenset[int]
    certificate: bool
    age: int


def parse_slots(texts: Sequence[str]) -> tuple[Slot, ...]:
    """Slots written as in the demo data ("Di 15:00-17:00")."""
    return tuple(Slot(*parse_slot(text)) for text in texts)


def load(path: Path) -> tuple[list[NeedProfile], list[Case]]:
    """Profiles as the worker builds them (workers/convert.py): text = own words + the skills' German
    labels and synonyms; the embedding of the own words, from the app's models (cached)."""
    cases_file = json.loads(path.read_text(encoding="utf-8"))
    places = {
        d["slug"]: (d["latitude"], d["longitude"])
        for d in json.loads((DATA / "districts.json").read_text(encoding="utf-8"))["districts"]
    }
    vocabulary = json.loads((DATA / "vocabulary.json").read_text(encoding="utf-8"))["skills"]
    skill_words = {s["key"]: " ".join([s["labels"]["de"], *s.get("synonyms", [])]) for s in vocabulary}
    need_rows, volunteer_rows = cases_file["needs"], cases_file["volunteers"]
    own = [f"{n['title']} {n['description']}" for n in need_rows] + [v["about"] for v in volunteer_rows]
    vectors, _ = cached_embeddings(own, log=lambda line: print(line, flush=True))
    ids = {n["key"]: i for i, n in enumerate(need_rows, start=1)}

    needs = [
        NeedProfile(
            id=ids[n["key"]],
            text=" ".join([own[i], *(skill_words[s] for s in n["skills"])]),
            own_words=own[i],
            embedding=vectors[i],
            skills=frozenset(n["skills"]),
            required_languages=frozenset(n["required_languages"]),
            welcome_languages=frozenset(n["welcome_languages"]) - frozenset(n["required_languages"]),
            slots=parse_slots(n["slots"]),
            district=n["district"],
            location=places[n["district"]],
            requires_certificate=n["requires_certificate"],
            min_age=n["min_age"],
        )
        for i, n in enumerate(need_rows)
    ]
    cases = []
    for j, v in enumerate(volunteer_rows, start=1):
        i = len(need_rows) + j - 1
        profile = VolunteerProfile(
            id=1000 + j,
            text=" ".join([own[i], *(skill_words[s] for s in v["skills"])]),
            own_words=own[i],
            embedding=vectors[i],
            skills=frozenset(v["skills"]),
            languages=dict(v["languages"]),
            slots=parse_slots(v["slots"]),
            district=v["district"],
            location=places[v["district"]],
            travel_radius_km=float(v["radius_km"]),
            # The day after their birthday, so the age reads the same whatever the leap years.
            birth_date=TODAY.replace(year=TODAY.year - v["age"]) - timedelta(days=1),
            certificate_inspected_on=TODAY - timedelta(days=365) if v["certificate"] else None,
        )
        cases.append(
            Case(
                volunteer=profile,
                language=v["language"],
                expected=ids[v["expected"]],
                expected_written=ids[v["expected_written"]],
                traps=frozenset(ids[t] for t in v["traps"]),
                certificate=v["certificate"],
                age=v["age"],
            )
        )
    return needs, cases


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = (tuple(math.radians(x) for x in p) for p in (a, b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def broken(case: Case, volunteer: VolunteerProfile, need: NeedProfile) -> list[str]:
    """The hard constraints the pair breaks, checked by hand (not with matching.constraints)."""
    found = []
    if need.requires_certificate and not case.certificate:
        found.append("certificate")
    if need.min_age is not None and case.age < need.min_age:
        found.append("min_age")
    if any(
        LEVELS.get(volunteer.languages.get(code, ""), 0) < LEVELS["B1"] for code in need.required_languages
    ):
        found.append("required_languages")
    if need.slots:
        shared = max(
            (
                min(n.end_minute, v.end_minute) - max(n.start_minute, v.start_minute)
                for n in need.slots
                for v in volunteer.slots
                if n.weekday == v.weekday
            ),
            default=0,
        )
        if shared < MIN_SHARED_MINUTES:
            found.append("fixed_times")
    if (
        volunteer.district != need.district
        and km(volunteer.location, need.location) > volunteer.travel_radius_km
    ):
        found.append("travel_radius")
    return found


Ranker = Callable[[Sequence[VolunteerProfile], Sequence[NeedProfile]], dict[int, list[int]]]


def by_matcher(params: MatchParams) -> Ranker:
    def rank(volunteers: Sequence[VolunteerProfile], needs: Sequence[NeedProfile]) -> dict[int, list[int]]:
        return ranked(match(volunteers, needs, params))

    return rank


def ranked(proposals: Sequence[Proposal]) -> dict[int, list[int]]:
    """Per volunteer, the proposed needs best first (ties: the lower need id)."""
    by_volunteer: dict[int, list[tuple[float, int]]] = {}
    for p in proposals:
        by_volunteer.setdefault(p.volunteer_id, []).append((-p.score, p.need_id))
    return {v: [n for _, n in sorted(pairs)] for v, pairs in by_volunteer.items()}


def by_word_tfidf(everything: MatchParams) -> Ranker:
    """Word TF-IDF cosine of the texts, over the pairs the matcher may propose."""

    def rank(volunteers: Sequence[VolunteerProfile], needs: Sequence[NeedProfile]) -> dict[int, list[int]]:
        allowed = ranked(match(volunteers, needs, everything))
        vectoriser = TfidfVectorizer().fit([p.text for p in [*volunteers, *needs]])
        scores = (
            vectoriser.transform([v.text for v in volunteers])
            @ vectoriser.transform([n.text for n in needs]).T
        ).toarray()
        column = {n.id: j for j, n in enumerate(needs)}
        return {
            v.id: sorted(allowed.get(v.id, []), key=lambda n: (-scores[i, column[n]], n))
            for i, v in enumerate(volunteers)
        }

    return rank


def evaluate(rank: Ranker, needs: Sequence[NeedProfile], cases: Sequence[Case]) -> dict[str, Any]:
    written = [c.volunteer for c in cases]
    opened = [replace(v, slots=ALL_WEEK, travel_radius_km=WITHIN_REACH_KM) for v in written]
    by_id = {n.id: n for n in needs}
    open_ranks, written_ranks = rank(opened, needs), rank(written, needs)
    result: dict[str, Any] = {"top1_open": {}, "top3_written": {}, "violations": 0, "traps_proposed": 0}
    for case, open_volunteer in zip(cases, opened, strict=True):
        vid = case.volunteer.id
        result["top1_open"][vid] = open_ranks.get(vid, [])[:1] == [case.expected]
        result["top3_written"][vid] = case.expected_written in written_ranks.get(vid, [])[:3]
        result["traps_proposed"] += len(case.traps & set(written_ranks.get(vid, [])))
        for volunteer, ranks in ((open_volunteer, open_ranks), (case.volunteer, written_ranks)):
            result["violations"] += sum(1 for n in ranks.get(vid, []) if broken(case, volunteer, by_id[n]))
    return result


def share(hits: dict[int, bool], cases: Sequence[Case], language: str | None = None) -> tuple[int, int]:
    chosen = [c for c in cases if language is None or c.language == language]
    return sum(hits[c.volunteer.id] for c in chosen), len(chosen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", type=Path, nargs="?", default=DEFAULT_CASES)
    needs, cases = load(parser.parse_args().cases)
    # Every eligible need ranked: no top k cut and no minimum score.
    everything = MatchParams(today=TODAY, top_k=len(needs), min_score=0.0)
    text_only = replace(
        everything,
        weight_text=1.0,
        weight_skills=0.0,
        weight_languages=0.0,
        weight_time=0.0,
        weight_distance=0.0,
        weight_fairness=0.0,
    )
    rankers = {
        "matcher (all signals)": by_matcher(everything),
        "matcher, text signal alone": by_matcher(text_only),
        "word TF-IDF (baseline)": by_word_tfidf(everything),
    }
    results = {name: evaluate(rank, needs, cases) for name, rank in rankers.items()}

    print(f"{len(cases)} volunteers ({', '.join(LANGUAGES)}), {len(needs)} German needs")
    rows = []
    for name, r in results.items():
        hits1, total = share(r["top1_open"], cases)
        hits3, _ = share(r["top3_written"], cases)
        per_language = " ".join(f"{lang} {share(r['top1_open'], cases, lang)[0]}" for lang in LANGUAGES)
        rows.append(
            [name, f"{hits1}/{total}", f"{hits3}/{total}", per_language, r["traps_proposed"], r["violations"]]
        )
    print_table(
        ["ranker", "top-1 open", "top-3 as written", "top-1 open by language", "traps", "violations"], rows
    )
    ours = results["matcher (all signals)"]
    total = len(cases)
    print_json(
        {
            "bench": "crosslingual",
            "cases": total,
            "needs": len(needs),
            "top1_open": share(ours["top1_open"], cases)[0],
            "top3_written": share(ours["top3_written"], cases)[0],
            "text_only_top1_open": share(results["matcher, text signal alone"]["top1_open"], cases)[0],
            "baseline_top1_open": share(results["word TF-IDF (baseline)"]["top1_open"], cases)[0],
            "traps_proposed": ours["traps_proposed"],
            "violations": sum(r["violations"] for r in results.values()),
        }
    )


if __name__ == "__main__":
    main()
