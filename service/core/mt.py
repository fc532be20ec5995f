"""Machine translation: one segment's source in, a suggested translation (or None) out.

Contract:

1. In: the source text of one segment as stored (placeholders ``{1}``, footnote markers
   ``[1]``, inline Markdown such as ``*emphasis*`` and ```code```, hard breaks as ``\\n``),
   the source and target languages as BCP 47 codes (``en``, ``pt-BR``) and a timeout in
   seconds.
2. Out: a :class:`Backend` says which pairs it can translate (``pairs``, ``supports``) and
   ``translate`` returns a suggestion or None. A suggestion keeps every placeholder and
   marker of the source exactly once and in the source's order, keeps code spans, URLs,
   HTML entities and ``~`` untouched, and fails no critical check of
   :mod:`service.core.checks`; anything else is None, never a broken suggestion.
3. None, never an exception, when there is no engine (``CHORUS_MT=off``, Apertium not
   installed), the pair is not installed, a code is not a language, the text is blank, or
   the engine fails, hangs past the timeout (it is killed, with all its children) or
   answers something that does not parse. The only error raised is ``ValueError``: an
   unknown backend name, or a timeout that is not positive (a programming error).
4. Suggestions are advice for a translator to edit; nothing here stores them.

Apertium (``apertium -l`` lists its installed modes, ``eng-spa``, ``spa-eng_US``) names
languages with ISO 639-3 codes and an optional ``_`` suffix; CLDR's language aliases
(through Babel) map ``eng`` to ``en``, a 2-letter suffix is a region and a 4-letter one a
script, and a mode whose code is not a language Chorus knows (``cat_valencia``) is left
out. A target with a region falls back to its language's mode (``es-MX`` uses ``eng-spa``),
a source with one likewise; scripts never fall back.

How placeholders survive: Apertium's text deformatter tears ``{3}`` apart when it moves
words (``John's {3} dog`` came out as ``Los} 3 ... {John``), and words glued to invented
tokens (``anotherZZ2ZZ``) are no longer translated. So Chorus writes Apertium's own stream
format (``apertium -f none``, which its script accepts though ``-h`` does not list it):
its special characters escaped with a backslash, and every protected piece inside a
"superblank" (``[\\{1\\}]``), which the engine carries through in order, whatever it does
with the words around it. The pieces are read back from the output and compared with what
went in; any difference (a blank lost, added or moved) means no suggestion. A link's
closing bracket travels with its target (``]{1}``) so the link stays ``[text]{1}``. As
Apertium's own deformatter does, a period is added to the end (the tagger reads the text
as a sentence) and taken off again. ``-u`` leaves out the ``*`` marks of unknown words.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Callable, Iterable
from contextlib import suppress
from pathlib import Path
from typing import Protocol

from babel.core import get_global

from service.core import checks, languages
from service.core.errors import LanguageError

__all__ = ["BACKENDS", "Apertium", "Backend", "NoEngine", "backend"]

log = logging.getLogger(__name__)


class Backend(Protocol):
    """A machine translation engine, as the rest of Chorus sees it."""

    name: str

    def pairs(self) -> set[tuple[str, str]]:
        """The (source, target) BCP 47 codes this engine has installed."""
        ...

    def supports(self, source_lang: str, target_lang: str) -> bool:
        """True when ``translate`` can translate between these two languages."""
        ...

    def translate(
        self, text: str, source_lang: str, target_lang: str, timeout: float
    ) -> str | None:
        """A suggested translation of ``text``, or None (see the module docstring)."""
        ...


class NoEngine:
    """No machine translation: supports nothing, suggests nothing."""

    name = "off"

    def pairs(self) -> set[tuple[str, str]]:
        return set()

    def supports(self, source_lang: str, target_lang: str) -> bool:
        return False

    def translate(
        self, text: str, source_lang: str, target_lang: str, timeout: float
    ) -> str | None:
        _check_timeout(timeout)
        return None


class Apertium:
    """Apertium, the rule-based engine, run as ``apertium -u -f none <mode>`` per segment.

    ``executable`` is a name or path looked up with ``shutil.which`` (default ``apertium``);
    ``modes`` names the installed modes instead of asking ``apertium -l`` (once, at the
    first use, within ``list_timeout`` seconds).
    """

    name = "apertium"

    def __init__(
        self,
        executable: str | Path = "apertium",
        *,
        modes: Iterable[str] | None = None,
        list_timeout: float = 10.0,
    ) -> None:
        self.executable = shutil.which(executable)
        self.list_timeout = list_timeout
        self._modes = None if modes is None else _modes_by_pair(modes)

    def pairs(self) -> set[tuple[str, str]]:
        return set(self._installed())

    def supports(self, source_lang: str, target_lang: str) -> bool:
        return self._mode(source_lang, target_lang) is not None

    def translate(
        self, text: str, source_lang: str, target_lang: str, timeout: float
    ) -> str | None:
        _check_timeout(timeout)
        mode = self._mode(source_lang, target_lang)
        if mode is None or self.executable is None or not text.strip():
            return None
        stream, kept = _to_stream(text.strip())
        output = _run([self.executable, "-u", "-f", "none", mode], stream, timeout)
        if output is None:
            return None
        translated = _from_stream(output, kept)
        if translated is None:
            log.warning("apertium %s: the protected pieces did not come back intact", mode)
            return None
        suggestion = _same_edges(text, translated)
        if checks.has_critical(checks.run(text, suggestion)):
            log.warning("apertium %s: the suggestion fails a critical check", mode)
            return None
        return suggestion

    def _installed(self) -> dict[tuple[str, str], str]:
        if self._modes is None:
            listed = None
            if self.executable is not None:
                listed = _run([self.executable, "-l"], "", self.list_timeout)
            self._modes = _modes_by_pair(listed.split() if listed else ())
        return self._modes

    def _mode(self, source_lang: str, target_lang: str) -> str | None:
        try:
            source = languages.get(source_lang).code
            target = languages.get(target_lang).code
        except LanguageError:
            return None
        installed = self._installed()
        for source_code in dict.fromkeys((source, _without_region(source))):
            for target_code in dict.fromkeys((target, _without_region(target))):
                mode = installed.get((source_code, target_code))
                if mode is not None:
                    return mode
        return None


BACKENDS: dict[str, Callable[[], Backend]] = {"apertium": Apertium, "off": NoEngine}


def backend(name: str) -> Backend:
    """The backend a ``CHORUS_MT`` value names; raises ValueError for an unknown name."""
    try:
        chosen = BACKENDS[name]
    except KeyError:
        raise ValueError(f"no machine translation backend {name!r}") from None
    return chosen()


def _check_timeout(timeout: float) -> None:
    if not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")


# --- Apertium's modes and language codes ---------------------------------------------------

_REGION = re.compile(r"-(?:[A-Z]{2}|[0-9]{3})$")


def _without_region(code: str) -> str:
    return _REGION.sub("", code)


def _modes_by_pair(modes: Iterable[str]) -> dict[tuple[str, str], str]:
    """``{("en", "es"): "eng-spa"}`` for every mode whose two codes are languages."""
    found: dict[tuple[str, str], str] = {}
    for mode in modes:
        codes = mode.split("-")
        if len(codes) != 2:
            continue  # not LANG1-LANG2: a debugging or chained mode
        source, target = (_bcp47(code) for code in codes)
        if source and target and source != target:
            found.setdefault((source, target), mode)
    return found


def _bcp47(code: str) -> str | None:
    """``eng`` -> ``en``, ``eng_US`` -> ``en-US``; None for what Chorus cannot name."""
    language, _, suffix = code.partition("_")
    aliases: dict[str, str] = get_global("language_aliases")
    parts = [aliases.get(language.lower(), language).replace("_", "-")]
    if suffix:
        if len(suffix) not in (2, 4):
            return None  # a variant (cat_valencia, oci_aran): no code of Chorus says it
        parts.append(suffix)
    try:
        return languages.get("-".join(parts)).code
    except LanguageError:
        return None


# --- Apertium's stream format ----------------------------------------------------------------

_SPECIAL = frozenset("\\[]{}^$/@<>*#+|")
_PROTECTED = re.compile(
    "|".join(
        (
            r"(`+)(?!`).*?(?<!`)\1(?!`)",  # code span
            r"\b(?:https?|ftp)://[^\s<>\[\]{}`]*[^\s<>\[\]{}`.,;:!?)'\"]",  # URL
            r"&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);",  # HTML entity
            r"\]?\{\d+\}",  # placeholder, with the bracket closing a link's text
            r"\[\d+\]",  # footnote marker
            r"\[\^[^\[\]\s]+\]",  # Markdown footnote reference: [^1], [^note]
            r"~+",  # lt-proc drops or chokes on a bare "~"; its deformatter makes it a blank
            r"\n",  # a hard break
        )
    )
)
# What the stream ends with: the period the tagger wants, then the blanks Apertium's
# text deformatter ends its output with.
_END = ".[][\n]"


def _escape(text: str) -> str:
    return "".join("\\" + char if char in _SPECIAL else char for char in text)


def _to_stream(text: str) -> tuple[str, list[str]]:
    """The stream to send, and the protected pieces in it, in order."""
    pieces: list[str] = []
    kept: list[str] = []
    start = 0
    for match in _PROTECTED.finditer(text):
        kept.append(match.group())
        pieces += [_escape(text[start : match.start()]), "[", _escape(match.group()), "]"]
        start = match.end()
    pieces += [_escape(text[start:]), _END]
    return "".join(pieces), kept


def _from_stream(output: str, kept: list[str]) -> str | None:
    """The translated text with its pieces put back; None unless they all came back."""
    read = _read(output)
    if read is None:
        return None
    texts, blanks = read
    if blanks != [*kept, "", "\n"] or texts[-2] or texts[-1].strip():
        return None
    texts = texts[: len(kept) + 1]
    last = texts[-1].rstrip()
    texts[-1] = last[:-1] if last.endswith(".") else last  # the period we added
    joined = "".join(text + blank for text, blank in zip(texts, [*kept, ""], strict=True))
    return joined.strip()


def _read(output: str) -> tuple[list[str], list[str]] | None:
    """Split a stream into texts and superblanks, unescaped: texts[i] comes before blanks[i]."""
    texts: list[str] = []
    blanks: list[str] = []
    current: list[str] = []
    in_blank = False
    characters = iter(output)
    for char in characters:
        if char == "\\":
            current.append(next(characters, ""))
        elif char == "[" and not in_blank:
            texts.append("".join(current))
            current, in_blank = [], True
        elif char == "]" and in_blank:
            blanks.append("".join(current))
            current, in_blank = [], False
        elif char == "[":
            return None  # a blank inside a blank: not a stream we wrote
        else:
            current.append(char)
    if in_blank or "\uffff" in output:
        return None  # cut short, or lt-proc's mark of a stream it could not finish
    texts.append("".join(current))
    return texts, blanks


def _same_edges(source: str, translated: str) -> str:
    """The translation with the source's leading and trailing whitespace."""
    stripped = source.strip()
    start = source.index(stripped[0])
    return source[:start] + translated + source[start + len(stripped) :]


