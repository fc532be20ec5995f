"""Benchmark reading an article's coverage from Chorus's database against GNU msgfmt.

A scratch content folder (own git repository, SQLite) gets one article of 1,000 paragraphs (10%
with a link, so placeholders appear) and translations into 300 BCP 47 languages: per segment
70% translated, 10% approved, 10% outdated (with a previous source), 10% none; 2% of the texts
lose or gain a placeholder, so they fail a critical check. The coverage summary is built once,
as an import does, and the 300 PO catalogs are written as Chorus builds them (each must pass
``msgfmt -c``). Times (time.perf_counter): ``coverage.article_coverage`` and ``all_articles``
(median of 21 after a warm-up, each on a fresh session, as a request is); ``msgfmt --statistics
-o /dev/null FILE`` over the 300 files, one process per file in turn (median of 3); the slow way
of before the summary, every row loaded and every check run (median of 3); and what keeping the
summary costs: ``coverage.recount`` of one language (a save; median of 21) and of all of them
(a re-import; median of 5), rolled back.

Exits 1 when Chorus's counts differ from the slow way's or msgfmt's, when a catalog fails
``msgfmt -c``, or (at full size) when ``article_coverage`` is not 100x faster than msgfmt.

Usage: python bench/coverage_bench.py [--languages N] [--segments N] [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from babel.localedata import locale_identifiers

from service import coverage, create_app, importing, queries
from service.catalogs import build
from service.content import Content
from service.core import catalog, checks, languages, stats
from service.core.errors import LanguageError
from service.core.stats import State
from service.db import db, upgrade
from service.models import Article, Segment, Translation, utcnow

SEED = 20261124
LANGUAGES, SEGMENTS = 300, 1_000
LINKED, CRITICAL = 0.10, 0.02
STATES, WEIGHTS = [State.TRANSLATED, State.APPROVED, State.OUTDATED, State.EMPTY], [7, 1, 1, 1]
FAST_RUNS, SLOW_RUNS, RECOUNT_RUNS = 21, 3, 5
TARGET = 100
PLACEHOLDER = re.compile(r"(\{\d+\})")
COLUMNS = ("segment_id", "language", "text", "state", "previous_source", "critical")
Action = Callable[[], Any]
Found = dict[str, tuple[dict[State, int], dict[State, int], int]]


def paragraph(rng: random.Random, words: list[str], number: int) -> str:
    chosen = [rng.choice(words) for _ in range(rng.randint(8, 40))]
    if rng.random() < LINKED:
        at = rng.randrange(len(chosen) - 2)
        chosen[at : at + 2] = [f"[{chosen[at]} {chosen[at + 1]}](https://example.org/{number})"]
    return " ".join(chosen).capitalize() + rng.choice("....?!")


def language_codes(count: int) -> list[str]:
    """``count`` distinct canonical codes: plain languages first, then with script or region."""
    found = set()
    for identifier in locale_identifiers():
        with contextlib.suppress(LanguageError):
            found.add(languages.get(identifier).code)
    if len(found) < count:
        raise SystemExit(f"only {len(found)} language codes known to CLDR")
    return sorted(found, key=lambda code: (code.count("-"), code))[:count]


def translate(source: str, cipher: dict[int, int], rng: random.Random) -> str:
    """A stand-in translation: letters enciphered, placeholders kept; 2% lose or gain one."""
    parts = PLACEHOLDER.split(source)
    text = "".join(p if PLACEHOLDER.fullmatch(p) else p.translate(cipher) for p in parts)
    if rng.random() < CRITICAL:
        text = text.replace("{1}", "") if "{1}" in text else text + " {1}"
    return text


def populate(segments: list[Segment], codes: list[str], rng: random.Random) -> int:
    """Insert the translations in bulk, one insert per language; return how many rows."""
    now, total = utcnow(), 0
    for code in codes:
        shuffled = "".join(rng.sample(string.ascii_lowercase, 26))
        cipher = str.maketrans(string.ascii_letters, shuffled + shuffled.upper())
        rows = []
        drawn = rng.choices(STATES, WEIGHTS, k=len(segments))
        for segment, state in zip(segments, drawn, strict=True):
            if state is not State.EMPTY:
                text = translate(segment.source, cipher, rng)
                old = segment.source.rsplit(" ", 1)[0] + "." if state is State.OUTDATED else None
                critical = coverage.is_critical(segment.source, text)
                values = (segment.id, code, text, int(state), old, critical)
                rows.append({**dict(zip(COLUMNS, values, strict=True)), "updated_at": now})
        db.session.execute(Translation.__table__.insert(), rows)
        total += len(rows)
    return total


def slow_way(item: Article) -> Found:
    """Coverage counts as read before the summary: every row loaded, every check run."""
    segments = queries.segments(item)
    found: Found = {}
    for code in queries.started_languages(item):
        rows = queries.translations(item, code)
        pairs, critical = [], 0
        for segment in segments:
            row = rows.get(segment.id)
            pairs.append((State(row.state) if row else State.EMPTY, segment.words))
            critical += bool(row and checks.has_critical(checks.run(segment.source, row.text)))
        counts = stats.count(pairs)
        found[code] = (dict(counts.segments), dict(counts.words), critical)
    return found


def run(*command: str) -> subprocess.CompletedProcess[str]:
    """A command's result; msgfmt reports in English."""
    environment = {**os.environ, "LC_ALL": "C"}
    return subprocess.run(command, capture_output=True, text=True, env=environment)


