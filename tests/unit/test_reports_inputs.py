"""What staff send to read and save reports: every refusal is a 422 (InvalidInput for a report's query,
pydantic's ValidationError for a saved report)."""
from datetime import date

import pytest
from pydantic import ValidationError

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.reports_inputs import SavedReportChanges, SavedReportDraft
from chalicelib.domain.reports_queries import CustomersQuery, PaymentsQuery, ProductsQuery, SalesQuery

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def test_a_sales_query_reads_dates_group_and_filters_from_the_query_string():
    query = SalesQuery.model_validate({**MARCH, "group_by": "week", "payment_method": "card", "country": "FR"})
    assert (query.from_, query.to, query.group_by, query.payment_method, query.country) == (
        date(2026, 3, 1), date(2026, 3, 31), "week", "card", "FR")
    assert SalesQuery.model_validate(MARCH).group_by == "day"


@pytest.mark.parametrize("model, fields", [
    (SalesQuery, {"from": "2026-03-31", "to": "2026-03-01"}),  # to before from
    (SalesQuery, {"from": "2025-01-01", "to": "2026-01-02"}),  # 367 days by day
    (SalesQuery, {"from": "2016-01-01", "to": "2026-01-10", "group_by": "month"}),  # over ten years
    (SalesQuery, {"from": "2026-3-1", "to": "2026-03-31"}),  # not YYYY-MM-DD
    (SalesQuery, {"from": "2026-02-30", "to": "2026-03-31"}),  # no such day
    (SalesQuery, {"from": "1741564800", "to": "2026-03-31"}),  # a timestamp is not a date
    (SalesQuery, {"to": "2026-03-31"}),  # from is required
    (SalesQuery, {**MARCH, "group_by": "year"}),
    (SalesQuery, {**MARCH, "group_by": None}),  # null for a field that is not nullable
    (SalesQuery, {**MARCH, "country": "France"}),
    (SalesQuery, {**MARCH, "colour": "red"}),  # unknown fields are refused
    (SalesQuery, {"from": "1969-12-31", "to": "1970-01-01"}),  # before the first day a report reads
    (SalesQuery, {"from": "2999-12-31", "to": "3000-01-01"}),  # after the last
    (ProductsQuery, {"from": "2025-01-01", "to": "2026-01-02"}),  # products: a year at most
    (ProductsQuery, {**MARCH, "sort": "name"}),
    (ProductsQuery, {**MARCH, "limit": "0"}),
    (ProductsQuery, {**MARCH, "group_by": "day"}),  # products have no periods
    (ProductsQuery, {**MARCH, "brand": "   "}),
    (ProductsQuery, {**MARCH, "next_token": "x" * 2049}),
    (CustomersQuery, {**MARCH, "country": "FR"}),
    (PaymentsQuery, {"from": "2026-03-31", "to": "2026-03-01"}),
])
def test_bad_report_queries_are_refused(model, fields):
    with pytest.raises(InvalidInput):
        model.model_validate(fields)


@pytest.mark.parametrize("model, fields, detail", [
    (SalesQuery, {"from": "2026-03-31", "to": "2026-03-01"}, {"field": "to", "message": "'to' is before 'from'"}),
    (SalesQuery, {"from": "1969-12-31", "to": "2026-03-01"},
     {"field": "from", "message": "a report reads the days from 1970-01-01 to 2999-12-31"}),
    (SalesQuery, {"from": "2025-01-01", "to": "2026-01-02", "group_by": "day"},
     {"field": "to", "message": "a report by day covers at most 366 days (this range has 367)"}),
    (ProductsQuery, {"from": "2025-01-01", "to": "2026-01-02"},  # no periods, yet read day by day
     {"field": "to", "message": "a range read day by day covers at most 366 days (this range has 367)"}),
    (ProductsQuery, {**MARCH, "brand": "   "}, {"field": "brand", "message": "is blank"}),
])
def test_a_refused_range_or_filter_says_which_field_and_why(model, fields, detail):
    with pytest.raises(InvalidInput) as refused:
        model.model_validate(fields)
    assert refused.value.details == [detail]


@pytest.mark.parametrize("fields, field", [
    ({**MARCH, "country": "France"}, "country"),
    ({"to": "2026-03-31"}, "from"),
    ({**MARCH, "colour": "red"}, "colour"),
    ({**MARCH, "group_by": "year"}, "group_by"),
])
def test_a_refused_field_is_named(fields, field):
    with pytest.raises(InvalidInput) as refused:
        SalesQuery.model_validate(fields)
    assert [d["field"] for d in refused.value.details] == [field], refused.value.details


def test_a_products_query_pages_and_sorts():
    query = ProductsQuery.model_validate({**MARCH, "sort": "units_sold", "limit": "20", "next_token": "abc",
                                          "category": "kitchen"})
    assert (query.sort, query.limit, query.next_token, query.category) == ("units_sold", 20, "abc", "kitchen")
    assert ProductsQuery.model_validate(MARCH).sort == "gross_sales"
    assert ProductsQuery.model_validate({**MARCH, "brand": " Acme "}).brand == "Acme"


