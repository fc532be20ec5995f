"""The benchmarks still run and their cross-checks hold: coverage (counts equal to the slow
way's and to msgfmt's, on a small article) and memory (suggestions equal to the slow way's, on
2,000 entries); the speed figures live in docs/benchmarks.md."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[1] / "bench" / "coverage_bench.py"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
def test_the_coverage_benchmark_cross_checks_its_counts() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--quick"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| counts equal to the slow way's / to msgfmt's | yes / yes |" in result.stdout


MEMORY_BENCH = Path(__file__).parents[1] / "bench" / "memory_bench.py"


def test_the_memory_benchmark_cross_checks_its_suggestions() -> None:
    """On 2,000 entries: every exact query first with 100, every near one finding its original,
    and every list equal to the slow way's (each entry scored in Python)."""
    result = subprocess.run(
        [sys.executable, str(MEMORY_BENCH), "--quick"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| suggestions as expected | 40/40 exact, 40/40 near, 20/20 unrelated |" in result.stdout
    assert "| suggestions equal to the slow way's | yes |" in result.stdout
