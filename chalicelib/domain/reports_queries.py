"""Reading a report: the query staff send (validated, unknown fields refused: 422) and the answer's
envelope. A report's first request loads this module and no more of the report inputs: saving reports
(reports_inputs.py) takes email addresses, whose validation this path does not load.

Query strings arrive as text; dates are strictly YYYY-MM-DD. A range whose `to` is before `from`, or
longer than a report reads (a year by day, ten years by week or month), is a 422."""
import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from chalicelib.domain.base import Input, ListQuery, Record
from chalicelib.domain.reports import DAY, range_problem

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
        raise ValueError("a date as YYYY-MM-DD")
    return date.fromisoformat(value)


Day = Annotated[date, BeforeValidator(_iso_day), Field(ge=date(1970, 1, 1), le=date(2999, 12, 31))]
GroupBy = Literal["day", "week", "month"]
Code = Annotated[str, Field(pattern=r"^[a-z0-9_-]{1,40}$")]  # a payment or delivery method's code
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


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


class ReportAnswer(Record):
    """Every report's answer (each report adds its own fields: products `next_token` and `sort`,
    customers `top_customers` and `by_country`, payments `summary`, sales `filters`)."""

    model_config = ConfigDict(defer_build=True, extra="allow", serialize_by_alias=True, populate_by_name=True)

    report: str
    from_: Annotated[str, Field(alias="from")]
    to: str
    group_by: str | None
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    generated_at: str
