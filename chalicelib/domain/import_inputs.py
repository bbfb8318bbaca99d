"""What staff send about import jobs."""
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from chalicelib.domain.base import Changes, Input
from chalicelib.domain.customer_inputs import GroupId

Column = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Target = Annotated[str, StringConstraints(min_length=1, max_length=60)]


class ImportRequest(Input):
    """POST /admin/imports: a job waiting for its file, with a link to upload it."""

    kind: Literal["customers", "orders"] = "customers"
    filename: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    has_header: bool = True
    group_id: GroupId | None = None
    on_existing: Literal["update", "skip"] = "update"
    dry_run: bool = False


class ImportChanges(Changes):
    """PATCH /admin/imports/{id}: the mapping and options, until the job starts. Only what is sent
    changes; `group_id` null removes the group."""

    NULLABLE = ("group_id",)
    mapping: Annotated[dict[Column, Target], Field(max_length=500)] | None = None
    has_header: bool | None = None
    group_id: GroupId | None = None
    on_existing: Literal["update", "skip"] | None = None
