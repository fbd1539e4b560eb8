"""The worker for real: huey's own consumer, on Redis and on the SQLite file, and ``make worker``.

The consumers run in this process (huey's threads), against a queue of their
own: a fresh name on Redis database 15, a file in a temporary directory.
"""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import redis
from huey import RedisHuey, SqliteHuey, signals

from articles.tasks.periodic import daily_task
from tests.servers import missing_service, redis_url

ROOT = Path(__file__).resolve().parents[2]
MAKE = shutil.which("make") or "/usr/bin/make"
REDIS_URL = redis_url(15)


@pytest.fixture
def redis_huey():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        missing_service("no Redis at 127.0.0.1:6379 for the worker to share its queue through")
    name = f"helpcenter-test-{uuid.uuid4().hex}"
    huey = RedisHuey(name, url=REDIS_URL)
    yield huey
    huey.storage.flush_all()
    assert not client.keys(f"*{name}*")


@pytest.fixture
def sqlite_huey(tmp_path):
    return SqliteHuey("helpcenter-test", filename=str(tmp_path / "worker.sqlite3"))


@pytest.fixture(params=["redis", "sqlite"])
def huey(request):
    return request.getfixturevalue(f"{request.param}_huey")


@pytest.fixture
def start_consumer():
    """Start huey's consumers (threads in this process); stop them all afterwards."""
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumers = []

    def start(huey):
        consumer = huey.create_consumer(
            workers=2, initial_delay=0.01, max_delay=0.05, check_worker_health=False
        )
        consumer.start()
        consumers.append(consumer)
        return consumer

    yield start
    for consumer in consumers:
        consumer.stop(graceful=True)
    for signum, handler in handlers.items():  # consumer.start() installs its own
        signal.signal(signum, handler)


def test_a_queued_task_runs_in_the_worker(huey, start_consumer):
    @huey.task()
    def add(a, b):
        return a + b

    start_consumer(huey)
    assert add(2, 3).get(blocking=True, timeout=10) == 5


def test_the_scheduler_enqueues_a_periodic_task_that_is_due(huey, start_consumer):
    ran = threading.Event()

    @huey.periodic_task(lambda timestamp: True)
    def every_minute():
        ran.set()

    start_consumer(huey)
    assert ran.wait(timeout=10)


def test_two_workers_run_a_daily_task_once_a_day(huey, start_consumer):
    # Each worker's scheduler enqueues the task when it is due: two copies in the queue.
    runs, finished, done = [], [], threading.Event()

    @daily_task(hour=3, minute=17, huey=huey)
    def nightly():
        runs.append(time.monotonic())

    @huey.signal(signals.SIGNAL_COMPLETE)
    def count(signal_name, task):
        finished.append(task.id)
        if len(finished) == 2:
            done.set()

    nightly()
    nightly()
    start_consumer(huey)
    start_consumer(huey)
    assert done.wait(timeout=10)
    assert len(runs) == 1


def test_make_worker_starts_the_worker_and_ctrl_c_stops_it(tmp_path):
    # `make run` starts the same $(WORKER) command in the background.
    dry_run = subprocess.run(  # noqa: S603 - our own Makefile
        [MAKE, "-n", "run", f"VENV={sys.prefix}"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert f"{sys.prefix}/bin/python manage.py run_huey &" in dry_run.stdout
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["WORKER_SQLITE_FILE"] = str(tmp_path / "worker.sqlite3")
    worker = subprocess.Popen(  # noqa: S603 - our own Makefile
        [MAKE, "--no-print-directory", "worker", f"VENV={sys.prefix}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        # A terminal's Ctrl-C, even when the tests themselves were started with SIGINT ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        lines = []
        for line in worker.stdout:
            lines.append(line)
            if "+ articles.tasks.search_log.prune_search_log_daily" in line:
                break
        assert any("Huey consumer started" in line for line in lines), "".join(lines)
        time.sleep(1)  # the consumer sets its signal handlers once its threads are running
        os.killpg(worker.pid, signal.SIGINT)
        output = worker.communicate(timeout=10)[0]
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    assert "Consumer exiting." in output
    assert worker.returncode in (0, -signal.SIGINT), output  # make stops as Ctrl-C tells it to


def site_worker_store(tmp_path, **env) -> str:
    """The class, name and store of the site's worker (``settings.HUEY``) under an environment."""
    clean = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "WORKER_QUEUE"}}
    clean.update(DEBUG="1", WORKER_SQLITE_FILE=str(tmp_path / "worker.sqlite3"), **env)
    script = (
        "import django; django.setup(); from huey.contrib.djhuey import HUEY as h; "
        "print(type(h).__name__, h.name, h.immediate, getattr(h.storage, 'filename', ''))"
    )
    return subprocess.run(  # noqa: S603 - our own interpreter and settings
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=clean | {"DJANGO_SETTINGS_MODULE": "helpcenter.settings"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_the_site_worker_shares_redis_when_redis_url_is_set_and_a_sqlite_file_without(tmp_path):
    assert site_worker_store(tmp_path, REDIS_URL=REDIS_URL, WORKER_QUEUE="site-b") == "RedisHuey site-b False"
    assert site_worker_store(tmp_path) == f"SqliteHuey helpcenter False {tmp_path / 'worker.sqlite3'}"
