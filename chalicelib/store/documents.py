"""Small collections of configuration records (groups, custom field definitions): one partition
each, read whole with one Query; ids unique by a condition."""
from pynamodb.exceptions import DeleteError, PutError

from chalicelib.domain.errors import Conflict
from chalicelib.store.models import DocumentItem, condition_failed


def create(collection: str, doc_id: str, body: dict) -> None:
    try:
        DocumentItem(collection, doc_id, body=body).save(condition=DocumentItem.PK.does_not_exist())
    except PutError as error:
        if condition_failed(error):
            raise Conflict(f"'{doc_id}' already exists.") from error
        raise


def put(collection: str, doc_id: str, body: dict) -> None:
    DocumentItem(collection, doc_id, body=body).save()


def get(collection: str, doc_id: str) -> dict | None:
    try:
        return DocumentItem.get(collection, doc_id, consistent_read=True).body
    except DocumentItem.DoesNotExist:
        return None


def all_of(collection: str) -> list[dict]:
    return [d.body for d in DocumentItem.query(collection, consistent_read=True)]


def delete(collection: str, doc_id: str) -> bool:
    try:
        DocumentItem(collection, doc_id).delete(condition=DocumentItem.PK.exists())
    except DeleteError as error:
        if condition_failed(error):
            return False
        raise
    return True
