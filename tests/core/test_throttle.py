"""The login throttle kept in the site's database: shared by the workers of a real gunicorn with the default
settings, atomic under concurrent increments, windows that end, and a table that stays small."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from portal.auth.throttle import CLEANUP_BATCH, DatabaseStorage, RateLimitCounter
from portal.config import DefaultConfig
from portal.extensions import db, limiter
from portal.models import utcnow
from tests.conftest import TEST_PASSWORD, free_port

ROOT = Path(__file__).resolve().parents[2]
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
REFUSED = "Adresse électronique ou mot de passe incorrect."


def counters() -> list[RateLimitCounter]:
    """Every counter, as the database holds it now."""
    db.session.expire_all()
    return list(db.session.scalars(sa.select(RateLimitCounter)))


# -- several gunicorn workers ---------------------------------------------------------------------------
class Gunicorn:
    """gunicorn serving the test database with two sync workers and the default throttle settings; each
    request can be sent to a chosen worker by stopping the other one (SIGSTOP), so that the test decides how
    the attempts are spread instead of the kernel."""

    def __init__(self, app, instance: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = instance / "gunicorn.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
        env.update(
            PORTAL_INSTANCE_PATH=str(instance),
            PORTAL_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
            PORTAL_SECRET_KEY=app.config["SECRET_KEY"],
            PORTAL_PLUGINS=json.dumps(app.config["PLUGINS"]),
            # Plain http to 127.0.0.1: requests would not send a Secure session cookie (and its CSRF token).
            PORTAL_SESSION_COOKIE_SECURE="false",
            PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p),
        )
        command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{self.port}"]
        # A stopped worker sends no heartbeat: the master must not kill it during the test.
        command += ["--timeout", "300", "--error-logfile", str(self.log), "portal:create_app()"]
        instance.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
            )
        self.workers: list[int] = []
        try:
            self.workers = self._wait_for_workers(2)
        except BaseException:
            self.stop()
            raise

    def _wait_for_workers(self, count: int) -> list[int]:
        """The worker pids, once gunicorn answers and has `count` workers."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"gunicorn exited:\n{self.log_tail()}"
            pids = self._children()
            try:
                answered = requests.get(self.url + "/auth/login", timeout=30).status_code == 200
            except requests.ConnectionError:
                answered = False
            if answered and len(pids) == count:
                return pids
            time.sleep(0.1)
        raise AssertionError(f"gunicorn did not start its workers:\n{self.log_tail()}")

    def _children(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            try:
                status = (entry / "status").read_text() if entry.name.isdigit() else ""
            except OSError:
                continue
            if re.search(rf"^PPid:\s+{self.process.pid}$", status, re.MULTILINE):
                pids.append(int(entry.name))
        return sorted(pids)

    def only(self, worker: int) -> None:
        """Let only this worker take connections: the others are stopped (and known to be)."""
        for pid in self.workers:
            os.kill(pid, signal.SIGCONT if pid == worker else signal.SIGSTOP)
        for pid in self.workers:
            if pid != worker:
                while Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "T":
                    time.sleep(0.01)

    def stop(self) -> None:
        """Wake the workers, then stop the master we started (it stops them)."""
        for pid in self.workers:
            os.kill(pid, signal.SIGCONT)
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log_tail(self) -> str:
        """The end of gunicorn's log."""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-30:]) if self.log.exists() else ""


@pytest.fixture
def gunicorn(app, world, tmp_path) -> Iterator[Gunicorn]:
    """The test world served by gunicorn with two workers; stopped before the database is emptied."""
    server = Gunicorn(app, tmp_path / "gunicorn-instance")
    try:
        yield server
    finally:
        server.stop()


def try_login(server: Gunicorn, worker: int, email: str, password: str) -> requests.Response:
    """A new browser's login attempt, form and post both served by `worker`."""
    server.only(worker)
    browser = requests.Session()
    page = browser.get(server.url + "/auth/login", timeout=30)
    token = CSRF_FIELD.search(page.text).group(1)
    return browser.post(
        server.url + "/auth/login",
        data={"email": email, "password": password, "csrf_token": token},
        allow_redirects=False,
        timeout=30,
    )


def test_the_default_storage_is_the_sites_database(app):
    assert DefaultConfig.RATELIMIT_STORAGE_URI == "database://"
    assert isinstance(limiter.storage, DatabaseStorage)


