"""Benchmark translation-memory suggestions (``service.memory.suggestions``) on a large memory.

A scratch content folder (own git repository, SQLite) gets 100,000 memory entries in one
language (``fr``), as a TMX import stores them: English sentences of 5 to 43 words made by a
small grammar (subject, verb, object, optional place, time and subordinate clause) from a
word list of about 270 common English words, each with a stand-in translation (every word
replaced by a made-up one, so translations differ as their sources do). 100 query segments:
40 sources taken from the memory (exact), 40 with one or two words replaced, inserted or
deleted (near), 20 new sentences of other words (unrelated). Times (time.perf_counter), each
call on a fresh session, as a request is: the first call of the process (cold: the
fingerprint query and building the per-process memory), then one call per query (warm:
median and p95), and the fingerprint query alone (median of 21).

Every query's suggestions are checked against the slow way (every entry scored in Python
with ``fuzz.ratio``, sorted by ratio, then translation and source): equal lists. An exact
query must come first with score 100 and ``exact``; a near one must find its original.

Exits 1 when a check fails, or (at full size) when the warm p95 is over 50 ms.
``--quick`` uses 2,000 entries and checks correctness only.

Usage: python bench/memory_bench.py [--entries N] [--quick]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import rapidfuzz
from rapidfuzz import fuzz

from service import create_app, memory
from service.db import db, upgrade
from service.models import MemoryEntry, utcnow

SEED = 20261207
ENTRIES, QUICK_ENTRIES = 100_000, 2_000
EXACT, NEAR, UNRELATED = 40, 40, 20
LIMIT_MS = 50.0
FINGERPRINT_RUNS = 21
LANGUAGE = "fr"


def word_list(text: str) -> list[str]:
    return text.split()


WORDS = {
    "determiner": word_list("the a this that every each our their your some"),
    "adjective": word_list(
        "new old local national small large public private early late young senior annual "
        "regional open final main free social digital common short long strong clear simple "
        "important different recent current general special former full major key human "
        "quiet busy careful rural urban weekly daily monthly online printed useful difficult"
    ),
    "noun": word_list(
        "committee volunteer article budget meeting report council school teacher student "
        "project office team member leader community city village road bridge library "
        "newsletter translation language editor reader writer family child parent doctor "
        "hospital nurse farmer market company worker manager policy plan program course "
        "event workshop festival season year month week morning evening museum garden park "
        "station train bus ticket question answer letter message story history book page "
        "picture camera computer website network phone email account password training "
        "lesson exam result decision proposal agreement contract law court election vote "
        "government minister mayor partner donor grant fund river forest mountain "
        "weather storm summer winter harvest kitchen recipe dinner guest speaker audience"
    ),
    "verb": word_list(
        "approved reviewed published translated shared opened closed visited organised "
        "planned changed improved supported discussed prepared finished started welcomed "
        "announced explained described presented funded built repaired cleaned painted "
        "collected delivered checked signed wrote read sent received answered asked "
        "invited thanked helped trained chose needed found lost moved followed joined left "
        "met watched heard covered updated recorded measured counted compared tested"
    ),
    "adverb": word_list(
        "quickly slowly carefully finally recently already again together quietly clearly "
        "openly easily gladly warmly"
    ),
    "preposition": word_list("in at near behind beside across through during after before"),
    "time": [
        "yesterday",
        "today",
        "last week",
        "last month",
        "this morning",
        "every year",
        "on Monday",
        "on Friday",
        "in the spring",
        "in the autumn",
        "after the holidays",
        "before noon",
    ],
    "conjunction": word_list("because although while before after when since unless"),
}
OTHER_WORDS = word_list(
    "kernel compiler thread mutex socket buffer pointer register cache vector matrix "
    "tensor gradient lambda closure monad functor parser lexer token syntax bytecode "
    "opcode assembler linker loader heap stack queue graph node edge vertex hash digest"
)


def noun_phrase(rng: random.Random) -> list[str]:
    words = [rng.choice(WORDS["determiner"])]
    if rng.random() < 0.6:
        words.append(rng.choice(WORDS["adjective"]))
    return [*words, rng.choice(WORDS["noun"])]


def clause(rng: random.Random) -> list[str]:
    words = noun_phrase(rng)
    if rng.random() < 0.3:
        words.append(rng.choice(WORDS["adverb"]))
    words += [rng.choice(WORDS["verb"]), *noun_phrase(rng)]
    if rng.random() < 0.5:
        words += [rng.choice(WORDS["preposition"]), *noun_phrase(rng)]
    if rng.random() < 0.4:
        words += rng.choice(WORDS["time"]).split()
    return words


def sentence(rng: random.Random) -> str:
    """A sentence of 5 to 43 words: a clause, sometimes more joined to it."""
    words = clause(rng)
    while rng.random() < 0.45 and len(words) < 28:
        words += [rng.choice(WORDS["conjunction"]), *clause(rng)]
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice("....!?")


def unrelated(rng: random.Random) -> str:
    words = rng.choices(OTHER_WORDS, k=rng.randint(6, 20))
    return " ".join(words).capitalize() + "."


def stand_in(rng: random.Random) -> dict[str, str]:
    """A made-up 'French' word for every word of the list."""
    syllables = [c + v for c in "bcdfgjlmnprstv" for v in ("a", "e", "i", "o", "ou", "é")]
    every = {w for group in WORDS.values() for phrase in group for w in phrase.split()}
    return {w: "".join(rng.choices(syllables, k=rng.randint(1, 4))) for w in sorted(every)}


def translate(source: str, dictionary: dict[str, str]) -> str:
    words = source[:-1].split()
    text = " ".join(dictionary.get(w.lower(), w) for w in words)
    return text[0].upper() + text[1:] + source[-1]


def edit(rng: random.Random, source: str) -> str:
    """One or two words replaced, inserted or deleted."""
    words = source[:-1].split()
    for _ in range(rng.choice([1, 2])):
        at = rng.randrange(len(words))
        action = rng.choice(["replace", "insert", "delete"]) if len(words) > 4 else "replace"
        new = rng.choice(WORDS["adjective"] + WORDS["noun"])
        if action == "replace":
            words[at] = new if new != words[at] else new + "s"
        elif action == "insert":
            words.insert(at, new)
        else:
            del words[at]
    text = " ".join(words)
    return text[0].upper() + text[1:] + source[-1]


def slow_way(query: str, pairs: list[tuple[str, str]], limit: int = 5) -> list[tuple[str, str]]:
    """The contract spelled out: every pair scored in Python, best ratio first, then text."""
    wanted = memory.normalise(query)
    scored = []
    for source, target in pairs:
        ratio = fuzz.ratio(wanted, memory.normalise(source))
        if ratio >= memory.CUTOFF:
            scored.append((-ratio, target, source))
    scored.sort()
    return [(source, target) for _, target, source in scored[:limit]]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def milliseconds(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=ENTRIES)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ENTRIES:,} entries")
    arguments = parser.parse_args()
    size = QUICK_ENTRIES if arguments.quick else arguments.entries
    rng, load = random.Random(SEED), os.getloadavg()[0]
    dictionary = stand_in(rng)
    sources: dict[str, None] = {}
    while len(sources) < size:
        sources.setdefault(sentence(rng))
    pairs = [(source, translate(source, dictionary)) for source in sources]
    exact = rng.sample([source for source, _ in pairs], EXACT)
    near = [(original, edit(rng, original)) for original in rng.sample(list(sources), NEAR)]
    queries = (
        [("exact", q, q) for q in exact]
        + [("near", q, original) for original, q in near if q not in sources]
        + [("unrelated", unrelated(rng), None) for _ in range(UNRELATED)]
    )
    rng.shuffle(queries)
    failures: list[str] = []

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        subprocess.run(["git", "init", "-q", name], check=True)
        (folder / "source").mkdir()
        settings = {"CONTENT_DIR": folder, "DATABASE_URL": f"sqlite:///{folder}/bench.db"}
        settings |= {"QUEUE_URL": f"sqlite:///{folder}/queue.db", "SECRET_KEY": "bench"}
        with create_app(settings).app_context():
            upgrade()
            now = utcnow()
            rows = [
                {"language": LANGUAGE, "source": s, "target": t, "origin": "bench.tmx"}
                | {"created_at": now}
                for s, t in pairs
            ]
            db.session.execute(MemoryEntry.__table__.insert(), rows)
            db.session.commit()
            db.session.remove()

            start = time.perf_counter()
            memory.suggestions(LANGUAGE, queries[0][1])  # cold: builds the per-process memory
            cold = time.perf_counter() - start
            db.session.remove()
            warm, found = [], []
            for _, query, _ in queries:
                start = time.perf_counter()
                result = memory.suggestions(LANGUAGE, query)
                warm.append(time.perf_counter() - start)
                db.session.remove()
                found.append(result)
            fingerprints = []
            for _ in range(FINGERPRINT_RUNS):
                start = time.perf_counter()
                memory._fingerprint(LANGUAGE)
                fingerprints.append(time.perf_counter() - start)
                db.session.remove()

    wrong: dict[str, int] = {"exact": 0, "near": 0, "unrelated": 0}
    differ = 0
    for (kind, query, original), result in zip(queries, found, strict=True):
        if [(m.source, m.translation) for m in result] != slow_way(query, pairs):
            differ += 1
        first = result[0] if result else None
        if kind == "exact":
            ok = first is not None and (first.score, first.exact, first.source) == (
                100,
                True,
                query,
            )
        elif kind == "near":
            ok = any(m.source == original and 50 <= m.score < 100 for m in result)
        else:
            ok = not any(m.exact for m in result)
        wrong[kind] += not ok
    kinds = {kind: sum(q[0] == kind for q in queries) for kind in wrong}
    if any(wrong.values()):
        failures.append(f"wrong suggestions: {wrong}")
    if differ:
        failures.append(f"{differ} of {len(queries)} queries differ from the slow way")
    median, p95 = statistics.median(warm), percentile(warm, 0.95)
    full_size = size >= ENTRIES and not arguments.quick
    met = p95 * 1000 <= LIMIT_MS
    if full_size and not met:
        failures.append(f"warm p95 {p95 * 1000:.1f} ms is over {LIMIT_MS:.0f} ms")

    target = ("met" if met else "MISSED") if full_size else "not checked below full size"
    characters = statistics.mean(len(source) for source, _ in pairs)
    words = statistics.mean(len(source.split()) for source, _ in pairs)
    machine = (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, RapidFuzz "
        f"{rapidfuzz.__version__}; load {load:.1f} -> {os.getloadavg()[0]:.1f}"
    )
    checks = ", ".join(f"{kinds[k] - wrong[k]}/{kinds[k]} {k}" for k in kinds)
    print("| measure | value |\n|---|---|")
    for what, value in [
        ("memory entries (one language)", f"{size:,}, {words:.1f} words / {characters:.0f} chars"),
        ("queries", ", ".join(f"{kinds[k]} {k}" for k in kinds)),
        ("suggestions as expected", checks),
        ("suggestions equal to the slow way's", "yes" if not differ else f"NO ({differ})"),
        (f"target: warm p95 <= {LIMIT_MS:.0f} ms", target),
        ("machine", machine),
    ]:
        print(f"| {what} | {value} |")
    print("\n| what | time |\n|---|---|")
    for what, seconds in [
        ("cold: first call (fingerprint, building the memory, the match)", cold),
        (f"warm: median of {len(warm)} calls, one per query", median),
        ("warm: p95", p95),
        ("warm: slowest", max(warm)),
        (
            f"the fingerprint query alone (median of {FINGERPRINT_RUNS})",
            statistics.median(fingerprints),
        ),
    ]:
        print(f"| {what} | {milliseconds(seconds)} |")
    if failures:
        print(f"\nFAILED: {'; '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
