"""The interface in the volunteers' languages: Flask-Babel bound, the locale chosen, the
words of states and kinds, numbers and dates, the editor script's messages.

1. Shipped: one catalog for each default priority language, in ``service/translations``
   (``<gettext form>/LC_MESSAGES/messages.po``, compiled to ``.mo`` by ``make``). The
   source language, English, needs none.
2. Chosen for each request, first that applies: the signed-in user's setting
   (``User.locale``, "" meaning "ask the browser"); ``?lang=`` (remembered in the session,
   so navigation keeps it); the browser's ``Accept-Language``, in order of quality, where
   a region or script we do not ship falls back to its language (``pt-PT`` gets ``pt-BR``,
   but Traditional Chinese never gets Simplified); English.
3. Codes are BCP 47 wherever a person or a URL sees them (``pt-BR``, ``zh-Hans``); Babel and
   the catalogs' folders use the gettext form (``pt_BR``, ``zh_Hans``).
4. Numbers, percentages and dates are Babel's, for the interface locale (Latin digits, as
   the editor's script uses too). Language names are CLDR's, in the interface locale.
5. The editor's script reads its messages from the page (``data-messages`` on the editor):
   plain strings with ``{name}`` placeholders it fills, and plural messages as one string
   per CLDR plural category, picked in the browser with ``Intl.PluralRules``. They are
   catalogued as ``%(name)s`` like every other message, so a page and the script share
   one translation of the same words.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from babel import Locale
from babel.lists import format_list
from babel.numbers import format_decimal, format_percent
from flask import Flask, has_request_context, request, request_started, session, url_for
from flask_babel import Babel, get_locale, get_translations, refresh
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

from service.core import languages
from service.core.errors import LanguageError
from service.core.messages import N_, SEPARATOR, Message
from service.db import db
from service.errors import ChorusError
from service.models import User

__all__ = [
    "INTERFACE",
    "SHIPPED",
    "SOURCE",
    "TRANSLATIONS",
    "init_app",
    "interface",
    "match",
    "script_messages",
    "set_locale",
]

SOURCE = "en"
SHIPPED = ("ar", "bn", "de", "es", "fr", "hi", "id", "ja", "pt-BR", "ru", "sw", "uk", "zh-Hans")
INTERFACE = (SOURCE, *SHIPPED)
TRANSLATIONS = Path(__file__).parent.parent / "translations"
SESSION_KEY = "interface_language"
# ``?lang=`` names the language to translate into here, not the interface's.
NOT_INTERFACE = frozenset({"pages.start"})
_TRADITIONAL = re.compile(r"zh[-_](?:hant|tw|hk|mo)\b", re.IGNORECASE)

babel = Babel()


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with the locale selector, and the template helpers; once per app."""
    if "babel" in app.extensions:
        return
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.policies["ext.i18n.trimmed"] = True  # as babel.cfg extracts them
    request_started.connect(_start_request, app)
    app.context_processor(_template_values)
    app.add_template_filter(language_name)
    app.add_template_filter(number)
    app.add_template_filter(percent)
    app.add_template_filter(list_of)
    app.add_template_filter(word)
    app.add_template_filter(http_phrase)
    app.add_template_filter(say)


# -- choosing the locale --------------------------------------------------------------


def match(tag: str) -> str | None:
    """The interface language (BCP 47) for a language tag from a browser or a URL, or None."""
    tag = tag.strip()
    try:
        code = languages.get(tag).code
    except LanguageError:
        code = tag
    if code in INTERFACE:
        return code
    if _TRADITIONAL.match(code):
        return None
    primary = code.replace("_", "-").split("-")[0].lower()
    return next((ours for ours in INTERFACE if ours.split("-")[0] == primary), None)


def from_browser() -> str | None:
    """The first interface language the browser's Accept-Language asks for, by quality."""
    for tag, quality in request.accept_languages:
        found = match(tag) if quality > 0 and tag != "*" else None
        if found:
            return found
    return None


def interface_code() -> str:
    """The interface language of this request (BCP 47), chosen as the module says."""
    if not has_request_context():
        return SOURCE
    if current_user.is_authenticated and (current_user.locale or "") in INTERFACE:
        return current_user.locale
    remembered = session.get(SESSION_KEY)
    if remembered in INTERFACE:
        return remembered
    return from_browser() or SOURCE


