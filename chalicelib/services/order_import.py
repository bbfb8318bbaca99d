"""The order history import job: each order of a merchant's export becomes one order here, once.

One step reads up to CHUNK_ROWS rows from the checkpoint's byte offset, turns them into order lines
(domain/import_rows.py), groups them by order reference (domain/order_imports.py) and writes each
order atomically with what it changes (services/orders.place_imported_together): the order, its
number, the customer's card and stats; the order's id is made of its reference and its condition
(new) takes the reference (the sales per sku and day follow from the stream). Orders of distinct customers share transactions
(up to about 25 to one); a customer's next order waits for the next round, after their card is read again; a
transaction cancelled by one order's condition is redone one order at a time. A reference met again
later in the same file adds its lines to the order, with guards on the rows they come from. So a step
redone after a crash writes nothing twice (the order names the job and row that created it;
what followed the order's transaction is put again, under the same ids), and a reference imported by
an earlier job is left alone (its rows count as skipped).

Customers are found by email (compared case-insensitively) or by the id they had on the platform
(imported customers keep it); an order for neither is a guest order with its own customer entry.
Unknown skus become archived products. Counts: `created` and `updated` are orders (new; given more
lines), `rejected` and `skipped` are rows."""
from dataclasses import dataclass, field

from chalicelib.domain import clock
from chalicelib.domain.clock import utc_now
from chalicelib.domain.customers import GUESTS_GROUP_ID, Customer
from chalicelib.domain.errors import ChangedMeanwhile, DomainError, InvalidInput, OrderExists, OrderImportedAlready
from chalicelib.domain.import_rows import ImportContext, ImportedOrderLine, OrderLineRows
from chalicelib.domain.jobs import Counts, Job, RowError, StepResult
from chalicelib.domain.order_imports import (
    Buyer,
    ImportedOrder,
    ImportedRows,
    OrderRef,
    by_reference,
    guest_of,
    imported_order,
    order_lines,
    sku_of,
)
from chalicelib.domain.orders import FIRST_ORDER_NUMBER, ORDER_NUMBERS, Order, OrderCustomer
from chalicelib.domain.products import Product, ProductStatus
from chalicelib.services import configuration, import_files, import_results, orders
from chalicelib.settings import get_settings
from chalicelib.store import counters, order_refs
from chalicelib.store import customer_bulk as customer_store
from chalicelib.store import jobs as job_repo
from chalicelib.store import orders as order_store
from chalicelib.store import products as product_repo

CHUNK_ROWS = 500
_NO_HEAD = "no line of this order carries its details (date, customer...): they are on its first line in the file"
_TRIES = 5  # a customer's card changed meanwhile (their other order, a live one): read again and retry


def step(job: Job) -> StepResult:
    read = import_files.next_rows(job, CHUNK_ROWS)
    settings = configuration.store_settings()
    parser = OrderLineRows(job.mapping, ImportContext(timezone=settings.timezone, decimal_comma=read.format.decimal_comma,
                                                      preset=job.preset))
    lines, refused = import_files.records_of(read.rows, parser.record)
    outcome = _Step(job, settings.currency, settings.timezone)
    outcome.run(by_reference(lines))
    return import_files.step_result(job, read, outcome.counts, refused + outcome.refused)


def finish(job: Job) -> Job:
    return import_results.finished(job)


