"""Run a scheduled handler as EventBridge would: through the Chalice test client, with a real event."""
from chalice.test import Client


def run_schedule(name: str):
    from app import app

    with Client(app) as client:
        event = client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={},
                                                resources=[f"arn:aws:events:us-east-1:123456789012:rule/{name}"])
        return client.lambda_.invoke(name, event).payload