def _draft(**fields) -> SavedReportDraft:
    return SavedReportDraft.model_validate({"name": "Weekly sales", "report": "sales", "range": "last_7_days", **fields})


def test_a_saved_report_keeps_a_relative_range_and_resolves_it_when_run():
    # Given a saved sales report of the last 7 days, by card, mailed weekly
    saved = _draft(filters={"payment_method": "card"}, schedule="weekly",
                   recipients=["Ann@Shop.example", "ann@shop.example", "bob@shop.example"])
    # Then recipients are kept once each, lower-cased
    assert saved.recipients == ["ann@shop.example", "bob@shop.example"]
    # When it runs on March 15, or for the schedule's week
    query = saved.query(date(2026, 3, 15))
    weekly = saved.query(date(2026, 3, 16), covering=(date(2026, 3, 9), date(2026, 3, 15)))
    # Then the range is resolved from that day, with the saved filters
    assert isinstance(query, SalesQuery)
    assert (query.from_, query.to, query.payment_method) == (date(2026, 3, 9), date(2026, 3, 15), "card")
    assert (weekly.from_, weekly.to) == (date(2026, 3, 9), date(2026, 3, 15))


def test_a_saved_products_report_with_a_fixed_range_runs_as_a_products_query():
    saved = SavedReportDraft.model_validate({"name": "Best sellers", "report": "products", **MARCH,
                                             "filters": {"brand": "Acme", "sort": "units_sold"}})
    query = saved.query(date(2026, 6, 1))
    assert isinstance(query, ProductsQuery)
    assert (query.from_, query.to, query.brand, query.sort) == (date(2026, 3, 1), date(2026, 3, 31), "Acme", "units_sold")


@pytest.mark.parametrize("fields", [
    {"from": "2026-03-01", "to": "2026-03-31"},  # a fixed range and a relative one
    {"range": None},  # neither
    {"range": None, "from": "2026-03-01"},  # half a fixed range
    {"range": "last_week"},
    {"range": None, "from": "2025-01-01", "to": "2026-01-02"},  # by day over a year
    {"filters": {"colour": "red"}},
    {"filters": {"country": "France"}},
    {"report": "customers", "filters": {"country": "FR"}},  # the customers report has no filters
    {"schedule": "weekly"},  # scheduled, but to nobody
    {"schedule": "hourly", "recipients": ["a@shop.example"]},
    {"recipients": [f"staff{i}@shop.example" for i in range(21)]},
    {"recipients": ["not an email"]},
    {"name": "   "},
    {"name": None},
    {"group_by": None},
    {"owner": "me"},
])
def test_bad_saved_reports_are_refused(fields):
    with pytest.raises(ValidationError):
        _draft(**fields)


def test_changes_replace_a_relative_range_with_a_fixed_one_and_back():
    saved = _draft(schedule="daily", recipients=["a@shop.example"])
    fixed = SavedReportChanges.model_validate(MARCH).apply_to(saved)
    assert (fixed.from_, fixed.to, fixed.range) == (date(2026, 3, 1), date(2026, 3, 31), None)
    relative = SavedReportChanges.model_validate({"range": "this_month"}).apply_to(fixed)
    assert (relative.from_, relative.to, relative.range) == (None, None, "this_month")
    # And a schedule set to null is removed, the rest kept
    unscheduled = SavedReportChanges.model_validate({"schedule": None}).apply_to(relative)
    assert (unscheduled.schedule, unscheduled.name, unscheduled.recipients) == (None, "Weekly sales", ["a@shop.example"])


def test_changing_the_report_drops_the_filters_of_the_old_one():
    saved = _draft(filters={"country": "FR"})
    changed = SavedReportChanges.model_validate({"report": "customers"}).apply_to(saved)
    assert (changed.report, changed.filters) == ("customers", {})


@pytest.mark.parametrize("fields", [
    {},  # nothing to change
    {"name": None},  # null for a field that is not nullable
    {"range": None},
    {"recipients": None},
    {"filters": None},
    {"report": "orders"},
    {"id": "x"},
])
def test_bad_changes_are_refused(fields):
    with pytest.raises(ValidationError):
        SavedReportChanges.model_validate(fields)


def test_changes_that_break_the_whole_are_refused():
    saved = SavedReportDraft.model_validate({"name": "Year", "report": "sales", "from": "2025-01-01", "to": "2025-12-31",
                                             "group_by": "month"})
    with pytest.raises(ValidationError):
        SavedReportChanges.model_validate({"to": "2026-01-05", "group_by": "day"}).apply_to(saved)
    with pytest.raises(ValidationError):
        SavedReportChanges.model_validate({"from": "2026-01-05"}).apply_to(saved)
