"""Admin: store settings, customer groups, custom field definitions."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.routing import ANY_STAFF, route, staff
from chalicelib.lazy import lazy_import
from chalicelib.store.pagination import Page

bp = Blueprint(__name__)
configuration = lazy_import("chalicelib.services.configuration")
ADMIN = staff("admin")


@route(bp, "/settings", "GET", access=ANY_STAFF, response="chalicelib.domain.store_settings:StoreSettings", summary="The store's settings")
def get_settings_route(principal):
    return configuration.store_settings()


@route(bp, "/settings", "PATCH", access=ADMIN, body="chalicelib.domain.store_settings:SettingsChanges", response="chalicelib.domain.store_settings:StoreSettings",
       summary="Change store settings")
def change_settings(principal, body: SettingsChanges):
    return configuration.update_settings(body)


@route(bp, "/groups", "GET", access=ANY_STAFF, response=list["chalicelib.domain.groups:Group"], summary="Customer groups")
def list_groups(principal):
    return Page(items=configuration.list_groups(), next_token=None)


@route(bp, "/groups", "POST", access=ADMIN, body="chalicelib.domain.groups:GroupDraft", response="chalicelib.domain.groups:Group", status=201, summary="Create a group")
def create_group(principal, body: GroupDraft):
    return configuration.create_group(body)


@route(bp, "/groups/{group_id}", "PATCH", access=ADMIN, body="chalicelib.domain.groups:GroupChanges", response="chalicelib.domain.groups:Group", summary="Change a group")
def change_group(principal, group_id: str, body: GroupChanges):
    return configuration.update_group(group_id, body)


@route(bp, "/groups/{group_id}", "DELETE", access=ADMIN, status=204,
       summary="Delete a group (not a built-in one, not one with customers)")
def delete_group(principal, group_id: str):
    configuration.delete_group(group_id)


@route(bp, "/custom-fields", "GET", access=ANY_STAFF, response=list["chalicelib.domain.custom_fields:CustomField"], summary="Custom field definitions")
def list_custom_fields(principal):
    return Page(items=configuration.list_custom_fields(), next_token=None)


@route(bp, "/custom-fields", "POST", access=ADMIN, body="chalicelib.domain.custom_fields:CustomField", response="chalicelib.domain.custom_fields:CustomField", status=201,
       summary="Define a custom field")
def create_custom_field(principal, body: CustomField):
    return configuration.create_custom_field(body)