def select_locale() -> str:
    """Flask-Babel's locale selector: the interface language in Babel's (gettext) form."""
    return languages.get(interface_code()).gettext


def interface() -> languages.Language:
    """The interface language of this request: its code and direction for ``<html>``."""
    return languages.get(interface_code())


def _start_request(sender: Flask, **extra: Any) -> None:
    """Choose afresh for each request (Flask-Babel keeps its choice on ``g``, which outlives
    a request when an app context was pushed around it), and remember ``?lang=``."""
    refresh()
    wanted = request.args.get("lang")
    if wanted is None or request.endpoint in NOT_INTERFACE or request.path.startswith("/api/"):
        return
    found = match(wanted)
    if found is not None:
        session[SESSION_KEY] = found


def set_locale(user: User, code: str) -> str:
    """Store a user's interface language ("" for the browser's); raises ChorusError for a
    language without an interface catalog."""
    try:
        chosen = languages.get(code).code if code else ""
    except LanguageError:
        chosen = None
    if chosen is None or (chosen and chosen not in INTERFACE):
        raise ChorusError(
            N_("%(code)r: the interface is not translated into this language", code=code)
        )
    user.locale = chosen
    db.session.commit()
    refresh()  # this very response is in the new language
    return chosen


def choices() -> list[tuple[str, str]]:
    """The interface languages a person may pick, each named in itself and in the interface."""
    return [("", _("The browser's choice"))] + [
        (code, _named(code)) for code in sorted(INTERFACE, key=_autonym_key)
    ]


def _named(code: str) -> str:
    native, here = languages.get(code).native_name, language_name(code)
    return native if native == here else f"{native} ({here})"


def _autonym_key(code: str) -> str:
    return languages.get(code).native_name.casefold()


def switcher() -> list[dict[str, str]]:
    """The footer's links: this page in every interface language (``?lang=``)."""
    path = url_for("pages.index") if request.endpoint in NOT_INTERFACE else request.path
    args = request.args.copy()
    links = []
    for code in sorted(INTERFACE, key=_autonym_key):
        args["lang"] = code
        language = languages.get(code)
        links.append(
            {
                "code": code,
                "name": language.native_name,
                "dir": language.direction,
                "href": f"{path}?{urlencode(list(args.items(multi=True)))}",
            }
        )
    return links


def _template_values() -> dict[str, Any]:
    return {
        "interface": interface(),
        "switcher": switcher,
        "locked_by_account": _locked(),
        "script_messages": script_messages,
    }


def _locked() -> bool:
    """Whether the signed-in user's own setting decides (``?lang=`` then changes nothing)."""
    return current_user.is_authenticated and (current_user.locale or "") in INTERFACE


# -- words, numbers, dates ------------------------------------------------------------

# The states and kinds the pages and the script show, by the value the code uses.
WORDS = {
    "language_state": {
        "not started": _l("not started"),
        "in progress": _l("in progress"),
        "finished": _l("finished"),
        "published": _l("published"),
        "outdated": _l("outdated"),
    },
    "delivery": {
        "pending": _l("pending"),
        "delivered": _l("delivered"),
        "failed": _l("failed"),
    },
    "verdict": {
        "reached": _l("reached"),
        "on track": _l("on track"),
        "at risk": _l("at risk"),
    },
    "segment_state": {
        "empty": _l("empty"),
        "outdated": _l("outdated"),
        "translated": _l("translated"),
        "approved": _l("approved"),
    },
    "kind": {
        "title": _l("title"),
        "heading": _l("heading"),
        "paragraph": _l("paragraph"),
        # Translators: the kinds of segment; English shows the code's own words.
        "list-item": _l("list-item"),
        "blockquote": _l("blockquote"),
        "table-cell": _l("table-cell"),
    },
    "role": {
        "translator": _l("translator"),
        "reviewer": _l("reviewer"),
        "coordinator": _l("coordinator"),
        "admin": _l("admin"),
    },
    "how": {
        "editor": _l("editor"),
        "upload": _l("upload"),
        "import": _l("import"),
        "revert": _l("revert"),
        "approve": _l("approval"),
    },
}


