"""Quality checks on one translated segment: (source, translation) in, failures out.

Contract:

1. In: the source text of one segment and its translation, as stored: link targets and
   inline HTML already replaced by ``{1}``, ``{2}`` ... (translate-toolkit's Markdown
   convention), footnote markers left as ``[1]``, ``[12]``.
2. Out: ``run`` returns one ``CheckResult`` per failing check, in the order of ``CHECKS``;
   an empty list when all pass, and always for an empty translation (nothing to check).
   A ``critical`` failure means the published page would break (a link or footnote lost)
   or carry what its source does not (raw HTML, a link target typed in a translation:
   ``markup``); it keeps the language from being finished. A ``warning`` is advice to
   the translator.
3. Raises nothing for any pair of strings.

Where translate-toolkit's ``StandardChecker`` has the check, it does the work. Its filters
raise ``FilterFailure`` on failure and return True otherwise; each class below turns that
into a message. Placeholders and footnote markers are removed before its ``numbers`` and
``brackets`` see the strings: the critical checks report them, once.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import ClassVar, Literal

from translate.filters.checks import FilterFailure, StandardChecker

from service.core.messages import N_, Message

__all__ = ["CHECKS", "Check", "CheckResult", "has_critical", "markers", "run"]

Severity = Literal["critical", "warning"]

PLACEHOLDER = re.compile(r"\{\d+\}")
FOOTNOTE = re.compile(r"\[\d+\]")
_LINK_TARGET = re.compile(r"\](\{\d+\})")
# "3,5" and "۳٫۵" in a translation are the source's "3.5".
_DECIMAL_COMMA = re.compile(r"(?<=\d)[,٫](?=\d)")
# CJK text uses full-width brackets where the source has ASCII ones.
_FULL_WIDTH_BRACKETS = str.maketrans("（）［］｛｝", "()[]{}")


class _Checker(StandardChecker):
    """A StandardChecker without its memo of filtered strings.

    The memo is an instance dict that only ``run_filters`` empties; we call the filters
    one by one on a shared instance, so it would grow forever and be shared between threads.
    """

    @property
    def results_cache(self) -> dict[tuple[str, str], str]:
        return {}

    @results_cache.setter
    def results_cache(self, value: dict[tuple[str, str], str]) -> None:
        pass


_TOOLKIT = _Checker()


@dataclass(frozen=True)
class CheckResult:
    """One failing check on one segment."""

    id: str
    name: str
    severity: Severity
    message: str  # one line, for the translator


class Check:
    """One check: an id, a name, a severity, a description, and ``check``."""

    id: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    description: ClassVar[str]

    def check(self, source: str, translation: str) -> str | None:
        """Return a one-line message when the translation fails, else None."""
        raise NotImplementedError


class _SameMarkers(Check):
    """The translation must carry exactly the markers of the source, in any order."""

    pattern: ClassVar[re.Pattern[str]]

    def check(self, source: str, translation: str) -> str | None:
        expected = Counter(self.pattern.findall(source))
        found = Counter(self.pattern.findall(translation))
        missing = ", ".join(_by_number((expected - found).elements()))
        extra = ", ".join(_by_number((found - expected).elements()))
        if missing and extra:
            return N_("Missing %(missing)s; extra %(extra)s", missing=missing, extra=extra)
        if missing:
            return N_("Missing %(markers)s", markers=missing)
        if extra:
            return N_("Extra %(markers)s", markers=extra)
        return None


def _by_number(markers: Iterable[str]) -> list[str]:
    return sorted(markers, key=lambda marker: int(marker[1:-1]))


class Placeholders(_SameMarkers):
    id = "placeholders"
    name = N_("Placeholders")
    severity = "critical"
    description = N_("The translation keeps every {1}, {2} ... of the source: links and markup.")
    pattern = PLACEHOLDER


class Footnotes(_SameMarkers):
    id = "footnotes"
    name = N_("Footnotes")
    severity = "critical"
    description = N_("The translation keeps every footnote or reference marker ([1], [2] ...).")
    pattern = FOOTNOTE


class Links(Check):
    id = "links"
    name = N_("Links")
    severity = "critical"
    description = N_("Each link keeps its text in brackets right before its target: [text]{1}.")

    def check(self, source: str, translation: str) -> str | None:
        # Placeholders reports a target that is gone; here, one whose [text] is gone, which
        # would render as the text followed by a bare "(https://...)".
        kept = set(PLACEHOLDER.findall(translation))
        broken = set(_LINK_TARGET.findall(source)) - set(_LINK_TARGET.findall(translation))
        broken &= kept
        if not broken:
            return None
        targets = ", ".join(_by_number(broken))
        return N_(
            "Keep the link text in brackets right before %(targets)s, as in [text]{1}",
            targets=targets,
        )


# Markup as CommonMark reads it in a paragraph (raw HTML, autolinks), the opening of an
# HTML block that needs no ">" (script, pre, style, textarea), and inline links and
# images with their destination written out, which in a translation is never needed:
# the source's links are placeholders. A lone "<" ("a < b", "<3") is none of these.
_ATTRIBUTE = r"""\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?"""
_MARKUP = re.compile(
    "|".join(
        (
            rf"<[A-Za-z][A-Za-z0-9-]*(?:{_ATTRIBUTE})*\s*/?>",  # opening tag
            r"</[A-Za-z][A-Za-z0-9-]*\s*>",  # closing tag
            r"<!--(?:.*?-->)?",  # comment, even unclosed: it opens an HTML block
            r"<\?.*?\?>",  # processing instruction
            r"<![A-Za-z][^>]*>",  # declaration
            r"<!\[CDATA\[.*?\]\]>",
            r"(?i:<(?:script|pre|style|textarea)(?=[\s>]|$))",  # HTML block start
            r"<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>",  # autolink
            r"<[\w.!#$%&'*+/=?^`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?>",  # e-mail
            r"!?\[[^\[\]\n]*\]\((?:[^()\n]|\([^()\n]*\))*\)?",  # inline link, image
        )
    ),
    re.DOTALL,
)


class Markup(Check):
    id = "markup"
    name = N_("Markup")
    severity = "critical"
    description = N_(
        "The translation adds no HTML, autolink or link target the source does not have."
    )

    def check(self, source: str, translation: str) -> str | None:
        # The source's own markup is a placeholder; what it holds literally (inside code,
        # say) the translation may repeat as often. Anything else would be published as is.
        extra = Counter(_MARKUP.findall(translation)) - Counter(_MARKUP.findall(source))
        if not extra:
            return None
        found = [_shorten(markup) for markup in extra.elements()]
        listed = ", ".join(found[:3])
        if len(found) > 3:
            listed = N_("%(listed)s and %(num)s more", listed=listed, num=len(found) - 3)
        return N_("Markup the source does not have: %(found)s", found=listed)


def _shorten(markup: str) -> str:
    markup = " ".join(markup.split())
    return markup if len(markup) <= 40 else markup[:39] + "…"


class _Toolkit(Check):
    """A check done by one of translate-toolkit's StandardChecker filters."""

    method: ClassVar[str]

    def prepare(self, text: str) -> str:
        return text

    def check(self, source: str, translation: str) -> str | None:
        test: Callable[[str, str], bool] = getattr(_TOOLKIT, self.method)
        try:
            passed = test(self.prepare(source), self.prepare(translation))
        except FilterFailure as failure:  # SeriousFilterFailure included
            # translate-toolkit's detail is English; elsewhere the description is shown.
            return Message(self.description, english=str(failure))
        return None if passed else self.description


