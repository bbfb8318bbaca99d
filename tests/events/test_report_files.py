"""The nightly report files: after the store's midnight the schedule writes the day's sales, products,
customers and payments reports as CSV and a chart of the last 30 days' sales into the private reports
bucket, once however often it runs; staff list them with short links; saved reports whose schedule is
due are mailed to their recipients with a link that lasts a week, once."""
import csv
import email
import email.policy
import io
import re
import time
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import boto3
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib.settings import get_settings
from tests.support.api import staff_token
from tests.support.orders import GUEST
from tests.support.schedules import run_schedule

DAY = "2026-11-01"  # the clock says Nov 2, 09:00 UTC: Nov 1 is the day that ended
FILES = ["2026-11-01/customers.csv", "2026-11-01/payments.csv", "2026-11-01/products.csv", "2026-11-01/sales-30-days.svg",
         "2026-11-01/sales.csv"]



def stored(key: str) -> bytes:
    return boto3.client("s3").get_object(Bucket=get_settings().reports_bucket, Key=key)["Body"].read()


def stored_keys() -> list[str]:
    listing = boto3.client("s3").list_objects_v2(Bucket=get_settings().reports_bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def csv_rows(key: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(stored(key).decode())))


def sent_mail() -> list:
    return ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages


def report_mail() -> list[tuple[str, str]]:
    """(subject, recipient) of each report email sent (moto lists a recipient once per header)."""
    return [(subject_and_text(m)[0], to) for m in sent_mail() for to in sorted(set(m.destinations))
            if subject_and_text(m)[0].startswith("Report ")]


def link_seconds(url: str) -> int:
    """How long a presigned link works (SigV4's X-Amz-Expires, or SigV2's Expires time, signed now)."""
    query = parse_qs(urlparse(url).query)
    if "X-Amz-Expires" in query:
        return int(query["X-Amz-Expires"][0])
    return round(int(query["Expires"][0]) - time.time())


def subject_and_text(message) -> tuple[str, str]:
    parsed = email.message_from_string(message.raw_data, policy=email.policy.default)
    return parsed["Subject"], parsed.get_body(("plain",)).get_content()


def test_the_nightly_job_writes_the_days_files_once(api, place, stream):
    # Given two orders on Nov 1, delivered
    place(guest=GUEST, placed_at=f"{DAY}T10:00:00Z")
    place(guest=GUEST, placed_at=f"{DAY}T11:00:00Z", lines=[{"sku": "TEA-01", "quantity": 3}],
          discount={"kind": "fixed", "value": 150})
    stream.deliver()
    # When the schedule fires after midnight
    assert run_schedule("generate_report_files") == {"day": DAY, "files_written": 5, "saved_reports_mailed": 0}
    # Then the day's four reports and the chart are in the bucket
    assert stored_keys() == FILES
    [day, total] = csv_rows(f"{DAY}/sales.csv")
    assert (day["period"], day["orders"], day["gross_sales"], day["discounts"], day["net_sales"]) == (
        DAY, "2", "49.00", "1.50", "47.50")
    assert total["period"] == "total" and total["total_sales"] == "57.30"
    assert [(r["sku"], r["units_sold"]) for r in csv_rows(f"{DAY}/products.csv")][:2] == [("MUG-01", "2"), ("TEA-01", "3")]
    assert csv_rows(f"{DAY}/customers.csv")[0]["new_customers"] == "2"
    assert csv_rows(f"{DAY}/payments.csv")[0]["payment_method"] == "card"
    chart = stored(f"{DAY}/sales-30-days.svg").decode()
    assert chart.startswith("<?xml") and "2026-10-03 to 2026-11-01" in chart
    # When a late order for Nov 1 arrives and the schedule fires again (the next hour, or twice)
    place(guest=GUEST, placed_at=f"{DAY}T12:00:00Z", lines=[{"sku": "BAG-01", "quantity": 1}])
    stream.deliver()
    assert run_schedule("generate_report_files")["files_written"] == 0
    # Then every file was written once: the day's files are those of the first run
    assert stored_keys() == FILES and csv_rows(f"{DAY}/sales.csv")[0]["orders"] == "2"


