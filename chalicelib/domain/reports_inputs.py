"""What staff send to read reports and to save them: validated, unknown fields refused (422).

Query strings arrive as text; dates are strictly YYYY-MM-DD. A range whose `to` is before `from`, or
longer than a report reads (a year by day, ten years by week or month), is a 422."""
import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, EmailStr, Field, StringConstraints, model_validator

from chalicelib.domain.base import Changes, Input, ListQuery
from chalicelib.domain.reports import DAY, RELATIVE_RANGES, range_problem, resolve_range

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
        raise ValueError("a date as YYYY-MM-DD")
    return date.fromisoformat(value)


Day = Annotated[date, BeforeValidator(_iso_day), Field(ge=date(1970, 1, 1), le=date(2999, 12, 31))]
GroupBy = Literal["day", "week", "month"]
ReportName = Literal["sales", "products", "customers", "payments"]
RelativeRange = Literal[RELATIVE_RANGES]  # type: ignore[valid-type]
Schedule = Literal["daily", "weekly", "monthly"]
Code = Annotated[str, Field(pattern=r"^[a-z0-9_-]{1,40}$")]  # a payment or delivery method's code
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
MAX_RECIPIENTS = 20


class _Range(Input):
    from_: Annotated[Day, Field(alias="from")]
    to: Day

    def _check(self, group_by: str) -> None:
        problem = range_problem(self.from_, self.to, group_by)
        if problem:
            raise ValueError(problem)


class _GroupedRange(_Range):
    group_by: GroupBy = "day"

    @model_validator(mode="after")
    def _readable(self):
        self._check(self.group_by)
        return self


class SalesFilters(Input):
    """At most one filter reads one item per day; two or more read the day's combinations."""

    payment_method: Code | None = None
    delivery_method: Code | None = None
    group: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    country: Country | None = None


class ProductFilters(Input):
    category: Label | None = None
    brand: Label | None = None
    status: Code | None = None
    sort: Literal["gross_sales", "units_sold"] = "gross_sales"


class SalesQuery(_GroupedRange, SalesFilters):
    """GET /admin/reports/sales"""


class CustomersQuery(_GroupedRange):
    """GET /admin/reports/customers"""


class PaymentsQuery(_GroupedRange):
    """GET /admin/reports/payments"""


class ProductsQuery(_Range, ProductFilters, ListQuery):
    """GET /admin/reports/products: no periods; a range of at most a year (one item per sku sold per day)."""

    @model_validator(mode="after")
    def _readable(self):
        self._check(DAY)
        return self


ReportQuery = SalesQuery | ProductsQuery | CustomersQuery | PaymentsQuery
_FILTERS: dict[str, type[Input] | None] = {"sales": SalesFilters, "products": ProductFilters,
                                           "customers": None, "payments": None}
_QUERIES: dict[str, type[Input]] = {"sales": SalesQuery, "products": ProductsQuery,
                                    "customers": CustomersQuery, "payments": PaymentsQuery}


def _recipients(emails: list[str]) -> list[str]:
    """Lower-cased, each once, in the order given."""
    return list(dict.fromkeys(email.lower() for email in emails))


class SavedReportDraft(Input):
    """A saved report: a fixed range (`from` and `to`) or a relative one (`range`), never both. With a
    schedule, its files are mailed to `recipients` (staff emails; the service checks they are staff)."""

    name: Label
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
        if fixed:
            if self.from_ is None or self.to is None:
                raise ValueError("a fixed range needs both 'from' and 'to'")
            problem = range_problem(self.from_, self.to, self.group_by if self.report != "products" else DAY)
            if problem:
                raise ValueError(problem)
        filters_model = _FILTERS[self.report]
        if filters_model is None:
            if self.filters:
                raise ValueError(f"the {self.report} report takes no filters")
        else:
            self.filters = filters_model.model_validate(self.filters).model_dump(exclude_none=True)
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
        return _QUERIES[self.report].model_validate(fields)  # type: ignore[return-value]


class SavedReportChanges(Changes):
    """PATCH /admin/reports/saved/{id}: only the fields sent change; none may be null but `schedule`
    (null: no schedule). Sending `range` replaces a fixed range, sending `from`/`to` a relative one."""

    name: Label | None = None
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
