"""A merchant brings their customers: a CSV dropped into the imports bucket (or uploaded through a
link) becomes customers, each row once, whatever happens to the invocations on the way."""
import csv
import io
from pathlib import Path

import boto3
import pytest

from chalicelib.settings import get_settings
from tests.support.imports import drop, run_jobs

DATA = Path(__file__).parents[1] / "data"
SHOPIFY = DATA / "shopify_customers_export.csv"


def _jobs(api, token):
    return api.get("/admin/imports", token=token).json["items"]


def _download(url: str) -> bytes:
    """The object behind a presigned link (moto serves it to boto3, not over the network)."""
    from urllib.parse import unquote, urlparse

    parsed = urlparse(url)
    bucket, _, key = parsed.path.lstrip("/").partition("/")
    if parsed.netloc.startswith(get_settings().documents_bucket):
        bucket, key = get_settings().documents_bucket, parsed.path.lstrip("/")
    return boto3.client("s3").get_object(Bucket=bucket, Key=unquote(key))["Body"].read()


def test_the_shopify_export_becomes_1957_customers_once(api, admin_token, imports):
    # Given the merchant's 2,000-row Shopify export (22 rows without email, 21 repeating an earlier
    # email in another case)
    drop("Shopify customers.csv", SHOPIFY.read_bytes())
    # When the import runs (the layout is recognised: it starts without a mapping)
    run_jobs()
    imports.deliver()
    # Then every row is accounted for
    [job] = _jobs(api, admin_token)
    assert job["status"] == "succeeded" and job["preset"] == "shopify_customers"
    assert (job["rows_done"], job["created"], job["updated"], job["rejected"]) == (2000, 1957, 21, 22)
    assert job["rows_total"] == 2000 and len(job["errors"]) == 20
    # And the customers are there, searchable by name with their addresses and tags
    found = api.get("/admin/customers?q=Müller&limit=200", token=admin_token).json["items"]
    assert any(c["first_name"] == "Søren" for c in found)
    # And the rejected rows come back as the merchant's own rows, with the row number and the reason
    link = api.get(f"/admin/imports/{job['id']}/errors", token=admin_token).json
    rows = list(csv.reader(io.StringIO(_download(link["download_url"]).decode("utf-8-sig"))))
    assert rows[0][-2:] == ["row", "error"] and len(rows) == 23


# --- helpers ----------------------------------------------------------------------------------------

def _only_job(api, token) -> dict:
    [job] = _jobs(api, token)
    return job


def _customer_by_email(api, token, email: str) -> dict | None:
    found = [c for c in api.get(f"/admin/customers?q={email}&limit=50", token=token).json["items"]
             if c["email"].lower() == email.lower()]
    assert len(found) <= 1, found
    return found[0] if found else None


def _profile_count() -> int:
    """Customer profiles in the table (a test-side scan: never the app's way)."""
    from chalicelib.store.models import CustomerItem

    return sum(1 for _ in CustomerItem.scan(CustomerItem.SK == "PROFILE"))


def _accept_suggestion(api, token, job: dict) -> None:
    """Staff take the suggested mapping of a file in a layout we do not know, and start it."""
    assert job["status"] == "needs_mapping" and job["suggested_mapping"], job
    assert api.patch(f"/admin/imports/{job['id']}", {"mapping": job["suggested_mapping"]}, token=token).status == 200
    assert api.post(f"/admin/imports/{job['id']}/start", token=token).status == 200


def _drop_and_map(api, token, key: str, body: bytes, metadata: dict | None = None) -> None:
    drop(key, body, metadata)
    job = next(j for j in _jobs(api, token) if j["source"] == key)
    _accept_suggestion(api, token, job)


