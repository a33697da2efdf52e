"""Profiles → arrays: text vectors, skill and language encodings, weekly-slot bitmaps, places."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Generic, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from matching.embedding import Projection
from matching.text import TextVectoriser, stack_csr, text_chunks
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
MEANING_BATCH = 8192  # stored embeddings projected at a time (see Encoder._meaning)
# Within the spelling part of the text signal: whole words beside character n-grams (see TextVectoriser).
WORD_SHARE = 0.5


def need_slots(need: NeedProfile) -> tuple[Slot, ...]:
    """The need's slots; a one-off need happens on its date's weekday, whatever the slots say."""
    if need.one_off_date is None:
        return need.slots
    weekday = need.one_off_date.weekday()
    return tuple(Slot(weekday, s.start_minute, s.end_minute) for s in need.slots)


def slot_bitmaps(rows: Sequence[Sequence[Slot]]) -> NDArray[np.uint8]:
    """One week in quarter hours per row; 1 where a slot covers the whole quarter.

    One byte per quarter hour: a 100,000-profile side takes 67 MB, not the 270 MB of float32; blocks
    convert the columns they multiply (constraints.bitmap_product).
    """
    week = np.zeros((len(rows), QUARTERS_PER_WEEK), dtype=np.uint8)
    for i, slots in enumerate(rows):
        for slot in slots:
            day = slot.weekday * QUARTERS_PER_DAY
            start = -(-slot.start_minute // QUARTER)  # a partly covered quarter is not available
            end = slot.end_minute // QUARTER
            week[i, day + start : day + max(start, end)] = 1
    return week


def runs(week: NDArray[np.uint8], minutes: int = MIN_OVERLAP_MINUTES) -> NDArray[np.uint8]:
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


def certificate_expires(inspected_on: date, valid_years: int) -> date:
    """The first day an inspected certificate no longer counts: `valid_years` after its inspection."""
    try:
        return inspected_on.replace(year=inspected_on.year + valid_years)
    except ValueError:  # 29 February
        return inspected_on.replace(year=inspected_on.year + valid_years, day=28)


def certificate_valid(inspected_on: date | None, today: date, valid_years: int) -> bool:
    """An inspected certificate counts for `valid_years` from its inspection date (exclusive)."""
    if inspected_on is None or inspected_on > today:
        return False
    return today < certificate_expires(inspected_on, valid_years)


def haversine_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> NDArray[np.float64]:
    """Great-circle distance; the arguments broadcast like numpy arrays."""
    lat1r, lon1r, lat2r, lon2r = (
        np.radians(np.asarray(x, dtype=np.float64)) for x in (lat1, lon1, lat2, lon2)
    )
    a = np.sin((lat2r - lat1r) / 2) ** 2 + np.cos(lat1r) * np.cos(lat2r) * np.sin((lon2r - lon1r) / 2) ** 2
    result: NDArray[np.float64] = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return result


T = TypeVar("T")


class LastRows(Generic[T]):
    """The value computed for the last range of rows asked for: blocks ask for the same range many
    times in a row. Threads scoring blocks side by side may share it; at worst one computes twice."""

    def __init__(self) -> None:
        self._last: tuple[tuple[int, int], T] | None = None

    def get(self, rows: slice, length: int, compute: Callable[[], T]) -> T:
        key = (rows.start or 0, length if rows.stop is None else rows.stop)
        last = self._last  # read once
        if last is None or last[0] != key:
            last = (key, compute())
            self._last = last
        return last[1]


@dataclass(frozen=True)
class Places:
    """The distinct places (centre point and district) of some rows, and each row's place."""

    index: NDArray[np.intp]
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    district: NDArray[np.str_]

    @classmethod
    def of(cls, lat: NDArray[np.float64], lon: NDArray[np.float64], district: NDArray[np.str_]) -> "Places":
        # A point as one complex number (latitude + i·longitude): unique over a flat array sorts several
        # times faster than unique over rows. Districts are numbered separately and folded into the key.
        districts, district_index = np.unique(district, return_inverse=True)
        points, point_index = np.unique(lat + 1j * lon, return_inverse=True)
        key = point_index.ravel().astype(np.int64) * len(districts) + district_index.ravel()
        _, first, index = np.unique(key, return_index=True, return_inverse=True)
        where = points[point_index.ravel()[first]]
        return cls(index=index.ravel(), lat=where.real, lon=where.imag, district=district[first])


