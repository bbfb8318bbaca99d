"""Saved reports: a merchant keeps a report's range (fixed, or relative to the store's today), grouping
and filters under a name, runs it again at any time, and may have it mailed to staff on a schedule."""
from datetime import UTC, datetime

import pytest

from chalicelib.domain.tokens import issue_customer_token
from chalicelib.settings import get_settings
from tests.support.api import staff_token
from tests.support.orders import GUEST

SAVED = "/admin/reports/saved"



@pytest.fixture
def staff_domains(monkeypatch):
    """Set the deployment's staff email domains (settings are read once: the cache is cleared around)."""

    def configure(domains: str) -> None:
        monkeypatch.setenv("STAFF_EMAIL_DOMAINS", domains)
        get_settings.cache_clear()

    yield configure
    monkeypatch.delenv("STAFF_EMAIL_DOMAINS", raising=False)
    get_settings.cache_clear()


def save(api, token: str | None = None, **fields):
    body = {"name": "Weekly sales", "report": "sales", "range": "last_7_days", **fields}
    return api.post(SAVED, body, token=token or staff_token())


def test_a_relative_range_runs_over_the_last_days_of_the_store(api, place, stream, store_settings, clock):
    # Given a store in Los Angeles where it is still Sunday Nov 1 (05:00 UTC on Nov 2)
    store_settings(timezone="America/Los_Angeles")
    clock.current = datetime(2026, 11, 2, 5, 0, tzinfo=UTC)
    # And orders on Oct 25 and Oct 26, Los Angeles time
    place(guest=GUEST, placed_at="2026-10-25T19:00:00Z")
    place(guest=GUEST, placed_at="2026-10-26T19:00:00Z", lines=[{"sku": "TEA-01", "quantity": 1}])
    stream.deliver()
    # When "last 7 days" is saved and run
    saved = save(api, group_by="day")
    assert saved.status == 201, saved.json
    answer = api.get(f"{SAVED}/{saved.json['id']}/run", token=staff_token()).json
    # Then it covers Oct 26 to Nov 1, the store's last seven days, and only the order of Oct 26
    assert (answer["from"], answer["to"], len(answer["rows"])) == ("2026-10-26", "2026-11-01", 7)
    assert answer["totals"]["gross_sales"] == 800
    assert (answer["saved_report_id"], answer["name"]) == (saved.json["id"], "Weekly sales")


def test_a_fixed_range_runs_with_its_filters(api, place, stream):
    # Given card and wire-transfer orders on Oct 30
    place(guest=GUEST, placed_at="2026-10-30T10:00:00Z")
    place(guest=GUEST, placed_at="2026-10-30T10:00:00Z", payment_method="wire_transfer")
    stream.deliver()
    # When a fixed range with a filter is saved and run
    saved = save(api, range=None, **{"from": "2026-10-01", "to": "2026-10-31"}, group_by="month",
                 filters={"payment_method": "wire_transfer"}).json
    assert (saved["from"], saved["to"], saved["range"], saved["filters"]) == (
        "2026-10-01", "2026-10-31", None, {"payment_method": "wire_transfer"})
    answer = api.get(f"{SAVED}/{saved['id']}/run", token=staff_token("support")).json
    # Then it reads that month with that filter
    assert [(r["period"], r["orders"]) for r in answer["rows"]] == [("2026-10-01", 1)]


