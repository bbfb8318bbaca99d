"""The reports' calendar: store-local days, periods, ranges, relative ranges and schedules."""
from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.reports import (
    check_range,
    difference,
    due_range,
    half_up,
    local_day,
    local_today,
    periods,
    resolve_range,
    sum_by_period,
    whole_periods,
)


@pytest.mark.parametrize("instant, tz_name, day", [
    # Paris: UTC+1 in winter, UTC+2 from March 29 2026 to October 25 2026
    ("2026-03-28T22:59:59Z", "Europe/Paris", "2026-03-28"),
    ("2026-03-28T23:00:00Z", "Europe/Paris", "2026-03-29"),
    ("2026-03-29T21:59:59Z", "Europe/Paris", "2026-03-29"),  # the short day: midnight is 22:00 UTC
    ("2026-03-29T22:00:00Z", "Europe/Paris", "2026-03-30"),
    ("2026-10-25T22:59:59Z", "Europe/Paris", "2026-10-25"),  # the long day: midnight is 23:00 UTC again
    ("2026-10-25T23:00:00Z", "Europe/Paris", "2026-10-26"),
    # New York: UTC-5 in winter, UTC-4 from March 8 2026 to November 1 2026
    ("2026-03-08T04:59:59Z", "America/New_York", "2026-03-07"),
    ("2026-03-09T03:59:59Z", "America/New_York", "2026-03-08"),
    ("2026-03-09T04:00:00Z", "America/New_York", "2026-03-09"),
    ("2026-11-01T03:59:59Z", "America/New_York", "2026-10-31"),
    ("2026-11-02T04:59:59Z", "America/New_York", "2026-11-01"),
    ("2026-11-02T05:00:00Z", "America/New_York", "2026-11-02"),
    # Auckland: UTC+13 in the southern summer, UTC+12 from April 5 2026 to September 27 2026
    ("2026-01-01T10:59:59Z", "Pacific/Auckland", "2026-01-01"),
    ("2026-01-01T11:00:00Z", "Pacific/Auckland", "2026-01-02"),
    ("2026-04-05T11:59:59Z", "Pacific/Auckland", "2026-04-05"),
    ("2026-04-05T12:00:00Z", "Pacific/Auckland", "2026-04-06"),
    ("2026-09-26T12:00:00Z", "Pacific/Auckland", "2026-09-27"),
    # UTC, with milliseconds, an explicit offset, or none (taken as UTC)
    ("2026-11-02T23:59:59.999Z", "UTC", "2026-11-02"),
    ("2026-11-03T00:00:00.000Z", "UTC", "2026-11-03"),
    ("2026-11-02T23:59:59", "UTC", "2026-11-02"),
    ("2026-11-02T23:30:00+00:00", "Europe/Paris", "2026-11-03"),
])
def test_local_day_is_the_store_date_of_an_instant(instant, tz_name, day):
    assert local_day(instant, tz_name) == day


def test_local_today_follows_the_store_time_zone():
    # Given 23:30 UTC on New Year's Eve
    now = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    # Then it is already next year in Auckland and Paris, still the 31st in New York
    assert [local_today(now, tz) for tz in ("Pacific/Auckland", "Europe/Paris", "America/New_York", "UTC")] == [
        date(2027, 1, 1), date(2027, 1, 1), date(2026, 12, 31), date(2026, 12, 31)]


def test_periods_start_on_mondays_and_firsts_and_cover_the_range():
    # Thursday Jan 1 2026 to Tuesday Feb 3 2026
    start, end = date(2026, 1, 1), date(2026, 2, 3)
    assert periods(start, end, "week") == [date(2025, 12, 29), date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 19),
                                           date(2026, 1, 26), date(2026, 2, 2)]
    assert periods(start, end, "month") == [date(2026, 1, 1), date(2026, 2, 1)]
    assert len(periods(start, end, "day")) == 34
    assert whole_periods(start, end, "week") == (date(2025, 12, 29), date(2026, 2, 8))
    assert whole_periods(date(2024, 2, 10), date(2024, 2, 11), "month") == (date(2024, 2, 1), date(2024, 2, 29))
    assert whole_periods(start, end, "day") == (start, end)


def test_sum_by_period_adds_days_into_periods_and_leaves_out_days_outside():
    items = [("2026-01-31", {"orders": 1}), ("2026-02-01", {"orders": 2}), ("2026-02-28", {"orders": 4}),
             ("2026-03-01", {"orders": 8})]
    assert sum_by_period(items, date(2026, 1, 31), date(2026, 2, 28), "month") == {
        date(2026, 1, 1): {"orders": 1}, date(2026, 2, 1): {"orders": 6}}


