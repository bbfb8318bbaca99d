"""The customers import job: each row of a merchant's CSV becomes a customer, once.

One step reads up to CHUNK_ROWS rows from the checkpoint's byte offset (a ranged GET), turns them
into customer records (domain/import_rows.py: the API's own rules), and writes them in bulk
(store/customer_bulk.py). A customer is found by email, compared case-insensitively: a row creates
the customer or updates it (`on_existing` = update: mapped fields overwrite, tags are added; or
skip); a later row of the same file for the same email updates what an earlier one created.

Exactly once without holding the whole step in one transaction: every write of a step is
idempotent, and its counts are derived from what the store says. The email guard of a created
customer records the job and row that created it, so a step redone after a crash recognises its own
creations (still "created") and creates nothing twice; it puts again what follows them (event,
external id pointer, address: written after their transaction, under ids derived from the job and
row). The step's counts are committed with its checkpoint (services/jobs.py).

A dry run reads and judges every row the same way and writes no customer: emails met earlier in the
file are remembered as job-private marks, so later rows count as would-be updates."""
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain import clock
from chalicelib.domain.addresses import AddressFields
from chalicelib.domain.clock import iso, utc_now
from chalicelib.domain.csv_files import CsvFormat
from chalicelib.domain.customers import Customer, CustomerStatus
from chalicelib.domain.ids import derived_id
from chalicelib.domain.import_rows import CustomerRows, ImportContext, ImportedCustomer
from chalicelib.domain.jobs import Counts, Job, RowError, StepResult
from chalicelib.domain.timeline import TimelineEvent
from chalicelib.services import configuration, import_files, import_results
from chalicelib.store import customer_bulk as bulk
from chalicelib.store import jobs as job_repo

CHUNK_ROWS = 500
_MAX_CONFLICT_ROUNDS = 5


def step(job: Job) -> StepResult:
    read = import_files.next_rows(job, CHUNK_ROWS)
    context = _context(read.format, job)
    records, refused = import_files.records_of(read.rows, CustomerRows(job.mapping, context.rows).record)
    counts, more_refused = _import(records, job, context)
    return import_files.step_result(job, read, counts, refused + more_refused)


@dataclass(frozen=True)
class _Context:
    """What the store says about this step's rows, read once per step."""

    rows: ImportContext
    default_group_id: str
    required_fields: tuple[str, ...]


def _context(fmt: CsvFormat, job: Job) -> _Context:
    settings = configuration.store_settings()
    fields = tuple(configuration.list_custom_fields())
    rows = ImportContext(custom_fields=fields, groups={g.id: g.name for g in configuration.list_groups()},
                         timezone=settings.timezone, decimal_comma=fmt.decimal_comma, preset=job.preset)
    return _Context(rows, settings.default_group_id, tuple(f.key for f in fields if f.required))


@dataclass
class _Rows:
    """One email's rows of this step, in file order."""

    key: str
    records: list[ImportedCustomer]

    @property
    def first(self) -> int:
        return self.records[0].row


@dataclass
class _Plan:
    writes: list[tuple[bulk.ImportedCustomer, Counts, _Rows]] = field(default_factory=list)
    settled: Counts = field(default_factory=Counts)  # rows that need no write
    created_before: list[bulk.ImportedCustomer] = field(default_factory=list)  # by this step, before a crash
    refused: list[RowError] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)  # dry run: emails met first in this step


def _by_email(records: list[ImportedCustomer]) -> list[_Rows]:
    grouped: dict[str, _Rows] = {}
    for record in records:
        grouped.setdefault(record.email_key, _Rows(record.email_key, [])).records.append(record)
    return list(grouped.values())


def _import(records: list[ImportedCustomer], job: Job, context: _Context) -> tuple[Counts, list[RowError]]:
    """Decide and write; the customers that changed meanwhile (an email taken by another file or a
    registration, a profile edited) are read and decided again."""
    counts, refused = Counts(), list[RowError]()
    pending = _by_email(records)
    for _ in range(_MAX_CONFLICT_ROUNDS):
        if not pending:
            return counts, refused
        plan = _decide(pending, job, context)
        counts, refused = counts.plus(plan.settled), refused + plan.refused
        if job.dry_run:
            job_repo.mark_emails_seen(job.id, plan.seen, expires_at=int(clock.now().timestamp()) + 7 * 86400)
            changed: set[int] = set()
        else:
            bulk.complete(plan.created_before)
            changed = {id(w) for w in bulk.write([w for w, _, _ in plan.writes], job.id)}
        for write, outcome, _ in plan.writes:
            if id(write) not in changed:
                counts = counts.plus(outcome)
        pending = [rows for write, _, rows in plan.writes if id(write) in changed]
    raise RuntimeError("customers kept changing during the import step")


