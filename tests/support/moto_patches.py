"""moto's in-process DynamoDB, made fast enough for bulk writes.

moto's TransactWriteItems backs up the whole table (stream records included) before applying a
transaction, once per ITEM of the transaction, applies the items one by one and restores the backup
if a condition fails: a 100-item transaction copies the table 100 times, and an import of a few
thousand rows takes minutes. Here every condition is checked first, against the table as it is
before the transaction (as DynamoDB does: the items of one transaction have distinct keys, so no
item's write can change another item's condition), and the writes are applied only if all hold.
No backup is needed. The errors raised are moto's own."""
from moto.dynamodb import models
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)


def _key(backend, op_type: str, op: dict) -> dict:
    if op_type != "Put":
        return op["Key"]
    table = backend.get_table(op["TableName"])
    key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = op["Item"][table.range_key_attr]
    return key


def _check(backend, op: dict, key: dict):
    """(code, message, old item) of a failed condition, else (None, None, None)."""
    condition = op.get("ConditionExpression")
    if condition is None:
        return None, None, None
    current = backend.get_item(op["TableName"], key)
    expression = models.get_filter_expression(condition, op.get("ExpressionAttributeNames"),
                                              op.get("ExpressionAttributeValues"))
    if expression.expr(current):
        return None, None, None
    old = current.to_json()["Attributes"] if current and op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" else None
    return "ConditionalCheckFailed", ConditionalCheckFailed(item=old).message, old


def _apply(backend, op_type: str, op: dict, key: dict) -> None:
    names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
    if op_type == "Put":
        backend.put_item(op["TableName"], op["Item"], expression_attribute_names=names,
                         expression_attribute_values=values)
    elif op_type == "Delete":
        backend.delete_item(op["TableName"], key, expression_attribute_names=names, expression_attribute_values=values)
    elif op_type == "Update":
        backend.update_item(op["TableName"], key, update_expression=op["UpdateExpression"],
                            expression_attribute_names=names, expression_attribute_values=values)


def transact_write_items(self, transact_items: list[dict]) -> None:
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    seen, operations = set(), []
    for item in transact_items:
        if len(item) > 1:
            raise TransactWriteSingleOpException
        op_type, op = next(iter(item.items()))
        if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
            raise ValueError("Unsupported transaction operation")
        key = _key(self, op_type, op)
        identity = (str(op["TableName"]), str(dict(sorted(key.items()))))
        if identity in seen:
            raise MultipleTransactionsException()
        seen.add(identity)
        operations.append((op_type, op, key))
    errors = [_check(self, op, key) for _, op, key in operations]
    if any(code is not None for code, _, _ in errors):
        raise TransactionCanceledException(errors)
    for op_type, op, key in operations:
        _apply(self, op_type, op, key)


def apply() -> None:
    models.DynamoDBBackend.transact_write_items = transact_write_items
