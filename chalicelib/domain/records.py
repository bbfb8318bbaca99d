"""Conventions of the domain's plain dataclass records."""

PRIVATE = {"private": True}  # dataclass field metadata: never shown to clients (api.routing.to_json, the OpenAPI document)
