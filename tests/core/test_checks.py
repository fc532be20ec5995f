"""Tests for service.core.checks: (source, translation) pairs in, failing checks out."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from translate.filters.checks import FilterFailure, StandardChecker

from service.core import checks
from service.core.checks import CHECKS, CheckResult, has_critical, run

FEEDBACK = "Feedback will be collected in 13+ languages."
SEE = "See [the page]{1} for details."
BOTH = "See [the page]{1} and [the FAQ]{2}."
LEADERSHIP = "The Board thanks the outgoing leadership [1]."
STRATEGY = "Read https://meta.wikimedia.org/wiki/Movement_Strategy before the call."
SURVEY = "The survey (open until 30 May) takes 10 minutes."
VOLUNTEERS = "In 2024, 1,500 volunteers joined."
EDITS = "3.5 million edits were made."


@pytest.mark.parametrize(
    ("source", "translation", "failing"),
    [
        # Nothing to check.
        (FEEDBACK, "", set()),
        # Good translations pass, in every script and direction.
        (FEEDBACK, "Les commentaires seront recueillis dans plus de 13 langues.", set()),
        (FEEDBACK, "Feedback wird in mehr als 13 Sprachen gesammelt.", set()),
        (FEEDBACK, "سيتم جمع الملاحظات بأكثر من 13 لغة.", set()),
        (FEEDBACK, "سيتم جمع الملاحظات بأكثر من ١٣ لغة.", set()),  # Arabic-Indic digits
        (FEEDBACK, "המשוב ייאסף ביותר מ-13 שפות.", set()),
        (FEEDBACK, "13 से अधिक भाषाओं में प्रतिक्रिया एकत्र की जाएगी।", set()),
        (FEEDBACK, "反馈将以13种以上的语言收集。", set()),
        (SEE, "Voir [la page]{1} pour plus de détails.", set()),
        (SEE, "詳しくは[このページ]{1}をご覧ください。", set()),
        (SEE, "للتفاصيل، راجع [الصفحة]{1}.", set()),
        (BOTH, "Voir [la FAQ]{2} et [la page]{1}.", set()),  # order may change
        (LEADERSHIP, "Le conseil remercie la direction sortante [1].", set()),
        (LEADERSHIP, "يشكر المجلس القيادة المنتهية ولايتها [1].", set()),
        (STRATEGY, "Lisez https://meta.wikimedia.org/wiki/Movement_Strategy avant l'appel.", set()),
        (SURVEY, "L'enquête (ouverte jusqu'au 30 mai) prend 10 minutes.", set()),
        (SURVEY, "调查（开放至5月30日）需要10分钟。", set()),  # full-width brackets
        (VOLUNTEERS, "En 2024, 1 500 bénévoles nous ont rejoints.", set()),
        (VOLUNTEERS, "Im Jahr 2024 kamen 1.500 Freiwillige hinzu.", set()),
        (EDITS, "3,5 millions de modifications ont été faites.", set()),  # decimal comma
        (EDITS, "۳٫۵ میلیون ویرایش انجام شد.", set()),  # Persian digits and separator
        ("Thank you", "شكرا", set()),
        ("OK", "OK", set()),  # nothing to translate in an upper-case word
        # A lost or invented placeholder breaks a link: critical, reported once.
        (SEE, "Voir [la page] pour plus de détails.", {"placeholders"}),
        (SEE, "Voir la page pour plus de détails.", {"placeholders", "brackets"}),
        (SEE, "Voir [la page]{2} pour plus de détails.", {"placeholders"}),
        (BOTH, "Voir [la FAQ]{2} et [la page]{2}.", {"placeholders"}),
        ("Read more{1}", "اقرأ المزيد", {"placeholders"}),
        # Link text must stay in brackets before its target, or the page shows "(https://...)".
        (SEE, "Voir la page{1} pour plus de détails.", {"links", "brackets"}),
        (SEE, "Voir {1}[la page] pour plus de détails.", {"links"}),
        (BOTH, "Voir [la FAQ]{2} et la page {1}.", {"links", "brackets"}),
        ("An ![image]{1} here.", "Une ![image]{1} ici.", set()),
        ("Some {1}bold{2} html.", "Du {1}gras{2} html.", set()),
        # Footnote markers.
        (LEADERSHIP, "Le conseil remercie la direction sortante.", {"footnotes"}),
        (LEADERSHIP, "Le conseil remercie la direction sortante [2].", {"footnotes"}),
        ("Feedback in 13+ languages [2]", "Retours en 13+ langues", {"footnotes"}),
        # URLs.
        (STRATEGY, "Lisez https://meta.wikimedia.org/wiki/Estrategia avant l'appel.", {"urls"}),
        (STRATEGY, "Lisez la page Stratégie avant l'appel.", {"urls"}),
        # Numbers.
        (FEEDBACK, "Les commentaires seront recueillis dans plusieurs langues.", {"numbers"}),
        (VOLUNTEERS, "En 2025, 1 500 bénévoles nous ont rejoints.", {"numbers"}),
        (SURVEY, "L'enquête (ouverte jusqu'au 31 mai) prend 10 minutes.", {"numbers"}),
        # Brackets.
        (SURVEY, "L'enquête ouverte jusqu'au 30 mai) prend 10 minutes.", {"brackets"}),
        ("Wikimania (in Katowice)", "Wikimania à Katowice", {"brackets"}),
        # Whitespace at either end.
        ("Thank you", " Merci", {"leading-space"}),
        ("Thank you", "Merci ", {"trailing-space"}),
        ("Thank you ", "Merci", {"trailing-space"}),
        # Copied source.
        ("Thank you", "Thank you", {"unchanged"}),
        (SEE, SEE, {"unchanged"}),
        (SEE, "see [the page]{1} for details.", {"unchanged"}),
        # Several at once.
        (SEE, " See [the page] for details.", {"placeholders", "leading-space"}),
        (LEADERSHIP + " " + SEE, "Merci [2].", {"placeholders", "footnotes", "brackets"}),
    ],
)
def test_run(source: str, translation: str, failing: set[str]) -> None:
    results = run(source, translation)
    assert {result.id for result in results} == failing
    assert len(results) == len(failing)


@pytest.mark.parametrize(
    ("source", "translation", "message"),
    [
        (SEE, "Voir la page pour plus de détails.", "Missing {1}"),
        (BOTH, "Voir [la FAQ]{3} et [la page]{1}{1}.", "Missing {2}; extra {1}, {3}"),
        ("{10} and {2}", "et", "Missing {2}, {10}"),
        ("Merci", "Merci {1}", "Extra {1}"),
        (LEADERSHIP, "Merci [1] [1] [3].", "Extra [1], [3]"),
        (LEADERSHIP, "Merci.", "Missing [1]"),
    ],
)
def test_marker_messages(source: str, translation: str, message: str) -> None:
    failing = [result for result in run(source, translation) if result.severity == "critical"]
    assert [result.message for result in failing] == [message]


def test_result_fields() -> None:
    assert run(STRATEGY, "Lisez la page.") == [
        CheckResult(id="urls", name="URLs", severity="critical", message="Different URLs")
    ]


@pytest.mark.parametrize(
    ("source", "translation"),
    [("See {1}.", "Voir la page."), ("leadership [1].", "direction."), ("{12}", "{1}{2}")],
)
def test_markers_do_not_trip_toolkit_numbers(source: str, translation: str) -> None:
    # translate-toolkit alone reads the digits inside {1} and [1] as numbers ...
    with pytest.raises(FilterFailure):
        StandardChecker().numbers(source, translation)
    # ... which would repeat the critical failure as a warning.
    assert "numbers" not in {result.id for result in run(source, translation)}


@pytest.mark.parametrize(
    ("check_id", "name", "severity"),
    [
        ("placeholders", "Placeholders", "critical"),
        ("footnotes", "Footnotes", "critical"),
        ("markup", "Markup", "critical"),
        ("urls", "URLs", "critical"),
        ("numbers", "Numbers", "warning"),
        ("brackets", "Brackets", "warning"),
        ("leading-space", "Leading space", "warning"),
        ("trailing-space", "Trailing space", "warning"),
        ("unchanged", "Unchanged", "warning"),
    ],
)
def test_catalogue(check_id: str, name: str, severity: str) -> None:
    check = CHECKS[check_id]
    assert (check.id, check.name, check.severity) == (check_id, name, severity)
    assert check.description and "\n" not in check.description


def test_catalogue_order() -> None:
    assert list(CHECKS) == [
        "placeholders", "footnotes", "links", "markup", "urls", "numbers",
        "brackets", "leading-space", "trailing-space", "unchanged",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("source", "translation", "critical"),
    [
        (SEE, "Voir la page.", True),
        (LEADERSHIP, "Merci.", True),
        (STRATEGY, "Lisez.", True),
        (FEEDBACK, "Plusieurs langues.", False),
        ("Thank you", "Thank you", False),
        (SEE, "", False),
    ],
)
def test_has_critical(source: str, translation: str, critical: bool) -> None:
    assert has_critical(run(source, translation)) is critical


def test_shared_checker_keeps_no_memo() -> None:
    for number in range(50):
        run(f"Text {number} ({number})", f"Texte {number}")
    assert checks._TOOLKIT.results_cache == {}


@given(st.text(max_size=80), st.text(max_size=80))
def test_run_never_raises(source: str, translation: str) -> None:
    for result in run(source, translation):
        assert result.id in CHECKS
        assert "\n" not in result.message


@pytest.mark.parametrize(
    ("source", "translation", "named"),
    [
        # Raw HTML, autolinks and link targets typed in a translation would be published.
        ("Hello", "<script>alert(1)</script>", "<script>, </script>"),
        ("Hello", "Salut <img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
        ("Hello", '<a href="javascript:alert(1)">x</a>', '<a href="javascript:alert(1)">, </a>'),
        ("Hello", "Salut <!-- caché -->", "<!-- caché -->"),
        ("Hello", "Salut <!-- jamais fermé", "<!--"),
        ("Hello", "<iframe src=//evil></iframe>", "<iframe src=//evil>, </iframe>"),
        ("Hello", "<SCRIPT>alert(1)", "<SCRIPT>"),
        ("Hello", "<script", "<script"),
        ("Hello", "<!DOCTYPE html>", "<!DOCTYPE html>"),
        ("Hello", "<?php echo 1; ?>", "<?php echo 1; ?>"),
        ("Hello", "<![CDATA[x]]>", "<![CDATA[x]]>"),
        ("Hello", "Voir <javascript:alert(1)>", "<javascript:alert(1)>"),
        ("Hello", "Voir <https://evil.example>", "<https://evil.example>"),
        ("Hello", "Écrire à <x@evil.example>", "<x@evil.example>"),
        ("Hello", "[x](javascript:alert(1))", "[x](javascript:alert(1))"),
        ("Hello", "![x](https://evil.example/t.png)", "![x](https://evil.example/t.png)"),
        (
            "See [the page]{1}.",
            "Voir [la page](https://evil.example).",
            "[la page](https://evil.example)",
        ),
        ("Use `<div>`.", "Utilisez <div> et `<div>`.", "<div>"),  # one more than the source has
        ("Hello", "if a<b and c>d", "<b and c>"),  # a tag to CommonMark, attributes and all
        ("Hello", "<b>1</b><b>2</b><b>3</b>", "<b>, <b>, <b> and 3 more"),
    ],
)
def test_markup_a_translation_adds_is_critical(source: str, translation: str, named: str) -> None:
    [result] = [r for r in run(source, translation) if r.id == "markup"]
    assert result.severity == "critical"
    assert result.message == f"Markup the source does not have: {named}"


@pytest.mark.parametrize(
    ("source", "translation"),
    [
        ("Hello", "a < b"),
        ("Hello", "<3 merci"),
        ("Hello", "x<2 et y>1"),
        ("Hello", "<<< >>>"),
        ("Hello", "<-- par là"),
        ("Some {1}bold{2} html.", "Du {1}gras{2} html."),  # the source's markup is a placeholder
        ("See [the page]{1}.", "Voir [la page]{1}."),
        ("Write to `<a@b.org>`.", "Écrire à `<a@b.org>`."),  # what the source has literally
        ("Use the `<div>` tag.", "Utilisez la balise `<div>`."),
        ("Mail <a@b.org> now", "Écrire à <a@b.org>"),
    ],
)
def test_harmless_text_and_the_sources_own_markup_pass(source: str, translation: str) -> None:
    assert "markup" not in {r.id for r in run(source, translation)}
