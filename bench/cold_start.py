"""Cold start of the app versus a minimal Chalice + PynamoDB app (bench/minimal_app). Target: ratio <= 1.3.

Cold start = a fresh Python process importing the handler module and answering a first
GET /admin/customers/{customer_id} (bench/cold_child.py). Both apps read the same seeded customer from
the same DynamoDB Local; runs alternate so that the machine's noise hits both alike; medians are
reported. Also prints the costliest libraries the app's modules import (`python -X importtime`):
what to make lazy.

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
IMPORT_RUNS = 3
TARGET = 1.3
TOP_IMPORTS = 15
APPS = {"app": harness.ROOT, "minimal": harness.ROOT / "bench" / "minimal_app"}
CHILD = Path(__file__).with_name("cold_child.py")
RESOURCE = "/admin/customers/{customer_id}"


def seed() -> tuple[str, str]:
    """A customer to read, created through the app's own API, and an admin token to read it with."""
    from chalice.test import Client

    from app import app
    from tests.support.api import Api, staff_token

    token = staff_token("admin")
    with Client(app) as client:
        reply = Api(client).post("/admin/customers", {"email": "cold.start@example.com", "first_name": "Cold",
                                                      "last_name": "Start"}, token=token)
    if reply.status != 201:
        sys.exit(f"could not seed a customer: {reply.status} {reply.body!r}")
    return reply.json["id"], token


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
    """(cumulative ms, module, the module that imported it) for each module `import app` loads:
    the median of IMPORT_RUNS runs of `python -X importtime` (a single run is too noisy here)."""
    runs = [importtime(app_dir) for _ in range(IMPORT_RUNS)]
    return [(statistics.median(run[module][0] for run in runs if module in run), module, owner)
            for module, (_, owner) in runs[0].items()]


def importtime(app_dir: Path) -> dict[str, tuple[float, str]]:
    """{module: (cumulative ms, importing module)}. importtime prints a module after the modules it
    imports, indented one level deeper: read backwards, the enclosing imports are the stack of
    shallower lines."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import app"], cwd=app_dir,
                          capture_output=True, text=True, check=True)
    modules, stack = {}, []
    for line in reversed(done.stderr.splitlines()):
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, raw = line.split("|")
        depth = (len(raw) - len(raw.lstrip()) - 1) // 2
        while stack and stack[-1][0] >= depth:
            stack.pop()
        # a package importing its own submodule repeats that name deeper: keep the outer line
        modules.setdefault(raw.strip(), (int(cumulative) / 1000, stack[-1][1] if stack else "-"))
        stack.append((depth, raw.strip()))
    return modules


def library_costs(profile: list[tuple[float, str, str]]) -> list[tuple[float, str, list[str]]]:
    """(ms, top-level package, our modules importing it), costliest first. Our modules' own totals only
    add up what they import, so each library import is charged to the first of our modules that makes it
    (importtime's cumulative time); a library's submodules (pydantic loads its own lazily) add up."""
    costs: dict[str, float] = {}
    owners: dict[str, list[str]] = {}
    for ms, module, owner in reversed(profile):  # in import order
        if own(owner) and not own(module):
            library = module.split(".")[0]
            costs[library] = costs.get(library, 0.0) + ms
            owners.setdefault(library, [])
            if owner not in owners[library]:
                owners[library].append(owner)
    return sorted(((ms, library, owners[library]) for library, ms in costs.items()), reverse=True)


def compile_bytecode() -> None:
    """Both apps load compiled bytecode, as from a deployment package that ships its .pyc files
    (Lambda's file system is read-only: without them every cold start compiles every module; this
    machine sets PYTHONDONTWRITEBYTECODE, so nothing would be cached between the runs either)."""
    import compileall

    compileall.compile_dir(harness.ROOT / "chalicelib", quiet=1)
    for app_dir in APPS.values():
        compileall.compile_file(app_dir / "app.py", quiet=1)


def main() -> None:
    with harness.running_table():
        event = api_gateway_event(*seed())
        compile_bytecode()
        profiles = {name: import_profile(path) for name, path in APPS.items()}
        for name in APPS:  # warm-up, not counted: warms the disk cache
            cold_start(name, event)
        runs = {name: [] for name in APPS}
        for i in range(RUNS):
            for name in APPS:
                runs[name].append(cold_start(name, event))
            print(f"run {i + 1}/{RUNS}: " + ", ".join(f"{n} {runs[n][-1]['in_process']:.0f} ms" for n in APPS),
                  flush=True)

    print(f"\nThe {TOP_IMPORTS} costliest libraries the app's modules import (python -X importtime):\n")
    baseline = {module.split(".")[0] for _, module, _ in profiles["minimal"]}
    print("| ms | library | imported by | the minimal app loads it too |\n|---|---|---|---|")
    for ms, library, owners in library_costs(profiles["app"])[:TOP_IMPORTS]:
        print(f"| {ms:.0f} | {library} | {', '.join(owners)} | {'yes' if library in baseline else 'no'} |")

    med = {name: {k: statistics.median(r[k] for r in runs[name]) for k in runs[name][0]} for name in APPS}
    for name in APPS:
        med[name]["importtime"] = next(ms for ms, module, _ in profiles[name] if module == "app")
    ratio = {k: med["app"][k] / med["minimal"][k] for k in med["app"]}
    columns = {"import": "import app", "request": "first request", "in_process": "import + request",
               "cpu": "CPU, start to response", "process": "process start to exit",
               "importtime": f"-X importtime (median of {IMPORT_RUNS})"}
    print(f"\nCold start, median of {RUNS} fresh processes each (first GET {RESOURCE} on DynamoDB Local):\n")
    print("| | " + " | ".join(columns.values()) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for name in APPS:
        print(f"| {name} | " + " | ".join(f"{med[name][k]:.0f} ms" for k in columns) + " |")
    print("| app / minimal | " + " | ".join(f"{ratio[k]:.2f}" for k in columns) + " |")
    verdict = "met" if ratio["in_process"] <= TARGET else "NOT met"
    print(f"\nTarget app / minimal <= {TARGET} (import + request): {verdict} ({ratio['in_process']:.2f}).")


if __name__ == "__main__":
    main()