# --- Running the engine ------------------------------------------------------------------------


def _run(argv: list[str], stream: str, timeout: float) -> str | None:
    """The engine's output, or None when it cannot start, fails, or outlives ``timeout``.

    ``apertium`` is a shell script running a pipeline of a dozen programs; they get a
    session of their own, so a timeout kills all of them, not just the script (whose
    children would keep the output open and make the wait for it hang).
    """
    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as error:
        log.warning("%s: cannot start: %s", argv[0], error)
        return None
    try:
        output, errors = process.communicate(stream.encode("utf-8"), timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(process)
        log.warning("%s: no answer in %s s, stopped", " ".join(argv[1:]), timeout)
        return None
    except BaseException:
        _kill(process)
        raise
    if process.returncode != 0:
        reason = (errors or output).decode("utf-8", "replace").strip().splitlines()
        log.warning(
            "%s: exit status %s: %s",
            " ".join(argv[1:]),
            process.returncode,
            reason[-1] if reason else "no message",
        )
        return None
    try:
        return output.decode("utf-8")
    except UnicodeDecodeError:
        log.warning("%s: output is not UTF-8", " ".join(argv[1:]))
        return None


def _kill(process: subprocess.Popen[bytes]) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    try:
        process.communicate(timeout=1)
    except subprocess.TimeoutExpired:  # a child that left the session still holds a pipe
        for pipe in (process.stdin, process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()
        process.wait()
