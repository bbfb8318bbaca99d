"""Base classes of every pydantic model. Schemas are built on first use (defer_build), not at import:
a cold start only pays for the models its first request touches."""
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator


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


class Changes(Input):
    """A PATCH body: only the fields sent change (read them with `model_dump(exclude_unset=True)`).
    Fields are optional so they may be left out; those named in `NOT_NULL` refuse an explicit null
    (422), because the record they change cannot hold one."""

    NOT_NULL: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="before")
    @classmethod
    def _refuse_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            nulls = [name for name in cls.NOT_NULL if name in data and data[name] is None]
            if nulls:
                raise ValueError(f"{', '.join(nulls)} cannot be null")
        return data