def test_a_half_done_night_is_finished_without_rewriting_what_was_written(api, place, stream):
    # Given yesterday's sales file was written by a run that then died (nothing else, no "day done" mark)
    place(guest=GUEST, placed_at=f"{DAY}T10:00:00Z")
    stream.deliver()
    boto3.client("s3").put_object(Bucket=get_settings().reports_bucket, Key=f"{DAY}/sales.csv", Body=b"first run")
    # When the schedule fires again
    assert run_schedule("generate_report_files")["files_written"] == 4
    # Then the other files are written, the first one is kept, and all five are listed
    assert stored_keys() == FILES and stored(f"{DAY}/sales.csv") == b"first run"
    listed = api.get(f"/admin/reports/files?from={DAY}&to={DAY}", token=staff_token()).json["items"]
    assert sorted(f["name"] for f in listed) == FILES
    assert next(f for f in listed if f["name"].endswith("sales.csv"))["size"] == len(b"first run")


def test_staff_list_the_files_of_a_range_with_five_minute_links(api, place, stream, clock):
    # Given the job ran on two nights
    run_schedule("generate_report_files")
    clock.advance(days=1)
    run_schedule("generate_report_files")
    # When support lists Nov 2 only, two at a time
    page = api.get("/admin/reports/files?from=2026-11-02&to=2026-11-02&limit=2", token=staff_token("support")).json
    rest = api.get(f"/admin/reports/files?from=2026-11-02&to=2026-11-02&next_token={page['next_token']}",
                   token=staff_token("support")).json
    files = page["items"] + rest["items"]
    # Then they get that day's five files, each with its report, type, size and a 5-minute link
    assert [f["name"] for f in files] == [name.replace(DAY, "2026-11-02") for name in FILES]
    sales = next(f for f in files if f["name"] == "2026-11-02/sales.csv")
    assert (sales["report"], sales["day"], sales["content_type"], sales["size"]) == (
        "sales", "2026-11-02", "text/csv; charset=utf-8", len(stored("2026-11-02/sales.csv")))
    assert "/2026-11-02/sales.csv?" in sales["download_url"] and abs(link_seconds(sales["download_url"]) - 300) <= 5
    assert next(f for f in files if f["name"].endswith(".svg"))["content_type"] == "image/svg+xml"
    # And a range covering both days lists ten; a bad range is a 422; shoppers get nothing
    both = api.get("/admin/reports/files?from=2026-11-01&to=2026-11-02&limit=50", token=staff_token()).json
    assert len(both["items"]) == 10 and both["next_token"] is None
    assert api.get("/admin/reports/files?from=2026-11-02&to=2026-11-01", token=staff_token()).status == 422
    assert api.get("/admin/reports/files?from=2025-01-01&to=2026-11-01", token=staff_token()).status == 422
    assert api.get("/admin/reports/files?from=2026-11-01&to=2026-11-02").status == 401


def test_the_files_are_the_store_days(api, place, stream, store_settings, clock):
    # Given a store in Auckland, where 12:00 UTC on Nov 2 is 01:00 on Nov 3
    store_settings(timezone="Pacific/Auckland")
    clock.current = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
    # When the schedule fires
    assert run_schedule("generate_report_files")["day"] == "2026-11-02"
    # Then the files are those of Nov 2, Auckland's day that just ended
    assert stored_keys() == [name.replace(DAY, "2026-11-02") for name in FILES]


