"""Conventions of the domain's plain dataclass records."""
from dataclasses import dataclass

PRIVATE = {"private": True}  # dataclass field metadata: never shown to clients (api.routing.to_json, the OpenAPI document)


@dataclass(frozen=True)
class Redirect:
    """A route's answer that sends the client elsewhere (302 Found, `Location`)."""

    location: str
