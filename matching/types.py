"""The matcher's inputs and outputs: plain frozen data, no framework types."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class Slot:
    """A weekly window: weekday 0 = Monday, minutes after midnight."""

    weekday: int
    start_minute: int
    end_minute: int


@dataclass(frozen=True)
class VolunteerProfile:
    id: int
    text: str  # free text in any language, plus the labels of the chosen skills
    skills: frozenset[str]  # vocabulary keys
    languages: dict[str, str]  # language code -> level ("A1" … "C2", "native")
    slots: tuple[Slot, ...]
    district: str  # district slug
    location: tuple[float, float]  # (latitude, longitude) of the district centre
    travel_radius_km: float
    birth_date: date | None = None
    certificate_inspected_on: date | None = None
    max_active_pairings: int = 2
    active_pairings: int = 0
    paused: bool = False
    times_proposed: int = 0  # proposals and pairings so far, for fairness
    # The sentence embedding (matching.embedding) of `own_words`, computed when the profile was saved.
    embedding: NDArray[np.float32] | None = field(default=None, compare=False, repr=False)
    # What the embedding is computed from: the profile's own words, without the skill synonyms that
    # `text` adds for the n-grams (tags are a signal of their own). Empty: `text`.
    own_words: str = field(default="", compare=False, repr=False)

    @property
    def at_capacity(self) -> bool:
        """As many active pairings as they want."""
        return self.active_pairings >= self.max_active_pairings

    @property
    def matchable(self) -> bool:
        """Not excluded from every pairing by a constraint of their own (paused, at capacity)."""
        return not self.paused and not self.at_capacity


@dataclass(frozen=True)
class NeedProfile:
    id: int
    text: str  # title, description and the labels of the wanted skills
    skills: frozenset[str]
    required_languages: frozenset[str]
    welcome_languages: frozenset[str]
    slots: tuple[Slot, ...]  # empty: no fixed times
    district: str
    location: tuple[float, float]
    one_off_date: date | None = None
    requires_certificate: bool = False
    min_age: int | None = None
    open_places: int = 1
    paused: bool = False
    embedding: NDArray[np.float32] | None = field(default=None, compare=False, repr=False)
    own_words: str = field(default="", compare=False, repr=False)  # as VolunteerProfile.own_words

    @property
    def no_places(self) -> bool:
        return self.open_places <= 0

    @property
    def matchable(self) -> bool:
        """Not excluded from every pairing by a constraint of its own (paused, no open places)."""
        return not self.paused and not self.no_places


@dataclass(frozen=True)
class MatchParams:
    today: date
    top_k: int = 5  # per need and per volunteer
    min_score: float = 0.2
    certificate_valid_years: int = 5
    weight_text: float = 0.35
    weight_skills: float = 0.30
    weight_languages: float = 0.10
    weight_time: float = 0.15
    weight_distance: float = 0.10
    weight_fairness: float = 0.05
    # Within the text signal: the share of meaning (embeddings) beside spelling (character n-grams).
    embedding_share: float = 0.8
    # A volunteer proposed this many times before scores half on the fairness signal.
    fairness_half_at: int = 5
    random_state: int = 0
    # Threads for the sparse text product (BLAS and OpenMP are capped by the caller, threadpoolctl);
    # an execution setting, not part of what a match means.
    threads: int = 1


@dataclass(frozen=True)
class Proposal:
    """A suggested pairing, with its reasons as data that the app translates.

    `reasons` keys (all present on every proposal):
      shared_skills: list[str]        vocabulary keys both sides have
      shared_languages: list[str]     codes the need lists (required or welcome) that the volunteer speaks
      matching_slots: list[list[int]] overlapping windows [weekday, start_minute, end_minute]
      distance_km: float              between the district centres, one decimal
      same_district: bool
      text_similarity: float          0..1, similarity of the free texts
      requirements_met: list[str]     of "certificate", "min_age", "required_languages", "fixed_times"
      strongest: str                  the signal that weighed most: text|skills|languages|time|distance|
                                      fairness
      signals: dict[str, float]       every signal's value in [0, 1], rounded to 3 places (what the
                                      coordinators' decisions are learned from)
    """

    volunteer_id: int
    need_id: int
    score: float
    reasons: dict[str, Any] = field(default_factory=dict)
