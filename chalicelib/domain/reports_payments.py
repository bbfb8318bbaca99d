"""The payments report: per payment method and payment status, orders and amount; refunds.

Items per (day, payment_method, payment_status): `orders` and `amount` (order totals) of the orders
placed that day, by their CURRENT payment status; `refunds` (order totals refunded) on the item of
(refund day, method, `refunded`). Test orders never count. Cancelled and rejected orders count only if
money moved (status `paid`: taken and owed back; `refunded`): an order called off before it was paid
is owed by nobody, so it is not "awaiting" either.

Rows: one per (period, method, status) with a figure (a table, not a chart: periods without payments
have no row); `summary` gives the same over the whole range. Totals: orders, amount, refunds, and paid
(status `paid`) versus awaiting (`awaiting_payment`, `awaiting_verification`, `unpaid` = cash on
delivery) orders and amounts. Failed payments have their rows, in neither.
"""
from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, TypeGuard

from chalicelib.domain.reports import (
    REFUNDED,
    Deltas,
    Figures,
    OrderFacts,
    add_into,
    counts,
    deltas_of,
    is_called_off,
    period_start,
    refund_day,
)

if TYPE_CHECKING:  # the stream handler computes deltas without loading pydantic
    from chalicelib.domain.reports_queries import PaymentsQuery

PAID = "paid"
AWAITING = ("awaiting_payment", "awaiting_verification", "unpaid")
FIGURES = ("orders", "amount", "refunds")


def _in_payments(facts: OrderFacts | None) -> TypeGuard[OrderFacts]:
    return counts(facts) or (is_called_off(facts) and facts.payment_status in (PAID, REFUNDED))


def _contribution(facts: OrderFacts | None) -> Deltas:
    items: Deltas = {}
    if _in_payments(facts):
        add_into(items, (facts.placed_day, facts.payment_method, facts.payment_status),
                 {"orders": 1, "amount": facts.total})
        if facts.payment_status == REFUNDED:
            add_into(items, (refund_day(facts), facts.payment_method, REFUNDED), {"refunds": facts.total})
    return items


def payment_deltas(before: OrderFacts | None, after: OrderFacts | None) -> Deltas:
    """{(day, payment_method, payment_status): {figure: delta}} of an order change."""
    return deltas_of(_contribution, before, after)


def _rows(sums: Mapping[tuple, Figures], with_period: bool) -> list[dict]:
    rows = []
    for key in sorted(sums):
        figures = sums[key]
        if any(figures.get(name, 0) for name in FIGURES):
            *period, method, status = key
            row = {"period": period[0]} if with_period else {}
            rows.append({**row, "payment_method": method, "payment_status": status,
                         **{name: figures.get(name, 0) for name in FIGURES}})
    return rows


def payments_report(query: "PaymentsQuery", items: Iterable[tuple[str, str, str, Mapping[str, int]]],
                    generated_at: str) -> dict:
    """The answer from the items read, as (day, payment_method, payment_status, figures)."""
    per_period: dict[tuple, Figures] = {}
    per_status: dict[tuple, Figures] = {}
    for day, method, status, figures in items:
        if query.from_ <= date.fromisoformat(day) <= query.to:
            add_into(per_period, (period_start(date.fromisoformat(day), query.group_by).isoformat(), method, status), figures)
            add_into(per_status, (method, status), figures)
    summary = _rows(per_status, with_period=False)
    totals = {name: sum(row[name] for row in summary) for name in FIGURES}
    for label, statuses in (("paid", (PAID,)), ("awaiting", AWAITING)):
        totals[f"{label}_orders"] = sum(row["orders"] for row in summary if row["payment_status"] in statuses)
        totals[f"{label}_amount"] = sum(row["amount"] for row in summary if row["payment_status"] in statuses)
    return {"report": "payments", "from": query.from_.isoformat(), "to": query.to.isoformat(),
            "group_by": query.group_by, "rows": _rows(per_period, with_period=True), "summary": summary,
            "totals": totals, "generated_at": generated_at}
