"""Reading a report: the query staff send (unknown fields refused: 422) and the answer's envelope.

These queries are msgspec Structs, not pydantic models: a report's first request is a cold start, and
msgspec costs it ~9 ms where pydantic costs ~100 ms (bench/cold_start.py, docs/architecture.md "Cold
start"). They are the only rules of a report's query: saved reports (reports_inputs.py, pydantic) run
their filters and ranges through these same classes.

Query strings arrive as text; dates are strictly YYYY-MM-DD. A range whose `to` is before `from`, or
longer than a report reads (a year by day, ten years by week or month), is a 422."""
import re
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Literal, Self

import msgspec
from msgspec import Meta
from typing_extensions import TypedDict  # pydantic reads typing's TypedDict only from Python 3.12 (the OpenAPI document)

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.pages import MAX_PAGE_SIZE, MAX_TOKEN_CHARS, PAGE_SIZE
from chalicelib.domain.reports import check_range

GroupBy = Literal["day", "week", "month"]
Code = Annotated[str, Meta(pattern=r"^[a-z0-9_-]{1,40}$")]  # a payment or delivery method's code
Country = Annotated[str, Meta(pattern=r"^[A-Z]{2}$")]
Label = Annotated[str, Meta(min_length=1, max_length=100)]  # a category or a brand (stripped)
_NOT_FILTERS = frozenset({"from", "to", "group_by", "limit", "next_token"})
_AT = re.compile(r"^(?P<message>.*?) - at `\$\.(?P<field>[^`]+)`$")
_NAMED = re.compile(r"^Object (?:missing required|contains unknown) field `(?P<field>[^`]+)`$")


def _detail(problem: str) -> dict[str, Any]:
    """A msgspec refusal as the API's error detail: {field, message} (field None: the query as a whole)."""
    at, named = _AT.match(problem), _NAMED.match(problem)
    if at:
        return {"field": at["field"], "message": at["message"]}
    return {"field": named["field"] if named else None, "message": problem}


class Query(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A report's query. `model_validate` is the routing's entry for a query, as for pydantic models."""

    @classmethod
    def model_validate(cls, fields: Mapping[str, Any]) -> Self:
        """The query of these fields (text, as in a query string, or typed); a refusal is a 422."""
        try:
            return msgspec.convert(dict(fields), cls, strict=False)
        except msgspec.ValidationError as refused:
            raise InvalidInput("The request is not valid.", [_detail(str(refused))]) from None

    @classmethod
    def filter_names(cls) -> tuple[str, ...]:
        return tuple(f.encode_name for f in msgspec.structs.fields(cls) if f.encode_name not in _NOT_FILTERS)

    def filters(self) -> dict[str, Any]:
        """The filters given: {name: value}."""
        return {name: getattr(self, name) for name in self.filter_names() if getattr(self, name) is not None}


class _GroupedRange(Query):
    from_: date = msgspec.field(name="from")
    to: date
    group_by: GroupBy = "day"

    def __post_init__(self) -> None:
        check_range(self.from_, self.to, self.group_by)  # a domain error: msgspec lets it through


class SalesQuery(_GroupedRange):
    """GET /admin/reports/sales: at most one filter reads one item per day; two or more read the
    day's combinations."""

    payment_method: Code | None = None
    delivery_method: Code | None = None
    group: Annotated[str, Meta(min_length=1, max_length=64)] | None = None
    country: Country | None = None


class CustomersQuery(_GroupedRange):
    """GET /admin/reports/customers"""


class PaymentsQuery(_GroupedRange):
    """GET /admin/reports/payments"""


class ProductsQuery(Query):
    """GET /admin/reports/products: no periods; a range of at most a year (one item per sku sold per day)."""

    from_: date = msgspec.field(name="from")
    to: date
    category: Label | None = None
    brand: Label | None = None
    status: Code | None = None
    sort: Literal["gross_sales", "units_sold"] = "gross_sales"
    limit: Annotated[int, Meta(ge=1, le=MAX_PAGE_SIZE)] = PAGE_SIZE
    next_token: Annotated[str, Meta(max_length=MAX_TOKEN_CHARS)] | None = None

    def __post_init__(self) -> None:
        check_range(self.from_, self.to, None)
        for name in ("category", "brand"):
            value = getattr(self, name)
            if value is not None:
                if not value.strip():
                    raise InvalidInput("The request is not valid.", [{"field": name, "message": "is blank"}])
                setattr(self, name, value.strip())


ReportQuery = SalesQuery | ProductsQuery | CustomersQuery | PaymentsQuery
QUERIES: dict[str, type[ReportQuery]] = {"sales": SalesQuery, "products": ProductsQuery,
                                         "customers": CustomersQuery, "payments": PaymentsQuery}

# Every report's answer (each report adds its own fields: products `next_token` and `sort`, customers
# `top_customers` and `by_country`, payments `summary`, sales `filters`).
ReportAnswer = TypedDict("ReportAnswer", {"report": str, "from": str, "to": str, "group_by": str | None,
                                          "rows": list[dict[str, Any]], "totals": dict[str, Any],
                                          "generated_at": str})