@dataclass
class SplitText:
    """L2-normalised text vectors, their columns in three parts by how many pairs of rows share them.

    Common n-grams make a sparse × sparse product slow; dense BLAS handles them a hundred times faster
    per multiplication, so they go dense: the most shared are kept dense (`dense`, used by every
    product, one profile against everyone too); the next (`wide`) are kept sparse and made dense a
    block of rows at a time, for blocks of many rows on both sides; the long tail (`rest`) stays
    sparse. The sum of the three products is the cosine similarity.
    """

    dense: NDArray[np.float32]
    wide: sparse.csr_matrix
    rest: sparse.csr_matrix
    _wide_rows: LastRows[NDArray[np.float32]] = field(
        default_factory=LastRows, init=False, repr=False, compare=False
    )
    _by_column: dict[str, sparse.csc_matrix] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def wide_dense(self, rows: slice) -> NDArray[np.float32]:
        """The `wide` columns of these rows as a dense array."""
        return self._wide_rows.get(
            rows, self.wide.shape[0], lambda: np.asarray(self.wide[rows].toarray(), dtype=np.float32)
        )

    def rows(self, part: str, rows: slice) -> sparse.csr_matrix:
        """A range of rows of the `wide` or `rest` part, sharing its entries (scipy's slicing copies)."""
        matrix: sparse.csr_matrix = getattr(self, part)
        start, stop, step = rows.indices(matrix.shape[0])
        if step != 1:
            return matrix[rows]
        if start == 0 and stop == matrix.shape[0]:
            return matrix
        stop = max(start, stop)
        begin, end = matrix.indptr[start], matrix.indptr[stop]
        return sparse.csr_matrix(
            (matrix.data[begin:end], matrix.indices[begin:end], matrix.indptr[start : stop + 1] - begin),
            shape=(stop - start, matrix.shape[1]),
            copy=False,
        )

    def times_few(self, part: str, rows: slice, few: sparse.csr_matrix) -> NDArray[np.float32]:
        """The `wide` or `rest` part of these rows @ few.T, where `few` has a handful of rows at most.

        When the rows are most of this side (one new profile against everyone), only the columns that
        `few` uses are read, from a column-major copy made on first use: a profile has a few hundred
        of thousands of columns. Otherwise it is one pass over the rows' entries.
        """
        matrix: sparse.csr_matrix = getattr(self, part)
        start, stop, _ = rows.indices(matrix.shape[0])
        columns = few.toarray().T  # columns × few
        if 2 * (stop - start) < matrix.shape[0]:
            return np.asarray(self.rows(part, rows) @ columns)
        by_column = self._by_column.get(part)
        if by_column is None:
            by_column = self._by_column[part] = sparse.csc_matrix(matrix)
        used = np.unique(few.indices)
        return np.asarray(by_column[:, used] @ columns[used])[start:stop]


# At most this many text columns are kept dense: more would make every single new profile (matched
# against all rows of the other side) pay for them in its dense product.
MAX_DENSE_COLUMNS = 256
# A text column is cheaper in a dense product than in a sparse one when at least this share of all
# volunteer × need pairs both have it: BLAS multiplies about a hundred times faster than a sparse
# product. Measured here at 100,000 × 10,000, the text product of a block of 2 million pairs took
# 92, 84 and 94 ms with 0.2 %, 0.4 % and 1 %, and 197 ms with only the 256 kept dense columns.
DENSE_PAIR_SHARE = 0.004
# Bounds the block of `wide` columns made dense at a time (rows × this many columns of float32).
MAX_WIDE_COLUMNS = 4096