@pytest.mark.parametrize("start, end, group_by, problem", [
    (date(2026, 3, 2), date(2026, 3, 1), "day", "'to' is before 'from'"),
    (date(2025, 1, 1), date(2026, 1, 2), "day", "at most 366 days"),
    (date(2016, 1, 1), date(2026, 1, 10), "week", "at most 3660 days"),
    (date(2016, 1, 1), date(2026, 1, 10), "month", "at most 3660 days"),
])
def test_bad_ranges_are_refused_with_details(start, end, group_by, problem):
    with pytest.raises(InvalidInput) as refused:
        check_range(start, end, group_by)
    assert problem in refused.value.message and refused.value.details[0]["field"] == "to"


@pytest.mark.parametrize("start, end, group_by", [
    (date(2024, 1, 1), date(2024, 12, 31), "day"),  # 366 days of a leap year
    (date(2026, 3, 1), date(2026, 3, 1), "day"),
    (date(2016, 1, 1), date(2026, 1, 1), "month"),
])
def test_ranges_within_the_limits_are_read(start, end, group_by):
    check_range(start, end, group_by)


@pytest.mark.parametrize("numerator, denominator, rounded", [
    (1001, 2, 501), (1003, 2, 502), (1000, 3, 333), (2000, 3, 667), (-1001, 2, -501), (-1000, 3, -333), (5, 0, 0),
])
def test_half_up_rounds_halves_away_from_zero(numerator, denominator, rounded):
    assert half_up(numerator, denominator) == rounded


@pytest.mark.parametrize("name, today, start, end", [
    ("today", date(2026, 3, 15), date(2026, 3, 15), date(2026, 3, 15)),
    ("yesterday", date(2026, 3, 1), date(2026, 2, 28), date(2026, 2, 28)),
    ("last_7_days", date(2026, 3, 15), date(2026, 3, 9), date(2026, 3, 15)),
    ("last_30_days", date(2026, 3, 15), date(2026, 2, 14), date(2026, 3, 15)),
    ("this_month", date(2026, 3, 15), date(2026, 3, 1), date(2026, 3, 15)),
    ("last_month", date(2026, 1, 10), date(2025, 12, 1), date(2025, 12, 31)),
    ("last_month", date(2024, 3, 31), date(2024, 2, 1), date(2024, 2, 29)),
    ("this_year", date(2026, 3, 15), date(2026, 1, 1), date(2026, 3, 15)),
])
def test_relative_ranges_resolve_from_the_store_today(name, today, start, end):
    assert resolve_range(name, today) == (start, end)


def test_an_unknown_relative_range_is_refused():
    with pytest.raises(InvalidInput):
        resolve_range("last_decade", date(2026, 3, 15))


@pytest.mark.parametrize("schedule, yesterday, last_covered, covered", [
    ("daily", date(2026, 3, 10), None, (date(2026, 3, 10), date(2026, 3, 10))),
    ("daily", date(2026, 3, 10), date(2026, 3, 9), (date(2026, 3, 10), date(2026, 3, 10))),
    ("daily", date(2026, 3, 10), date(2026, 3, 10), None),  # the second run of the night
    ("weekly", date(2026, 3, 15), date(2026, 3, 8), (date(2026, 3, 9), date(2026, 3, 15))),  # Monday the 16th
    ("weekly", date(2026, 3, 15), date(2026, 3, 15), None),
    ("weekly", date(2026, 3, 16), None, None),  # Tuesday: not due
    ("monthly", date(2026, 2, 28), None, (date(2026, 2, 1), date(2026, 2, 28))),
    ("monthly", date(2024, 2, 28), None, None),  # a leap year: the month ends tomorrow
    ("monthly", date(2026, 2, 28), date(2026, 2, 28), None),
    (None, date(2026, 2, 28), None, None),
])
def test_a_scheduled_report_is_due_once_for_the_period_that_just_ended(schedule, yesterday, last_covered, covered):
    assert due_range(schedule, yesterday, last_covered) == covered


def test_difference_keeps_only_what_changes():
    before = {("d", "x"): {"orders": 1, "gross": 100}, ("d", "y"): {"orders": 1}}
    after = {("d", "x"): {"orders": 1, "gross": 150}, ("d", "z"): {"orders": 1}}
    assert difference(before, after) == {("d", "x"): {"gross": 50}, ("d", "y"): {"orders": -1}, ("d", "z"): {"orders": 1}}
    assert difference(after, after) == {}
