"""Saved reports as staff read them, report files, the emails that carry scheduled reports to staff,
and who may receive them.

A saved report is a `SavedReportDraft` (reports_inputs) with an id, who saved it and when, and the last
day its schedule covered (the nightly job's bookkeeping: a range is mailed once)."""
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field, model_validator

from chalicelib.domain.base import ListQuery, Record
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.ids import new_id
from chalicelib.domain.records import PRIVATE
from chalicelib.domain.reports import FIRST_DAY, LAST_DAY, check_range

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
        raise ValueError("a date as YYYY-MM-DD")
    return date.fromisoformat(value)


# A day staff send to save a report or list its files, as a report's query takes it (reports_queries.py).
Day = Annotated[date, BeforeValidator(_iso_day), Field(ge=FIRST_DAY, le=LAST_DAY)]


class SavedReport(Record):
    """GET /admin/reports/saved/{id}: the saved definition (`from`/`to` or `range`) and its bookkeeping."""

    model_config = ConfigDict(defer_build=True, serialize_by_alias=True, populate_by_name=True)

    id: str
    name: str
    report: str
    from_: Annotated[date | None, Field(alias="from")] = None
    to: date | None = None
    range: str | None = None
    group_by: str = "day"
    filters: dict[str, Any] = Field(default_factory=dict)
    schedule: str | None = None
    recipients: list[str] = Field(default_factory=list)
    created_at: str
    created_by: str
    updated_at: str
    last_covered: date | None = None  # the last day of the range its schedule last mailed

    def definition(self) -> dict:
        """What was saved, as SavedReportDraft takes it."""
        return self.model_dump(mode="json", include={"name", "report", "from_", "to", "range", "group_by", "filters",
                                                     "schedule", "recipients"})


@dataclass
class ReportFile:
    """A file the nightly job wrote (API.md's "report file"); `download_url` is a short-lived link."""

    name: str  # "<day>/<file name>", its key in the reports bucket
    report: str
    day: str
    content_type: str
    size: int
    saved_report_id: str | None = None
    download_url: str | None = None
    created_at: str = field(default="", metadata=PRIVATE)


class FilesQuery(ListQuery):
    """GET /admin/reports/files?from=&to=: the files of the days in the range (at most a year)."""

    from_: Annotated[Day, Field(alias="from")]
    to: Day

    @model_validator(mode="after")
    def _readable(self):
        check_range(self.from_, self.to, None)  # a domain error: pydantic lets it through
        return self


@dataclass
class StaffMail:
    """An email to a member of staff (not a customer): queued with the change that causes it."""

    to: str
    template: str
    context: dict
    at: str
    id: str = field(default_factory=new_id)


def recipient_problem(email: str, staff_domains: tuple[str, ...]) -> str | None:
    """Why an address may not receive report files: when the deployment names its staff's email
    domains, an address elsewhere is no one's staff address."""
    if staff_domains and email.rsplit("@", 1)[-1].lower() not in staff_domains:
        return f"{email} is not a staff address (staff addresses are at {', '.join(staff_domains)})"
    return None


def check_recipients(recipients: list[str], staff_domains: tuple[str, ...]) -> None:
    problems = [{"field": "recipients", "message": p} for p in (recipient_problem(r, staff_domains) for r in recipients) if p]
    if problems:
        raise InvalidInput("Scheduled reports go to staff only.", problems)
