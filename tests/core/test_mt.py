"""Tests for service.core.mt: real Apertium where installed, and fake engines in tmp_path.

The fake engines are real executables (shell scripts) run as real subprocesses, so the
timeouts, the killing and the stream format are tested without Apertium; the tests of
Apertium itself need ``apertium`` and its eng-spa pair (``apt-get install apertium
apertium-eng-spa``; CI installs them) and are skipped, saying so, where they are missing.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from service.core import mt
from service.core.errors import ChorusError
from service.settings import load

# The first run after a boot reads a few megabytes of dictionaries; 5 s is not always enough.
SLOW = 60.0


@pytest.fixture(scope="module")
def apertium() -> mt.Apertium:
    engine = mt.Apertium()
    if engine.executable is None:
        pytest.skip("apertium is not installed (apt-get install apertium apertium-eng-spa)")
    if not engine.supports("en", "es"):
        pytest.skip("Apertium's eng-spa mode is not installed (apt-get install apertium-eng-spa)")
    return engine


def fake_engine(tmp_path: Path, script: str) -> Path:
    """An executable ``apertium`` in tmp_path that runs ``script`` in /bin/sh."""
    path = tmp_path / "apertium"
    path.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def markers(text: str) -> list[str]:
    return re.findall(r"\{\d+\}|\[\d+\]", text)


# --- Real Apertium ---------------------------------------------------------------------------


def test_translates_english_into_spanish(apertium: mt.Apertium) -> None:
    assert "Hola" in (apertium.translate("Hello world", "en", "es", SLOW) or "")


def test_installed_pairs_are_named_in_bcp_47(apertium: mt.Apertium) -> None:
    pairs = apertium.pairs()
    assert ("en", "es") in pairs
    assert all("_" not in code and len(code.split("-")[0]) in (2, 3) for p in pairs for code in p)


def test_placeholders_and_footnote_markers_survive_in_order(apertium: mt.Apertium) -> None:
    source = "John's {1} dog reads [the red book]{2} and the note[1] about {3}."
    suggestion = apertium.translate(source, "en", "es", SLOW)
    assert suggestion is not None
    assert markers(suggestion) == markers(source) == ["{1}", "{2}", "[1]", "{3}"]
    assert "]{2}" in suggestion  # the link keeps its [text]{2} shape
    assert "perro" in suggestion


def test_code_spans_urls_and_hard_breaks_are_left_as_they_are(apertium: mt.Apertium) -> None:
    source = "Run `git commit --only` to save the file.\nRead https://example.org/save/file now."
    suggestion = apertium.translate(source, "en", "es", SLOW)
    assert suggestion is not None
    assert "`git commit --only`" in suggestion
    assert "https://example.org/save/file" in suggestion
    assert suggestion.count("\n") == 1


def test_unknown_words_are_not_marked(apertium: mt.Apertium) -> None:
    suggestion = apertium.translate("The grobnitz of the zorbulators is red.", "en", "es", SLOW)
    assert suggestion is not None
    assert "grobnitz" in suggestion
    assert "*" not in suggestion


def test_a_regional_code_uses_its_language_mode(apertium: mt.Apertium) -> None:
    assert apertium.supports("en-GB", "es-MX")
    assert "Hola" in (apertium.translate("Hello world", "en-GB", "es-MX", SLOW) or "")


def test_a_pair_that_is_not_installed_gets_no_suggestion(apertium: mt.Apertium) -> None:
    missing = next(
        code for code in ("de", "fi", "sw", "haw") if ("en", code) not in apertium.pairs()
    )
    assert not apertium.supports("en", missing)
    assert apertium.translate("Hello world", "en", missing, SLOW) is None


@pytest.mark.parametrize(("source", "target"), [("en", "xx"), ("en", "not a code"), ("es", "es")])
def test_codes_that_name_no_installed_pair_get_no_suggestion(
    apertium: mt.Apertium, source: str, target: str
) -> None:
    assert not apertium.supports(source, target)
    assert apertium.translate("Hello world", source, target, SLOW) is None


def test_a_warm_segment_takes_well_under_the_default_timeout(apertium: mt.Apertium) -> None:
    apertium.translate("Warm up.", "en", "es", SLOW)
    started = time.monotonic()
    assert apertium.translate("The volunteers translate the article.", "en", "es", SLOW)
    assert time.monotonic() - started < 5


# --- Fake engines: real subprocesses ------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "Hello world",
        "Read [the book]{1} now.[1]",
        "Read {1} and the note[1].",
        "{1}{2} and [12] then {3}",
        "Odd characters: \\ ^ $ / @ < > * # + | [ ] { } ~~struck~~ and a ~ tilde.",
        "Code `a[0] = {x}` and &copy; 2024 &#169; &#xA9;",
        "A hard break\nand the next line",
        "  Leading and trailing space  ",
        "Ends with a placeholder {1}",
        "Ends with a period.",
        "See https://example.org/a?b=c#d, then [^note].",
        "Unicode: señor, 日本語, עברית, emoji 🎉.",
    ],
)
def test_the_stream_format_gives_back_what_it_was_given(tmp_path: Path, source: str) -> None:
    echo = mt.Apertium(fake_engine(tmp_path, "cat"), modes=["eng-spa"])
    assert echo.translate(source, "en", "es", 10) == source


@pytest.mark.parametrize(
    "script",
    [
        r"sed 's/\[\\{1\\}\]//'",  # a placeholder lost
        r"sed 's/\[\\{1\\}\]/[\\{1\\}][\\{1\\}]/'",  # a placeholder twice
        r"sed 's/\[\\{1\\}\]\(.*\)\[\\\[1\\\]\]/[\\[1\\]]\1[\\{1\\}]/'",  # their order swapped
        r"sed 's/\[\\{1\\}\]/\\{1\\}/'",  # no longer a blank: its text could be anything
        "head -c 12",  # cut short
        "cat; echo 'extra words'",  # words after the end
        "printf 'no blanks at all'",
        "printf '\\377\\376 not UTF-8'",
    ],
)
def test_an_answer_that_breaks_a_placeholder_is_no_suggestion(tmp_path: Path, script: str) -> None:
    engine = mt.Apertium(fake_engine(tmp_path, script), modes=["eng-spa"])
    assert engine.translate("Read {1} and the note[1].", "en", "es", 10) is None


def test_a_hanging_engine_is_stopped_at_the_timeout(tmp_path: Path) -> None:
    pid_file = tmp_path / "sleep.pid"
    # The script stands for apertium's pipeline: a shell whose child holds the output open.
    script = f"sleep 30 & echo $! > {pid_file}\nwait"
    engine = mt.Apertium(fake_engine(tmp_path, script), modes=["eng-spa"])
    started = time.monotonic()
    assert engine.translate("Hello world", "en", "es", 0.5) is None
    elapsed = time.monotonic() - started
    assert 0.5 <= elapsed < 3
    assert gone(int(pid_file.read_text()))


def gone(pid: int, within: float = 5) -> bool:
    """True once ``pid`` has exited (a zombie waiting for init to reap it counts)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


