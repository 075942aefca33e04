"""The notification kinds every module registers, and their messages rendered in the reader's language.

Each app declares its kinds as TextChoices in its `events.py` with a `Message` per kind (the title's and, when the
body is built from data, the body's msgid, marked with `gettext_noop`) and calls `register(Choices, messages)`;
the inbox app's `ready()` imports every app's `events` module. A notification stores the msgids and the
parameters, so its title and body are rendered when shown, in the language of whoever reads them. A kind
without a title message takes a literal title (free text, as old rows are kept).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import models
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """The msgids of a kind's title and body (%(name)s placeholders filled from the notification's parameters);
    an empty body: the body, if any, is literal text (a reviewer's note)."""

    title: str = ""
    body: str = ""


@dataclass(frozen=True)
class Kind:
    value: str
    label: object
    message: Message


_kinds: dict[str, Kind] = {}


def register(choices: type[models.TextChoices], messages: dict | None = None) -> None:
    """Register an app's notification kinds (a TextChoices class) with their messages."""
    messages = messages or {}
    for member in choices:
        if member.value in _kinds and _kinds[member.value].label != member.label:
            raise ValueError(f"notification kind {member.value!r} is registered twice")
        _kinds[member.value] = Kind(member.value, member.label, messages.get(member, Message()))


def get(value: str) -> Kind:
    """The registered kind, or ValueError (a mistyped kind is a programming error, not a new kind)."""
    try:
        return _kinds[str(value)]
    except KeyError:
        raise ValueError(f"unknown notification kind {value!r}: declare it in an app's events.py") from None


def label(value: str) -> str:
    kind = _kinds.get(str(value))
    return str(kind.label) if kind else str(value)


def choices() -> list[tuple[str, str]]:
    return sorted(((kind.value, str(kind.label)) for kind in _kinds.values()), key=lambda pair: pair[0])


def translatable(text) -> dict:
    """A parameter shown in the reader's language: `text` is a msgid or a lazily translated string (a choice
    label); stored as {"message": msgid}."""
    # with no translation active a lazy string renders as its msgid (English is not that: the English catalogue
    # renders the glossed choice labels, 'negotiation (洽谈)', as 'negotiation')
    with translation.override(None):
        return {"message": str(text)}


def _value(parameter):
    if isinstance(parameter, dict) and set(parameter) == {"message"}:
        return gettext(parameter["message"])
    return parameter


def render(msgid: str, parameters: dict | None) -> str:
    """`msgid` translated into the active language and filled from `parameters` (never an error: a message that
    does not fit its parameters is shown untranslated and logged)."""
    values = {name: _value(value) for name, value in (parameters or {}).items()}
    try:
        return gettext(msgid) % values
    except (KeyError, TypeError, ValueError):
        logger.warning("notification message %r does not fit its parameters %r", msgid, parameters)
        return msgid


class Platform(models.TextChoices):
    """Kinds the platform itself posts."""

    WELCOME = "welcome", _("welcome")


register(Platform, {Platform.WELCOME: Message()})