def test_saved_reports_are_listed_changed_and_deleted(api):
    # Given two saved reports
    first = save(api).json
    second = save(api, name="Top products", report="products", range="this_month", filters={"sort": "units_sold"}).json
    assert first["created_by"] == "staff:staff-1" and first["last_covered"] is None
    listed = api.get(f"{SAVED}?limit=1", token=staff_token("support")).json
    rest = api.get(f"{SAVED}?limit=1&next_token={listed['next_token']}", token=staff_token()).json
    assert {r["id"] for r in listed["items"] + rest["items"]} == {first["id"], second["id"]}
    # When the first gets a fixed range and a schedule, and the second becomes a payments report
    changed = api.patch(f"{SAVED}/{first['id']}", {"from": "2026-10-01", "to": "2026-10-07", "schedule": "weekly",
                                                   "recipients": ["Boss@Example.com"]}, token=staff_token("agent"))
    assert changed.status == 200, changed.json
    assert (changed.json["from"], changed.json["range"], changed.json["schedule"], changed.json["recipients"]) == (
        "2026-10-01", None, "weekly", ["boss@example.com"])
    other = api.patch(f"{SAVED}/{second['id']}", {"report": "payments"}, token=staff_token()).json
    # Then a report's filters do not follow it to another report
    assert (other["report"], other["filters"], other["range"]) == ("payments", {}, "this_month")
    assert api.get(f"{SAVED}/{first['id']}", token=staff_token()).json == changed.json
    # And a deleted one is gone
    assert api.delete(f"{SAVED}/{first['id']}", token=staff_token()).status == 204
    assert api.get(f"{SAVED}/{first['id']}", token=staff_token()).status == 404
    assert api.delete(f"{SAVED}/{first['id']}", token=staff_token()).status == 404
    assert api.get(f"{SAVED}/{first['id']}/run", token=staff_token()).status == 404


def test_support_reads_and_runs_saved_reports_but_does_not_save_them(api):
    saved = save(api, token=staff_token("agent")).json
    support = staff_token("support")
    assert api.get(SAVED, token=support).status == 200
    assert api.get(f"{SAVED}/{saved['id']}/run", token=support).status == 200
    assert save(api, token=support).status == 403
    assert api.patch(f"{SAVED}/{saved['id']}", {"name": "Mine"}, token=support).status == 403
    assert api.delete(f"{SAVED}/{saved['id']}", token=support).status == 403
    customer = api.post("/admin/customers", {"email": "s@example.com", "first_name": "S", "last_name": "T"},
                        token=staff_token()).json
    shopper = issue_customer_token(customer["id"], get_settings().customer_token_secret, 3600)
    assert api.get(SAVED, token=shopper).status == 401 and api.get(SAVED).status == 401
    assert api.get(f"{SAVED}/{saved['id']}", token=staff_token()).json["name"] == "Weekly sales"


@pytest.mark.parametrize("fields", [
    {"from": "2026-10-01", "to": "2026-10-31"},  # a fixed and a relative range at once
    {"range": None},  # neither
    {"range": "last_week"},
    {"range": None, "from": "2026-10-31", "to": "2026-10-01"},  # to before from
    {"range": None, "from": "2025-10-01", "to": "2026-10-31"},  # over 366 days by day
    {"schedule": "daily"},  # a schedule needs recipients
    {"schedule": "hourly", "recipients": ["boss@example.com"]},
    {"report": "customers", "filters": {"country": "FR"}},  # customers take no filters
    {"filters": {"colour": "red"}},
    {"recipients": ["not an address"]},
    {"name": ""},
    {"report": "orders"},
])
def test_a_saved_report_that_is_not_one_is_a_422(api, fields):
    reply = save(api, **fields)
    assert reply.status == 422, (fields, reply.json)
    assert api.get(SAVED, token=staff_token()).json["items"] == []


def test_a_change_that_breaks_a_saved_report_is_a_422(api):
    saved = save(api).json
    for change in ({}, {"name": None}, {"range": None}, {"schedule": "daily"}, {"report": "customers", "filters": {"x": 1}}):
        assert api.patch(f"{SAVED}/{saved['id']}", change, token=staff_token()).status == 422, change
    assert api.get(f"{SAVED}/{saved['id']}", token=staff_token()).json == saved
    assert api.patch(f"{SAVED}/unknown", {"name": "x"}, token=staff_token()).status == 404


def test_scheduled_reports_go_to_staff_addresses_only_when_the_domains_are_set(api, staff_domains):
    # Given the deployment names its staff's domain
    staff_domains("shop.example")
    # Then an address elsewhere is refused, and one there is kept
    refused = save(api, schedule="daily", recipients=["boss@shop.example", "leak@elsewhere.example"])
    assert refused.status == 422 and "leak@elsewhere.example" in refused.json["error"]["details"][0]["message"]
    assert save(api, schedule="daily", recipients=["Boss@Shop.Example"]).json["recipients"] == ["boss@shop.example"]
