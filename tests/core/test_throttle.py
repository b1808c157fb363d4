"""The login throttle kept in the site's database: shared by the workers of a real gunicorn with the default
settings, atomic under concurrent increments, windows that end, and a table that stays small."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests
import sqlalchemy as sa

from portal.auth.throttle import CLEANUP_BATCH, DatabaseStorage, RateLimitCounter
from portal.config import DefaultConfig
from portal.extensions import db, limiter
from portal.models import utcnow
from tests.conftest import TEST_PASSWORD
from tests.servers import CSRF_FIELD, Gunicorn

REFUSED = "Adresse électronique ou mot de passe incorrect."


def counters() -> list[RateLimitCounter]:
    """Every counter, as the database holds it now."""
    db.session.expire_all()
    return list(db.session.scalars(sa.select(RateLimitCounter)))


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
