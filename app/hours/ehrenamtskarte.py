"""Whether a volunteer's confirmed hours here reach the Bayerische Ehrenamtskarte (the blue card)."""

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

MIN_AGE = 16
YEARLY_MINUTES = 250 * 60
# The pace of someone who only just started is measured over at least four weeks, so that one long
# first afternoon does not promise the card within weeks.
MIN_PACE_DAYS = 28
PROJECTION_DAYS = 3 * 366


@dataclass(frozen=True)
class YearProgress:
    """Confirmed minutes in one 12-month period, both days included."""

    first_day: date
    last_day: date
    minutes: int

    @property
    def reached(self) -> bool:
        return self.minutes >= YEARLY_MINUTES

    @property
    def missing_minutes(self) -> int:
        return max(0, YEARLY_MINUTES - self.minutes)


@dataclass(frozen=True)
class Eligibility:
    age_known: bool  # False: no birth date in the profile, the age cannot be checked
    old_enough: bool
    years: tuple[YearProgress, YearProgress]  # the last 12 months first, then the 12 months before
    weekly_pace_minutes: int  # confirmed minutes a week over the last 12 months (or since the start)
    # The first day from which both periods would hold 250 h if the volunteer keeps that pace; None when
    # already eligible, without a pace, or later than three years from now.
    eligible_from: date | None

    @property
    def eligible(self) -> bool:
        return self.old_enough and all(year.reached for year in self.years)


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier; 29 February becomes the 28th in a common year."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def is_old_enough(birth_date: date, on: date) -> bool:
    return years_before(on, MIN_AGE) >= birth_date


def ehrenamtskarte_eligibility(
    *, birth_date: date | None, confirmed: Iterable[tuple[date, int]], today: date
) -> Eligibility:
    """The rule of the Bayerische Ehrenamtskarte, applied to the hours confirmed in this application.

    Source: Bayerisches Staatsministerium für Familie, Arbeit und Soziales, "Die Bayerische
    Ehrenamtskarte" (www.ehrenamtskarte.bayern.de), issued by the city's Ehrenamtskarte office. The
    blue card asks that the volunteer is at least 16 years old and has volunteered for at least two
    years with on average at least five hours a week, or at least 250 hours a year in project work.

    How we apply it: both of the last two 12-month periods (ending today) hold at least 250 confirmed
    hours, and the volunteer is 16 or older today. Five hours a week over a year would be 260 hours, so
    250 hours a year is the lower threshold of the two ways, the one a volunteer reaches first; we
    show progress, not a decision. Hours done elsewhere count too, and the city's office decides: the
    page says so. `confirmed` holds (day worked, minutes) of confirmed entries.
    """
    entries = sorted(confirmed)
    days = [day for day, _minutes in entries]
    running = [0]
    for _day, minutes in entries:
        running.append(running[-1] + minutes)

    def minutes_between(first: date, last: date) -> int:
        return running[bisect_right(days, last)] - running[bisect_left(days, first)]

    def period(end: date) -> tuple[date, date]:
        return years_before(end, 1) + timedelta(days=1), end

    latest = period(today)
    earlier = period(latest[0] - timedelta(days=1))
    years = (
        YearProgress(*latest, minutes_between(*latest)),
        YearProgress(*earlier, minutes_between(*earlier)),
    )
    old_enough = birth_date is not None and is_old_enough(birth_date, today)

    started = next((day for day in days if day >= latest[0]), None)
    pace_days = max(MIN_PACE_DAYS, (today - started).days + 1) if started else 0
    daily_pace = years[0].minutes / pace_days if pace_days else 0.0

    def projected(first: date, last: date) -> float:
        """Confirmed minutes up to today, plus the pace for every day after today."""
        future_days = max(0, (last - max(first, today + timedelta(days=1))).days + 1)
        return minutes_between(first, min(last, today)) + daily_pace * future_days

    eligible_from = None
    if daily_pace and birth_date is not None and not (old_enough and all(y.reached for y in years)):
        for offset in range(1, PROJECTION_DAYS + 1):
            day = today + timedelta(days=offset)
            last_year = period(day)
            year_before = period(last_year[0] - timedelta(days=1))
            if (
                is_old_enough(birth_date, day)
                and projected(*last_year) >= YEARLY_MINUTES
                and projected(*year_before) >= YEARLY_MINUTES
            ):
                eligible_from = day
                break
    return Eligibility(
        age_known=birth_date is not None,
        old_enough=old_enough,
        years=years,
        weekly_pace_minutes=round(daily_pace * 7),
        eligible_from=eligible_from,
    )
