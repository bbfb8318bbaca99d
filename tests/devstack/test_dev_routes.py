"""The stack's dev routes on a tiny app with one schedule: firing it now, and 404 unless DEV_ROUTES=true.

Each case runs in a process of its own: importing devstack.dev_routes adds its routes to the route
registry, which the API tests compare with the OpenAPI document of the real app."""
import json
import os
import subprocess
import sys

from tests.devstack.support import ROOT

_TINY_APP = """
import json
from chalice import Chalice, Rate
from chalice.test import Client
from devstack.dev_routes import bp

app = Chalice(app_name="tiny")
runs = []

@app.schedule(Rate(2, unit=Rate.HOURS), name="tidy_up")
def tidy_up(event):
    runs.append(event.to_dict()["detail-type"])
    return {"tidied": len(runs)}

app.register_blueprint(bp)
with Client(app) as client:
    answers = [client.http.get("/dev/schedules"), client.http.post("/dev/schedules/tidy_up"),
               client.http.post("/dev/schedules/no_such_job")]
print(json.dumps({"answers": [[a.status_code, json.loads(a.body or b"null")] for a in answers], "runs": runs}))
"""


def run_tiny_app(dev_routes: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DEV_ROUTES"}
    env.update({"PYTHONPATH": str(ROOT), "POWERTOOLS_LOG_LEVEL": "WARNING"})
    if dev_routes:
        env["DEV_ROUTES"] = dev_routes
    done = subprocess.run([sys.executable, "-c", _TINY_APP], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_fire_a_schedule_now_runs_its_handler_with_eventbridges_event():
    # Given an app with one schedule, served with the dev routes on (as the local stack does)
    # When a person lists the schedules, fires one, and names one that does not exist
    outcome = run_tiny_app("true")
    (listed_status, listed), (fired_status, fired), (unknown_status, unknown) = outcome["answers"]

    # Then the list names it, firing runs its handler once with a scheduled event and returns its result
    assert listed_status == 200 and listed["items"] == [{"name": "tidy_up", "expression": "rate(2 hours)"}]
    assert fired_status == 200
    assert fired == {"name": "tidy_up", "expression": "rate(2 hours)", "outcome": "done", "result": {"tidied": 1}}
    assert outcome["runs"] == ["Scheduled Event"]
    # And an unknown name is a 404 in the error envelope that lists the names
    assert unknown_status == 404 and unknown["error"]["code"] == "not_found"
    assert unknown["error"]["details"][0]["message"] == "one of: tidy_up"


def test_dev_routes_answer_404_unless_enabled():
    # Given an app served without DEV_ROUTES (as in AWS)
    outcome = run_tiny_app(None)

    # Then every dev route is a 404 and no handler ran
    assert [status for status, _ in outcome["answers"]] == [404, 404, 404]
    assert all(body["error"]["code"] == "not_found" for _, body in outcome["answers"])
    assert outcome["runs"] == []
