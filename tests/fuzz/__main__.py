"""`python -m tests.fuzz` (make fuzz): schemathesis against the app served as `make run` serves it.

The local stack (python -m devstack: DynamoDB Local, moto, the app on chalice's local server, the event
pump) starts on free ports with an empty database in a temporary folder; seed.py makes one object of
each kind and the tokens through the API; then schemathesis reads /openapi.json and sends every
operation generated requests with a fixed seed and a bounded number of examples, hooks.py giving each
route family its token. Checks: no server error, response bodies match their schemas, status codes are
documented, and methods a path does not have are refused. Reports, the stack's output (the tracebacks
of server errors) and summary.md (the failures by route and kind) go to --report-dir. Exit code:
schemathesis' (0 when nothing failed).

    python -m tests.fuzz [--max-examples N] [--seed N] [--workers N] [-- more schemathesis run options]
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.devstack.support import ROOT, Stack
from tests.fuzz.seed import seed
from tests.fuzz.summary import markdown, read_findings, unhandled_errors

SEED = 20261130
MAX_EXAMPLES = 25
# 2 workers trip a race in CPython 3.11.7's ast.parse under threads (hypothesis describing lambdas): SystemError
WORKERS = 1
CHECKS = ("not_a_server_error", "status_code_conformance", "response_schema_conformance", "unsupported_method")
PHASES = ("examples", "coverage", "fuzzing")
CONFIG = Path(__file__).with_name("schemathesis.toml")


def schemathesis_command(url: str, args: argparse.Namespace) -> list[str]:
    return [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG), "run", f"{url}/openapi.json",
        "--checks", ",".join(CHECKS), "--phases", ",".join(PHASES),
        "--seed", str(args.seed), "--max-examples", str(args.max_examples), "--workers", str(args.workers),
        "--generation-database", "none",  # the same cases every run: nothing remembered from the last
        "--generation-with-security-parameters", "false",  # the tokens come from hooks.py
        "--request-timeout", "30", "--no-color",
        "--report", "junit,ndjson", "--report-junit-path", str(args.report_dir / "junit.xml"),
        "--report-ndjson-path", str(args.report_dir / "events.ndjson"),
        *args.schemathesis,
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-examples", type=int, default=MAX_EXAMPLES, help="per operation (default %(default)s)")
    parser.add_argument("--seed", type=int, default=SEED, help="(default %(default)s)")
    parser.add_argument("--workers", type=int, default=WORKERS, help="schemathesis workers (default %(default)s)")
    parser.add_argument("--report-dir", type=Path, default=ROOT / ".local" / "fuzz",
                        help="reports and the stack's output (default %(default)s)")
    parser.add_argument("schemathesis", nargs=argparse.REMAINDER, help="after --: more `schemathesis run` options")
    args = parser.parse_args(argv)
    args.schemathesis = [a for a in args.schemathesis if a != "--"]
    args.report_dir = args.report_dir.resolve()
    args.report_dir.mkdir(parents=True, exist_ok=True)

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fuzz-stack-") as data_dir:
        stack = Stack(Path(data_dir), "--fresh")
        try:
            secrets = json.loads((Path(data_dir) / "secrets.json").read_text())
            seeded = seed(stack.url, stack.admin_token, secrets["payment_webhook_secret"])
            seeded_file = args.report_dir / "seeded.json"
            seeded_file.write_text(seeded.to_json())
            print(f"fuzz: stack on {stack.url}, seeded in {time.monotonic() - started:.0f} s", flush=True)
            env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.fuzz.hooks", "FUZZ_SEEDED": str(seeded_file),
                   "PYTHONPATH": str(ROOT)}
            returncode = subprocess.run(schemathesis_command(stack.url, args), cwd=ROOT, env=env).returncode
        finally:
            stack.stop(signal.SIGTERM)
            (args.report_dir / "stack.log").write_text(stack.output())
    findings = read_findings(args.report_dir / "events.ndjson")
    summary = markdown(findings, unhandled_errors(args.report_dir / "stack.log"))
    (args.report_dir / "summary.md").write_text(summary)
    print(f"fuzz: {time.monotonic() - started:.0f} s in all. In {args.report_dir}: summary.md (failures by route and "
          "kind, a request for each), events.ndjson and junit.xml (schemathesis), stack.log (tracebacks of 500s)")
    return returncode


if __name__ == "__main__":
    sys.exit(main())
