"""Base classes of every pydantic model. Schemas are built on first use (defer_build), not at import:
a cold start only pays for the models its first request touches."""
import types
from typing import Annotated, Any, ClassVar, Self, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from chalicelib.domain.pages import MAX_PAGE_SIZE, MAX_TOKEN_CHARS, PAGE_SIZE


class Record(BaseModel):
    """Data the service returns."""

    model_config = ConfigDict(defer_build=True)

    @classmethod
    def from_stored(cls, data: dict[str, Any]) -> Self:
        """The record as the table holds it. A null where the record takes none (written before the API
        refused it) reads as if it were absent, so the field's default applies: reading never fails on
        data already stored."""
        fields = cls.model_fields
        return cls.model_validate({name: value for name, value in data.items()
                                   if value is not None or name not in fields or _takes_none(fields[name].annotation)})


def _takes_none(annotation: Any) -> bool:
    if annotation is None or annotation is Any:
        return True
    return get_origin(annotation) in (Union, types.UnionType) and type(None) in get_args(annotation)


class Input(BaseModel):
    """What clients send: unknown fields are a 422, never silently ignored."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class ListQuery(Input):
    """Paging of every list: ?limit= (1..200, default 50) and ?next_token=."""

    limit: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)] = PAGE_SIZE
    next_token: Annotated[str, Field(max_length=MAX_TOKEN_CHARS)] | None = None


def _schema_without_nulls(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """The OpenAPI side of `Changes`: a property offers null only where the model takes it."""
    nullable = getattr(model, "NULLABLE", ())
    for name, info in model.model_fields.items():
        prop = schema.get("properties", {}).get(info.alias or name)
        if name in nullable or not prop or "anyOf" not in prop:
            continue
        kept = [option for option in prop["anyOf"] if option != {"type": "null"}]
        if prop.get("default", ...) is None:
            del prop["default"]
        if len(kept) == 1:
            del prop["anyOf"]
            prop.update(kept[0])
        else:
            prop["anyOf"] = kept


class Changes(Input):
    """A PATCH body: only the fields sent change (read them with `model_dump(exclude_unset=True)`).
    Every field may be left out, and none may be sent as null but those named in `NULLABLE`, whose
    null clears the value (the record holds None there). A field added later refuses null until
    someone decides what its null means; the OpenAPI document offers null only where it is taken."""

    NULLABLE: ClassVar[tuple[str, ...]] = ()
    model_config = ConfigDict(json_schema_extra=_schema_without_nulls)

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.NULLABLE:
            raise ValueError("may be left out, but not null")
        return value
