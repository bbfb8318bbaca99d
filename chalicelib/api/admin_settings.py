"""Admin: store settings, customer groups, custom field definitions."""
from chalice import Blueprint

from chalicelib.api.routing import ANY_STAFF, route, staff
from chalicelib.domain.custom_fields import CustomField
from chalicelib.domain.groups import Group, GroupChanges, GroupDraft
from chalicelib.domain.store_settings import SettingsChanges, StoreSettings
from chalicelib.services import configuration
from chalicelib.store.pagination import Page

bp = Blueprint(__name__)
ADMIN = staff("admin")


@route(bp, "/settings", "GET", access=ANY_STAFF, response=StoreSettings, summary="The store's settings")
def get_settings_route(principal):
    return configuration.store_settings()


@route(bp, "/settings", "PATCH", access=ADMIN, body=SettingsChanges, response=StoreSettings,
       summary="Change store settings")
def change_settings(principal, body: SettingsChanges):
    return configuration.update_settings(body)


@route(bp, "/groups", "GET", access=ANY_STAFF, response=list[Group], summary="Customer groups")
def list_groups(principal):
    return Page(items=configuration.list_groups(), next_token=None)


@route(bp, "/groups", "POST", access=ADMIN, body=GroupDraft, response=Group, status=201, summary="Create a group")
def create_group(principal, body: GroupDraft):
    return configuration.create_group(body)


@route(bp, "/groups/{group_id}", "PATCH", access=ADMIN, body=GroupChanges, response=Group, summary="Change a group")
def change_group(principal, group_id: str, body: GroupChanges):
    return configuration.update_group(group_id, body)


@route(bp, "/groups/{group_id}", "DELETE", access=ADMIN, status=204,
       summary="Delete a group (not a built-in one, not one with customers)")
def delete_group(principal, group_id: str):
    configuration.delete_group(group_id)


@route(bp, "/custom-fields", "GET", access=ANY_STAFF, response=list[CustomField], summary="Custom field definitions")
def list_custom_fields(principal):
    return Page(items=configuration.list_custom_fields(), next_token=None)


@route(bp, "/custom-fields", "POST", access=ADMIN, body=CustomField, response=CustomField, status=201,
       summary="Define a custom field")
def create_custom_field(principal, body: CustomField):
    return configuration.create_custom_field(body)
