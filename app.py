"""The Chalice app: a table of contents. Middleware, blueprints and event handlers; nothing else."""
from chalice import Chalice

from chalicelib.api import BLUEPRINTS
from chalicelib.api.middleware import access_log
from chalicelib.events.handlers import bp as event_handlers

app = Chalice(app_name="shop")
app.register_middleware(access_log, "http")
for blueprint, prefix in BLUEPRINTS:
    app.register_blueprint(blueprint, url_prefix=prefix)
app.register_blueprint(event_handlers)
