"""The local stack's mailbox: messages sent through SES, kept as .eml files in a git-ignored folder."""
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path


def write_mail(folder: str, raw: bytes) -> Path:
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    target = path / f"{stamp}.eml"
    target.write_bytes(raw)
    return target


def list_mail(folder: str) -> list[dict]:
    """Newest first: file name, recipient, subject and date of each message."""
    found = []
    for eml in sorted(Path(folder).glob("*.eml"), reverse=True) if folder else []:
        message = message_from_bytes(eml.read_bytes(), policy=policy.default)
        found.append({"file": eml.name, "to": message["To"], "subject": message["Subject"], "date": message["Date"]})
    return found
