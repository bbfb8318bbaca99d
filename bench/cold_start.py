"""Cold start of the app versus a minimal Chalice + PynamoDB app (bench/minimal_app). Target: ratio <= 1.3.

Cold start = a fresh Python process importing the handler module and answering a first
GET /admin/customers/{customer_id} (bench/cold_child.py). Both apps read the same seeded customer from
the same DynamoDB Local; runs alternate so that the machine's noise hits both alike; medians are
reported. Also prints the app's 15 biggest imports (`python -X importtime`): what to make lazy.

    cd /work/main && .venv/bin/python bench/cold_start.py
"""
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import harness

RUNS = 7
TARGET = 1.3
TOP_IMPORTS = 15
APPS = {"app": harness.ROOT, "minimal": harness.ROOT / "bench" / "minimal_app"}
CHILD = Path(__file__).with_name("cold_child.py")
RESOURCE = "/admin/customers/{customer_id}"


def seed() -> tuple[str, str]:
    """A customer to read, and an admin token to read it with."""
    from chalicelib.domain.customers import CustomerDraft
    from chalicelib.domain.tokens import issue_dev_staff_token
    from chalicelib.services.customers import create_customer

    customer = create_customer(CustomerDraft(email="cold.start@example.com", first_name="Cold", last_name="Start"),
                               actor="bench")
    return customer.id, issue_dev_staff_token("bench", "admin", harness.ENV["STAFF_TOKEN_SECRET"])


def api_gateway_event(customer_id: str, token: str) -> dict:
    """The REST API (proxy integration) event that API Gateway sends for the customer page."""
    path = RESOURCE.format(customer_id=customer_id)
    return {
        "resource": RESOURCE, "path": path, "httpMethod": "GET", "body": None, "isBase64Encoded": False,
        "headers": {"Accept": "application/json", "Authorization": f"Bearer {token}", "Host": "api.example.com"},
        "queryStringParameters": None, "multiValueQueryStringParameters": None,
        "pathParameters": {"customer_id": customer_id}, "stageVariables": None,
        "requestContext": {"resourcePath": RESOURCE, "httpMethod": "GET", "path": f"/api{path}", "stage": "api",
                           "requestId": "cold-start-request", "identity": {"sourceIp": "127.0.0.1"}},
    }


def cold_start(name: str, event: dict) -> dict:
    """Timings (ms) of one fresh process: measured inside it, and its whole life seen from here."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(CHILD), str(APPS[name]), json.dumps(event)], cwd=APPS[name],
                          capture_output=True, text=True)
    process = (time.perf_counter() - started) * 1000
    if done.returncode != 0:
        sys.exit(f"{name}: the cold start failed\n{done.stdout}{done.stderr}")
    return {**json.loads(done.stdout.splitlines()[-1]), "process": process}


def own(module: str) -> bool:
    """Whether a module is the app's own code (app.py, chalicelib)."""
    return module == "app" or module.startswith("chalicelib")


def import_profile(app_dir: Path) -> list[tuple[float, str, str]]:
    """(cumulative ms, module, the module that imported it) for each module `import app` loads.

    importtime prints a module after the modules it imports, indented one level deeper: read
    backwards, the enclosing imports are the stack of shallower lines."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import app"], cwd=app_dir,
                          capture_output=True, text=True, check=True)
    rows, stack = [], []
    for line in reversed(done.stderr.splitlines()):
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, raw = line.split("|")
        depth = (len(raw) - len(raw.lstrip()) - 1) // 2
        while stack and stack[-1][0] >= depth:
            stack.pop()
        owner = stack[-1][1] if stack else "-"
        stack.append((depth, raw.strip()))
        rows.append((int(cumulative) / 1000, raw.strip(), owner))
    return rows


def main() -> None:
    with harness.running_table():
        event = api_gateway_event(*seed())
        profiles = {name: import_profile(path) for name, path in APPS.items()}
        for name in APPS:  # warm-up, not counted: writes the .pyc files, warms the disk cache
            cold_start(name, event)
        runs = {name: [] for name in APPS}
        for i in range(RUNS):
            for name in APPS:
                runs[name].append(cold_start(name, event))
            print(f"run {i + 1}/{RUNS}: " + ", ".join(f"{n} {runs[n][-1]['in_process']:.0f} ms" for n in APPS),
                  flush=True)

    # Our modules' totals only add up what they import: list the libraries they import, each
    # charged to the first of our modules that imports it (python -X importtime, cumulative).
    libraries = [row for row in profiles["app"] if own(row[2]) and not own(row[1])]
    print(f"\nThe {TOP_IMPORTS} costliest imports made by the app's modules at import time:\n")
    print("| ms | module | imported by |\n|---|---|---|")
    for ms, module, owner in sorted(libraries, reverse=True)[:TOP_IMPORTS]:
        print(f"| {ms:.0f} | {module} | {owner} |")

    med = {name: {k: statistics.median(r[k] for r in runs[name]) for k in runs[name][0]} for name in APPS}
    ratio = {k: med["app"][k] / med["minimal"][k] for k in med["app"]}
    imports = {name: next(ms for ms, module, _ in profiles[name] if module == "app") for name in APPS}
    print(f"\nCold start, median of {RUNS} fresh processes each (first GET {RESOURCE} on DynamoDB Local):\n")
    print("| | import app | first request | import + request | process start to exit | importtime |")
    print("|---|---|---|---|---|---|")
    for name in APPS:
        m = med[name]
        print(f"| {name} | {m['import']:.0f} ms | {m['request']:.0f} ms | {m['in_process']:.0f} ms "
              f"| {m['process']:.0f} ms | {imports[name]:.0f} ms |")
    print(f"| app / minimal | {ratio['import']:.2f} | {ratio['request']:.2f} | {ratio['in_process']:.2f} "
          f"| {ratio['process']:.2f} | {imports['app'] / imports['minimal']:.2f} |")
    verdict = "met" if ratio["in_process"] <= TARGET else "NOT met"
    print(f"\nTarget app / minimal <= {TARGET} (import + request): {verdict} ({ratio['in_process']:.2f}).")


if __name__ == "__main__":
    main()
