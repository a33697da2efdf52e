"""The Bayerische Ehrenamtskarte rule at its edges: 250 h in each of two years, and 16 years of age."""

from datetime import date, timedelta

from app.hours.ehrenamtskarte import YEARLY_MINUTES, ehrenamtskarte_eligibility, years_before

TODAY = date(2026, 12, 7)
ADULT = date(1990, 5, 17)


def spread(minutes: int, first: date, last: date) -> list[tuple[date, int]]:
    """`minutes` as two-hour entries, one a day from `first` on (the rest in a last, shorter one)."""
    entries = []
    day = first
    while minutes > 0:
        entries.append((day, min(120, minutes)))
        minutes -= 120
        day += timedelta(days=1)
    assert entries[-1][0] <= last
    return entries


# The two periods for TODAY: 8 Dec 2025 – 7 Dec 2026, and 8 Dec 2024 – 7 Dec 2025.
LATEST = (date(2025, 12, 8), TODAY)
EARLIER = (date(2024, 12, 8), date(2025, 12, 7))


def test_exactly_250_hours_in_both_years_is_enough() -> None:
    confirmed = spread(YEARLY_MINUTES, *LATEST) + spread(YEARLY_MINUTES, *EARLIER)
    card = ehrenamtskarte_eligibility(birth_date=ADULT, confirmed=confirmed, today=TODAY)
    assert [(y.first_day, y.last_day) for y in card.years] == [LATEST, EARLIER]
    assert [y.minutes for y in card.years] == [YEARLY_MINUTES, YEARLY_MINUTES]
    assert card.eligible and card.eligible_from is None


def test_249_hours_in_one_year_are_not() -> None:
    confirmed = spread(YEARLY_MINUTES, *LATEST) + spread(YEARLY_MINUTES - 60, *EARLIER)
    card = ehrenamtskarte_eligibility(birth_date=ADULT, confirmed=confirmed, today=TODAY)
    assert not card.eligible
    assert card.years[1].missing_minutes == 60 and card.years[0].missing_minutes == 0


def test_hours_on_the_edges_of_the_periods() -> None:
    # The first day of the earlier period counts; the day before it does not.
    confirmed = [(EARLIER[0], 300), (EARLIER[0] - timedelta(days=1), 600), (TODAY, 120)]
    card = ehrenamtskarte_eligibility(birth_date=ADULT, confirmed=confirmed, today=TODAY)
    assert [y.minutes for y in card.years] == [120, 300]


def test_one_year_of_hours_is_less_than_two_years() -> None:
    confirmed = spread(2 * YEARLY_MINUTES, *LATEST)  # plenty, but all in the last twelve months
    card = ehrenamtskarte_eligibility(birth_date=ADULT, confirmed=confirmed, today=TODAY)
    assert not card.eligible
    assert card.years[1].minutes == 0
    # At this pace (500 h a year) the earlier period fills up within the next year.
    assert card.eligible_from is not None
    assert TODAY < card.eligible_from <= years_before(TODAY, -1)


def test_sixteen_years_old_but_not_fifteen() -> None:
    confirmed = spread(YEARLY_MINUTES, *LATEST) + spread(YEARLY_MINUTES, *EARLIER)
    sixteen_today = years_before(TODAY, 16)
    card = ehrenamtskarte_eligibility(birth_date=sixteen_today, confirmed=confirmed, today=TODAY)
    assert card.old_enough and card.eligible

    sixteen_tomorrow = sixteen_today + timedelta(days=1)
    card = ehrenamtskarte_eligibility(birth_date=sixteen_tomorrow, confirmed=confirmed, today=TODAY)
    assert card.age_known and not card.old_enough and not card.eligible

    # With hours to spare, the birthday is all that is missing: eligible on it.
    plenty = spread(YEARLY_MINUTES + 600, *LATEST) + spread(YEARLY_MINUTES + 600, *EARLIER)
    card = ehrenamtskarte_eligibility(birth_date=sixteen_tomorrow, confirmed=plenty, today=TODAY)
    assert card.eligible_from == TODAY + timedelta(days=1)


def test_unknown_birth_date_cannot_be_checked() -> None:
    confirmed = spread(YEARLY_MINUTES, *LATEST) + spread(YEARLY_MINUTES, *EARLIER)
    card = ehrenamtskarte_eligibility(birth_date=None, confirmed=confirmed, today=TODAY)
    assert not card.age_known and not card.eligible and card.eligible_from is None


def test_no_hours_no_pace_no_date() -> None:
    card = ehrenamtskarte_eligibility(birth_date=ADULT, confirmed=[], today=TODAY)
    assert card.weekly_pace_minutes == 0 and card.eligible_from is None
    assert [y.missing_minutes for y in card.years] == [YEARLY_MINUTES, YEARLY_MINUTES]


def test_a_steady_five_hours_a_week_reaches_it_after_two_years() -> None:
    started = date(2025, 6, 2)  # a Monday, 18 months ago
    confirmed = [(started + timedelta(weeks=w), 300) for w in range((TODAY - started).days // 7 + 1)]
    card = ehrenamtskarte_eligibility(birth_date=ADULT, confirmed=confirmed, today=TODAY)
    assert 295 <= card.weekly_pace_minutes <= 310  # 53 Mondays in the last 365 days
    assert card.eligible_from is not None
    # 250 h at 5 h a week take 50 weeks: the earlier period needs about 50 weeks after the start.
    assert date(2027, 5, 1) <= card.eligible_from <= date(2027, 6, 1)


def test_leap_day() -> None:
    assert years_before(date(2028, 2, 29), 1) == date(2027, 2, 28)
    assert ehrenamtskarte_eligibility(
        birth_date=date(2012, 2, 29), confirmed=[], today=date(2028, 2, 29)
    ).old_enough
