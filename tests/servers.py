"""Real servers for tests that need several processes: the test database served by gunicorn with several
workers, and browsers (requests sessions) that log in through the form and send requests at the same time."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from tests.conftest import TEST_PASSWORD, free_port

ROOT = Path(__file__).resolve().parents[1]
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class Gunicorn:
    """gunicorn serving the test database with several sync workers and the site's default settings; each
    request can be sent to a chosen worker by stopping the others (SIGSTOP), so that a test decides how
    requests are spread instead of the kernel."""

    def __init__(self, app, instance: Path, workers: int = 2):
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
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{self.port}",
        ]
        # A stopped worker sends no heartbeat: the master must not kill it during the test.
        command += ["--timeout", "300", "--error-logfile", str(self.log), "portal:create_app()"]
        instance.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
            )
        self.workers: list[int] = []
        try:
            self.workers = self._wait_for_workers(workers)
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


def signed_in(server: Gunicorn, email: str, password: str = TEST_PASSWORD) -> requests.Session:
    """A browser logged in through the login form; `csrf(session)` gives a token for its posts."""
    browser = requests.Session()
    page = browser.get(server.url + "/auth/login", timeout=30)
    token = CSRF_FIELD.search(page.text).group(1)
    response = browser.post(
        server.url + "/auth/login",
        data={"email": email, "password": password, "csrf_token": token},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 303, f"login of {email} failed: {response.status_code}"
    return browser


def csrf(server: Gunicorn, browser: requests.Session) -> str:
    """A CSRF token of the browser's session, read from a page as a browser would."""
    return CSRF_META.search(browser.get(server.url + "/auth/profile", timeout=30).text).group(1)


def at_once(count: int, send) -> list[requests.Response]:
    """Call `send(i)` from `count` threads released together; their responses, in order."""
    barrier = threading.Barrier(count)
    responses: list[requests.Response | None] = [None] * count
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            responses[i] = send(i)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return responses
