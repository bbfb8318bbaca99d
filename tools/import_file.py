"""`make import FILE=... [GROUP=...] [DRY_RUN=1]`: import a CSV file the way a merchant would.

Asks the API for an import job and an upload link, PUTs the file there, then follows the job with a
progress bar until it ends, and prints the summary and where the rejected rows are. Against the
local stack by default (its dev secret signs an admin token); any stage with --api URL --token T.
"""
import argparse
import json
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tqdm import tqdm

_FINAL = ("succeeded", "failed", "cancelled")


def _call(api: str, token: str, method: str, path: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(api.rstrip("/") + path, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return json.loads(reply.read() or b"{}")
    except urllib.error.HTTPError as error:
        detail = json.loads(error.read() or b"{}").get("error", {})
        sys.exit(f"{method} {path}: {error.code} {detail.get('message', '')} {detail.get('details') or ''}".strip())


def _upload(url: str, path: Path) -> None:
    with path.open("rb") as file:
        request = urllib.request.Request(url, data=file, method="PUT",
                                         headers={"Content-Length": str(path.stat().st_size)})
        with urllib.request.urlopen(request, timeout=600):
            pass


def _local_token() -> str:
    from chalicelib.domain.tokens import issue_dev_staff_token
    from devstack.config import Options, load_secrets

    return issue_dev_staff_token("dev-import", "admin", load_secrets(Options().data_dir)["staff_token_secret"])


def _settled(job: dict) -> bool:
    """The job needs nothing more from us: it ended, or it waits for staff (a mapping to give, or
    a dry run's result to read)."""
    return job["status"] in _FINAL or (job["status"] == "needs_mapping" and job.get("size") is not None
                                       and (not job.get("mapping") or job.get("dry_run_result") is not None))


def _follow(api: str, token: str, job: dict) -> dict:
    """Poll the job with a progress bar until it is settled."""
    with tqdm(total=job.get("rows_total") or None, unit="row", dynamic_ncols=True) as bar:
        while True:
            job = _call(api, token, "GET", f"/admin/imports/{job['id']}")
            if job.get("rows_total"):
                bar.total = max(job["rows_total"], job["rows_done"])
            bar.n = job["rows_done"]
            bar.set_postfix_str(f"{job['status']}: {_counts(job)}")
            bar.refresh()
            if _settled(job):
                if job.get("dry_run_result"):
                    bar.n = bar.total = job["dry_run_result"]["rows"]
                    bar.refresh()
                return job
            time.sleep(0.5)


def _counts(counts: dict) -> str:
    if "would_create" in counts:
        return (f"would create {counts['would_create']}, would update {counts['would_update']}, "
                f"would skip {counts['would_skip']}, rejected {counts['rejected']}")
    return (f"created {counts['created']}, updated {counts['updated']}, skipped {counts.get('skipped', 0)}, "
            f"rejected {counts['rejected']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.import_file", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path)
    parser.add_argument("--kind", choices=("customers", "orders"), default="customers")
    parser.add_argument("--group", help="the customer group (id) every imported customer joins")
    parser.add_argument("--dry-run", action="store_true", help="judge every row, write nothing")
    parser.add_argument("--skip-existing", action="store_true", help="leave customers that exist as they are")
    parser.add_argument("--no-header", action="store_true", help="the file's first line is data")
    parser.add_argument("--api", default="http://127.0.0.1:8000", help="the API (default: the local stack)")
    parser.add_argument("--token", help="a staff token (default: one signed with the local stack's dev secret)")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        parser.error(f"{args.file} is not a file")
    token = args.token or _local_token()
    body = {"kind": args.kind, "filename": args.file.name, "has_header": not args.no_header,
            "on_existing": "skip" if args.skip_existing else "update", "dry_run": args.dry_run}
    if args.group:
        body["group_id"] = args.group
    ticket = _call(args.api, token, "POST", "/admin/imports", body)
    job = ticket["job"]
    print(f"import {job['id']}: uploading {args.file} ({args.file.stat().st_size:,} bytes)")
    _upload(ticket["upload_url"], args.file)
    job = _follow(args.api, token, job)
    if job["status"] == "needs_mapping" and not job.get("dry_run_result"):
        print("The file's layout is not one we know: map its columns, then start it:")
        print(f"  columns: {job['columns']}")
        print(f"  suggested mapping: {json.dumps(job['suggested_mapping'])}")
        print(f"  PATCH {args.api}/admin/imports/{job['id']} {{\"mapping\": {{...}}}}, then POST .../start")
        return 2
    print(_summary(job))
    return 0 if job["status"] in ("succeeded", "needs_mapping") else 1


def _summary(job: dict) -> str:
    result = job.get("dry_run_result")
    lines = [f"{job['status']}: {_counts(result or job)} ({(result or job).get('rows', job['rows_done'])} rows"
             + (f", {job['rows_per_second']} rows/s)" if job.get("rows_per_second") else ")")]
    if job.get("message"):
        lines.append(job["message"])
    for error in (result or job).get("errors", [])[:5]:
        lines.append(f"  row {error['row']}: {error['message']}")
    link = (result or job).get("error_file_url")
    if link:
        lines.append(f"rejected rows (with the reason, 5-minute link): {link}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
