"""Base classes of every pydantic model. Schemas are built on first use (defer_build), not at import:
a cold start only pays for the models its first request touches."""
from pydantic import BaseModel, ConfigDict


class Record(BaseModel):
    """Data the service returns."""

    model_config = ConfigDict(defer_build=True)


class Input(BaseModel):
    """What clients send: unknown fields are a 422, never silently ignored."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