@dataclass
class _Step:
    """One step's orders: what to write, and what came of it."""

    job: Job
    currency: str
    timezone: str
    counts: Counts = field(default_factory=Counts)
    refused: list[RowError] = field(default_factory=list)

    @property
    def actor(self) -> str:
        return f"import:{self.job.id}"

    def run(self, imported: list[ImportedOrder]) -> None:
        if self.job.dry_run:
            self._judge(imported)
            return
        known = order_store.imported_pointers([o.ref for o in imported])
        new, more, committed = [], [], []
        for order in imported:
            pointer = known.get(order.ref)
            if pointer is None:
                new.append(order)
            elif pointer.job_id != self.job.id:  # brought in by an earlier import: not twice
                self.counts = self.counts.plus(Counts(skipped=len(order.lines)))
            elif pointer.row == order.lines[0].row:  # this step's own order, written before a crash
                self.counts = self.counts.plus(Counts(created=1))
                committed.append(pointer.order_id)
            else:
                more.append((order, pointer))
        orders.complete_imported(committed, self.actor)
        names = self._products([line for order in imported for line in order.lines])
        self._place_all(new, names, *self._buyers(new))
        for order, pointer in more:
            self._add_lines(order, pointer, names)

    def _judge(self, imported: list[ImportedOrder]) -> None:
        """A dry run: the same judgement of every order, nothing written but the job's own marks of
        the references met (so a reference met again in a later step counts as a would-be update)."""
        known = order_store.imported_pointers([o.ref for o in imported])
        marks = [f"ref:{o.ref}" for o in imported]
        seen = job_repo.seen_emails(self.job.id, marks)
        first_met: dict[str, int] = {}
        for order in imported:
            if order.ref in known:
                self.counts = self.counts.plus(Counts(skipped=len(order.lines)))
            elif f"ref:{order.ref}" in seen and seen[f"ref:{order.ref}"] < order.lines[0].row:
                self.counts = self.counts.plus(Counts(updated=1))
            elif order.head is None:
                self._refuse(order, _NO_HEAD)
            else:
                try:
                    lines = order_lines(order.lines, {})
                    discount = order.head.discount or 0
                    if discount > sum(line.quantity * line.unit_price for line in lines):
                        raise ValueError(f"the discount ({discount}) is larger than the lines' total")
                except ValueError as error:
                    self._refuse(order, str(error))
                    continue
                self.counts = self.counts.plus(Counts(created=1))
                first_met[f"ref:{order.ref}"] = order.lines[0].row
        job_repo.mark_emails_seen(self.job.id, first_met, expires_at=int(clock.now().timestamp()) + 7 * 86400)

    def _refuse(self, order: ImportedOrder, message: str) -> None:
        self.refused += [RowError(row, message) for row in order.rows]

    def _products(self, lines: list[ImportedOrderLine]) -> dict[str, str]:
        """The catalogue's names of the lines' skus; a sku the store does not sell becomes an archived
        product (name and price from its first line), so reports and the catalogue know it."""
        wanted: dict[str, ImportedOrderLine] = {}
        for line in lines:
            wanted.setdefault(sku_of(line), line)
        found = product_repo.get_many(list(wanted))
        now = utc_now()
        found.update(product_repo.create_missing([
            Product(sku=sku, name=wanted[sku].product_name or sku, price=wanted[sku].unit_price,
                    status=ProductStatus.ARCHIVED, created_at=now, updated_at=now)
            for sku in sorted(wanted.keys() - found.keys())]))
        return {sku: product.name for sku, product in found.items()}

    def _buyers(self, new: list[ImportedOrder]) -> tuple[dict[str, Buyer], dict[str, Customer]]:
        """Each new order's buyer (a customer found by email, else by external id, else a guest), and the
        customers' profiles as read (the first round places their orders under these versions)."""
        heads = {order.ref: order.head for order in new if order.head is not None}
        by_email = customer_store.guards([h.customer_email_key for h in heads.values() if h.customer_email_key])
        by_external = order_refs.customers_by_external_id(
            [h.customer_external_id for h in heads.values() if h.customer_external_id])
        ids: dict[str, str] = {}
        for ref, head in heads.items():
            guard = by_email.get(head.customer_email_key or "")
            customer_id = guard.customer_id if guard else by_external.get(head.customer_external_id or "")
            if customer_id:
                ids[ref] = customer_id
        profiles = customer_store.profiles(ids.values())
        buyers = {}
        for ref, head in heads.items():
            customer = profiles.get(ids.get(ref, ""))
            buyers[ref] = _buyer_of(customer) if customer else Buyer(guest_of(head), group_id=GUESTS_GROUP_ID)
        return buyers, profiles

    def _place_all(self, new: list[ImportedOrder], names: dict[str, str], buyers: dict[str, Buyer],
                   profiles: dict[str, Customer]) -> None:
        """The new orders, in rounds: the k-th order of each customer in round k (each changes their
        card), its orders several to a transaction; the first round under the profiles read to find the
        buyers, each later one under its customers read again."""
        ready = []
        for order in new:
            head = order.head
            if head is None:
                self._refuse(order, _NO_HEAD)
                continue
            try:
                lines = order_lines(order.lines, names)
            except ValueError as error:
                self._refuse(order, str(error))
                continue
            ready.append((order, head, lines))
        numbers = iter(counters.next_values(ORDER_NUMBERS, len(ready), FIRST_ORDER_NUMBER))
        rounds: list[list[tuple[ImportedOrder, Order, Buyer]]] = []
        taken: dict[str, int] = {}
        for order, head, lines in ready:
            buyer = buyers[order.ref]
            built = imported_order(order, head, buyer, lines, next(numbers), self.job.id, self.currency, self.timezone,
                                   utc_now())
            turn = 0
            if buyer.customer_id:  # a guest's entry is the order's own
                turn = taken[buyer.customer_id] = taken.get(buyer.customer_id, -1) + 1
            if turn == len(rounds):
                rounds.append([])
            rounds[turn].append((order, built, buyer))
        for turn, placing in enumerate(rounds):
            self._place_round(placing, profiles if turn == 0 else None)

    def _place_round(self, placing: list[tuple[ImportedOrder, Order, Buyer]], customers: dict[str, Customer] | None
                     ) -> None:
        if customers is None:
            customers = customer_store.profiles(buyer.customer_id for _, _, buyer in placing if buyer.customer_id)
        imported = [(built, customers.get(buyer.customer_id or "")) for _, built, buyer in placing]
        outcomes = orders.place_imported_together(imported, self.actor, get_settings().bulk_write_threads)
        for (order, built, buyer), outcome in zip(placing, outcomes, strict=True):
            if isinstance(outcome, ChangedMeanwhile):  # their card changed meanwhile (a live order): alone, read again
                outcome = self._place(order, built, buyer)
            self._count(order, outcome)

    def _place(self, imported: ImportedOrder, order: Order, buyer: Buyer) -> DomainError | None:
        for _ in range(_TRIES):
            customer = customer_store.profiles([buyer.customer_id]).get(buyer.customer_id) if buyer.customer_id else None
            try:
                orders.place_imported(order, customer, self.actor)
                return None
            except ChangedMeanwhile:
                continue
            except DomainError as error:
                return error
        raise RuntimeError("a customer's card kept changing while their orders were imported")

    def _count(self, imported: ImportedOrder, outcome: DomainError | None) -> None:
        if outcome is None:
            self.counts = self.counts.plus(Counts(created=1))
        elif isinstance(outcome, OrderExists | OrderImportedAlready):  # another job took this reference meanwhile
            self.counts = self.counts.plus(Counts(skipped=len(imported.lines)))
        elif isinstance(outcome, InvalidInput):  # e.g. a discount larger than the lines
            self._refuse(imported, outcome.message)
        else:
            raise outcome

    def _add_lines(self, imported: ImportedOrder, pointer: OrderRef, names: dict[str, str]) -> None:
        """Rows of an order created by an earlier step of this job: its lines grow (once per row)."""
        added = ImportedRows(pointer.order_id, self.job.id, imported.rows)
        try:
            orders.add_imported_lines(pointer.order_id, lambda order: order_lines(imported.lines, names, order.lines),
                                      [added], self.actor)
        except OrderImportedAlready:  # this step's own lines, written before a crash
            pass
        except (InvalidInput, ValueError) as error:
            self._refuse(imported, getattr(error, "message", str(error)))
            return
        self.counts = self.counts.plus(Counts(updated=1))


def _buyer_of(customer: Customer) -> Buyer:
    return Buyer(OrderCustomer(email=customer.email, first_name=customer.first_name, last_name=customer.last_name,
                               phone=customer.phone), customer_id=customer.id, group_id=customer.group_id)
