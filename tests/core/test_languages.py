"""Tests for service.core.languages: codes in, validated Language values out."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from service.core import languages
from service.core.errors import LanguageError
from service.core.languages import Language

MSGFMT = shutil.which("msgfmt") or "/usr/bin/msgfmt"

# The default priority languages, then more, chosen to cover every plural source:
# Babel's gettext table (most), CLDR through to_gettext (id, sw, am, fil, kw, gd, mk, si),
# and the gettext default (ht, whose CLDR rule needs the operand e).
MSGFMT_LANGUAGES = [
    "ar", "bn", "de", "es", "fr", "hi", "id", "ja", "pt-BR", "ru", "sw", "uk", "zh-Hans",
    "he", "fa", "pl", "cs", "ga", "cy", "sr-Latn", "sr", "it", "nl", "sv", "tr", "ko", "vi",
    "th", "el", "hu", "ro", "lt", "lv", "sk", "sl", "hr", "bg", "ca", "fi", "nb", "ur",
    "ta", "am", "fil", "kw", "gd", "mk", "si", "ht", "zh-TW", "es-419",
]  # fmt: skip


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("pt-BR", ("pt-BR", "pt_BR", "Portuguese (Brazil)", "português (Brasil)", "ltr")),
        ("pt_BR", ("pt-BR", "pt_BR", "Portuguese (Brazil)", "português (Brasil)", "ltr")),
        ("PT-br", ("pt-BR", "pt_BR", "Portuguese (Brazil)", "português (Brasil)", "ltr")),
        ("zh-Hans", ("zh-Hans", "zh_Hans", "Chinese (Simplified)", "中文 (简体)", "ltr")),
        ("ZH_HANS", ("zh-Hans", "zh_Hans", "Chinese (Simplified)", "中文 (简体)", "ltr")),
        ("sr-latn", ("sr-Latn", "sr_Latn", "Serbian (Latin)", "srpski (latinica)", "ltr")),
        ("ar", ("ar", "ar", "Arabic", "العربية", "rtl")),
        ("AR", ("ar", "ar", "Arabic", "العربية", "rtl")),
        ("he", ("he", "he", "Hebrew", "עברית", "rtl")),
        ("fa", ("fa", "fa", "Persian", "فارسی", "rtl")),
        ("ur", ("ur", "ur", "Urdu", "اردو", "rtl")),
        ("de", ("de", "de", "German", "Deutsch", "ltr")),
        ("es-419", ("es-419", "es_419", "Spanish (Latin America)", "español (Latinoamérica)",
                    "ltr")),
        ("fil", ("fil", "fil", "Filipino", "Filipino", "ltr")),
        ("zh-tw", ("zh-TW", "zh_TW", "Chinese (Traditional, Taiwan)", "中文 (繁體, 台灣)", "ltr")),
        ("zh-Hans-CN",
         ("zh-Hans-CN", "zh_Hans_CN", "Chinese (Simplified, China)", "中文 (简体, 中国)", "ltr")),
    ],
)  # fmt: skip
def test_get_names_and_forms(code: str, expected: tuple[str, str, str, str, str]) -> None:
    language = languages.get(code)
    assert (
        language.code,
        language.gettext,
        language.english_name,
        language.native_name,
        language.direction,
    ) == expected


@pytest.mark.parametrize(
    ("code", "nplurals", "plural_forms"),
    [
        # Babel's gettext table, by language_territory first, then by language.
        ("pt-BR", 2, "nplurals=2; plural=(n > 1);"),
        ("pt", 2, "nplurals=2; plural=(n != 1);"),
        ("fr", 2, "nplurals=2; plural=(n > 1);"),
        ("de", 2, "nplurals=2; plural=(n != 1);"),
        ("ja", 1, "nplurals=1; plural=0;"),
        ("zh-Hans", 1, "nplurals=1; plural=0;"),
        ("sr-Latn", 3, "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 "
         "&& (n%100<10 || n%100>=20) ? 1 : 2);"),
        ("ar", 6, "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 "
         "? 3 : n%100>=0 && n%100<=2 ? 4 : 5);"),
        ("ga", 5, "nplurals=5; plural=(n==1 ? 0 : n==2 ? 1 : n>=3 && n<=6 ? 2 : n>=7 && n<=10 "
         "? 3 : 4);"),
        # Not in the table: CLDR's rule, converted, uses n only.
        ("id", 1, "nplurals=1; plural=(0);"),
        ("sw", 2, "nplurals=2; plural=((((n == 1)) && ((0 == 0))) ? 0 : 1);"),
        ("am", 2, "nplurals=2; plural=((((n == 0)) || ((n == 1))) ? 0 : 1);"),
        # Not in the table, and CLDR's rule needs the operand e: the gettext default.
        ("ht", 2, "nplurals=2; plural=(n != 1);"),
    ],
)  # fmt: skip
def test_plural_forms_source(code: str, nplurals: int, plural_forms: str) -> None:
    language = languages.get(code)
    assert (language.nplurals, language.plural_forms) == (nplurals, plural_forms)


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("", "empty language code"),
        ("../etc", "'../etc' is not a language code"),
        ("en--US", "'en--US' is not a language code"),
        ("en US", "'en US' is not a language code"),
        ("en-", "'en-' is not a language code"),
        (" en", "' en' is not a language code"),
        ("en\n", "'en\\n' is not a language code"),
        ("e", "'e' is not a language code"),
        ("english", "'english' is not a language code"),
        ("de-1996", "'de-1996' is not a language code"),
        ("en-US-POSIX", "'en-US-POSIX' is not a language code"),
        ("pt-BR.UTF-8", "'pt-BR.UTF-8' is not a language code"),
        ("sr@latin", "'sr@latin' is not a language code"),
        ("a" * 17, "'aaaaaaaaaaaaaaaa'...: language code longer than 16 characters"),
        ("xx", "'xx' names no language known to CLDR"),
        ("en-XX", "'en-XX' names no language known to CLDR"),
        ("qaa", "'qaa' names no language known to CLDR"),
        ("und", "'und' names no language known to CLDR"),
        # Babel would quietly answer with another locale for these.
        ("en-Zzzz", "'en-Zzzz' names no language known to CLDR"),
        ("iw", "'iw' names no language known to CLDR"),
        ("mo", "'mo' names no language known to CLDR"),
    ],
)
def test_get_rejects(code: str, reason: str) -> None:
    with pytest.raises(LanguageError) as raised:
        languages.get(code)
    message = str(raised.value)
    assert message.startswith(reason)
    assert "\n" not in message


def test_get_caches_one_value_per_language() -> None:
    assert languages.get("pt_br") is languages.get("PT-BR")


@pytest.mark.parametrize(
    ("code", "gettext", "bcp47"),
    [
        ("pt-BR", "pt_BR", "pt-BR"),
        ("pt_br", "pt_BR", "pt-BR"),
        ("zh-hans", "zh_Hans", "zh-Hans"),
        ("sr_LATN", "sr_Latn", "sr-Latn"),
        ("uk", "uk", "uk"),
    ],
)
def test_conversions(code: str, gettext: str, bcp47: str) -> None:
    assert (languages.to_gettext(code), languages.to_bcp47(code)) == (gettext, bcp47)


@pytest.mark.parametrize("convert", [languages.to_gettext, languages.to_bcp47])
def test_conversions_reject(convert: Callable[[str], str]) -> None:
    with pytest.raises(LanguageError):
        convert("xx")


@pytest.mark.parametrize(
    ("codes", "priority", "expected"),
    [
        (["uk", "de", "ar", "ja"], [], ["ar", "de", "ja", "uk"]),  # Arabic, German, ...
        (["uk", "de", "ar", "ja"], ["ja", "uk"], ["ja", "uk", "ar", "de"]),
        (["zh-Hans", "fr", "pt-BR"], ["pt_BR"], ["pt-BR", "zh-Hans", "fr"]),  # Chinese < French
        (["fr", "de"], ["sw", "de"], ["de", "fr"]),  # absent priority languages are ignored
        ([], ["ar"], []),
        (["fa", "fil", "fi"], [], ["fil", "fi", "fa"]),  # Filipino, Finnish, Persian
    ],
)
def test_priority_order(codes: list[str], priority: list[str], expected: list[str]) -> None:
    assert languages.priority_order(codes, priority) == expected


def test_priority_order_rejects_invalid_code() -> None:
    with pytest.raises(LanguageError):
        languages.priority_order(["de", "../x"], [])


@pytest.mark.parametrize("code", MSGFMT_LANGUAGES)
def test_plural_forms_use_operand_n_only(code: str) -> None:
    language = languages.get(code)
    expression = language.plural_forms.split("plural=", 1)[1]
    assert set(re.findall(r"[A-Za-z_]+", expression)) <= {"n"}
    assert language.plural_forms.startswith(f"nplurals={language.nplurals}; plural=")


def _po_file(language: Language) -> str:
    header = {
        "Project-Id-Version": "chorus-test 1",
        "Report-Msgid-Bugs-To": "chorus@example.org",
        "POT-Creation-Date": "2025-01-01 00:00+0000",
        "PO-Revision-Date": "2025-01-02 00:00+0000",
        "Last-Translator": "Test Translator <translator@example.org>",
        "Language-Team": f"{language.english_name} <team@example.org>",
        "Language": language.gettext,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": language.plural_forms,
    }
    lines = ['msgid ""', 'msgstr ""']
    lines += [f'"{name}: {value}\\n"' for name, value in header.items()]
    lines += ["", 'msgid "one language"', 'msgid_plural "many languages"']
    lines += [f'msgstr[{index}] "form {index}"' for index in range(language.nplurals)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("code", MSGFMT_LANGUAGES)
def test_msgfmt_accepts_header(code: str, tmp_path: Path) -> None:
    language = languages.get(code)
    po = tmp_path / f"{language.gettext}.po"
    po.write_text(_po_file(language), encoding="utf-8")
    result = subprocess.run(
        [MSGFMT, "-c", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")