# The reason phrases error pages show, as Python's http.HTTPStatus words them.
HTTP_PHRASES = {
    400: N_("Bad Request"),
    401: N_("Unauthorized"),
    403: N_("Forbidden"),
    404: N_("Not Found"),
    405: N_("Method Not Allowed"),
    409: N_("Conflict"),
    413: N_("Request Entity Too Large"),
    429: N_("Too Many Requests"),
    500: N_("Internal Server Error"),
    503: N_("Service Unavailable"),
}


def http_phrase(phrase: str, status: int) -> str:
    """An HTTP reason phrase in the interface language (as it is, for one we do not know)."""
    return _(phrase) if HTTP_PHRASES.get(status) == phrase else phrase


def word(value: str, table: str) -> str:
    """The interface's word for a state, kind, role or way of changing; the value itself
    when the table does not know it."""
    found = WORDS[table].get(str(value))
    return str(found) if found is not None else str(value)


def say(text: object) -> str:
    """A message in the interface language: a :class:`~service.core.messages.Message`
    looked up in the request's catalog, with its parameters said in turn; any other text
    as it is. A translation whose placeholders do not fit falls back to English."""
    if not isinstance(text, Message) or not has_request_context():
        return str(text)
    translated = get_translations().ugettext(text.msgid)
    if translated == text.msgid and text.detail:
        return str(text)  # English, or not catalogued: the English detail
    params = {key: _said(value) for key, value in text.params.items()}
    try:
        return translated % params if params else translated
    except (KeyError, ValueError, TypeError):
        return str(text)


def _said(value: object) -> object:
    if isinstance(value, tuple):
        return SEPARATOR.join(say(item) for item in value)
    return say(value) if isinstance(value, Message) else value


def error_message(error: BaseException) -> str:
    """The message of an error (a ChorusError made with a Message) in the interface language."""
    return say(error.args[0]) if len(error.args) == 1 else str(error)


def _locale() -> Locale:
    return get_locale() or Locale.parse(SOURCE)


@functools.lru_cache(maxsize=1024)
def _display_name(code: str, locale: str) -> str:
    return Locale.parse(languages.get(code).gettext).get_display_name(locale) or code


def language_name(code: str) -> str:
    """The CLDR name of a language in the interface language ("Spanish", "espagnol")."""
    return _display_name(code, str(_locale()))


def number(value: int | float) -> str:
    """A count as the interface writes it (12,345 / 12.345 / 12 345)."""
    return format_decimal(value, locale=_locale())


@functools.lru_cache(maxsize=64)
def _percent_pattern(locale: str) -> str:
    pattern = Locale.parse(locale).percent_formats[None].pattern
    return re.sub(r"0(?=[^0]*$)", "0.0", pattern, count=1)  # one decimal: 4.5%, 4,5 %


def percent(value: float) -> str:
    """A percentage (0 to 100) with one decimal, as the interface writes it."""
    locale = _locale()
    return format_percent(value / 100, _percent_pattern(str(locale)), locale=locale)


def list_of(items: list[Any]) -> Markup:
    """Items (text or markup) joined as the interface writes a list ("a, b and c")."""
    escaped = [str(escape(item)) for item in items]
    return Markup(format_list(escaped, locale=_locale())) if escaped else Markup("")


# -- the editor's script --------------------------------------------------------------


def _plural(singular: str, plural: str) -> tuple[str, str]:
    """Mark a plural message of the script (``pybabel extract -k _plural:1,2``)."""
    return singular, plural


