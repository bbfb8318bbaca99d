"""Report files: the nightly job that writes them to the reports bucket and mails scheduled saved
reports to staff, the list of the files with short-lived links, and the sending of those emails.

The job runs every hour and acts once per store-local day: the first run after the store's midnight
writes the day that ended (`<day>/sales.csv`, `products.csv`, `customers.csv`, `payments.csv`, and
`sales-30-days.svg`, the chart of the 30 days up to it) and marks the day done; every run then mails
the saved reports whose schedule is due (once per range: their `last_covered` moves with the emails
queued, in one transaction). Each object is put with `If-None-Match: *`, so a second run, or a run
racing another, writes each file once."""
import secrets
from datetime import date, timedelta

from botocore.exceptions import ClientError

from chalicelib.aws_clients import client
from chalicelib.domain import clock
from chalicelib.domain.clock import iso, utc_now
from chalicelib.domain.errors import Gone, NotFound
from chalicelib.domain.mail import MailStatus
from chalicelib.domain.pages import Page
from chalicelib.domain.records import Redirect
from chalicelib.domain.report_files import report_csv, sales_chart_svg
from chalicelib.domain.reports import due_range
from chalicelib.domain.reports_inputs import SavedReportDraft
from chalicelib.domain.reports_queries import QUERIES, ReportQuery, SalesQuery
from chalicelib.domain.saved_reports import (
    FilesQuery,
    ReportFile,
    SavedReport,
    StaffMail,
    recipient_problem,
)
from chalicelib.notify import mailer
from chalicelib.services import configuration, reports, saved_reports
from chalicelib.services.notifications import MailNotSent
from chalicelib.settings import get_settings
from chalicelib.store import report_files as file_repo
from chalicelib.store import saved_reports as saved_repo
from chalicelib.store import staff_mail

DAILY_REPORTS = tuple(QUERIES)  # every report, each day
CHART_DAYS = 30
CSV, SVG = "text/csv; charset=utf-8", "image/svg+xml"
REPORT_READY = "report_ready"
_CLAIM_TIMEOUT = timedelta(minutes=5)


def generate_report_files() -> dict:
    """The nightly job (see the module's notes). Returns what it did, for the log."""
    currency = configuration.store_settings().currency
    today = saved_reports.store_today()
    day = today - timedelta(days=1)
    written = 0
    if not file_repo.day_done(day.isoformat()):
        for report in DAILY_REPORTS:
            answer = reports.run(_query(report, day, day), whole=True)
            written += _store(day, f"{report}.csv", report, report_csv(answer), CSV)
        chart = reports.sales(SalesQuery.model_validate({"from": str(day - timedelta(days=CHART_DAYS - 1)), "to": str(day)}))
        written += _store(day, f"sales-{CHART_DAYS}-days.svg", "sales", sales_chart_svg(chart, currency), SVG)
        file_repo.mark_day_done(day.isoformat(), utc_now())
    mailed = sum(_mail_if_due(saved, today, day) for saved in saved_repo.scheduled())
    return {"day": day.isoformat(), "files_written": written, "saved_reports_mailed": mailed}


def _query(report: str, start: date, end: date) -> ReportQuery:
    return QUERIES[report].model_validate({"from": start.isoformat(), "to": end.isoformat()})


def _key(day: date, file_name: str) -> str:
    return f"{day.isoformat()}/{file_name}"


def _store(day: date, file_name: str, report: str, body: bytes, content_type: str, saved_report_id: str | None = None) -> int:
    """Put the file under `<day>/<file name>` unless it is there, and index it. 1 if written now."""
    key = _key(day, file_name)
    bucket, s3 = get_settings().reports_bucket, client("s3")
    try:
        s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type, IfNoneMatch="*")
        written, size = 1, len(body)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in ("PreconditionFailed", "ConditionalRequestConflict"):
            raise
        written, size = 0, int(s3.head_object(Bucket=bucket, Key=key)["ContentLength"])  # written before: kept
    file_repo.add(ReportFile(name=key, report=report, day=day.isoformat(), content_type=content_type, size=size,
                             saved_report_id=saved_report_id, created_at=utc_now()), key)
    return written


