"""HTTP routes. BLUEPRINTS: what app.py registers, and under which prefix."""
from chalicelib.api import (
    admin_customer_tabs,
    admin_customers,
    admin_email_templates,
    admin_invoices,
    admin_orders,
    admin_products,
    admin_settings,
    admin_support,
    meta,
    storefront,
    webhooks,
)

BLUEPRINTS = (
    (admin_customers.bp, "/admin"),
    (admin_orders.bp, "/admin"),
    (admin_invoices.bp, "/admin"),
    (admin_customer_tabs.bp, "/admin"),
    (admin_settings.bp, "/admin"),
    (admin_products.bp, "/admin"),
    (admin_support.bp, "/admin"),
    (admin_email_templates.bp, "/admin"),
    (storefront.bp, "/store"),
    (webhooks.bp, "/webhooks"),
    (meta.bp, ""),
)