def test_a_failing_engine_is_no_suggestion(tmp_path: Path) -> None:
    script = "echo 'Error: Mode eng-spa does not exist' >&2; exit 1"
    engine = mt.Apertium(fake_engine(tmp_path, script), modes=["eng-spa"])
    assert engine.translate("Hello world", "en", "es", 10) is None


def test_installed_modes_are_read_from_apertium_l(tmp_path: Path) -> None:
    listing = "  eng-spa\n  spa-eng_US\n  por-cat\n  cat_valencia-spa\n  eng-spa-debug\n  xxx-yyy\n"
    script = f'[ "$1" = -l ] && printf "{listing}"'
    engine = mt.Apertium(fake_engine(tmp_path, script))
    assert engine.pairs() == {("en", "es"), ("es", "en-US"), ("pt", "ca")}
    assert engine.supports("es", "en-US")
    assert engine.supports("es", "en-US")
    assert not engine.supports("es", "en-GB")  # a region never stands for another
    assert not engine.supports("ca", "es")  # only cat_valencia-spa, which no code names


def test_a_hanging_mode_listing_gives_no_pairs(tmp_path: Path) -> None:
    engine = mt.Apertium(fake_engine(tmp_path, "exec sleep 30"), list_timeout=0.5)
    started = time.monotonic()
    assert engine.pairs() == set()
    assert not engine.supports("en", "es")
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("executable", ["missing", "not-executable"])
def test_no_apertium_means_no_pairs_and_no_suggestion(tmp_path: Path, executable: str) -> None:
    (tmp_path / "not-executable").write_text("#!/bin/sh\ncat\n", encoding="utf-8")
    engine = mt.Apertium(tmp_path / executable)
    assert engine.executable is None
    assert engine.pairs() == set()
    assert engine.translate("Hello world", "en", "es", 10) is None


def test_an_engine_that_cannot_start_is_no_suggestion(tmp_path: Path) -> None:
    engine = mt.Apertium(fake_engine(tmp_path, "cat"), modes=["eng-spa"])
    os.remove(tmp_path / "apertium")
    assert engine.translate("Hello world", "en", "es", 10) is None


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_blank_text_is_no_suggestion(tmp_path: Path, text: str) -> None:
    engine = mt.Apertium(fake_engine(tmp_path, "cat"), modes=["eng-spa"])
    assert engine.translate(text, "en", "es", 10) is None


# --- Choosing a backend --------------------------------------------------------------------


def test_no_engine_supports_nothing() -> None:
    engine = mt.NoEngine()
    assert engine.pairs() == set()
    assert not engine.supports("en", "es")
    assert engine.translate("Hello world", "en", "es", 5) is None


def test_backend_by_name() -> None:
    assert isinstance(mt.backend("off"), mt.NoEngine)
    assert isinstance(mt.backend("apertium"), mt.Apertium)
    with pytest.raises(ValueError, match="no machine translation backend 'deepl'"):
        mt.backend("deepl")


@pytest.mark.parametrize("engine", [mt.NoEngine(), mt.Apertium(modes=["eng-spa"])])
@pytest.mark.parametrize("timeout", [0, -1.0])
def test_a_timeout_must_be_positive(engine: mt.Backend, timeout: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        engine.translate("Hello world", "en", "es", timeout)


def test_the_settings_name_a_backend_and_a_timeout() -> None:
    values = load({})
    assert (values["MT"], values["MT_TIMEOUT"]) == ("apertium", 5.0)
    assert isinstance(mt.backend(load({"CHORUS_MT": "off"})["MT"]), mt.NoEngine)
    assert load({"CHORUS_MT_TIMEOUT": "0.5"})["MT_TIMEOUT"] == 0.5


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CHORUS_MT", "deepl"),
        ("CHORUS_MT", ""),
        ("CHORUS_MT_TIMEOUT", "0"),
        ("CHORUS_MT_TIMEOUT", "-1"),
        ("CHORUS_MT_TIMEOUT", "nan"),
        ("CHORUS_MT_TIMEOUT", "inf"),
        ("CHORUS_MT_TIMEOUT", "soon"),
    ],
)
def test_bad_settings_are_one_line_errors(name: str, value: str) -> None:
    with pytest.raises(ChorusError, match=rf"^{name}="):
        load({name: value})