def _link(key: str, seconds: int) -> str:
    return client("s3").generate_presigned_url("get_object", Params={"Bucket": get_settings().reports_bucket, "Key": key},
                                               ExpiresIn=seconds)


def _lasting_link(key: str, days: int) -> str:
    """A link for an email that works `days` days: to this API, which answers each opening with a
    fresh short-lived link to the file (a presigned URL lasts no longer than the credentials that
    signed it: a Lambda role's, hours). Its id is random and unguessable (192 bits)."""
    link_id = secrets.token_urlsafe(24)
    file_repo.add_link(link_id, key, int((clock.now() + timedelta(days=days)).timestamp()))
    return f"{get_settings().api_url}/admin/reports/links/{link_id}"


def open_link(link_id: str) -> Redirect:
    """The file a mailed link names, as a short-lived link; 404 if there is no such link, 410 once expired."""
    found = file_repo.link(link_id)
    if found is None:
        raise NotFound("No such link.")
    key, expires_at = found
    if expires_at < clock.now().timestamp():
        raise Gone("This link has expired: staff find the file under Reports > Files.")
    return Redirect(_link(key, get_settings().download_link_seconds))


def _mail_if_due(saved: SavedReport, today: date, yesterday: date) -> int:
    """A scheduled saved report whose range is due: its CSV, and one email per recipient with a link
    (valid `report_link_days`). 1 if mailed now."""
    covered = due_range(saved.schedule, yesterday, saved.last_covered)
    if covered is None:
        return 0
    query = SavedReportDraft.model_validate(saved.definition()).query(today, covering=covered)
    answer = reports.run(query, whole=True)
    file_name = f"saved-{saved.id}.csv"
    _store(yesterday, file_name, saved.report, report_csv(answer), CSV, saved_report_id=saved.id)
    days = get_settings().report_link_days
    context = {"name": saved.name, "report": saved.report, "from": covered[0].isoformat(), "to": covered[1].isoformat(),
               "schedule": saved.schedule, "link": _lasting_link(_key(yesterday, file_name), days), "link_days": days}
    staff = saved_reports.staff_domains()  # checked when saved; again here, should the domains have changed since
    mails = [StaffMail(to=recipient, template=REPORT_READY, context=context, at=utc_now())
             for recipient in saved.recipients if recipient_problem(recipient, staff) is None]
    return int(saved_repo.record_run(saved.id, covered[1].isoformat(), mails))


def list_files(query: FilesQuery) -> Page[ReportFile]:
    """The files of the days in the range, oldest first, each with a link valid a few minutes."""
    page = file_repo.page(query.from_.isoformat(), query.to.isoformat(), query.limit, query.next_token)
    seconds = get_settings().download_link_seconds
    items = []
    for file, key in page.items:
        file.download_url = _link(key, seconds)
        items.append(file)
    return Page(items=items, next_token=page.next_token)


def send_queued_staff_mail(mail_id: str) -> bool:
    """Send one queued staff email, once: True if it went out now. A failed send is recorded and raised
    (the stream retries it); what is raised names the mail, never the address."""
    mail = staff_mail.claim(mail_id, stale_before=iso(clock.now() - _CLAIM_TIMEOUT))
    if mail is None:
        return False
    try:
        subject = mailer.send(mail.template, mail.to, mail.context)
    except Exception as error:
        staff_mail.record(mail_id, MailStatus.FAILED)
        raise MailNotSent(f"staff mail {mail_id} ({mail.template}) was not sent: {type(error).__name__}") from None
    staff_mail.record(mail_id, MailStatus.SENT, subject)
    return True
