"""The configuration a request reads is the one the rest of the code reads (Chalice's test client adds the
stage's variables during a request: a difference once made a test's imports bucket vanish, in some orders)."""
from chalicelib.settings import get_settings


def test_settings_first_read_inside_a_request_name_the_tables_and_buckets_created(api, admin_token, imports):
    # Given settings not read yet (a test changed one and cleared them)
    before = get_settings()
    get_settings.cache_clear()
    # When a request is the first to read them
    reply = api.get("/admin/imports", token=admin_token)
    # Then it reached the table, and the code after it names the same table and buckets
    assert reply.status == 200, reply.json
    after = get_settings()
    assert (after.table_name, after.imports_bucket, after.documents_bucket, after.reports_bucket) == \
        (before.table_name, before.imports_bucket, before.documents_bucket, before.reports_bucket)
