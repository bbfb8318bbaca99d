"""What staff send to save reports: validated, unknown fields refused (422). A saved report names one
report, a fixed or relative range, that report's filters (reports_queries.py), and optionally a schedule
and the staff emails it goes to.

Reading a report does not load this module: its query is reports_queries.py's."""
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import EmailStr, Field, StringConstraints, model_validator

from chalicelib.domain.base import Changes, Input
from chalicelib.domain.clock import now
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.reports import RELATIVE_RANGES, resolve_range
from chalicelib.domain.reports_queries import QUERIES, GroupBy, ReportQuery
from chalicelib.domain.saved_reports import Day

ReportName = Literal["sales", "products", "customers", "payments"]
RelativeRange = Literal[RELATIVE_RANGES]  # type: ignore[valid-type]
Schedule = Literal["daily", "weekly", "monthly"]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
MAX_RECIPIENTS = 20


def _recipients(emails: list[str]) -> list[str]:
    """Lower-cased, each once, in the order given."""
    return list(dict.fromkeys(email.lower() for email in emails))


class SavedReportDraft(Input):
    """A saved report: a fixed range (`from` and `to`) or a relative one (`range`), never both. With a
    schedule, its files are mailed to `recipients` (staff emails; the service checks they are staff)."""

    name: Name
    report: ReportName
    from_: Annotated[Day | None, Field(alias="from")] = None
    to: Day | None = None
    range: RelativeRange | None = None
    group_by: GroupBy = "day"
    filters: dict[str, Any] = Field(default_factory=dict)
    schedule: Schedule | None = None
    recipients: Annotated[list[EmailStr], Field(max_length=MAX_RECIPIENTS)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _coherent(self):
        fixed = self.from_ is not None or self.to is not None
        if fixed == (self.range is not None):
            raise ValueError("give either 'from' and 'to', or 'range'")
        if fixed and (self.from_ is None or self.to is None):
            raise ValueError("a fixed range needs both 'from' and 'to'")
        unknown = sorted(set(self.filters) - set(QUERIES[self.report].filter_names()))
        if unknown:
            raise ValueError(f"the {self.report} report has no filter {', '.join(unknown)}")
        try:  # the report's own query checks the range and the filters (a relative range fits any day)
            self.filters = self.query(now().date()).filters()
        except InvalidInput as refused:
            raise ValueError("; ".join(f"{d['field']}: {d['message']}" if d["field"] else d["message"]
                                       for d in refused.details or [])) from None
        self.recipients = _recipients(self.recipients)
        if self.schedule is not None and not self.recipients:
            raise ValueError("a scheduled report needs at least one recipient")
        return self

    def query(self, today: date, covering: tuple[date, date] | None = None) -> ReportQuery:
        """The report query of a run: over `covering` (a schedule's range) if given, else the saved
        range (a relative one resolved from the store-local `today`)."""
        if covering is not None:
            start, end = covering
        elif self.from_ is not None and self.to is not None:
            start, end = self.from_, self.to
        else:
            start, end = resolve_range(str(self.range), today)  # validated: a fixed range or a relative one
        fields: dict[str, Any] = {"from": start.isoformat(), "to": end.isoformat(), **self.filters}
        if self.report != "products":
            fields["group_by"] = self.group_by
        return QUERIES[self.report].model_validate(fields)


class SavedReportChanges(Changes):
    """PATCH /admin/reports/saved/{id}: only the fields sent change; none may be null but `schedule`
    (null: no schedule). Sending `range` replaces a fixed range, sending `from`/`to` a relative one."""

    name: Name | None = None
    report: ReportName | None = None
    from_: Annotated[Day | None, Field(alias="from")] = None
    to: Day | None = None
    range: RelativeRange | None = None
    group_by: GroupBy | None = None
    filters: dict[str, Any] | None = None
    schedule: Schedule | None = None
    recipients: Annotated[list[EmailStr], Field(max_length=MAX_RECIPIENTS)] | None = None
    NULLABLE = ("schedule",)

    @model_validator(mode="after")
    def _something_to_change(self):
        if not self.model_fields_set:
            raise ValueError("give at least one field to change")
        return self

    def apply_to(self, current: SavedReportDraft) -> SavedReportDraft:
        """The saved report after this change, validated as a whole (422 if the result is not one)."""
        merged = current.model_dump(by_alias=True)
        changes = self.model_dump(by_alias=True, exclude_unset=True)
        if "range" in changes:
            merged["from"] = merged["to"] = None
        if "from" in changes or "to" in changes:
            merged["range"] = None
        if changes.get("report", current.report) != current.report and "filters" not in changes:
            merged["filters"] = {}  # filters belong to one report
        merged.update(changes)
        return SavedReportDraft.model_validate(merged)
