"""Routes that only the local stack adds to the app it serves: the app's schedules, and firing one now.

In AWS an EventBridge rule fires a schedule; here a person may fire it at once (`make schedule NAME=...`):
the handler runs in the request with the event EventBridge sends. Never part of the deployed app; like
/dev/mail, they answer 404 unless DEV_ROUTES=true."""
import json

from chalice import Blueprint

from chalicelib.api.routing import PUBLIC, route
from chalicelib.domain.errors import NotFound
from chalicelib.settings import get_settings
from devstack.schedules import expression_of, fire, schedule_configs

bp = Blueprint(__name__)


def _schedules() -> dict:
    if not get_settings().dev_routes:
        raise NotFound("No such route.")
    return {config.name: config for config in schedule_configs(bp.current_app)}


@route(bp, "/dev/schedules", "GET", access=PUBLIC, summary="Dev stack only: the app's schedules")
def list_schedules():
    items = [{"name": name, "expression": expression_of(config)} for name, config in _schedules().items()]
    return {"items": items, "next_token": None}


@route(bp, "/dev/schedules/{name}", "POST", access=PUBLIC,
       summary="Dev stack only: run a schedule's handler now (`failed`: its traceback is in the stack's output)")
def fire_schedule(name: str):
    schedules = _schedules()
    if name not in schedules:
        raise NotFound("No schedule by that name.", [{"field": "name", "message": f"one of: {', '.join(schedules)}"}])
    done, result = fire(bp.current_app, schedules[name], " (fired now)")
    return {"name": name, "expression": expression_of(schedules[name]), "outcome": "done" if done else "failed",
            "result": json.loads(json.dumps(result, default=str))}
