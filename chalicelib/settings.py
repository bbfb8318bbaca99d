"""Configuration, parsed once from the environment into a typed record.

Secrets (token signing keys, webhook secrets) come from the environment that the stage
configuration or infra/ sets; nothing secret lives in the code.
"""
import dataclasses
import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Settings:
    stage: str = "dev"
    table_name: str = "shop"
    imports_bucket: str = "shop-imports"
    documents_bucket: str = "shop-documents"  # invoice PDFs, exports: read through short-lived links
    download_link_seconds: int = 300
    reports_bucket: str = "shop-reports"  # the nightly report files (private; links only)
    report_link_days: int = 7  # how long the link in a scheduled report's email works
    # Comma-separated email domains of the staff ("example.com,example.org"): scheduled reports go only
    # there. Empty: any address staff enter (the deployment should set it).
    staff_email_domains: str = ""
    # Chalice needs the stream ARN when the app is packaged; infra/ puts the real one in its place.
    table_stream_arn: str = "arn:aws:dynamodb:us-east-1:123456789012:table/shop/stream/1970-01-01T00:00:00.000"
    mail_sender: str = "shop@example.com"
    storefront_url: str = "http://127.0.0.1:8000/store"  # links in emails point here
    api_url: str = "http://127.0.0.1:8000"  # the API's own address: staff links in emails (report files)
    # Staff tokens: Cognito in AWS (JWKS), a shared dev secret locally.
    cognito_jwks_url: str = ""
    cognito_issuer: str = ""
    cognito_audience: str = ""
    staff_token_secret: str = ""
    # Customer tokens are issued by this app.
    customer_token_secret: str = ""
    customer_token_ttl_seconds: int = 24 * 3600
    # Payment provider webhooks: HMAC-SHA256 key shared with the provider; older signatures are refused.
    payment_webhook_secret: str = ""
    payment_webhook_tolerance_seconds: int = 300
    max_body_bytes: int = 64 * 1024
    # Background jobs: an invocation hands its job over after this many seconds (0: when its time
    # is nearly up). Benchmarks force a small budget to exercise the hand-overs.
    job_step_budget_seconds: float = 0
    # Bulk writes (imports, derived search entries) send this many requests at once.
    bulk_write_threads: int = 4
    dev_routes: bool = False
    mail_dir: str = ""


def _typed(field: dataclasses.Field, raw: str):
    if field.type == "int" or field.type is int:
        return int(raw)
    if field.type == "float" or field.type is float:
        return float(raw)
    if field.type == "bool" or field.type is bool:
        return raw.strip().lower() in ("1", "true", "yes", "on")
    return raw


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read the environment once (upper-case field names); tests clear the cache when they change it."""
    found = {f.name: _typed(f, os.environ[f.name.upper()]) for f in dataclasses.fields(Settings) if f.name.upper() in os.environ}
    return Settings(**found)
