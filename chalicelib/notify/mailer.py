"""Emails: rendered from Jinja2 templates (HTML autoescaped), sent through SES as raw MIME.

A template is three files, `<name>.subject.j2`, `<name>.txt.j2`, `<name>.html.j2` (the defaults).
Parts staff wrote (a TemplateOverride) are rendered in Jinja2's sandbox: they cannot reach Python
internals (`''.__class__` and the like are refused). Both have the filter `money`:
`{{ order.total | money(order.currency) }}` -> "38.65 EUR".

With `mail_dir` configured (the local stack), every message sent is also written there as .eml."""
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from functools import lru_cache
from pathlib import Path

from chalicelib.aws_clients import client
from chalicelib.domain.mail import TEMPLATE_PARTS, TemplateOverride, money
from chalicelib.logs import logger
from chalicelib.settings import get_settings

_TEMPLATES = Path(__file__).parent / "templates"
_SUFFIX = {"subject": "subject.j2", "body": "txt.j2", "html": "html.j2"}


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(loader=FileSystemLoader(_TEMPLATES), undefined=StrictUndefined,
                      autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False))
    env.filters["money"] = money
    return env


_MAX_REPEAT = 1000  # `'x' * n` in a staff template: no bigger n (the sandbox alone allows any)


def _repeats_too_much(left, right) -> bool:
    """`text * n` (or a list) with n over _MAX_REPEAT; numbers times numbers are fine."""
    sequence, count = (left, right) if isinstance(right, int) else (right, left)
    return isinstance(sequence, str | list | tuple) and isinstance(count, int) and count > _MAX_REPEAT


@lru_cache(maxsize=2)
def _sandbox(html: bool):
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment, SecurityError

    class Sandbox(SandboxedEnvironment):
        """Jinja2's sandbox, and no arithmetic that builds huge values (`9 ** 9 ** 9`, `'x' * 10 ** 9`)."""

        intercepted_binops = frozenset({"*", "**"})

        def call_binop(self, context, operator, left, right):
            if operator == "**" or _repeats_too_much(left, right):
                raise SecurityError(f"'{operator}' is not allowed with these values in an email template.")
            return super().call_binop(context, operator, left, right)

    env = Sandbox(undefined=StrictUndefined, autoescape=html)
    env.filters["money"] = money
    return env


@lru_cache(maxsize=128)
def _compiled(part: str, source: str):
    return _sandbox(part == "html").from_string(source)


@lru_cache(maxsize=1)
def template_names() -> frozenset[str]:
    """Every template there is (the ones with default files)."""
    return frozenset(p.name.removesuffix(".subject.j2") for p in _TEMPLATES.glob("*.subject.j2"))


def default_parts(template: str) -> dict[str, str]:
    """The default files' sources: {"subject": ..., "body": ..., "html": ...}."""
    return {part: (_TEMPLATES / f"{template}.{_SUFFIX[part]}").read_text(encoding="utf-8") for part in TEMPLATE_PARTS}


def check(part: str, source: str, contexts: list[dict]) -> str | None:
    """Why a staff-written part cannot be used (a syntax error, or a failure to render any of the
    sample `contexts`: an unknown variable, an unsafe attribute...), or None if it can."""
    from jinja2 import TemplateSyntaxError

    try:
        template = _compiled(part, source)
    except TemplateSyntaxError as error:
        return f"Template syntax error on line {error.lineno}: {error.message}"
    for context in contexts:
        try:
            template.render(context)
        except Exception as error:  # whatever the template does wrong is the author's to fix
            return f"The template does not render with a sample context: {error}"
    return None


def _render_part(template: str, part: str, context: dict, override: TemplateOverride | None) -> str:
    source = getattr(override, part) if override else None
    if source is None:
        return _environment().get_template(f"{template}.{_SUFFIX[part]}").render(context)
    return _compiled(part, source).render(context)


def _message(template: str, context: dict, override: TemplateOverride | None) -> EmailMessage:
    message = EmailMessage()
    # One line whatever the template or its context holds: a header cannot carry a line break.
    message["Subject"] = " ".join(_render_part(template, "subject", context, override).split())
    message.set_content(_render_part(template, "body", context, override))
    message.add_alternative(_render_part(template, "html", context, override), subtype="html")
    return message


def render(template: str, context: dict, override: TemplateOverride | None = None) -> EmailMessage:
    """The email, with staff's parts where `override` has them. Staff's parts were tried on sample
    contexts when saved; should they still fail on a real one, the default files are used."""
    if override is None or not override.customized:
        return _message(template, context, None)
    try:
        return _message(template, context, override)
    except Exception:
        logger.exception("staff's version of an email template failed; sending the default", extra={"template": template})
        return _message(template, context, None)


def send(template: str, to: str, context: dict, override: TemplateOverride | None = None) -> str:
    """Send one email; returns its subject (for the mail log). Raises if SES refuses it."""
    settings = get_settings()
    message = render(template, context, override)
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
