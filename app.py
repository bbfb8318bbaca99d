"""The Chalice app: a table of contents. Middleware, blueprints and event handlers; nothing else."""
from chalicelib import warmup

warmup.start()  # no garbage collection until the first event is answered (see chalicelib/warmup.py)

from chalice import Chalice  # noqa: E402

from chalicelib.api import BLUEPRINTS  # noqa: E402
from chalicelib.api.middleware import access_log  # noqa: E402
from chalicelib.events.handlers import bp as event_handlers  # noqa: E402

app = Chalice(app_name="shop")
app.register_middleware(warmup.done_after_first_event, "all")
app.register_middleware(access_log, "http")
for blueprint, prefix in BLUEPRINTS:
    app.register_blueprint(blueprint, url_prefix=prefix)
app.register_blueprint(event_handlers)