def _without_markers(text: str) -> str:
    return FOOTNOTE.sub(" ", PLACEHOLDER.sub(" ", text))


class Urls(_Toolkit):
    id = "urls"
    name = N_("URLs")
    severity = "critical"
    description = N_("Web addresses in the source appear unchanged in the translation.")
    method = "urls"


class Numbers(_Toolkit):
    id = "numbers"
    name = N_("Numbers")
    severity = "warning"
    description = N_("The numbers of the source appear in the translation.")
    method = "numbers"

    def check(self, source: str, translation: str) -> str | None:
        return super().check(source, _DECIMAL_COMMA.sub(".", translation))

    def prepare(self, text: str) -> str:
        # Arabic-Indic, Persian, Devanagari ... digits are the same numbers.
        return "".join(
            str(unicodedata.decimal(char)) if char.isdecimal() else char
            for char in _without_markers(text)
        )


class Brackets(_Toolkit):
    id = "brackets"
    name = N_("Brackets")
    severity = "warning"
    description = N_("The translation has as many brackets of each kind as the source.")
    method = "brackets"

    def prepare(self, text: str) -> str:
        return _without_markers(text).translate(_FULL_WIDTH_BRACKETS)


class LeadingSpace(_Toolkit):
    id = "leading-space"
    name = N_("Leading space")
    severity = "warning"
    description = N_("The translation starts with the same whitespace as the source.")
    method = "startwhitespace"


class TrailingSpace(_Toolkit):
    id = "trailing-space"
    name = N_("Trailing space")
    severity = "warning"
    description = N_("The translation ends with the same whitespace as the source.")
    method = "endwhitespace"


class Unchanged(_Toolkit):
    id = "unchanged"
    name = N_("Unchanged")
    severity = "warning"
    description = N_("The translation is not a copy of the source.")
    method = "unchanged"


CHECKS: dict[str, Check] = {
    check.id: check
    for check in (
        Placeholders(),
        Footnotes(),
        Links(),
        Markup(),
        Urls(),
        Numbers(),
        Brackets(),
        LeadingSpace(),
        TrailingSpace(),
        Unchanged(),
    )
}


_MARKER = re.compile(r"\{\d+\}|\[\d+\]")


def markers(source: str) -> list[str]:
    """The placeholders (``{1}``) and markers (``[1]``) of a source text, in order, once each:
    the tokens an editor offers to insert."""
    return list(dict.fromkeys(_MARKER.findall(source)))


def run(source: str, translation: str) -> list[CheckResult]:
    """Run every check on one segment; an empty translation has nothing to check."""
    if not translation:
        return []
    results = []
    for check in CHECKS.values():
        message = check.check(source, translation)
        if message is not None:
            results.append(CheckResult(check.id, check.name, check.severity, message))
    return results


def has_critical(results: Iterable[CheckResult]) -> bool:
    """True when any result would break the published page."""
    return any(result.severity == "critical" for result in results)
