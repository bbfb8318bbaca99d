"""What the merchant configures: store settings, customer groups, custom field definitions."""
from chalicelib.domain.custom_fields import CustomField, validate_values
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.groups import BUILT_IN, Group, GroupChanges, GroupDraft, group_id_for
from chalicelib.domain.store_settings import SettingsChanges, StoreSettings
from chalicelib.store import customers, documents
from chalicelib.store import store_settings as settings_repo

_GROUPS, _FIELDS = "GROUPS", "CFIELDS"


def store_settings() -> StoreSettings:
    return settings_repo.get()


def update_settings(changes: SettingsChanges) -> StoreSettings:
    if changes.default_group_id is not None:
        checked_group(changes.default_group_id)
    current = settings_repo.get()
    return settings_repo.save(StoreSettings.model_validate({**current.model_dump(), **changes.model_dump(exclude_unset=True)}))


def _stored_groups() -> dict[str, Group]:
    return {g["id"]: Group.from_stored(g) for g in documents.all_of(_GROUPS)}


def list_groups() -> list[Group]:
    """Built-in groups first (with any edits staff made to them), then the merchant's own by name."""
    stored, default_id = _stored_groups(), settings_repo.get().default_group_id
    built_in = [stored.get(gid, group) for gid, group in BUILT_IN.items()]
    own = sorted((g for gid, g in stored.items() if gid not in BUILT_IN), key=lambda g: g.name.casefold())
    return [g.model_copy(update={"is_default": g.id == default_id}) for g in [*built_in, *own]]


def get_group(group_id: str) -> Group:
    body = documents.get(_GROUPS, group_id)
    group = Group.from_stored(body) if body else BUILT_IN.get(group_id)
    if group is None:
        raise NotFound("No group with this id.")
    return group


def checked_group(group_id: str) -> str:
    """The id of an existing group, or a 422 naming the field."""
    try:
        return get_group(group_id).id
    except NotFound:
        raise InvalidInput("Unknown group.", [{"field": "group_id", "message": f"no group '{group_id}'"}]) from None


def create_group(draft: GroupDraft) -> Group:
    group = Group(id=group_id_for(draft.name), **draft.model_dump())
    if group.id in BUILT_IN:
        raise Conflict(f"'{group.name}' is a built-in group.")
    documents.create(_GROUPS, group.id, group.model_dump())
    return group


def update_group(group_id: str, changes: GroupChanges) -> Group:
    group = get_group(group_id).model_copy(update=changes.model_dump(exclude_unset=True))
    documents.put(_GROUPS, group.id, group.model_dump())
    return group


def delete_group(group_id: str) -> None:
    """Built-in groups stay; a group with members stays until they are moved."""
    group = get_group(group_id)
    if group.built_in:
        raise Conflict(f"'{group.name}' is a built-in group and cannot be deleted.")
    if customers.list_page(1, None, group=group_id).items:
        raise Conflict("The group still has customers; move them to another group first.")
    documents.delete(_GROUPS, group_id)


def list_custom_fields() -> list[CustomField]:
    return [CustomField(**f) for f in documents.all_of(_FIELDS)]


def create_custom_field(definition: CustomField) -> CustomField:
    documents.create(_FIELDS, definition.key, definition.model_dump())
    return definition


def checked_custom_values(values: dict, partial: bool = False) -> dict:
    """Values typed and validated against the definitions (422 otherwise)."""
    if not values and partial:
        return {}
    return validate_values(values, list_custom_fields(), partial=partial)
