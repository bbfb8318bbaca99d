"""What a table change (a DynamoDB stream record's images) means in domain terms."""


def registered_customer_id(event_name: str, new_image: dict | None) -> str | None:
    """The id of a customer who just opened an account (INSERT of a registered profile), else None."""
    if event_name != "INSERT" or not new_image:
        return None
    if new_image.get("type") == "customer" and new_image.get("registered"):
        return new_image.get("id")
    return None