def _csv(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode()


# --- ways in ------------------------------------------------------------------------------------------

def test_the_same_notification_twice_makes_one_job_and_a_new_version_another(api, admin_token, imports):
    from tests.support.imports import announce, notification

    # Given a file dropped into the bucket, whose notification S3 delivers twice
    etag = drop("a.csv", _csv("email,first_name", "ann@example.com,Ann"))
    assert announce(notification("a.csv", etag), notification("a.csv", etag)) == {"batchItemFailures": []}
    # Then there is one job; a new version of the file is another one
    assert len(_jobs(api, admin_token)) == 1
    drop("a.csv", _csv("email,last_name", "ann@example.com,Lee"))
    assert len(_jobs(api, admin_token)) == 2
    # And the S3 test event is ignored, a missing file is reported for retry and the others are done
    import json

    from tests.support.imports import announce as deliver_notifications

    reply = deliver_notifications(json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent"}),
                                  notification("missing.csv", '"x"'))
    assert len(reply["batchItemFailures"]) == 1 and len(_jobs(api, admin_token)) == 2


def test_a_file_uploaded_through_the_link_becomes_customers(api, admin_token, imports):
    from urllib.parse import parse_qs, urlparse

    from tests.support.imports import announce, notification

    # Given staff ask for an import of their own file
    reply = api.post("/admin/imports", {"filename": "my customers.csv", "group_id": "default"}, token=admin_token)
    assert reply.status == 201
    ticket = reply.json
    job = ticket["job"]
    assert job["status"] == "needs_mapping" and job["source"].startswith(f"uploads/{job['id']}/")
    # Then the link is a presigned PUT of that very key, valid 5 minutes
    url = urlparse(ticket["upload_url"])
    assert url.path.endswith(job["source"].replace(" ", "%20")) and parse_qs(url.query)["X-Amz-Expires"] == ["300"]
    # When the file is put there (as the link allows) and S3 announces it
    body = _csv("Email,First Name,Last Name", "zoe@example.com,Zoé,Laliberté")
    etag = boto3.client("s3").put_object(Bucket=get_settings().imports_bucket, Key=job["source"], Body=body)["ETag"]
    assert announce(notification(job["source"], etag)) == {"batchItemFailures": []}
    _accept_suggestion(api, admin_token, api.get(f"/admin/imports/{job['id']}", token=admin_token).json)
    run_jobs()
    # Then the job imported the file
    job = api.get(f"/admin/imports/{job['id']}", token=admin_token).json
    assert (job["status"], job["created"], job["size"]) == ("succeeded", 1, len(body))
    imports.deliver()
    zoe = _customer_by_email(api, admin_token, "zoe@example.com")
    assert (zoe["first_name"], zoe["last_name"], zoe["registered"], zoe["status"]) == ("Zoé", "Laliberté", True, "active")


# --- presets and messy files ------------------------------------------------------------------------

def test_a_magento_composite_file_brings_addresses_with_multiline_streets(api, admin_token, imports):
    drop("magento.csv", (DATA / "magento_customer_composite.csv").read_bytes())
    run_jobs()
    imports.deliver()
    job = _only_job(api, admin_token)
    assert job["preset"] == "magento_customers_composite" and job["status"] == "succeeded"
    jon = _customer_by_email(api, admin_token, "jondoe@example.com")
    [address] = api.get(f"/admin/customers/{jon['id']}/addresses", token=admin_token).json["items"]
    assert (address["line1"], address["line2"], address["city"], address["country"]) == \
        ("Main Street 1", "Suite 200", "Campbell", "US")
    assert address["default_shipping"] and address["default_billing"]
    # And the address is searchable like any other
    found = api.get("/admin/customers?address=Campbell", token=admin_token).json["items"]
    assert [c["id"] for c in found] == [jon["id"]]


@pytest.mark.parametrize("encoding, delimiter", [("utf-16", ";"), ("cp1252", "\t"), ("utf-8-sig", "|")])
def test_files_in_other_encodings_and_delimiters_keep_their_accents(api, admin_token, imports, encoding, delimiter):
    text = delimiter.join(["Email", "First Name", "Last Name"]) + "\r\n" + \
        delimiter.join(["eve@example.com", "Ève", "Laliberté"]) + "\r\n"
    _drop_and_map(api, admin_token, "accents.csv", text.encode(encoding))
    run_jobs()
    assert _only_job(api, admin_token)["created"] == 1
    imports.deliver()
    eve = _customer_by_email(api, admin_token, "eve@example.com")
    assert (eve["first_name"], eve["last_name"]) == ("Ève", "Laliberté")


def test_a_woocommerce_export_and_the_admin_panel_layout_start_without_a_mapping(api, admin_token, imports):
    drop("woo.csv", _csv("customer_id,first_name,last_name,email,billing_phone,billing_address_1,billing_city,"
                         "billing_postcode,billing_country",
                         "17,Ann,Lee,ann@example.com,+33 6 12 34 56 78,1 Rue de Rivoli,Paris,75001,FR"))
    drop("panel.csv", _csv("Full name,Email,Accept marketing,Customer group,Note",
                           "Bob Martin,bob@example.com,yes,Default,Prefers phone calls"))
    run_jobs()
    presets = sorted(j["preset"] for j in _jobs(api, admin_token))
    assert presets == ["admin_panel", "woocommerce_customers"]
    imports.deliver()
    ann = _customer_by_email(api, admin_token, "ann@example.com")
    assert (ann["phone"], ann["external_id"]) == ("+33 6 12 34 56 78", "17")
    bob = _customer_by_email(api, admin_token, "bob@example.com")
    assert (bob["first_name"], bob["last_name"], bob["accepts_marketing"], bob["comment"]) == \
        ("Bob", "Martin", True, "Prefers phone calls")


def test_an_unknown_layout_waits_for_a_mapping_with_columns_preview_and_suggestions(api, admin_token, imports):
    # Given a file in a layout nobody told us about (German column names, semicolons)
    rows = ["E-Mail;Vorname;Nachname;Telefon"] + [f"kunde{i}@example.com;Karl{i};Müller;+49 30 1234567{i}"
                                                  for i in range(7)]
    drop("kunden.csv", _csv(*rows))
    job = _only_job(api, admin_token)
    # Then the job waits with the detected columns, 5 preview rows and a suggested mapping
    assert job["status"] == "needs_mapping" and job["columns"] == ["E-Mail", "Vorname", "Nachname", "Telefon"]
    assert len(job["preview"]) == 5 and job["preview"][0]["Vorname"] == "Karl0"
    assert job["suggested_mapping"] == {"E-Mail": "email", "Vorname": "first_name", "Nachname": "last_name",
                                        "Telefon": "phone"}
    assert run_jobs() == 0 and _profile_count() == 0  # nothing runs before staff say so
    # When staff accept the suggestion and start
    patched = api.patch(f"/admin/imports/{job['id']}", {"mapping": job["suggested_mapping"]}, token=admin_token)
    assert patched.status == 200 and patched.json["mapping"] == job["suggested_mapping"]
    assert api.post(f"/admin/imports/{job['id']}/start", token=admin_token).json["status"] == "queued"
    run_jobs()
    # Then the 7 customers are there
    assert _only_job(api, admin_token)["created"] == 7 and _profile_count() == 7


# --- what an import does ------------------------------------------------------------------------------

def test_later_rows_update_earlier_ones_and_existing_customers_are_updated_or_skipped(api, admin_token, imports,
                                                                                       new_customer):
    # Given a customer who exists already, with a tag
    existing = new_customer(email="Old@Example.com", first_name="Olga", last_name="Old", tags=["vip"])
    rows = ["Email,First Name,Last Name,Tags",
            "new@example.com,Nina,First,a",
            "old@example.com,Olivia,Renamed,b",
            "NEW@example.com,Nina,Second,c"]
    # When a file updates her and names a new customer twice (in another case the second time)
    _drop_and_map(api, admin_token, "update.csv", _csv(*rows))
    run_jobs()
    job = _only_job(api, admin_token)
    # Then: one created, two updates (the existing customer; the later row for the new one)
    assert (job["created"], job["updated"], job["skipped"], job["rejected"]) == (1, 2, 0, 0)
    imports.deliver()
    nina = _customer_by_email(api, admin_token, "new@example.com")
    assert (nina["last_name"], sorted(nina["tags"])) == ("Second", ["a", "c"])
    olga = api.get(f"/admin/customers/{existing['id']}", token=admin_token).json
    assert (olga["first_name"], olga["last_name"], sorted(olga["tags"])) == ("Olivia", "Renamed", ["b", "vip"])
    assert olga["registered"] is False  # an update changes what the file maps, nothing else
    # And with on-existing=skip, an existing customer is left alone
    _drop_and_map(api, admin_token, "skip.csv", _csv("Email,First Name", "old@example.com,Oksana", "third@example.com,Theo"),
                  metadata={"on-existing": "skip"})
    run_jobs()
    skipping = next(j for j in _jobs(api, admin_token) if j["on_existing"] == "skip")
    assert (skipping["created"], skipping["updated"], skipping["skipped"]) == (1, 0, 1)
    assert api.get(f"/admin/customers/{existing['id']}", token=admin_token).json["first_name"] == "Olivia"


def test_imported_customers_are_registered_get_no_email_and_an_event_naming_the_job(api, admin_token, imports):
    _drop_and_map(api, admin_token, "quiet.csv", _csv("Email,First Name,Last Name", "quiet@example.com,Quinn,Quiet"),
                  metadata={"group": "Guests"})
    run_jobs()
    imports.deliver()
    job = _only_job(api, admin_token)
    quinn = _customer_by_email(api, admin_token, "quiet@example.com")
    assert (quinn["registered"], quinn["status"], quinn["group_id"]) == (True, "active", "guests")
    assert api.get(f"/admin/customers/{quinn['id']}/emails", token=admin_token).json["items"] == []
    [event] = api.get(f"/admin/customers/{quinn['id']}/timeline", token=admin_token).json["items"]
    assert event["type"] == "customer_imported" and event["data"]["job_id"] == job["id"] and event["data"]["created"]


def test_rows_with_a_bad_email_group_or_custom_field_are_rejected_with_row_and_reason(api, admin_token, imports):
    api.post("/admin/custom-fields", {"key": "shoe_size", "label": "Shoe size", "type": "number"}, token=admin_token)
    api.post("/admin/custom-fields", {"key": "member_since", "label": "Member since", "type": "date",
                                      "required": True}, token=admin_token)
    rows = ["email,group,shoe_size,member_since",
            "good@example.com,Default,42,2020-01-31",
            "not-an-email,Default,41,2020-01-31",
            "nogroup@example.com,Platinum,40,2020-01-31",
            "badsize@example.com,Default,huge,2020-01-31",
            "nodate@example.com,Default,39,"]
    drop("mixed.csv", _csv(*rows))
    job = _only_job(api, admin_token)
    mapping = {"email": "email", "group": "group", "shoe_size": "custom.shoe_size", "member_since": "custom.member_since"}
    assert api.patch(f"/admin/imports/{job['id']}", {"mapping": mapping}, token=admin_token).status == 200
    api.post(f"/admin/imports/{job['id']}/start", token=admin_token)
    run_jobs()
    job = _only_job(api, admin_token)
    # Then the job succeeded with counts, the bad rows named with their row number and reason
    assert (job["status"], job["created"], job["rejected"]) == ("succeeded", 1, 4)
    reasons = {e["row"]: e["message"] for e in job["errors"]}
    assert sorted(reasons) == [3, 4, 5, 6]
    assert "email" in reasons[3] and "group" in reasons[4] and "shoe_size" in reasons[5]
    assert "member_since" in reasons[6] and "required" in reasons[6]
    imports.deliver()
    good = _customer_by_email(api, admin_token, "good@example.com")
    assert good["custom_fields"] == {"shoe_size": 42, "member_since": "2020-01-31"}
    # And the error file gives the merchant's rows back with row and error
    link = api.get(f"/admin/imports/{job['id']}/errors", token=admin_token).json
    lines = list(csv.reader(io.StringIO(_download(link["download_url"]).decode("utf-8-sig"))))
    assert lines[0] == ["email", "group", "shoe_size", "member_since", "row", "error"]
    assert [line[:1] + line[4:5] for line in lines[1:]] == [["not-an-email", "3"], ["nogroup@example.com", "4"],
                                                            ["badsize@example.com", "5"], ["nodate@example.com", "6"]]


def test_a_dry_run_judges_every_row_and_writes_no_customer(api, admin_token, imports, new_customer):
    new_customer(email="here@example.com")
    drop("dry.csv", _csv("Email,First Name", "here@example.com,H", "fresh@example.com,F", "FRESH@example.com,F2",
                         "broken,B"))
    job = _only_job(api, admin_token)
    api.patch(f"/admin/imports/{job['id']}", {"mapping": job["suggested_mapping"]}, token=admin_token)
    assert api.post(f"/admin/imports/{job['id']}/dry-run", token=admin_token).json["status"] == "queued"
    run_jobs()
    job = _only_job(api, admin_token)
    # Then the job waits again, with what the import would do
    assert job["status"] == "needs_mapping" and (job["created"], job["updated"]) == (0, 0)
    result = job["dry_run_result"]
    assert (result["rows"], result["would_create"], result["would_update"], result["rejected"]) == (4, 1, 2, 1)
    assert result["errors"][0]["row"] == 5 and result["error_file_url"]
    assert _profile_count() == 1  # nothing written
    # When staff start it for real, the same figures come true
    assert api.post(f"/admin/imports/{job['id']}/start", token=admin_token).status == 200
    run_jobs()
    job = _only_job(api, admin_token)
    assert (job["status"], job["created"], job["updated"], job["rejected"]) == ("succeeded", 1, 2, 1)
    assert _profile_count() == 2
