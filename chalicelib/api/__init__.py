"""HTTP routes. BLUEPRINTS: what app.py registers, and under which prefix."""
from chalicelib.api import (
    admin_customer_tabs,
    admin_customers,
    admin_products,
    admin_settings,
    admin_support,
    meta,
    storefront,
)

BLUEPRINTS = (
    (admin_customers.bp, "/admin"),
    (admin_customer_tabs.bp, "/admin"),
    (admin_settings.bp, "/admin"),
    (admin_products.bp, "/admin"),
    (admin_support.bp, "/admin"),
    (storefront.bp, "/store"),
    (meta.bp, ""),
)
