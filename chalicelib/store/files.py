"""Files in S3: merchants' uploads read from any byte offset, files the app writes, and short-lived
links to them. Nothing here holds a whole file in memory."""
from collections.abc import Generator, Iterable

from botocore.exceptions import ClientError

from chalicelib.aws_clients import client

_CHUNK = 256 * 1024


def size(bucket: str, key: str) -> int:
    return int(client("s3").head_object(Bucket=bucket, Key=key)["ContentLength"])


def metadata(bucket: str, key: str) -> dict[str, str]:
    """The object's user metadata (x-amz-meta-*), names lower-cased."""
    return {k.lower(): v for k, v in client("s3").head_object(Bucket=bucket, Key=key).get("Metadata", {}).items()}


def read_from(bucket: str, key: str, offset: int = 0) -> Generator[bytes, None, None]:
    """The object from byte `offset` to its end, in chunks, with one ranged GET (nothing at or past
    its end). Closing the generator (or leaving it unfinished) closes the connection: nothing more
    is read."""
    if offset:
        try:
            reply = client("s3").get_object(Bucket=bucket, Key=key, Range=f"bytes={offset}-")
        except ClientError as error:
            if error.response["Error"]["Code"] == "InvalidRange":
                return
            raise
    else:
        reply = client("s3").get_object(Bucket=bucket, Key=key)
    body = reply["Body"]
    try:
        yield from body.iter_chunks(chunk_size=_CHUNK)
    finally:
        body.close()


def write(bucket: str, key: str, chunks: Iterable[bytes], content_type: str) -> int:
    """Upload what `chunks` yield (multipart once past 8 MiB, so the file is never whole in memory);
    returns its size."""
    s3 = client("s3")
    part_size = 8 * 1024 * 1024
    buffer, total, upload_id = bytearray(), 0, None
    parts: list[dict] = []
    for chunk in chunks:
        buffer += chunk
        total += len(chunk)
        if len(buffer) >= part_size:
            if upload_id is None:
                upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, ContentType=content_type)["UploadId"]
            number = len(parts) + 1
            etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=bytes(buffer))["ETag"]
            parts.append({"PartNumber": number, "ETag": etag})
            buffer.clear()
    if upload_id is None:
        s3.put_object(Bucket=bucket, Key=key, Body=bytes(buffer), ContentType=content_type)
        return total
    if buffer:
        number = len(parts) + 1
        etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=bytes(buffer))["ETag"]
        parts.append({"PartNumber": number, "ETag": etag})
    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts})
    return total


def download_link(bucket: str, key: str, seconds: int, filename: str | None = None) -> str:
    params = {"Bucket": bucket, "Key": key}
    if filename:
        params["ResponseContentDisposition"] = f'attachment; filename="{filename}"'
    return client("s3").generate_presigned_url("get_object", Params=params, ExpiresIn=seconds)


def upload_link(bucket: str, key: str, seconds: int) -> str:
    """A presigned PUT: whoever has it may put this one object until it expires."""
    return client("s3").generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=seconds)
