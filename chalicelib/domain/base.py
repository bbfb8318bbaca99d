"""Base classes of every pydantic model. Schemas are built on first use (defer_build), not at import:
a cold start only pays for the models its first request touches."""
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class Record(BaseModel):
    """Data the service returns."""

    model_config = ConfigDict(defer_build=True)


class Input(BaseModel):
    """What clients send: unknown fields are a 422, never silently ignored."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class ListQuery(Input):
    """Paging of every list: ?limit= (1..200, default 50) and ?next_token=."""

    limit: Annotated[int, Field(ge=1, le=200)] = 50
    next_token: Annotated[str, Field(max_length=2048)] | None = None
