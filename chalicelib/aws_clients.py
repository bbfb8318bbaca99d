"""boto3 clients, built on first use (importing boto3 costs ~230 ms of cold start)."""
from functools import cache


@cache
def client(service: str):
    import boto3

    if service == "s3":  # presigned links signed with SigV4 (X-Amz-Expires), as AWS recommends
        from botocore.config import Config

        return boto3.client(service, config=Config(signature_version="s3v4"))
    return boto3.client(service)
