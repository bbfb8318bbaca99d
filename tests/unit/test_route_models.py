"""A route names its models twice: as "module:Class" references, imported on the route's first call (a
cold start loads no validation library), and in its handler's annotations, which the type checker and
the import contracts read. The two must name the same classes."""
import pytest

import chalicelib.api  # noqa: F401  (registers every route)
from chalicelib.api.routing import ROUTES, resolve

VALIDATED = [spec for spec in ROUTES if spec.body or spec.query]


def test_routes_that_validate_input_are_registered():
    # Given the app's routes, then many of them validate a body or a query
    assert len(VALIDATED) > 40


@pytest.mark.parametrize("spec", VALIDATED, ids=lambda spec: f"{spec.method} {spec.path}")
def test_a_handler_is_annotated_with_the_models_its_route_validates_with(spec):
    # Given a route that validates its body or query with a referenced model
    annotations = spec.handler.__annotations__
    for parameter in ("body", "query"):
        reference = getattr(spec, parameter)
        if reference:
            # Then its handler's parameter is annotated with that very class
            assert annotations.get(parameter) == resolve(reference).__name__, parameter