def choose_text_columns(
    on_volunteer_side: NDArray[np.int64],
    on_need_side: NDArray[np.int64],
    volunteers: int,
    needs: int,
    dense_cells: int,
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp]]:
    """Which text columns are kept dense, which are made dense per block (wide) and which stay sparse,
    from how many volunteer and need texts have each; columns on one side only are dropped.

    A column on one side only adds nothing to any volunteer · need product, so dropping it (after
    the L2 normalisation) keeps every cosine exact.
    """
    # The work a column causes in a sparse product: the pairs of rows that both have it.
    work = on_volunteer_side.astype(np.int64) * on_need_side
    shared = np.flatnonzero(work > 0)
    by_work = shared[np.argsort(-work[shared], kind="stable")]
    n_dense = min(len(shared), dense_cells // max(1, volunteers), MAX_DENSE_COLUMNS)
    pair_share = work[by_work[n_dense:]] / max(1, volunteers * needs)
    n_wide = min(int(np.count_nonzero(pair_share >= DENSE_PAIR_SHARE)), MAX_WIDE_COLUMNS)
    dense, wide, rest = np.split(by_work, [n_dense, n_dense + n_wide])
    return np.sort(dense), np.sort(wide), np.sort(rest)


@dataclass
class Side:
    """What both sides have: texts, meanings, skills, weekly time and places, one row each."""

    ids: NDArray[np.int64]
    text: SplitText
    # Sentence embeddings as matching.embedding.Projection maps them; zero rows where a profile has
    # none, no columns when none has one.
    meaning: NDArray[np.float32]
    skills: NDArray[np.float32]  # rows × vocabulary keys
    week: NDArray[np.uint8]  # rows × quarter hours, 0/1 (or merged runs of them: see compress_weeks)
    spans: NDArray[np.uint8]  # runs(week, MIN_OVERLAP_MINUTES)
    quarters: NDArray[np.float32]  # per week column: how many quarter hours it stands for
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    district: NDArray[np.str_]
    paused: NDArray[np.bool_]
    _places: LastRows[Places] = field(default_factory=LastRows, init=False, repr=False, compare=False)

    def places(self, rows: slice) -> Places:
        """The distinct places of these rows (one profile against everyone asks for all rows each time)."""
        return self._places.get(
            rows, len(self.ids), lambda: Places.of(self.lat[rows], self.lon[rows], self.district[rows])
        )


@dataclass
class VolunteerArrays(Side):
    """Everything the constraints and signals need about all volunteers."""

    speaks: NDArray[np.float32]  # volunteers × languages, any level
    qualified: NDArray[np.float32]  # volunteers × languages, at REQUIRED_LEVEL or better
    radius_km: NDArray[np.float64]
    age: NDArray[np.float64]  # nan where the birth date is unknown
    certificate_ok: NDArray[np.bool_]
    at_capacity: NDArray[np.bool_]  # as many active pairings as they want
    names_skills: NDArray[np.bool_]  # chose any skill at all (else the skills signal does not apply)
    times_proposed: NDArray[np.float64]


@dataclass
class NeedArrays(Side):
    has_times: NDArray[np.bool_]  # fixed weekly times (or a one-off date with times)
    total_quarters: NDArray[np.float64]  # quarter hours per week in the need's slots
    required: NDArray[np.float32]  # needs × languages
    listed: NDArray[np.float32]  # needs × languages, required or welcome
    # Skills and required languages that the fitted indexes lack (a need added after fitting): they
    # count in the need's totals, and no fitted volunteer has them.
    skills_unknown: NDArray[np.float64]
    required_unknown: NDArray[np.float64]
    listed_unknown: NDArray[np.float64]
    requires_certificate: NDArray[np.bool_]
    min_age: NDArray[np.float64]  # nan where none
    no_places: NDArray[np.bool_]


class Encoder:
    """Learns the text vocabulary, the skill and language indexes and the embedding centre from
    volunteers and needs together; then turns any profiles into arrays on that fitted basis."""

    def __init__(
        self, ngram_range: tuple[int, int] = (3, 5), max_df: float = 1.0, dense_cells: int = 32_000_000
    ) -> None:
        self.ngram_range = ngram_range
        self.max_df = max_df
        self.dense_cells = dense_cells  # bounds the dense text block: volunteers × columns (float32)

    def fit(self, volunteers: Sequence[VolunteerProfile], needs: Sequence[NeedProfile]) -> "Encoder":
        skills = {s for v in volunteers for s in v.skills} | {s for n in needs for s in n.skills}
        languages = {code for v in volunteers for code in v.languages}
        languages |= {c for n in needs for c in n.required_languages | n.welcome_languages}
        self.skill_index_ = {key: i for i, key in enumerate(sorted(skills))}
        self.language_index_ = {code: i for i, code in enumerate(sorted(languages))}
        self.text_ = TextVectoriser(self.ngram_range, max_df=self.max_df, word_share=WORD_SHARE)
        self.text_.fit([v.text for v in volunteers] + [n.text for n in needs])
        # Per column, how many texts of each side have it; the volunteers' count is the rest of the total,
        # so only the (fewer) needs are weighed here.
        need_text = self.text_.transform([n.text for n in needs])
        on_need_side = np.bincount(need_text.indices, minlength=need_text.shape[1])
        on_volunteer_side = self.text_.document_frequency_ - on_need_side
        self.dense_columns_, self.wide_columns_, self.rest_columns_ = choose_text_columns(
            on_volunteer_side, on_need_side, len(volunteers), len(needs), self.dense_cells
        )
        # Each side on its own (volunteers first, as in _meaning): see Projection.
        embeddings = [[p.embedding for p in side if p.embedding is not None] for side in (volunteers, needs)]
        # Without any embedding the text signal is the n-gram cosine alone.
        self.has_meaning_ = any(embeddings)
        self.projection_ = Projection().fit(embeddings)
        return self

    def _split(self, texts: Sequence[str]) -> SplitText:
        # A chunk at a time, so that the whole text matrix never exists beside its parts.
        dense, wide, rest = [], [], []
        for part in text_chunks(texts):
            vectors = self.text_.transform(part)
            dense.append(np.asarray(vectors[:, self.dense_columns_].toarray(), dtype=np.float32))
            wide.append(sparse.csr_matrix(vectors[:, self.wide_columns_]))
            rest.append(sparse.csr_matrix(vectors[:, self.rest_columns_]))
        return SplitText(dense=np.concatenate(dense), wide=stack_csr(wide), rest=stack_csr(rest))

    def _meaning(self, profiles: Sequence[VolunteerProfile | NeedProfile]) -> NDArray[np.float32]:
        # No columns at all when no profile had an embedding: the text signal is then spelling alone.
        width = self.projection_.dimensions if self.has_meaning_ else 0
        result = np.zeros((len(profiles), width), dtype=np.float32)
        vectors = [(i, p.embedding) for i, p in enumerate(profiles) if p.embedding is not None]
        if vectors and self.has_meaning_:
            side = 0 if isinstance(profiles[0], VolunteerProfile) else 1
            # A few thousand at a time: all stored vectors of a city's volunteers at once, with the
            # temporaries of projecting them, would take a gigabyte beside the result.
            for start in range(0, len(vectors), MEANING_BATCH):
                batch = vectors[start : start + MEANING_BATCH]
                rows = [i for i, _ in batch]
                result[rows] = self.projection_.transform(np.stack([e for _, e in batch]), side)
        return result

    def _multi_hot(self, rows: Sequence[Sequence[str]], index: dict[str, int]) -> NDArray[np.float32]:
        # Dense: vocabularies of skills and languages are small (tens), and dense products are fastest.
        result = np.zeros((len(rows), len(index)), dtype=np.float32)
        for i, row in enumerate(rows):
            result[i, [index[key] for key in row if key in index]] = 1.0
        return result

    def _side(
        self, profiles: Sequence[VolunteerProfile | NeedProfile], weekly: Sequence[Sequence[Slot]]
    ) -> dict[str, object]:
        week = slot_bitmaps(weekly)
        return {
            "ids": np.array([p.id for p in profiles], dtype=np.int64),
            "text": self._split([p.text for p in profiles]),
            "meaning": self._meaning(profiles),
            "skills": self._multi_hot([tuple(p.skills) for p in profiles], self.skill_index_),
            "week": week,
            "spans": runs(week),
            "quarters": np.ones(week.shape[1], dtype=np.float32),
            "lat": np.array([p.location[0] for p in profiles], dtype=np.float64),
            "lon": np.array([p.location[1] for p in profiles], dtype=np.float64),
            "district": np.array([p.district for p in profiles], dtype=np.str_),
            "paused": np.array([p.paused for p in profiles], dtype=bool),
        }

    def volunteers(
        self, volunteers: Sequence[VolunteerProfile], today: date, valid_years: int
    ) -> VolunteerArrays:
        languages = self.language_index_
        return VolunteerArrays(
            **self._side(volunteers, [v.slots for v in volunteers]),  # type: ignore[arg-type]
            speaks=self._multi_hot([tuple(v.languages) for v in volunteers], languages),
            qualified=self._multi_hot(
                [
                    [c for c, level in v.languages.items() if LEVEL_RANK.get(level, 0) >= REQUIRED_LEVEL]
                    for v in volunteers
                ],
                languages,
            ),
            radius_km=np.array([v.travel_radius_km for v in volunteers], dtype=np.float64),
            age=np.array([age_on(v.birth_date, today) for v in volunteers], dtype=np.float64),
            certificate_ok=np.array(
                [certificate_valid(v.certificate_inspected_on, today, valid_years) for v in volunteers],
                dtype=bool,
            ),
            at_capacity=np.array([v.at_capacity for v in volunteers], dtype=bool),
            names_skills=np.array([bool(v.skills) for v in volunteers], dtype=bool),
            times_proposed=np.array([max(0, v.times_proposed) for v in volunteers], dtype=np.float64),
        )

    def needs(self, needs: Sequence[NeedProfile]) -> NeedArrays:
        languages = self.language_index_
        side = self._side(needs, [need_slots(n) for n in needs])
        week: NDArray[np.uint8] = side["week"]  # type: ignore[assignment]
        return NeedArrays(
            **side,  # type: ignore[arg-type]
            # Any slot sets fixed times, even one too short to share 30 minutes with anybody.
            has_times=np.array([bool(n.slots) for n in needs], dtype=bool),
            total_quarters=week.sum(axis=1, dtype=np.float64),
            required=self._multi_hot([tuple(n.required_languages) for n in needs], languages),
            listed=self._multi_hot(
                [tuple(n.required_languages | n.welcome_languages) for n in needs], languages
            ),
            skills_unknown=np.array(
                [sum(s not in self.skill_index_ for s in n.skills) for n in needs], dtype=np.float64
            ),
            required_unknown=np.array(
                [sum(c not in languages for c in n.required_languages) for n in needs], dtype=np.float64
            ),
            listed_unknown=np.array(
                [sum(c not in languages for c in n.required_languages | n.welcome_languages) for n in needs],
                dtype=np.float64,
            ),
            requires_certificate=np.array([n.requires_certificate for n in needs], dtype=bool),
            min_age=np.array([np.nan if n.min_age is None else n.min_age for n in needs], dtype=np.float64),
            no_places=np.array([n.no_places for n in needs], dtype=bool),
        )

    def fit_transform(
        self,
        volunteers: Sequence[VolunteerProfile],
        needs: Sequence[NeedProfile],
        today: date,
        valid_years: int,
    ) -> tuple[VolunteerArrays, NeedArrays]:
        self.fit(volunteers, needs)
        return self.volunteers(volunteers, today, valid_years), self.needs(needs)


def _merge_columns(
    a: NDArray[np.uint8], b: NDArray[np.uint8]
) -> tuple[NDArray[np.uint8], NDArray[np.uint8], NDArray[np.float32]]:
    """Merges runs of adjacent columns that are equal in every row of a and b, and drops columns where
    b is empty; returns both and how many original columns each remaining column stands for.

    Weekly slots start and end on few boundaries, so a week of 672 quarter hours falls into far fewer
    such runs; the products over them are exact and several times cheaper.
    """
    if a.shape[1] == 0:
        return a, b, np.zeros(0, dtype=np.float32)
    change = np.ones(a.shape[1], dtype=bool)
    change[1:] = (a[:, 1:] != a[:, :-1]).any(axis=0) | (b[:, 1:] != b[:, :-1]).any(axis=0)
    starts = np.flatnonzero(change)
    lengths = np.diff(np.append(starts, a.shape[1])).astype(np.float32)
    used = b[:, starts].any(axis=0)
    return (
        np.ascontiguousarray(a[:, starts[used]]),
        np.ascontiguousarray(b[:, starts[used]]),
        lengths[used],
    )


def compress_weeks(volunteers: VolunteerArrays, needs: NeedArrays) -> tuple[VolunteerArrays, NeedArrays]:
    """The same arrays with week and spans over merged column runs (see _merge_columns)."""
    v_week, n_week, quarters = _merge_columns(volunteers.week, needs.week)
    v_spans, n_spans, _ = _merge_columns(volunteers.spans, needs.spans)
    return (
        replace(volunteers, week=v_week, spans=v_spans, quarters=quarters),
        replace(needs, week=n_week, spans=n_spans, quarters=quarters),
    )