def test_workers_share_the_account_limit_by_default(gunicorn, world):
    first, second = gunicorn.workers
    limit = int(DefaultConfig.LOGIN_LIMIT_PER_ACCOUNT.split()[0])
    for attempt in range(limit):
        worker = first if attempt % 2 == 0 else second
        response = try_login(gunicorn, worker, world.learner_a1.email, "not-the-password")
        assert response.status_code == 200 and REFUSED in response.text, gunicorn.log_tail()
    for worker in (first, second):
        blocked = try_login(gunicorn, worker, world.learner_a1.email, TEST_PASSWORD)
        assert blocked.status_code == 429 and "Trop de tentatives" in blocked.text
    # Another account from the same address is not held back by this account's count.
    assert try_login(gunicorn, second, world.learner_a2.email, TEST_PASSWORD).status_code == 303


def test_workers_share_the_address_limit_by_default(gunicorn, world):
    first, second = gunicorn.workers
    limit = int(DefaultConfig.LOGIN_LIMIT_PER_ADDRESS.split()[0])
    for attempt in range(limit):
        # A different unknown account each time: only the address's count reaches its limit.
        worker = first if attempt % 2 == 0 else second
        response = try_login(gunicorn, worker, f"inconnu{attempt}@example.org", "not-the-password")
        assert response.status_code == 200 and REFUSED in response.text, gunicorn.log_tail()
    for worker in (first, second):
        blocked = try_login(gunicorn, worker, world.learner_a1.email, TEST_PASSWORD)
        assert blocked.status_code == 429 and "Trop de tentatives" in blocked.text


# -- the storage itself ---------------------------------------------------------------------------------
def test_a_window_that_ended_lets_the_account_in_again(app, client, world):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "2 per 15 minutes"
    for _ in range(2):
        client.post("/auth/login", data={"email": world.learner_a1.email, "password": "bad"})
    right = {"email": world.learner_a1.email, "password": TEST_PASSWORD}
    assert client.post("/auth/login", data=right).status_code == 429
    # The window ends (moved into the past instead of waiting): the next attempt starts a new count.
    db.session.execute(sa.update(RateLimitCounter).values(expires_dt=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert client.post("/auth/login", data=right).status_code == 303


def test_failed_logins_store_no_address_or_account_name(client, world):
    client.post("/auth/login", data={"email": world.learner_a1.email, "password": "bad"})
    rows = counters()
    assert len(rows) == 2  # the account's counter and the address's
    assert all(re.fullmatch(r"[0-9a-f]{64}", row.key_hash) and row.count == 1 for row in rows)
    assert all(row.expires_dt > utcnow() for row in rows)


def test_expired_counters_are_removed_so_the_table_stays_small(app):
    storage = DatabaseStorage("database://")
    past = utcnow() - timedelta(minutes=1)
    db.session.execute(
        sa.insert(RateLimitCounter),
        [{"key_hash": f"{n:064x}", "count": 3, "expires_dt": past} for n in range(CLEANUP_BATCH + 20)],
    )
    db.session.commit()
    assert storage.incr("login-account:someone@example.org", 900) == 1
    assert len(counters()) == 20 + 1
    assert storage.incr("login-account:someone@example.org", 900) == 2
    assert [row.count for row in counters()] == [2]


def test_the_storage_counts_ends_windows_and_clears(app):
    storage = DatabaseStorage("database://")
    assert storage.check() is True
    assert storage.get("a") == 0
    before = time.time()
    assert [storage.incr("a", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.incr("a", 60, amount=2) == 5
    assert storage.get("a") == 5 and storage.get("b") == 0
    # The window is the one the first hit opened: later hits do not extend it.
    assert before + 59 <= storage.get_expiry("a") <= time.time() + 60
    storage.incr("b", 60)
    storage.clear("a")
    assert storage.get("a") == 0 and storage.get("b") == 1
    assert storage.reset() == 1
    assert counters() == []


def test_concurrent_increments_are_each_counted_once(app):
    storage = DatabaseStorage("database://")
    threads, per_thread = 6, 5
    start = threading.Barrier(threads)
    seen: list[int] = []
    lock = threading.Lock()

    def hit() -> None:
        with app.app_context():
            start.wait(timeout=30)
            for _ in range(per_thread):
                count = storage.incr("login-address:127.0.0.1", 900)
                with lock:
                    seen.append(count)

    workers = [threading.Thread(target=hit) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    # Each increment saw a count no other one saw: none was lost or counted twice.
    assert sorted(seen) == list(range(1, threads * per_thread + 1))
    assert storage.get("login-address:127.0.0.1") == threads * per_thread
