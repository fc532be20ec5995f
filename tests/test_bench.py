"""The coverage benchmark still runs and its cross-checks hold (counts equal to the slow way's
and to msgfmt's), on a small article; the speed figures live in docs/benchmarks.md."""

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
