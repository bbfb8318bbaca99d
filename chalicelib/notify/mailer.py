"""Emails: rendered from Jinja2 templates (HTML autoescaped), sent through SES as raw MIME.

With `mail_dir` configured (the local stack), every message sent is also written there as .eml."""
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from functools import lru_cache
from pathlib import Path

from chalicelib.aws_clients import client
from chalicelib.settings import get_settings

_TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(loader=FileSystemLoader(_TEMPLATES), undefined=StrictUndefined,
                       autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False))


def render(template: str, context: dict) -> EmailMessage:
    env = _environment()
    message = EmailMessage()
    message["Subject"] = env.get_template(f"{template}.subject.j2").render(context).strip()
    message.set_content(env.get_template(f"{template}.txt.j2").render(context))
    message.add_alternative(env.get_template(f"{template}.html.j2").render(context), subtype="html")
    return message


def send(template: str, to: str, context: dict) -> str:
    """Send one email; returns its subject (for the mail log). Raises if SES refuses it."""
    settings = get_settings()
    message = render(template, context)
    message["From"] = settings.mail_sender
    message["To"] = to
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain="shop.local")
    raw = message.as_bytes()
    client("ses").send_raw_email(Source=settings.mail_sender, Destinations=[to], RawMessage={"Data": raw})
    if settings.mail_dir:
        from chalicelib.notify.mail_files import write_mail

        write_mail(settings.mail_dir, raw)
    return message["Subject"]
