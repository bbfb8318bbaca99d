"""boto3 clients, built on first use (importing boto3 costs ~230 ms of cold start)."""
from functools import cache


@cache
def client(service: str):
    import boto3
    from botocore.config import Config

    if service == "s3":  # presigned links signed with SigV4 (X-Amz-Expires), as AWS recommends
        return boto3.client(service, config=Config(signature_version="s3v4"))
    if service == "dynamodb":  # bulk writes of items the models serialised: no client-side check of each
        return boto3.client(service, config=Config(parameter_validation=False))  # attribute (PynamoDB's way too)
    return boto3.client(service)
