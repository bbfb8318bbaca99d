"""Custom fields: the merchant defines them; customers carry typed values validated against them."""
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from chalicelib.domain.base import Input
from chalicelib.domain.customer_inputs import Name
from chalicelib.domain.errors import InvalidInput

FieldKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


class CustomField(Input):
    key: FieldKey
    label: Name
    type: Literal["text", "number", "date", "choice"]
    options: Annotated[list[Annotated[str, StringConstraints(min_length=1, max_length=100)]], Field(max_length=100)] = []
    required: bool = False

    @model_validator(mode="after")
    def _options_only_for_choice(self):
        if (self.type == "choice") != bool(self.options):
            raise ValueError("a choice field needs options, and only a choice field has them")
        return self


def _typed(definition: CustomField, value: Any) -> Any:
    """The value in its field's type, or ValueError."""
    if definition.type == "text":
        if not isinstance(value, str) or len(value) > 500:
            raise ValueError("must be text of at most 500 characters")
        return value
    if definition.type == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError("must be a number")
        return value
    if definition.type == "date":
        try:
            return date.fromisoformat(value).isoformat()
        except (TypeError, ValueError):
            raise ValueError("must be a date YYYY-MM-DD") from None
    if value not in definition.options:
        raise ValueError(f"must be one of {definition.options}")
    return value


def validate_values(values: dict[str, Any], definitions: list[CustomField], *, partial: bool = False) -> dict[str, Any]:
    """Typed values, or InvalidInput naming every bad field (unknown key, wrong type, missing required).
    `partial`: a change sends only some fields; a null value removes one."""
    known = {d.key: d for d in definitions}
    details: list[dict] = []
    typed: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known:
            details.append({"field": f"custom_fields.{key}", "message": "unknown custom field"})
        elif value is None and partial and not known[key].required:
            typed[key] = None
        else:
            try:
                typed[key] = _typed(known[key], value)
            except ValueError as error:
                details.append({"field": f"custom_fields.{key}", "message": str(error)})
    if not partial:
        details += [{"field": f"custom_fields.{d.key}", "message": "required"} for d in definitions
                    if d.required and d.key not in values]
    if details:
        raise InvalidInput("Some custom fields are not valid.", details)
    return typed
