"""HTTP routes. BLUEPRINTS: what app.py registers, and under which prefix."""
from chalicelib.api import admin_customers, meta, storefront

BLUEPRINTS = (
    (admin_customers.bp, "/admin"),
    (storefront.bp, "/store"),
    (meta.bp, ""),
)
