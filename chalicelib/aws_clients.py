"""boto3 clients, built on first use (importing boto3 costs ~230 ms of cold start)."""
from functools import cache


@cache
def client(service: str):
    import boto3

    return boto3.client(service)
