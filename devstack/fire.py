"""`python -m devstack.fire [NAME]` (make schedule NAME=...): fire one of the app's schedules now on the
running local stack (POST /dev/schedules/NAME); without a name, list them (GET /dev/schedules)."""
import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

from devstack.config import Options


def _call(url: str, method: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=600) as reply:  # a job may take a while
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.fire", description=__doc__)
    parser.add_argument("name", nargs="?", help="the schedule's name (without it: list them)")
    parser.add_argument("--port", type=int, default=Options().port, help="the stack's app port (default %(default)s)")
    args = parser.parse_args(argv)
    base = f"{Options().url(args.port)}/dev/schedules"
    try:
        if not args.name:
            status, body = _call(base, "GET")
        else:
            status, body = _call(f"{base}/{urllib.parse.quote(args.name, safe='')}", "POST")
    except OSError as error:
        print(f"No local stack answers on port {args.port} ({error}): start it with `make run`.", file=sys.stderr)
        return 1
    if status != 200:
        error = (body or {}).get("error", {})
        details = "; ".join(detail.get("message", "") for detail in error.get("details", []))
        print(f"{status}: {error.get('message', body)}{f' ({details})' if details else ''}", file=sys.stderr)
        return 1
    if not args.name:
        for item in body["items"]:
            print(f"{item['name']:<28} {item['expression']}")
        return 0
    print(f"{body['name']} ({body['expression']}): {body['outcome']}"
          + (f" {json.dumps(body['result'])}" if body["result"] is not None else "")
          + ("  (the traceback is in the stack's output)" if body["outcome"] == "failed" else ""))
    return 0 if body["outcome"] == "done" else 1


if __name__ == "__main__":
    sys.exit(main())
