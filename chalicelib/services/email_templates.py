"""Email templates staff may disable or rewrite. Every staff-written part is compiled in the sandbox
and tried on sample contexts before it is stored: a template that cannot render is a 422, not a
failed email later."""
from chalicelib.domain.clock import utc_now
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.mail import (
    TEMPLATE_DESCRIPTIONS,
    TEMPLATE_PARTS,
    EmailTemplate,
    TemplateChanges,
    TemplateOverride,
    sample_contexts,
)
from chalicelib.notify import mailer
from chalicelib.store import email_templates as overrides


def _view(name: str, override: TemplateOverride | None) -> EmailTemplate:
    """The parts in force: staff's where they wrote one, else the default files'."""
    parts = mailer.default_parts(name)
    if override is None:
        return EmailTemplate(name=name, description=TEMPLATE_DESCRIPTIONS.get(name, ""), enabled=True, customized=False, **parts)
    parts.update({p: getattr(override, p) for p in TEMPLATE_PARTS if getattr(override, p) is not None})
    return EmailTemplate(name=name, description=TEMPLATE_DESCRIPTIONS.get(name, ""), enabled=override.enabled,
                         customized=override.customized, updated_at=override.updated_at, updated_by=override.updated_by, **parts)


def list_templates() -> list[EmailTemplate]:
    """The templates of TEMPLATE_DESCRIPTIONS, in its order, as they are in force."""
    stored = overrides.all_overrides()
    return [_view(name, stored.get(name)) for name in TEMPLATE_DESCRIPTIONS if name in mailer.template_names()]


def update_template(name: str, changes: TemplateChanges, actor: str) -> EmailTemplate:
    if name not in mailer.template_names():
        raise NotFound("No email template with this name.")
    contexts = sample_contexts(name)
    problems = [{"field": part, "message": problem, "type": "template"}
                for part in TEMPLATE_PARTS
                if getattr(changes, part) is not None
                and (problem := mailer.check(part, getattr(changes, part), contexts))]
    if problems:
        raise InvalidInput("The template cannot be used.", problems)
    updated = changes.apply_to(overrides.get(name), name, at=utc_now(), actor=actor)
    return _view(name, overrides.save(updated))