def test_a_scheduled_saved_report_is_mailed_once_with_a_week_long_link(api, place, stream):
    # Given a daily saved report for two staff members, and a weekly one (Nov 1 is a Sunday: its week ends)
    daily = api.post("/admin/reports/saved", {"name": "Daily products", "report": "products", "range": "yesterday",
                                              "schedule": "daily", "recipients": ["boss@example.com", "ops@example.com"]},
                     token=staff_token()).json
    api.post("/admin/reports/saved", {"name": "Weekly sales", "report": "sales", "range": "last_7_days",
                                      "schedule": "weekly", "recipients": ["boss@example.com"]}, token=staff_token())
    api.post("/admin/reports/saved", {"name": "Monthly", "report": "sales", "range": "this_month",
                                      "schedule": "monthly", "recipients": ["boss@example.com"]}, token=staff_token())
    place(guest=GUEST, placed_at=f"{DAY}T10:00:00Z", lines=[{"sku": "TEA-01", "quantity": 4}])
    stream.deliver()
    # When the schedule fires and the stream sends what it queued
    assert run_schedule("generate_report_files")["saved_reports_mailed"] == 2
    stream.deliver()
    # Then the daily and the weekly report were mailed (the month has not ended): three emails
    assert sorted(report_mail()) == [('Report "Daily products": 2026-11-01 to 2026-11-01', "boss@example.com"),
                                     ('Report "Daily products": 2026-11-01 to 2026-11-01', "ops@example.com"),
                                     ('Report "Weekly sales": 2026-10-26 to 2026-11-01', "boss@example.com")]
    subject, text = next((s, t) for s, t in map(subject_and_text, sent_mail()) if "Daily products" in s)
    assert subject == 'Report "Daily products": 2026-11-01 to 2026-11-01'
    # (a link to the API, which lasts a week: a presigned URL dies with the Lambda role's credentials)
    [link] = re.findall(rf"{re.escape(get_settings().api_url)}/admin/reports/links/\S+", text)
    assert "7 days" in text
    opened = api.get(urlparse(link).path)
    download = opened.headers["Location"]
    assert opened.status == 302 and f"/{DAY}/saved-{daily['id']}.csv?" in download and abs(link_seconds(download) - 300) <= 5
    assert [(r["sku"], r["units_sold"]) for r in csv_rows(f"{DAY}/saved-{daily['id']}.csv")] == [("TEA-01", "4"), ("total", "4")]
    assert api.get(f"/admin/reports/saved/{daily['id']}", token=staff_token()).json["last_covered"] == DAY
    # When the schedule fires again the same night
    assert run_schedule("generate_report_files")["saved_reports_mailed"] == 0
    stream.deliver()
    # Then nobody gets a second email
    assert len(report_mail()) == 3


def test_a_mailed_link_opens_the_file_for_a_week_and_no_other_link_opens_anything(api, place, stream, clock):
    # Given a daily saved report mailed tonight
    daily = api.post("/admin/reports/saved", {"name": "Daily sales", "report": "sales", "range": "yesterday",
                                              "schedule": "daily", "recipients": ["boss@example.com"]},
                     token=staff_token()).json
    run_schedule("generate_report_files")
    stream.deliver()
    [link] = [re.findall(r"http\S+/admin/reports/links/\S+", t)[0] for s, t in map(subject_and_text, sent_mail())
              if "Daily sales" in s]
    path = urlparse(link).path
    # When the recipient opens it six days later (no staff token: the link is the key)
    clock.advance(days=6, hours=23)
    opened = api.get(path)
    # Then they get a fresh five-minute link to the file
    assert opened.status == 302 and f"/saved-{daily['id']}.csv?" in opened.headers["Location"]
    assert abs(link_seconds(opened.headers["Location"]) - 300) <= 5
    # But a link changed by a letter opens nothing
    link_id = path.rsplit("/", 1)[1]
    changed = ("A" if link_id[0] != "A" else "B") + link_id[1:]
    assert api.get(f"/admin/reports/links/{changed}").status == 404
    assert api.get(f"/admin/reports/links/{staff_token()}").status == 404  # a staff token is no link
    # And after a week the link has expired, saying where the file is
    clock.advance(hours=2)
    expired = api.get(path)
    assert expired.status == 410 and "Reports > Files" in expired.json["error"]["message"]
