"""Saved reports: a report's definition (a fixed or relative range, filters) kept under a name, run on
demand or mailed on a schedule (services/report_files.py); who may receive them."""
from datetime import date

from chalicelib.domain import clock
from chalicelib.domain.clock import utc_now
from chalicelib.domain.errors import NotFound
from chalicelib.domain.ids import new_id
from chalicelib.domain.pages import Page
from chalicelib.domain.reports import local_today
from chalicelib.domain.reports_inputs import SavedReportChanges, SavedReportDraft
from chalicelib.domain.saved_reports import SavedReport, check_recipients
from chalicelib.services import configuration, reports
from chalicelib.settings import get_settings
from chalicelib.store import saved_reports as saved_repo


def store_today() -> date:
    """Today in the store's time zone (relative ranges and schedules count store days)."""
    return local_today(clock.now(), configuration.store_settings().timezone)


def staff_domains() -> tuple[str, ...]:
    return tuple(d.strip().lower() for d in get_settings().staff_email_domains.split(",") if d.strip())


def get_saved(report_id: str) -> SavedReport:
    found = saved_repo.get(report_id)
    if found is None:
        raise NotFound("No saved report with this id.")
    return found[0]


def list_saved(limit: int, next_token: str | None) -> Page[SavedReport]:
    return saved_repo.page(limit, next_token)


def create_saved(draft: SavedReportDraft, actor: str) -> SavedReport:
    check_recipients(draft.recipients, staff_domains())
    now = utc_now()
    report = SavedReport(id=new_id(), created_at=now, created_by=actor, updated_at=now,
                         **draft.model_dump(mode="json", by_alias=True))
    saved_repo.create(report)
    return report


def update_saved(report_id: str, changes: SavedReportChanges) -> SavedReport:
    found = saved_repo.get(report_id)
    if found is None:
        raise NotFound("No saved report with this id.")
    current, version = found
    draft = changes.apply_to(SavedReportDraft.model_validate(current.definition()))
    check_recipients(draft.recipients, staff_domains())
    changed = SavedReport(id=current.id, created_at=current.created_at, created_by=current.created_by,
                          updated_at=utc_now(), last_covered=current.last_covered,
                          **draft.model_dump(mode="json", by_alias=True))
    saved_repo.update(changed, version)
    return changed


def delete_saved(report_id: str) -> None:
    if not saved_repo.delete(report_id):
        raise NotFound("No saved report with this id.")


def run_saved(report_id: str) -> dict:
    """The saved report now: a relative range counts from today in the store's time zone."""
    saved = get_saved(report_id)
    query = SavedReportDraft.model_validate(saved.definition()).query(store_today())
    return {**reports.run(query), "saved_report_id": saved.id, "name": saved.name}