SCRIPT = {
    "server_answered": _l("the server answered %(status)s"),
    "session_ended": _l("Your session has ended; your text is kept in this browser. %(link)s."),
    "sign_in_again": _l("Sign in again to save it"),
    "label_value": _l("%(label)s: %(value)s"),
    "published": _l("Published: your translation is live."),
    "publishing": _l("Finished: the translation is being published…"),
    "state": _l("State: %(state)s."),
    "empty_text": _l("(empty)"),
    "keep_mine": _l("Keep mine"),
    "take_theirs": _l("Take theirs"),
    "took_theirs": _l("You took their text."),
    "saved_meanwhile": _l(
        "%(author)s saved this segment while you were typing. "
        "Your text is kept (also as a suggestion); choose which to keep."
    ),
    "someone_saved_meanwhile": _l(
        "Someone saved this segment while you were typing. "
        "Your text is kept (also as a suggestion); choose which to keep."
    ),
    "theirs": _l("Theirs"),
    "yours": _l("Yours"),
    "not_saved_conflict": _l("Not saved: someone else saved first."),
    "saving": _l("Saving…"),
    "unreachable": _l(
        "Not saved: the server cannot be reached. Your text is kept in this browser."
    ),
    "saved": _l("Saved (version %(version)s)."),
    "unchanged": _l("Nothing to save: unchanged."),
    "not_saved": _l("Not saved: %(reason)s"),
    "approved": _l("Approved."),
    "not_approved": _l("Not approved: %(reason)s"),
    "no_history": _l("No history: %(reason)s"),
    "when": _l("When"),
    "who": _l("Who"),
    "how": _l("How"),
    "text": _l("Text"),
    "revert_to_version": _l("Revert to this: version %(version)s"),
    "revert": _l("Revert to this"),
    "no_change": _l("No change yet."),
    "reverted": _l("Reverted (version %(version)s)."),
    "not_reverted": _l("Not reverted: %(reason)s"),
    "before": _l("Before: %(source)s"),
    "after": _l("After: %(source)s"),
    "exact_match": _l("%(score)s exact match"),
    "machine": _l("Machine translation (%(engine)s): check it before saving"),
    "taken": _l("Suggestion taken: edit it if needed, then save."),
    "use_suggestion": _l("Use suggestion %(number)s"),
    "use": _l("Use"),
    "suggestions": _l("Suggestions"),
    "no_suggestion": _l("No suggestion for this segment."),
    "comments": _l("Comments"),
    "comment_by": _l("%(author)s, %(when)s:"),
    # Translators: who wrote a comment sent by a reader of the published post (no account).
    "reader": _l("A reader"),
    "resolved": _l("(resolved)"),
    "resolve": _l("Resolve"),
    "not_resolved": _l("Not resolved: %(reason)s"),
    "no_comment": _l("No comment yet."),
    "ask": _l("Ask or answer (@name mentions someone)"),
    "post": _l("Post comment"),
    "not_posted": _l("Not posted: %(reason)s"),
    "no_comments": _l("No comments: %(reason)s"),
    "not_added": _l("Not added: %(reason)s"),
    "not_removed": _l("Not removed: %(reason)s"),
    "restored": _l("Your unsaved text from an earlier visit is back."),
}
# Plural messages: the form is chosen by %(num)s.
SCRIPT_PLURALS = {
    "progress": _plural(
        "%(done)s of %(num)s segment done (%(percent)s)",
        "%(done)s of %(num)s segments done (%(percent)s)",
    ),
    "critical": _plural(
        "Not finished yet: %(num)s segment fails a critical check (see the red marks); "
        "a language with a critical failure cannot be published.",
        "Not finished yet: %(num)s segments fail a critical check (see the red marks); "
        "a language with a critical failure cannot be published.",
    ),
    "shown": _plural("%(shown)s of %(num)s segment shown", "%(shown)s of %(num)s segments shown"),
    "open_comments": _plural("Comments (%(num)s open)", "Comments (%(num)s open)"),
    "editing": _plural("%(names)s is editing this segment.", "%(names)s are editing this segment."),
}


@functools.lru_cache(maxsize=64)
def _samples(locale: str) -> dict[str, int]:
    """A whole number of each CLDR plural category of ``locale`` (1 before 0: in Hindi
    both are "one", and gettext's rule agrees with CLDR on 1)."""
    rule = Locale.parse(locale).plural_form
    found: dict[str, int] = {}
    for n in [*range(1, 1000), 0]:
        found.setdefault(rule(n), n)
    found.setdefault("other", 5)
    return found


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _braced(message: str) -> str:
    return _PLACEHOLDER.sub(r"{\1}", message)


def script_messages() -> dict[str, Any]:
    """Every message of ``editor.js`` in the interface language, with the words it shows."""
    translations = get_translations()
    messages: dict[str, Any] = {key: _braced(str(text)) for key, text in SCRIPT.items()}
    samples = _samples(str(_locale()))
    for key, (singular, plural) in SCRIPT_PLURALS.items():
        messages[key] = {
            category: _braced(translations.ungettext(singular, plural, n))
            for category, n in samples.items()
        }
    # The words of these tables, under names of their own ("how" is a message already).
    for table, key in (
        ("segment_state", "segment_states"),
        ("language_state", "language_states"),
        ("how", "ways"),
    ):
        messages[key] = {value: str(text) for value, text in WORDS[table].items()}
    return messages
