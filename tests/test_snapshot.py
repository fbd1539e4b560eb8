"""The snapshot recorder (tests/snapshot.py) is only useful if it is deterministic.

Two recordings of the same code, each in a process of its own with its own
SECRET_KEY (as a recording before and one after a restructuring would be),
must be byte for byte identical, and no recorded request may have failed.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from tests import snapshot

ROOT = Path(__file__).resolve().parent.parent


def start_recording(outdir: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver",
    )
    return subprocess.Popen(  # noqa: S603 - our own script, run by our own interpreter
        [sys.executable, "tests/snapshot.py", "record", str(outdir)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_recordings_are_identical_and_nothing_fails(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    running = [start_recording(first), start_recording(second)]  # side by side: half the time
    for process in running:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert out.startswith("Recorded "), out

    assert snapshot.compare(first, second) == []
    recorded = snapshot.statuses(first)
    assert len(recorded) > 200
    assert [name for name, status in recorded.items() if status >= 500] == []
    # The recording covers what it claims to: pages, downloads, the API, conditional GETs, the admin.
    requests = {path.read_text(errors="replace").partition("\n")[0] for path in first.glob("*.http")}
    for expected in (
        "GET /smarttrak/allowlisting-guide/",
        "GET /smarttrak/for-it/exchange-online.ps1",
        "GET /api/ip/3.93.157.24",
        "GET /admin/articles/searchquerylog/report/",
    ):
        assert expected in requests
    assert 304 in recorded.values()


def test_compare_names_every_differing_file(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    for directory in (first, second):
        (directory / "same.http").write_bytes(b"GET /\nStatus: 200\n\nbody")
    (first / "changed.http").write_bytes(b"GET /a\nStatus: 200\n\nold")
    (second / "changed.http").write_bytes(b"GET /a\nStatus: 200\n\nnew")
    (first / "gone.http").write_bytes(b"GET /b\nStatus: 404\n\n")
    (second / "new.http").write_bytes(b"GET /c\nStatus: 200\n\n")

    assert snapshot.compare(first, second) == ["changed.http", "gone.http", "new.http"]
    assert snapshot.main(["compare", str(first), str(first)]) == 0
    assert snapshot.main(["compare", str(first), str(second)]) == 1