def _decide(pending: list[_Rows], job: Job, context: _Context) -> _Plan:
    """What each email's rows do. The same judgement for a dry run, which only writes nothing."""
    keys = [rows.key for rows in pending]
    guards = bulk.guards(keys)
    seen = job_repo.seen_emails(job.id, keys) if job.dry_run else {}
    profiles = {} if job.dry_run else bulk.profiles(g.customer_id for g in guards.values())
    plan = _Plan()
    for rows in pending:
        guard = guards.get(rows.key)
        created_at_row = guard.row if guard is not None and guard.job_id == job.id else seen.get(rows.key)
        n = len(rows.records)
        if created_at_row == rows.first:  # this step's own creation, before a crash: what follows it again
            plan.settled = plan.settled.plus(Counts(created=1, updated=n - 1))
            if not job.dry_run:
                plan.created_before.append(_create(rows.records, job, context.default_group_id))
        elif guard is not None or created_at_row is not None:
            if job.on_existing == "skip" and created_at_row is None:
                plan.settled = plan.settled.plus(Counts(skipped=n))
            elif job.dry_run:
                plan.settled = plan.settled.plus(Counts(updated=n))
            elif guard is not None and guard.customer_id in profiles:
                plan.writes.append((_update(profiles[guard.customer_id], rows.records, job), Counts(updated=n), rows))
            else:
                # the guard's customer was deleted since: create (if the guard is still there, decide again)
                plan.writes.append((_create(rows.records, job, context.default_group_id), Counts(created=1, updated=n - 1), rows))
        else:
            write = _create(rows.records, job, context.default_group_id)
            missing = [key for key in context.required_fields if key not in write.after.custom_fields]
            if missing:
                message = f"custom field {', '.join(missing)} is required for a new customer"
                plan.refused += [RowError(record.row, message) for record in rows.records]
            elif job.dry_run:
                plan.settled = plan.settled.plus(Counts(created=1, updated=n - 1))
                plan.seen[rows.key] = rows.first
            else:
                plan.writes.append((write, Counts(created=1, updated=n - 1), rows))
    return plan


def _event(job: Job, customer_id: str, rows: list[ImportedCustomer], created: bool) -> TimelineEvent:
    return TimelineEvent(id=derived_id(_ms(job.created_at), job.id, "event", rows[0].row), type="customer_imported",
                         at=utc_now(), actor=f"import:{job.id}",
                         data={"job_id": job.id, "rows": [r.row for r in rows], "created": created})


def _ms(moment: str) -> int:
    return int(datetime.fromisoformat(moment.replace("Z", "+00:00")).timestamp() * 1000)


def _apply(customer: Customer, record: ImportedCustomer, job: Job) -> Customer:
    """A row's mapped fields over the customer: given values overwrite, tags are added."""
    changes: dict[str, Any] = {name: getattr(record, name) for name in
                               ("first_name", "last_name", "phone", "company", "accepts_marketing", "external_id")
                               if getattr(record, name) is not None}
    if record.note is not None:
        changes["comment"] = record.note
    if record.tags:
        changes["tags"] = list(dict.fromkeys([*customer.tags, *record.tags]))[:40]
    if record.custom_fields:
        changes["custom_fields"] = {**customer.custom_fields, **record.custom_fields}
    group = record.group_id or job.group_id
    if group:
        changes["group_id"] = group
    return replace(customer, **changes)


def _address(job: Job, customer: Customer, rows: list[ImportedCustomer]) -> tuple[str, AddressFields] | None:
    """The last address the rows give, under an id derived from the job and email: one address per
    customer per import, the default one if the customer has none yet."""
    given = next((r.address for r in reversed(rows) if r.address is not None), None)
    if given is None:
        return None
    fields = AddressFields(name=f"{customer.first_name} {customer.last_name}".strip() or None,
                           company=customer.company, line1=given.line1, line2=given.line2, city=given.city,
                           region=given.region, zip=given.zip, country=given.country)
    return derived_id(_ms(job.created_at), job.id, "address", rows[0].email_key), fields


def _with_default_address(customer: Customer, address: tuple[str, AddressFields] | None) -> Customer:
    if address is None:
        return customer
    return replace(customer, default_billing_address_id=customer.default_billing_address_id or address[0],
                   default_shipping_address_id=customer.default_shipping_address_id or address[0])


def _create(rows: list[ImportedCustomer], job: Job, default_group_id: str) -> bulk.ImportedCustomer:
    first = rows[0]
    now = utc_now()
    created_at = iso(first.created_at.astimezone(UTC)) if first.created_at else now
    customer = Customer(id=derived_id(_ms(job.created_at), job.id, "customer", first.row), email=first.email,
                        first_name="", last_name="", created_at=created_at, updated_at=now, registered=True,
                        status=CustomerStatus.ACTIVE, group_id=default_group_id)
    for record in rows:
        customer = _apply(customer, record, job)
    address = _address(job, customer, rows)
    return bulk.ImportedCustomer(row=first.row, before=None, after=_with_default_address(customer, address),
                                 event=_event(job, customer.id, rows, created=True), address=address)


def _update(before: Customer, rows: list[ImportedCustomer], job: Job) -> bulk.ImportedCustomer:
    customer = before
    for record in rows:
        customer = _apply(customer, record, job)
    customer = replace(customer, updated_at=utc_now())
    address = _address(job, customer, rows)
    return bulk.ImportedCustomer(row=rows[0].row, before=before, after=_with_default_address(customer, address),
                                 event=_event(job, customer.id, rows, created=False), address=address)


def finish(job: Job) -> Job:
    """After the last row: the error file (the merchant's rejected rows, each with its row number
    and the reason), and for a dry run its result, the job then waiting to be started."""
    return import_results.finished(job)
