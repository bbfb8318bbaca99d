"""The failures of a fuzz run, grouped by route and kind, each kind with the smallest request that shows it,
read from schemathesis' NDJSON report; and the app's unhandled errors from the stack's output.

    python -m tests.fuzz.summary .local/fuzz/ndjson-....ndjson [.local/fuzz/stack.log]  (markdown on stdout)
"""
import base64
import json
import shlex
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

# Placeholders for what the fuzzer sent (schemathesis filters the Authorization header out of its report)
_TOKENS = (("/admin/", "Authorization", "Bearer $ADMIN_TOKEN"),
           ("/store/me", "Authorization", "Bearer $CUSTOMER_TOKEN"),
           ("/store/carts/", "X-Cart-Token", "$CART_TOKEN"))


@dataclass
class Finding:
    route: str  # the method sent and the path template, e.g. "TRACE /admin/coupons"
    kind: str  # e.g. "ST101 Server error: 500"
    request: dict
    status: int | None


def _kind(check: dict, status: int | None) -> str:
    failure = check["failure_info"]["failure"]
    detail = failure["message"].split("\n", 1)[0].strip()
    if failure["code"] in ("ST101", "ST103"):
        detail = f"received {status}"
    return f"{failure['code']} {failure['title']}" + (f": {detail}" if detail else "")


def read_findings(ndjson: Path) -> list[Finding]:
    findings = []
    for line in ndjson.read_text().splitlines():
        finished = json.loads(line).get("ScenarioFinished")
        if not finished:
            continue
        recorder = finished["recorder"]
        for case_id, checks in recorder.get("checks", {}).items():
            case = recorder["cases"][case_id]["value"]
            interaction = recorder.get("interactions", {}).get(case_id, {})
            status = (interaction.get("response") or {}).get("status_code")
            for check in checks:
                if check["status"] == "failure":
                    findings.append(Finding(f"{case['method']} {case['path']}", _kind(check, status),
                                            interaction.get("request") or {}, status))
    return findings


def _word(word: str) -> str:
    """Shell-quoted; words with a placeholder in double quotes, so that the shell fills it in."""
    if "$" in word and not any(c in word for c in '"\\`'):
        return f'"{word}"'
    return shlex.quote(word)


def curl(request: dict) -> str:
    """The request as a curl command against $API, tokens as placeholders."""
    url = urlsplit(request["uri"])
    path = url.path + (f"?{url.query}" if url.query else "")
    words = ["curl", "-s", "-X", request["method"], f"$API{path}"]
    headers = {name: values[0] for name, values in request.get("headers", {}).items()}
    for prefix, name, placeholder in _TOKENS:
        if path.startswith(prefix) and name in headers:
            headers[name] = placeholder
    for name, value in headers.items():
        words += ["-H", f"{name}: {value}"]
    body = request.get("body")
    if body:
        words += ["-d", base64.b64decode(body["$base64"]).decode("utf-8", "replace")]
    return " ".join(words[:4] + [_word(w) for w in words[4:]])


def _size(finding: Finding) -> int:
    return len(finding.request.get("uri", "")) + len((finding.request.get("body") or {}).get("$base64", ""))


def unhandled_errors(stack_log: Path) -> Counter:
    """The app's logged unhandled errors: (exception, the innermost frame of the app) -> how many."""
    found = Counter()
    for line in stack_log.read_text(errors="replace").splitlines():
        if '"unhandled error"' not in line:
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        trace = entry.get("stack_trace", {})
        frames = [f for f in trace.get("frames", []) if "/chalicelib/" in f["file"] or "/app.py" in f["file"]]
        where = "?"
        if frames:
            innermost = frames[-1]
            path = innermost["file"].split("/chalicelib/")[-1]
            where = f"chalicelib/{path}:{innermost['line']} {innermost['function']}"
        found[f"{trace.get('type', '?')}: {trace.get('value', '')} (at {where})"] += 1
    return found


def _section(title: str, kinds: dict[str, list[Finding]]) -> list[str]:
    lines = ["", f"### {title}"]
    for kind, group in sorted(kinds.items()):
        smallest = min(group, key=_size)
        lines += [f"- {kind} ({len(group)} case{'s' if len(group) > 1 else ''})",
                  f"  `{curl(smallest.request)}`" if smallest.request else "  (no request recorded)"]
    return lines


def markdown(findings: list[Finding], errors: Counter | None = None) -> str:
    """Routes in path order; the methods no path declares (the fuzzer sends TRACE) in one section."""
    by_route: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    undeclared: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.route.startswith("TRACE "):
            undeclared[finding.kind].append(finding)
        else:
            by_route[finding.route][finding.kind].append(finding)
    kinds = Counter(f.kind.split(":", 1)[0] for f in findings)
    lines = [f"{len(findings)} failing checks.", "", "| kind | failing checks |", "|---|---|"]
    lines += [f"| {kind} | {count} |" for kind, count in kinds.most_common()]
    for route in sorted(by_route, key=lambda r: (r.split()[1], r)):
        lines += _section(route, by_route[route])
    if undeclared:
        paths = sorted({f.route.split()[1] for group in undeclared.values() for f in group})
        lines += _section(f"TRACE (a method no path declares), on {len(paths)} paths", undeclared)
        lines += ["", "  Paths: " + ", ".join(f"`{p}`" for p in paths)]
    if errors:
        lines += ["", "### The app's unhandled errors (stack output)"]
        lines += [f"- {count} x {error}" for error, count in errors.most_common()]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    ndjson = Path(argv[0])
    errors = unhandled_errors(Path(argv[1])) if len(argv) > 1 else None
    print(markdown(read_findings(ndjson), errors), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
