"""Profiles → arrays: text vectors, skill and language encodings, weekly-slot bitmaps, places."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from matching.text import TextVectoriser
from matching.types import NeedProfile, Slot, VolunteerProfile

LEVEL_RANK = {"A1": 1, "A2": 2, "B1": 3, "B2": 4, "C1": 5, "C2": 6, "native": 7}
# A required language needs at least conversational level.
REQUIRED_LEVEL = LEVEL_RANK["B1"]
QUARTER = 15  # minutes: the resolution of the weekly bitmaps
QUARTERS_PER_DAY = 24 * 60 // QUARTER
QUARTERS_PER_WEEK = 7 * QUARTERS_PER_DAY
# A fixed-time need wants one shared window of at least this many minutes.
MIN_OVERLAP_MINUTES = 30
EARTH_RADIUS_KM = 6371.0


def need_slots(need: NeedProfile) -> tuple[Slot, ...]:
    """The need's slots; a one-off need happens on its date's weekday, whatever the slots say."""
    if need.one_off_date is None:
        return need.slots
    weekday = need.one_off_date.weekday()
    return tuple(Slot(weekday, s.start_minute, s.end_minute) for s in need.slots)


def slot_bitmaps(rows: Sequence[Sequence[Slot]]) -> NDArray[np.float32]:
    """One week in quarter hours per row; 1 where a slot covers the whole quarter."""
    week = np.zeros((len(rows), QUARTERS_PER_WEEK), dtype=np.float32)
    for i, slots in enumerate(rows):
        for slot in slots:
            day = slot.weekday * QUARTERS_PER_DAY
            start = -(-slot.start_minute // QUARTER)  # a partly covered quarter is not available
            end = slot.end_minute // QUARTER
            week[i, day + start : day + max(start, end)] = 1.0
    return week


def runs(week: NDArray[np.float32], minutes: int = MIN_OVERLAP_MINUTES) -> NDArray[np.float32]:
    """1 at quarter t where the row is available for `minutes` in a row from t on.

    Two rows share such a window exactly when the dot product of their runs is positive.
    """
    length = max(1, -(-minutes // QUARTER))
    result = week[:, : week.shape[1] - length + 1].copy()
    for offset in range(1, length):
        result *= week[:, offset : week.shape[1] - length + 1 + offset]
    return result


def age_on(birth_date: date | None, today: date) -> float:
    if birth_date is None:
        return float("nan")
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return float(today.year - birth_date.year - before_birthday)


def certificate_valid(inspected_on: date | None, today: date, valid_years: int) -> bool:
    """An inspected certificate counts for `valid_years` from its inspection date (exclusive)."""
    if inspected_on is None or inspected_on > today:
        return False
    try:
        expires = inspected_on.replace(year=inspected_on.year + valid_years)
    except ValueError:  # 29 February
        expires = inspected_on.replace(year=inspected_on.year + valid_years, day=28)
    return today < expires


def haversine_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> NDArray[np.float64]:
    """Great-circle distance; the arguments broadcast like numpy arrays."""
    lat1r, lon1r, lat2r, lon2r = (
        np.radians(np.asarray(x, dtype=np.float64)) for x in (lat1, lon1, lat2, lon2)
    )
    a = np.sin((lat2r - lat1r) / 2) ** 2 + np.cos(lat1r) * np.cos(lat2r) * np.sin((lon2r - lon1r) / 2) ** 2
    result: NDArray[np.float64] = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return result


@dataclass
class SplitText:
    """L2-normalised text vectors: the most shared n-grams as a dense block, the long tail sparse.

    Common n-grams make a sparse × sparse product slow; dense BLAS handles them several times faster,
    and what remains is sparse enough for scipy. The sum of both products is the cosine similarity.
    """

    dense: NDArray[np.float32]
    rest: sparse.csr_matrix


def split_text(
    volunteer_text: sparse.csr_matrix, need_text: sparse.csr_matrix, dense_cells: int
) -> tuple[SplitText, SplitText]:
    width = volunteer_text.shape[1]
    on_volunteer_side = np.bincount(volunteer_text.indices, minlength=width)
    on_need_side = np.bincount(need_text.indices, minlength=width)
    # The work an n-gram causes in a sparse product: the pairs of rows that both have it.
    work = on_volunteer_side.astype(np.int64) * on_need_side
    # An n-gram on one side only adds nothing to any volunteer · need product: dropping it (after the
    # L2 normalisation) keeps every cosine exact.
    shared = np.flatnonzero(work > 0)
    n_dense = min(len(shared), dense_cells // max(1, volunteer_text.shape[0]))
    by_work = shared[np.argsort(-work[shared], kind="stable")]
    dense, rest = np.sort(by_work[:n_dense]), np.sort(by_work[n_dense:])

    def split(text: sparse.csr_matrix) -> SplitText:
        return SplitText(
            dense=np.asarray(text[:, dense].toarray(), dtype=np.float32),
            rest=sparse.csr_matrix(text[:, rest]),
        )

    return split(volunteer_text), split(need_text)


@dataclass
class VolunteerArrays:
    """Everything the constraints and signals need about all volunteers, one row each."""

    ids: NDArray[np.int64]
    text: SplitText
    skills: NDArray[np.float32]  # volunteers × vocabulary keys
    speaks: NDArray[np.float32]  # volunteers × languages, any level
    qualified: NDArray[np.float32]  # volunteers × languages, at REQUIRED_LEVEL or better
    week: NDArray[np.float32]  # volunteers × quarter hours
    spans: NDArray[np.float32]  # runs(week, MIN_OVERLAP_MINUTES)
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    district: NDArray[np.str_]
    radius_km: NDArray[np.float64]
    age: NDArray[np.float64]  # nan where the birth date is unknown
    certificate_ok: NDArray[np.bool_]
    paused: NDArray[np.bool_]
    at_capacity: NDArray[np.bool_]  # as many active pairings as they want


@dataclass
class NeedArrays:
    ids: NDArray[np.int64]
    text: SplitText
    skills: NDArray[np.float32]
    required: NDArray[np.float32]  # needs × languages
    listed: NDArray[np.float32]  # needs × languages, required or welcome
    week: NDArray[np.float32]
    spans: NDArray[np.float32]
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    district: NDArray[np.str_]
    requires_certificate: NDArray[np.bool_]
    min_age: NDArray[np.float64]  # nan where none
    paused: NDArray[np.bool_]
    no_places: NDArray[np.bool_]


class Encoder:
    """Learns the text vocabulary and the skill and language indexes from volunteers and needs together."""

    def __init__(
        self, ngram_range: tuple[int, int] = (3, 5), max_df: float = 1.0, dense_cells: int = 4_000_000
    ) -> None:
        self.ngram_range = ngram_range
        self.max_df = max_df
        self.dense_cells = dense_cells  # bounds the dense text block: volunteers × columns (float32)

    def fit_transform(
        self,
        volunteers: Sequence[VolunteerProfile],
        needs: Sequence[NeedProfile],
        today: date,
        valid_years: int,
    ) -> tuple[VolunteerArrays, NeedArrays]:
        skills = {s for v in volunteers for s in v.skills} | {s for n in needs for s in n.skills}
        languages = {code for v in volunteers for code in v.languages}
        languages |= {c for n in needs for c in n.required_languages | n.welcome_languages}
        self.skill_index_ = {key: i for i, key in enumerate(sorted(skills))}
        self.language_index_ = {code: i for i, code in enumerate(sorted(languages))}
        self.text_ = TextVectoriser(self.ngram_range, max_df=self.max_df)
        text = self.text_.fit_transform([v.text for v in volunteers] + [n.text for n in needs])
        volunteer_text, need_text = split_text(
            text[: len(volunteers)], text[len(volunteers) :], self.dense_cells
        )
        return (
            self._volunteers(volunteers, today, valid_years, volunteer_text),
            self._needs(needs, need_text),
        )

    def _multi_hot(self, rows: Sequence[Sequence[str]], index: dict[str, int]) -> NDArray[np.float32]:
        # Dense: vocabularies of skills and languages are small (tens), and dense products are fastest.
        result = np.zeros((len(rows), len(index)), dtype=np.float32)
        for i, row in enumerate(rows):
            result[i, [index[key] for key in row if key in index]] = 1.0
        return result

    def _volunteers(
        self, volunteers: Sequence[VolunteerProfile], today: date, valid_years: int, text: SplitText
    ) -> VolunteerArrays:
        languages = self.language_index_
        week = slot_bitmaps([v.slots for v in volunteers])
        return VolunteerArrays(
            ids=np.array([v.id for v in volunteers], dtype=np.int64),
            text=text,
            skills=self._multi_hot([tuple(v.skills) for v in volunteers], self.skill_index_),
            speaks=self._multi_hot([tuple(v.languages) for v in volunteers], languages),
            qualified=self._multi_hot(
                [
                    [c for c, level in v.languages.items() if LEVEL_RANK.get(level, 0) >= REQUIRED_LEVEL]
                    for v in volunteers
                ],
                languages,
            ),
            week=week,
            spans=runs(week),
            lat=np.array([v.location[0] for v in volunteers], dtype=np.float64),
            lon=np.array([v.location[1] for v in volunteers], dtype=np.float64),
            district=np.array([v.district for v in volunteers], dtype=np.str_),
            radius_km=np.array([v.travel_radius_km for v in volunteers], dtype=np.float64),
            age=np.array([age_on(v.birth_date, today) for v in volunteers], dtype=np.float64),
            certificate_ok=np.array(
                [certificate_valid(v.certificate_inspected_on, today, valid_years) for v in volunteers],
                dtype=bool,
            ),
            paused=np.array([v.paused for v in volunteers], dtype=bool),
            at_capacity=np.array(
                [v.active_pairings >= v.max_active_pairings for v in volunteers], dtype=bool
            ),
        )

    def _needs(self, needs: Sequence[NeedProfile], text: SplitText) -> NeedArrays:
        languages = self.language_index_
        week = slot_bitmaps([need_slots(n) for n in needs])
        return NeedArrays(
            ids=np.array([n.id for n in needs], dtype=np.int64),
            text=text,
            skills=self._multi_hot([tuple(n.skills) for n in needs], self.skill_index_),
            required=self._multi_hot([tuple(n.required_languages) for n in needs], languages),
            listed=self._multi_hot(
                [tuple(n.required_languages | n.welcome_languages) for n in needs], languages
            ),
            week=week,
            spans=runs(week),
            lat=np.array([n.location[0] for n in needs], dtype=np.float64),
            lon=np.array([n.location[1] for n in needs], dtype=np.float64),
            district=np.array([n.district for n in needs], dtype=np.str_),
            requires_certificate=np.array([n.requires_certificate for n in needs], dtype=bool),
            min_age=np.array([np.nan if n.min_age is None else n.min_age for n in needs], dtype=np.float64),
            paused=np.array([n.paused for n in needs], dtype=bool),
            no_places=np.array([n.open_places <= 0 for n in needs], dtype=bool),
        )
