"""Admin: store settings, customer groups, custom field definitions."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import ANY_STAFF, LIST_QUERY, page_of, route, staff
from chalicelib.domain.pages import page_in_memory
from chalicelib.domain.tokens import Principal

if TYPE_CHECKING:
    from chalicelib.domain.base import ListQuery
    from chalicelib.domain.custom_fields import CustomField
    from chalicelib.domain.groups import GroupChanges, GroupDraft
    from chalicelib.domain.store_settings import SettingsChanges

bp = Blueprint(__name__)
CUSTOM_FIELDS = "chalicelib.domain.custom_fields"
GROUPS = "chalicelib.domain.groups"
STORE_SETTINGS = "chalicelib.domain.store_settings"
ADMIN = staff("admin")


@route(bp, "/settings", "GET", access=ANY_STAFF, response=f"{STORE_SETTINGS}:StoreSettings", summary="The store's settings")
def get_settings_route(principal: Principal):
    from chalicelib.services import configuration

    return configuration.store_settings()


@route(bp, "/settings", "PATCH", access=ADMIN, body=f"{STORE_SETTINGS}:SettingsChanges",
       response=f"{STORE_SETTINGS}:StoreSettings",
       summary="Change store settings")
def change_settings(principal: Principal, body: SettingsChanges):
    from chalicelib.services import configuration

    return configuration.update_settings(body)


@route(bp, "/groups", "GET", access=ANY_STAFF, query=LIST_QUERY, response=page_of(f"{GROUPS}:Group"),
       summary="Customer groups")
def list_groups(principal: Principal, query: ListQuery):
    from chalicelib.services import configuration

    return page_in_memory(configuration.list_groups(), query.limit, query.next_token)


@route(bp, "/groups", "POST", access=ADMIN, body=f"{GROUPS}:GroupDraft", response=f"{GROUPS}:Group", status=201,
       summary="Create a group")
def create_group(principal: Principal, body: GroupDraft):
    from chalicelib.services import configuration

    return configuration.create_group(body)


@route(bp, "/groups/{group_id}", "PATCH", access=ADMIN, body=f"{GROUPS}:GroupChanges", response=f"{GROUPS}:Group",
       summary="Change a group")
def change_group(principal: Principal, group_id: str, body: GroupChanges):
    from chalicelib.services import configuration

    return configuration.update_group(group_id, body)


@route(bp, "/groups/{group_id}", "DELETE", access=ADMIN, status=204,
       summary="Delete a group (not a built-in one, not one with customers)")
def delete_group(principal: Principal, group_id: str):
    from chalicelib.services import configuration

    configuration.delete_group(group_id)


@route(bp, "/custom-fields", "GET", access=ANY_STAFF, query=LIST_QUERY, response=page_of(f"{CUSTOM_FIELDS}:CustomField"),
       summary="Custom field definitions")
def list_custom_fields(principal: Principal, query: ListQuery):
    from chalicelib.services import configuration

    return page_in_memory(configuration.list_custom_fields(), query.limit, query.next_token)


@route(bp, "/custom-fields", "POST", access=ADMIN, body=f"{CUSTOM_FIELDS}:CustomField", response=f"{CUSTOM_FIELDS}:CustomField",
       status=201,
       summary="Define a custom field")
def create_custom_field(principal: Principal, body: CustomField):
    from chalicelib.services import configuration

    return configuration.create_custom_field(body)
