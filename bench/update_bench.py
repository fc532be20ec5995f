"""Benchmark service.core.update.plan on a large article with a realistic set of changes.

Builds 10,000 distinct segments (sentences of 8 to 60 words from a seeded vocabulary of
3,000 made-up words), then a new version with 5% of the segments edited (one or two words
changed, or a typo), 2% deleted and 2% inserted. Times ``plan`` (best and median of 3 runs),
checks every segment came out as expected, and prints a Markdown table.

Exits 1 when a count is off or the best time is above 2.0 s.

With ``--peers`` (and GNU ``msgmerge`` on PATH) it also times ``msgmerge --previous`` on the
same versions written as a PO catalog and a POT template, with a 300 s timeout.

Usage: python bench/update_bench.py [--peers]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.core.update import Known, Plan, Status, plan

SEED = 20240611
SEGMENTS = 10_000
VOCABULARY = 3_000
EDITED, DELETED, INSERTED = 0.05, 0.02, 0.02
RUNS = 3
LIMIT_SECONDS = 2.0
PEER_TIMEOUT = 300


@dataclass(frozen=True)
class Scenario:
    """An old and a new version of an article, and what matching should find."""

    known: list[Known]
    sources: list[str]
    kept: dict[int, int]  # new position -> id it keeps unchanged
    edited: dict[int, Known]  # new position -> the known segment it edits
    inserted: set[int]  # new positions of inserted sentences
    deleted: set[int]  # ids of deleted segments


def vocabulary(rng: random.Random) -> list[str]:
    onsets = [*"bcdfghjklmnprstvwz", "br", "ch", "dr", "gl", "pl", "sh", "st", "th", "tr"]
    vowels = [*"aeiou", "ai", "ea", "ou"]
    words: set[str] = set()
    while len(words) < VOCABULARY:
        syllables = rng.choices([1, 2, 3, 4], weights=[2, 5, 3, 1])[0]
        words.add("".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(syllables)))
    return sorted(words)


def sentence(rng: random.Random, words: list[str]) -> str:
    chosen = [rng.choice(words) for _ in range(rng.randint(8, 60))]
    for index in range(3, len(chosen) - 1, 9):
        if rng.random() < 0.4:
            chosen[index] += ","
    chosen[0] = chosen[0].capitalize()
    return " ".join(chosen) + rng.choice(".....?!")


def typo(rng: random.Random, word: str) -> str:
    at = rng.randrange(len(word) - 1)
    kind = rng.choice(["swap", "drop", "double"])
    if kind == "swap":
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    if kind == "drop":
        return word[:at] + word[at + 1 :]
    return word[:at] + word[at] + word[at:]


def edit(rng: random.Random, words: list[str], text: str) -> str:
    tokens = text.split(" ")
    kind = rng.choice(["word", "words", "typo"])
    if kind == "typo":
        at = rng.choice([i for i, token in enumerate(tokens) if len(token) >= 3])
        tokens[at] = typo(rng, tokens[at])
    else:
        for at in rng.sample(range(1, len(tokens)), 2 if kind == "words" else 1):
            tokens[at] = rng.choice(words)
    return " ".join(tokens)


def scenario() -> Scenario:
    rng = random.Random(SEED)
    words = vocabulary(rng)
    texts: set[str] = set()
    old: list[str] = []
    while len(old) < SEGMENTS:
        text = sentence(rng, words)
        if text not in texts:
            texts.add(text)
            old.append(text)
    known = [Known(index + 1, text) for index, text in enumerate(old)]

    picked = rng.sample(range(SEGMENTS), int(SEGMENTS * (EDITED + DELETED)))
    to_edit = set(picked[: int(SEGMENTS * EDITED)])
    to_delete = set(picked[int(SEGMENTS * EDITED) :])
    insert_before: dict[int, int] = {}
    for at in rng.choices(range(SEGMENTS + 1), k=int(SEGMENTS * INSERTED)):
        insert_before[at] = insert_before.get(at, 0) + 1

    sources: list[str] = []
    kept: dict[int, int] = {}
    edited: dict[int, Known] = {}
    inserted: set[int] = set()

    def fresh(make: Callable[[], str]) -> str:
        while True:
            text = make()
            if text not in texts:
                texts.add(text)
                return text

    for index in range(SEGMENTS + 1):
        for _ in range(insert_before.get(index, 0)):
            inserted.add(len(sources))
            sources.append(fresh(lambda: sentence(rng, words)))
        if index == SEGMENTS or index in to_delete:
            continue
        if index in to_edit:
            edited[len(sources)] = known[index]
            sources.append(fresh(lambda i=index: edit(rng, words, old[i])))
        else:
            kept[len(sources)] = known[index].id
            sources.append(old[index])
    deleted = {known[index].id for index in to_delete}
    return Scenario(known, sources, kept, edited, inserted, deleted)


def check(case: Scenario, result: Plan) -> dict[str, int]:
    """Count the segments that came out as the scenario expects."""
    matches = result.matches
    highest = max(segment.id for segment in case.known)
    return {
        "kept": sum(
            matches[position].status is Status.UNCHANGED and matches[position].id == known_id
            for position, known_id in case.kept.items()
        ),
        "outdated": sum(
            matches[position].status is Status.OUTDATED
            and matches[position].id == segment.id
            and matches[position].previous == segment.source
            for position, segment in case.edited.items()
        ),
        "new": sum(
            matches[position].status is Status.NEW and matches[position].id > highest
            for position in case.inserted
        ),
        "obsolete": len(case.deleted & set(result.obsolete)),
        "wrongly obsolete": len(set(result.obsolete) - case.deleted),
    }


def peers(case: Scenario) -> list[str]:
    """Time GNU msgmerge on the same change; return table rows."""
    msgmerge = shutil.which("msgmerge")
    if msgmerge is None:
        return ["| msgmerge | not on PATH | | | | |"]
    import polib

    with tempfile.TemporaryDirectory() as folder:
        old_po, new_pot, merged = (Path(folder) / name for name in ("old.po", "new.pot", "out.po"))
        header = {"Content-Type": "text/plain; charset=UTF-8", "Language": "de"}
        catalog = polib.POFile(wrapwidth=0)
        catalog.metadata = header
        for segment in case.known:
            catalog.append(polib.POEntry(msgid=segment.source, msgstr="DE " + segment.source))
        catalog.save(str(old_po))
        template = polib.POFile(wrapwidth=0)
        template.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
        for source in case.sources:
            template.append(polib.POEntry(msgid=source, msgstr=""))
        template.save(str(new_pot))
        command = [msgmerge, "--quiet", "--previous", "-o", str(merged), str(old_po), str(new_pot)]
        start = time.perf_counter()
        try:
            subprocess.run(command, check=True, timeout=PEER_TIMEOUT, capture_output=True)
        except subprocess.TimeoutExpired:
            return [f"| msgmerge | timeout (> {PEER_TIMEOUT} s) | | | | |"]
        seconds = time.perf_counter() - start
        out = polib.pofile(str(merged))
        fuzzy = sum(1 for entry in out.fuzzy_entries() if not entry.obsolete)
        obsolete = len(out.obsolete_entries())
        return [
            f"| msgmerge | {seconds:.3f} | {len(out.translated_entries())} | {fuzzy} "
            f"| {len(out.untranslated_entries())} | {obsolete} |"
        ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peers", action="store_true", help="also time GNU msgmerge")
    arguments = parser.parse_args()

    case = scenario()
    times: list[float] = []
    result: Plan | None = None
    for _ in range(RUNS):
        start = time.perf_counter()
        result = plan(case.known, case.sources)
        times.append(time.perf_counter() - start)
    assert result is not None
    found = check(case, result)
    best, median = min(times), statistics.median(times)

    expected = {
        "kept": len(case.kept),
        "outdated": len(case.edited),
        "new": len(case.inserted),
        "obsolete": len(case.deleted),
    }
    rows = [
        ("segments", f"{len(case.known)} -> {len(case.sources)}"),
        ("edited", str(len(case.edited))),
        ("deleted", str(len(case.deleted))),
        ("inserted", str(len(case.inserted))),
        ("kept / expected", f"{found['kept']} / {expected['kept']}"),
        ("outdated / expected", f"{found['outdated']} / {expected['outdated']}"),
        ("new / expected", f"{found['new']} / {expected['new']}"),
        ("obsolete / expected", f"{found['obsolete']} / {expected['obsolete']}"),
        ("wrongly obsolete", str(found["wrongly obsolete"])),
        (f"seconds, best / median of {RUNS}", f"{best:.3f} / {median:.3f}"),
    ]
    print("| measure | value |")
    print("|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")

    if arguments.peers:
        print()
        print("| tool | seconds | translated | fuzzy | untranslated | obsolete |")
        print("|---|---|---|---|---|---|")
        counts = result.counts()
        print(
            f"| chorus plan | {best:.3f} | {counts['unchanged']} | {counts['outdated']} "
            f"| {counts['new']} | {counts['obsolete']} |"
        )
        for row in peers(case):
            print(row)

    failures = [name for name, value in expected.items() if found[name] != value]
    if found["wrongly obsolete"]:
        failures.append("wrongly obsolete")
    if best > LIMIT_SECONDS:
        failures.append(f"best time {best:.3f} s > {LIMIT_SECONDS} s")
    if failures:
        print(f"\nFAILED: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
