"""Languages: one code in, one validated ``Language`` value out.

Contract:

1. In: a language code as a person or a URL writes it, in BCP 47 form (``pt-BR``) or
   gettext form (``pt_BR``), in any case (``PT-br``). The accepted shape is strict:
   a language (2 or 3 letters), an optional script (4 letters) and an optional region
   (2 letters or 3 digits), separated by one ``-`` or ``_``. Variants, extensions,
   private use and whitespace are refused.
2. Out: a frozen ``Language`` with the canonical BCP 47 code (``pt-BR``, ``zh-Hans``,
   ``sr-Latn``), its gettext form (``pt_BR``), English and native names, text direction,
   and a gettext ``Plural-Forms`` value that GNU ``msgfmt -c`` accepts.
3. Raises: ``LanguageError`` with a one-line message naming the code, for an empty or
   malformed code, and for one CLDR (through Babel) does not know. Babel quietly
   replaces what it does not know (``en-Zzzz`` parses as ``en_US``, ``iw`` as ``he_IL``);
   such substitutions are refused rather than accepted under another name.

Plural-Forms comes from Babel's gettext table (``babel.messages.plurals``, the one its own
PO writer uses) when the language is in it, else from CLDR's rules through
``babel.plural.to_gettext`` when that expression uses the operand ``n`` only (CLDR's
``e``, ``i``, ``v`` ... are not gettext), else the gettext default.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel.messages.plurals import PLURALS, get_plural
from babel.plural import to_gettext as cldr_to_gettext

from service.core.errors import LanguageError
from service.core.messages import N_

__all__ = ["DEFAULT_PLURAL_FORMS", "Language", "get", "priority_order", "to_bcp47", "to_gettext"]

DEFAULT_PLURAL_FORMS = "nplurals=2; plural=(n != 1);"

_MAX_LENGTH = 16  # the longest accepted shape, "yue-Hant-419", is 12
_SHAPE = re.compile(
    r"(?P<language>[A-Za-z]{2,3})"
    r"(?:[-_](?P<script>[A-Za-z]{4}))?"
    r"(?:[-_](?P<region>[A-Za-z]{2}|[0-9]{3}))?"
)
_PLURAL = re.compile(r"nplurals=(?P<nplurals>[0-9]+); plural=(?P<expression>.+);")
_OPERAND = re.compile(r"[A-Za-z_]\w*")


@dataclass(frozen=True)
class Language:
    """A language known to CLDR, in the forms Chorus needs."""

    code: str  # BCP 47, canonical casing: "pt-BR", "zh-Hans"
    gettext: str  # the PO file name and Language header: "pt_BR", "zh_Hans"
    english_name: str
    native_name: str
    direction: Literal["ltr", "rtl"]
    nplurals: int
    plural_forms: str  # the whole Plural-Forms header value


def get(code: str) -> Language:
    """Return the language named by ``code`` (BCP 47 or gettext form, any case).

    Raises LanguageError when the code is empty, malformed, or unknown to CLDR.
    """
    if not code:
        raise LanguageError(N_("empty language code"))
    if len(code) > _MAX_LENGTH:
        raise LanguageError(
            N_(
                "%(code)r...: language code longer than %(limit)s characters",
                code=code[:_MAX_LENGTH],
                limit=_MAX_LENGTH,
            )
        )
    match = _SHAPE.fullmatch(code)
    if match is None:
        raise LanguageError(
            N_(
                "%(code)r is not a language code: expected a language with an optional script"
                " and region, like 'ar', 'pt-BR' or 'zh-Hans'",
                code=code,
            )
        )
    language, script, region = match.group("language", "script", "region")
    return _load(language.lower(), script.title() if script else None, region and region.upper())


def to_gettext(code: str) -> str:
    """Return the gettext form of ``code`` (``pt-BR`` -> ``pt_BR``); raises LanguageError."""
    return get(code).gettext


def to_bcp47(code: str) -> str:
    """Return the BCP 47 form of ``code`` (``pt_br`` -> ``pt-BR``); raises LanguageError."""
    return get(code).code


def priority_order(codes: Iterable[str], priority: Sequence[str]) -> list[str]:
    """Return ``codes`` with those in ``priority`` first, in its order, the rest by English name.

    Codes are compared in canonical form and returned as given. Raises LanguageError for an
    invalid code in either argument.
    """
    rank = {get(code).code: index for index, code in enumerate(priority)}

    def key(code: str) -> tuple[int, int, str]:
        language = get(code)
        if language.code in rank:
            return (0, rank[language.code], "")
        return (1, 0, language.english_name.casefold())

    return sorted(codes, key=key)


@functools.lru_cache(maxsize=512)
def _load(language: str, script: str | None, region: str | None) -> Language:
    parts = [part for part in (language, script, region) if part]
    code = "-".join(parts)
    try:
        locale = Locale.parse("_".join(parts))
    except (UnknownLocaleError, ValueError):
        raise LanguageError(N_("%(code)r names no language known to CLDR", code=code)) from None
    substituted = (
        locale.language != language
        or (script is not None and locale.script != script)
        or (region is not None and locale.territory != region)
    )
    if substituted or not locale.english_name or not locale.display_name:
        raise LanguageError(N_("%(code)r names no language known to CLDR", code=code)) from None
    plural_forms = _plural_forms(locale)
    shape = _PLURAL.fullmatch(plural_forms)
    assert shape is not None, plural_forms  # every source above yields this shape
    return Language(
        code=code,
        gettext="_".join(parts),
        english_name=locale.english_name,
        native_name=locale.display_name,
        direction="rtl" if locale.text_direction == "rtl" else "ltr",
        nplurals=int(shape.group("nplurals")),
        plural_forms=plural_forms,
    )


def _plural_forms(locale: Locale) -> str:
    """Pick a Plural-Forms value that gettext can evaluate (see the module docstring)."""
    if str(locale) in PLURALS or locale.language in PLURALS:
        return get_plural(locale).plural_forms
    from_cldr = cldr_to_gettext(locale.plural_form)
    shape = _PLURAL.fullmatch(from_cldr)
    if shape and set(_OPERAND.findall(shape.group("expression"))) <= {"n"}:
        return from_cldr
    return DEFAULT_PLURAL_FORMS
