"""Messages for people, in English, that a layer with a locale can say in another language.

Contract:

1. ``N_(msgid, **params)`` marks a message for the interface catalogs (``make
   messages-extract`` reads ``N_``) and returns a :class:`Message`: a ``str`` holding the
   English text (``msgid % params``, gettext's ``%(name)s`` form), so the command line,
   logs and tests use it as any string. It also keeps ``msgid`` and ``params``, so the web
   layer can look the msgid up in the request's catalog and fill in the same parameters
   (``service.web.i18n.say``). A parameter may itself be a Message, said in turn, or a
   tuple of them, said and joined by ``SEPARATOR``.
2. ``english=`` replaces the English text while keeping the msgid to translate: a check
   whose detail comes from translate-toolkit (English only) is shown in another language
   by its translated description.
3. The core knows no locale and imports nothing: translating is the web layer's business.
   Messages of the command line and of operators' settings stay plain English strings.
"""

from __future__ import annotations

from typing import Any

__all__ = ["N_", "SEPARATOR", "Message", "joined"]

SEPARATOR = "; "


class Message(str):
    """An English message that remembers its msgid and parameters."""

    msgid: str
    params: dict[str, Any]
    detail: bool  # the English text is not the msgid's: said only where translated

    def __new__(cls, msgid: str, params: dict[str, Any] | None = None, english: str | None = None):
        params = dict(params or {})
        detail = english is not None
        if english is None:
            english = (
                msgid % {key: joined(value) for key, value in params.items()} if params else msgid
            )
        message = super().__new__(cls, english)
        message.msgid = msgid
        message.params = params
        message.detail = detail
        return message

    def __reduce__(self):  # pickled by the task queue: keep what makes it translatable
        return (Message, (self.msgid, self.params, str(self) if self.detail else None))


def N_(msgid: str, **params: Any) -> Message:
    """Mark ``msgid`` for translation and fill in ``params`` for the English text."""
    return Message(msgid, params)


def joined(value: Any) -> Any:
    """A tuple parameter as one text (its items joined by SEPARATOR); any other as it is."""
    return SEPARATOR.join(map(str, value)) if isinstance(value, tuple) else value
