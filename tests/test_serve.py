"""``chorus serve``: gunicorn with several workers serves the pages, the editor's assets and the
API, and a session made by one worker is good in every other (one generated signing key)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tests.conftest import SEED_SLUG

CHORUS = str(Path(sys.executable).parent / "chorus")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait(url: str, deadline: float) -> None:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return
        # A worker still booting (the app imported under load) may answer late: a read
        # timeout is one more try, like a refused connection, until the deadline.
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_serve_runs_several_workers_sharing_one_session_key(content: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CHORUS_CONTENT_DIR": str(content),
        "CHORUS_DATABASE_URL": f"sqlite:///{tmp_path / 'chorus.db'}",
        "CHORUS_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.db'}",
    }
    env.pop("CHORUS_SECRET_KEY", None)
    subprocess.run(
        [CHORUS, "init", "--admin", "boss", "--password-stdin"],
        input="a long password\n",
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [CHORUS, "serve", "--port", str(port), "--workers", "3"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait(f"{base}/", time.monotonic() + 60)
        for path in (f"/articles/{SEED_SLUG}/es", "/static/editor.js", "/openapi.json"):
            with urllib.request.urlopen(base + path, timeout=10) as answer:
                assert answer.status == 200, path
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = browser.open(f"{base}/signin", timeout=10).read().decode()
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        form = {"csrf_token": csrf, "name": "boss", "password": "a long password"}
        browser.open(f"{base}/signin", urllib.parse.urlencode(form).encode(), timeout=10)
        # Each request may land on any of the three workers: all must accept the session.
        for _ in range(12):
            with browser.open(f"{base}/api/v1/whoami", timeout=10) as answer:
                assert answer.status == 200
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert "Traceback" not in errors, errors