def msgfmt_agrees(report: str, counts: tuple[dict[State, int], Any, Any]) -> bool:
    """Whether ``msgfmt --statistics`` counted what Chorus did (translated, fuzzy, untranslated)."""
    found = [re.search(rf"(\d+) {word}", report) for word in ("transl", "fuzzy", "untransl")]
    done = counts[0][State.TRANSLATED] + counts[0][State.APPROVED]
    expected = [done, counts[0][State.OUTDATED], counts[0][State.EMPTY]]
    return [int(match.group(1)) if match else 0 for match in found] == expected


def timed(action: Action, runs: int, before: Action, warm: bool = True) -> tuple[float, Any]:
    """(median seconds of ``runs`` calls, the last result); ``before`` runs untimed each time."""
    if warm:
        before()
        action()
    times, result = [], None
    for _ in range(runs):
        before()
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    before()
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--languages", type=int, default=LANGUAGES)
    parser.add_argument("--segments", type=int, default=SEGMENTS)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 20 languages x 100")
    arguments = parser.parse_args()
    count, size = (20, 100) if arguments.quick else (arguments.languages, arguments.segments)
    if shutil.which("msgfmt") is None:
        print("FAILED: GNU msgfmt is not on PATH", file=sys.stderr)
        return 1
    rng, load = random.Random(SEED), os.getloadavg()[0]
    failures: list[str] = []

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        run("git", "init", "-q", name)
        (folder / "source").mkdir()
        syllables = [consonant + vowel for consonant in "bdfgklmnprstvz" for vowel in "aeiou"]
        words = ["".join(rng.choices(syllables, k=rng.randint(1, 4))) for _ in range(2_000)]
        text = "\n\n".join(paragraph(rng, words, n) for n in range(size)) + "\n"
        (folder / "source" / "bench.md").write_text(text, encoding="utf-8")
        settings = {"CONTENT_DIR": folder, "DATABASE_URL": f"sqlite:///{folder}/bench.db"}
        settings |= {"QUEUE_URL": f"sqlite:///{folder}/queue.db", "SECRET_KEY": "bench"}
        with create_app(settings).app_context() as context:
            upgrade()
            content = Content.from_config(context.app.config)
            importing.import_article(content, "bench")
            item = queries.article("bench")
            article_id, segments = item.id, queries.segments(item)
            codes = language_codes(count)
            rows = populate(segments, codes, rng)
            coverage.recount(db.session, article_id)  # what the import and save paths do
            db.session.commit()

            def article() -> Article:
                return db.session.get(Article, article_id)

            paths = [folder / f"{languages.get(code).gettext}.po" for code in codes]
            for code, path in zip(codes, paths, strict=True):
                built = build(content, article(), code, versions=False)
                path.write_text(catalog.dumps(built), encoding="utf-8")
                db.session.expunge_all()
                checked = run("msgfmt", "-c", "-o", os.devnull, str(path))
                if checked.returncode:
                    failures.append(f"msgfmt -c {path.name}: {checked.stderr.strip()}")

            fresh, undo, code = db.session.close, db.session.rollback, codes[len(codes) // 2]
            fast, _ = timed(lambda: coverage.article_coverage(article()), FAST_RUNS, fresh)
            every, _ = timed(coverage.all_articles, FAST_RUNS, fresh)
            command = ["msgfmt", "--statistics", "-o", os.devnull]
            loop, reports = timed(
                lambda: [run(*command, str(p)).stderr for p in paths], SLOW_RUNS, fresh, False
            )
            slow_seconds, slow = timed(lambda: slow_way(article()), SLOW_RUNS, fresh, False)
            one, _ = timed(lambda: coverage.recount(db.session, article_id, code), FAST_RUNS, undo)
            full, _ = timed(lambda: coverage.recount(db.session, article_id), RECOUNT_RUNS, undo)

            statuses = coverage.article_coverage(article()).languages
            found = {
                s.code: (dict(s.counts.segments), dict(s.counts.words), s.critical)
                for s in statuses
            }
            words_total = sum(segment.words for segment in segments)
            megabytes = sum(path.stat().st_size for path in paths) / 1e6
    differ = sorted(c for c in set(found) | set(slow) if found.get(c) != slow.get(c))
    pairs = zip(codes, reports, strict=True)
    wrong = [c for c, report in pairs if c not in found or not msgfmt_agrees(report, found[c])]
    if differ:
        failures.append(f"article_coverage differs from the slow way in {differ[:5]}")
    if wrong:
        failures.append(f"msgfmt's counts differ from Chorus's in {wrong[:5]}")
    full_size, met = count >= LANGUAGES and size >= SEGMENTS, loop / fast >= TARGET
    if full_size and not met:
        failures.append(f"article_coverage is {loop / fast:.0f}x faster than msgfmt, not {TARGET}x")

    critical = sum(value[2] for value in found.values())
    equal = f"{'NO' if differ else 'yes'} / {'NO' if wrong else 'yes'}"
    target = ("met" if met else "MISSED") if full_size else "not checked below full size"
    gettext = run("msgfmt", "--version").stdout.splitlines()[0]
    machine = f"{os.cpu_count()} cores, Python {platform.python_version()}, "
    machine += (
        f"SQLite {sqlite3.sqlite_version}, {gettext}; load {load:.1f} -> {os.getloadavg()[0]:.1f}"
    )
    print("| measure | value |\n|---|---|")
    for what, value in [
        ("article", f"{len(segments)} segments, {words_total} words"),
        ("languages", f"{len(codes)} ({codes[0]} ... {codes[-1]})"),
        ("translation rows / failing a critical check", f"{rows} / {critical}"),
        ("PO files, all passing `msgfmt -c`", f"{len(paths)}, {megabytes:.1f} MB"),
        ("counts equal to the slow way's / to msgfmt's", equal),
        (f"target: `article_coverage` >= {TARGET}x faster than msgfmt", target),
        ("machine", machine),
    ]:
        print(f"| {what} | {value} |")
    print("\n| what | median | vs msgfmt |\n|---|---|---|")
    for what, seconds, compared in [
        (f"Chorus `article_coverage`, 1 article x {len(codes)} languages", fast, True),
        ("Chorus `all_articles` (that one article)", every, True),
        (f"`msgfmt --statistics`, {len(paths)} processes in turn", loop, False),
        ("the slow way (every row loaded, every check run)", slow_seconds, True),
        ("`recount` of one language (paid by a save)", one, False),
        (f"`recount` of all {len(codes)} languages (paid by a re-import)", full, False),
    ]:
        ratio = loop / seconds
        versus = f"{ratio:.0f}x faster" if ratio >= 1 else f"{1 / ratio:.1f}x slower"
        median = f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:.1f} ms"
        print(f"| {what} | {median} | {versus if compared else '-'} |")
    if failures:
        print(f"\nFAILED: {'; '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
