"""The benchmark runner: generate a small and a reference dataset, serve each with gunicorn, drive the pages
with concurrent logged-in clients, measure the services, print a table and write it as JSON to bench/out/."""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import requests

from bench.pages import SEARCH_QUERIES, Page, Upload, pages, uploads

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "bench" / "out"
MIB = 1024 * 1024
#: A worker's resident memory may grow this much while it receives the large upload.
UPLOAD_GROWTH_TARGET_MB = 16.0
DATA_LABELS = {"small": "small", "reference": "ref"}
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
TIMING_APP = re.compile(r"\bapp;dur=([\d.]+)")
TIMING_CPU = re.compile(r"\bcpu;dur=([\d.]+)")
TIMING_SQL = re.compile(r'\bsql;dur=([\d.]+);desc="(\d+) queries"')


# -- measurements -------------------------------------------------------------------------------------
@dataclass
class Sample:
    """One request: its status, the client's wall time and the server's Server-Timing figures."""

    status: int
    wall_ms: float
    app_ms: float | None
    sql_ms: float | None
    #: the worker's CPU time for the request (Server-Timing `cpu`)
    cpu_ms: float | None
    queries: int | None
    tag: str = ""


def timed(
    session: requests.Session, method: str, url: str, tag: str = "", **kwargs
) -> tuple[Sample, requests.Response]:
    """Send a request (no redirects followed); the sample reads its Server-Timing header."""
    started = time.perf_counter()
    response = session.request(method, url, allow_redirects=False, timeout=600, **kwargs)
    wall = (time.perf_counter() - started) * 1000
    header = response.headers.get("Server-Timing", "")
    app, sql, cpu = TIMING_APP.search(header), TIMING_SQL.search(header), TIMING_CPU.search(header)
    sample = Sample(
        status=response.status_code,
        wall_ms=wall,
        app_ms=float(app.group(1)) if app else None,
        sql_ms=float(sql.group(1)) if sql else None,
        cpu_ms=float(cpu.group(1)) if cpu else None,
        queries=int(sql.group(2)) if sql else None,
        tag=tag,
    )
    return sample, response


def percentile(values: list[float], p: float) -> float | None:
    """The nearest-rank p-th percentile (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summarise(samples: list[Sample], expected: int = 200) -> dict:
    """Count, errors, p50/p95 of server and wall time, and the range of SQL queries per request."""
    ok = [s for s in samples if s.status == expected]
    app = [s.app_ms for s in ok if s.app_ms is not None]
    queries = [s.queries for s in ok if s.queries is not None]
    statuses: dict[str, int] = {}
    for s in samples:
        statuses[str(s.status)] = statuses.get(str(s.status), 0) + 1
    return {
        "requests": len(samples),
        "errors": len(samples) - len(ok),
        "statuses": statuses,
        "app_p50": percentile(app, 50),
        "app_p95": percentile(app, 95),
        "app_max": max(app, default=None),
        "sql_p95": percentile([s.sql_ms for s in ok if s.sql_ms is not None], 95),
        "cpu_p50": percentile([s.cpu_ms for s in ok if s.cpu_ms is not None], 50),
        "cpu_p95": percentile([s.cpu_ms for s in ok if s.cpu_ms is not None], 95),
        "wall_p50": percentile([s.wall_ms for s in ok], 50),
        "wall_p95": percentile([s.wall_ms for s in ok], 95),
        "queries_min": min(queries, default=None),
        "queries_max": max(queries, default=None),
    }


# -- processes ----------------------------------------------------------------------------------------
def free_port() -> int:
    """A local TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def child_env(instance: Path) -> dict[str, str]:
    """The environment of the portal processes: this checkout importable, this instance, no stray PORTAL_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env["PORTAL_INSTANCE_PATH"] = str(instance)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def portal_command() -> list[str]:
    """The `portal` command of this virtual environment."""
    script = Path(sys.executable).parent / "portal"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from portal.cli import cli; cli()"]


def run_checked(command: list[str], env: dict[str, str]) -> tuple[str, float]:
    """Run a command in the checkout; return its output and wall time in seconds, or raise with its output."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout, elapsed


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak resident memory) of a process, in kB."""
    values = {}
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return values
    for name in ("VmRSS", "VmHWM"):
        found = re.search(rf"^{name}:\s+(\d+) kB", text, re.MULTILINE)
        if found:
            values[name] = int(found.group(1))
    return values


def reset_peak(pid: int) -> bool:
    """Reset the process's VmHWM to its current VmRSS (Linux clear_refs); False when not allowed."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _die_with_parent() -> None:
    """In the child: get SIGTERM if the runner dies, so that no gunicorn outlives it (Linux)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Server:
    """gunicorn serving the portal of one instance folder, on a free local port."""

    def __init__(self, instance: Path, workers: int):
        self.instance = instance
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = instance / "gunicorn.log"
        self.command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            # A sync worker is killed after --timeout seconds in one request: the large upload needs more.
            "--timeout",
            "300",
            "--log-level",
            "warning",
            "--error-logfile",
            str(self.log),
            "portal:create_app()",
        ]
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603
                self.command,
                cwd=ROOT,
                env=child_env(self.instance),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                # No other thread runs yet: preexec_fn is safe here.
                preexec_fn=_die_with_parent,
            )
        try:
            self._wait_ready(timeout=60)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                answered = requests.get(self.url + "/auth/login", timeout=10).status_code == 200
            except requests.RequestException:
                answered = False
            if answered and len(self.worker_pids()) == self.workers:
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop the master we started (it stops its workers); kill it if it hangs."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log_tail(self, lines: int = 30) -> str:
        """The end of gunicorn's error log."""
        if not self.log.exists():
            return "(no log)"
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def worker_pids(self) -> list[int]:
        """The worker processes: the master's children."""
        assert self.process is not None
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if re.search(rf"^PPid:\s+{self.process.pid}$", status, re.MULTILINE):
                pids.append(int(entry.name))
        return sorted(pids)


# -- clients ------------------------------------------------------------------------------------------
@dataclass
class Client:
    """A browser-like session of one account (or anonymous), with the ids its pages are about."""

    base: str
    role: str
    account: dict | None = None
    session: requests.Session = field(default_factory=requests.Session)

    @property
    def context(self) -> dict:
        """Values for the page paths: the account's cohort, atelier and what the plugins' data added."""
        return {k: "" if v is None else v for k, v in (self.account or {}).items()}

    def csrf_token(self, path: str) -> str:
        """The CSRF token of this session, read from the page's <meta name="csrf-token">."""
        response = self.session.get(self.base + path, timeout=30)
        found = CSRF_META.search(response.text)
        if not found:
            raise RuntimeError(f"no CSRF token on {path} ({response.status_code}) for {self.role}")
        return found.group(1)

    def login(self, password: str) -> Sample:
        """Log in through the form; the sample is the POST (scrypt included)."""
        assert self.account is not None
        token = self.csrf_token("/auth/login")
        form = {"email": self.account["email"], "password": password, "csrf_token": token}
        sample, _ = timed(self.session, "POST", self.base + "/auth/login", tag=self.role, data=form)
        if sample.status != 303:
            raise RuntimeError(f"login of {self.account['email']} answered {sample.status}, not 303")
        return sample


def login_clients(
    base: str, accounts: dict, password: str, roles: set[str], per_role: int
) -> tuple[dict, list[Sample]]:
    """`per_role` logged-in clients for each role, logged in concurrently; accounts are reused when a role
    has fewer of them (an admin logged in from two places)."""
    clients: dict[str, list[Client]] = {}
    for role in sorted(roles):
        if role == "anonymous":
            clients[role] = [Client(base, role) for _ in range(per_role)]
            continue
        pool = accounts[role]
        clients[role] = [Client(base, role, pool[i % len(pool)]) for i in range(per_role)]
    to_log_in = [c for role, group in clients.items() if role != "anonymous" for c in group]
    with ThreadPoolExecutor(max_workers=max(1, per_role)) as pool:
        samples = list(pool.map(lambda c: c.login(password), to_log_in))
    return clients, samples


def drive(page: Page, clients: list[Client], requests_each: int, warmup: int) -> list[Sample]:
    """Every client requests the page `warmup` + `requests_each` times, all clients at once; returns the
    samples after the warm-up."""

    def work(index: int) -> list[Sample]:
        client = clients[index]
        samples = []
        for i in range(warmup + requests_each):
            q = page.params[(i + index) % len(page.params)] if page.params else ""
            path = page.path.format(**client.context, q=q)
            sample, _ = timed(client.session, "GET", client.base + path, tag=q)
            if i >= warmup:
                samples.append(sample)
        return samples

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        return [s for group in pool.map(work, range(len(clients))) for s in group]


# -- the upload -------------------------------------------------------------------------------------
class MultipartBody:
    """A multipart/form-data body with one text file of `size` bytes, produced chunk by chunk: the client
    never holds more than one megabyte of it. Its length is known, so it is sent with Content-Length."""

    def __init__(self, size: int, field_name: str = "file", filename: str = "bench-upload.txt"):
        self.boundary = "bench" + secrets.token_hex(12)
        self.head = (
            f"--{self.boundary}\r\n"
            f'Content-Disposition: form-data; name="{field_name}"; filename="{filename}"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()
        self.tail = f"\r\n--{self.boundary}--\r\n".encode()
        self.size = size
        line = "Le regroupement de mai : séminaire de gouvernance associative et atelier mémoire.\n"
        self.chunk = (line * (MIB // len(line.encode()) + 1)).encode()[:MIB]

    @property
    def content_type(self) -> str:
        """The request's Content-Type header."""
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return len(self.head) + self.size + len(self.tail)

    def __iter__(self) -> Iterator[bytes]:
        yield self.head
        remaining = self.size
        while remaining > 0:
            piece = self.chunk if remaining >= len(self.chunk) else self.chunk[:remaining]
            remaining -= len(piece)
            yield piece
        yield self.tail


def upload(client: Client, size: int, token: str, target: Upload) -> Sample:
    """POST a streamed file of `size` bytes to the target's address."""
    body = MultipartBody(size, field_name=target.field)
    headers = {"Content-Type": body.content_type, "X-CSRFToken": token}
    url = client.base + target.path.format(**client.context)
    sample, response = timed(client.session, "POST", url, data=body, headers=headers)
    if sample.status != target.status:
        raise RuntimeError(f"upload to {target.path} answered {sample.status}: {response.text[:300]}")
    if target.status == 201 and response.json()["size"] != size:
        raise RuntimeError(f"upload stored {response.json()['size']} bytes, {size} sent")
    return sample


def measure_upload(server: Server, clients: list[Client], size_mb: int, target: Upload) -> dict:
    """Upload `size_mb` MiB once, after small uploads have warmed every worker; report the resident memory of
    the workers before, at peak (polled, and VmHWM) and after."""
    tokens = [c.csrf_token("/auth/profile") for c in clients]
    # Small uploads from as many clients as workers at once, so that every worker has run the upload path.
    for _ in range(2):
        with ThreadPoolExecutor(max_workers=len(clients)) as pool:
            list(
                pool.map(
                    lambda pair: upload(pair[0], MIB, pair[1], target), zip(clients, tokens, strict=True)
                )
            )
    pids = server.worker_pids()
    before = {pid: proc_status(pid).get("VmRSS", 0) for pid in pids}
    peak_reset = all(reset_peak(pid) for pid in pids)
    polled = dict(before)
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            for pid in pids:
                polled[pid] = max(polled[pid], proc_status(pid).get("VmRSS", 0))
            done.wait(0.02)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    try:
        sample = upload(clients[0], size_mb * MIB, tokens[0], target)
    finally:
        done.set()
        poller.join()
    workers = []
    for pid in pids:
        status = proc_status(pid)
        peak = max(polled[pid], status.get("VmHWM", 0) if peak_reset else 0)
        workers.append(
            {
                "pid": pid,
                "rss_before_mb": before[pid] / 1024,
                "rss_peak_mb": peak / 1024,
                "rss_after_mb": status.get("VmRSS", 0) / 1024,
                "growth_mb": (peak - before[pid]) / 1024,
            }
        )
    busiest = max(workers, key=lambda w: w["growth_mb"])
    seconds = sample.wall_ms / 1000
    return {
        "label": target.label,
        "size_mb": size_mb,
        "wall_s": seconds,
        "throughput_mb_s": size_mb / seconds if seconds else None,
        "app_ms": sample.app_ms,
        "queries": sample.queries,
        "peak_from_vmhwm": peak_reset,
        "workers": workers,
        "growth_mb": busiest["growth_mb"],
        "target_mb": UPLOAD_GROWTH_TARGET_MB,
        "result": "PASS" if busiest["growth_mb"] <= UPLOAD_GROWTH_TARGET_MB else "FAIL",
    }


# -- one dataset ------------------------------------------------------------------------------------
@contextmanager
def database(server_url: str | None, label: str) -> Iterator[str | None]:
    """None for SQLite in the instance folder; with a PostgreSQL server URL, a new database, dropped after."""
    if not server_url:
        yield None
        return
    import sqlalchemy as sa

    url = sa.make_url(server_url)
    name = f"portal_bench_{label}_{secrets.token_hex(4)}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def write_instance_config(
    instance: Path, database_url: str | None, upload_mb: int, plugins: list[str]
) -> None:
    """The bench site's config: Server-Timing, plain-http cookies, room for the upload, the bench plugin."""
    from bench.bench_plugin import PLUGIN_REFERENCE

    settings = {
        "SECRET_KEY": secrets.token_urlsafe(48),
        "SERVER_TIMING": True,
        # The runner speaks plain http to 127.0.0.1: requests would not send Secure cookies back.
        "SESSION_COOKIE_SECURE": False,
        "STORAGE_MAX_FILE_SIZE": max(64, upload_mb + 16) * MIB,
        "PLUGINS": [*plugins, PLUGIN_REFERENCE],
    }
    if database_url:
        settings["DATABASE_URL"] = database_url
    lines = ['"""Benchmark site (temporary)."""', ""] + [f"{k} = {v!r}" for k, v in settings.items()]
    (instance / "config.py").write_text("\n".join(lines) + "\n", encoding="utf-8")


def reindex(env: dict[str, str]) -> dict:
    """Time `portal reindex`, and `portal routes` for the start-up it includes; documents per second."""
    _, startup = run_checked([*portal_command(), "routes"], env)
    output, wall = run_checked([*portal_command(), "reindex"], env)
    found = re.search(r"Indexed (\d+) document", output)
    documents = int(found.group(1)) if found else 0
    net = max(wall - startup, 1e-6)
    return {
        "documents": documents,
        "command_s": wall,
        "startup_s": startup,
        "docs_per_s": documents / net,
        "docs_per_s_with_startup": documents / wall,
    }


def run_dataset(label: str, scale: float, opts: argparse.Namespace, workdir: Path, log) -> dict:
    """Build, serve and measure one dataset; returns its figures."""
    instance = workdir / label
    instance.mkdir()
    env = child_env(instance)
    result: dict = {"label": label, "scale": scale}
    with database(opts.database_url, label) as database_url:
        write_instance_config(instance, database_url, opts.upload_mb, opts.plugins)
        _, result["migrate_s"] = run_checked([*portal_command(), "db", "upgrade", "heads"], env)
        accounts_file = instance / "accounts.json"
        command = [
            sys.executable,
            "-m",
            "bench.generate",
            "--scale",
            str(scale),
            "--accounts",
            str(accounts_file),
        ]
        _, result["generate_s"] = run_checked(command, env)
        accounts = json.loads(accounts_file.read_text(encoding="utf-8"))
        result["counts"] = accounts["counts"]
        log(f"[{label}] generated in {result['generate_s']:.1f} s: {accounts['counts']}")
        result["reindex"] = reindex(env)
        log(f"[{label}] reindexed {result['reindex']['documents']} documents")

        with Server(instance, opts.workers) as server:
            result["server"] = {"workers": opts.workers, "command": " ".join(server.command[1:])}
            driven = pages(opts.plugins)
            roles = {role for page in driven for role in page.roles}
            clients, logins = login_clients(
                server.url, accounts["accounts"], accounts["password"], roles, opts.clients
            )
            result["login"] = {"samples": [asdict(s) for s in logins], **summarise(logins, expected=303)}
            measured = []
            for page in driven:
                for role in page.roles:
                    samples = drive(page, clients[role], opts.requests, opts.warmup)
                    summary = summarise(samples)
                    measured.append({"label": page.label, "path": page.path, "role": role, **summary})
                    measured[-1]["samples"] = [asdict(s) for s in samples]
                    log(
                        f"[{label}] {page.label:<18} {role:<12} p95 {fmt(summary['app_p95'])} ms, "
                        f"{queries_range(summary)} queries, {summary['errors']} errors"
                    )
            result["pages"] = measured
            if opts.upload_mb and label == "reference":
                result["uploads"] = []
                for target in uploads(opts.plugins):
                    # As many clients as workers, so that the warm-up reaches every worker.
                    uploaders = clients[target.role][: max(1, opts.workers)]
                    if target.role == "admin":  # one admin account: a coordinator is the second client
                        uploaders = [clients["admin"][0], clients["coordinator"][0]][: max(1, opts.workers)]
                    log(f"[{label}] uploading {opts.upload_mb} MiB: {target.label}")
                    result["uploads"].append(measure_upload(server, uploaders, opts.upload_mb, target))
            errors = sum(p["errors"] for p in measured)
            result["gunicorn_log"] = server.log_tail(40 if errors else 10)
    return result


# -- report -----------------------------------------------------------------------------------------
def fmt(value: float | None, digits: int = 1) -> str:
    """A number for the table, or a dash."""
    return "—" if value is None else f"{value:.{digits}f}"


def queries_range(stats: dict) -> str:
    """'7' or '7-9' SQL queries per request."""
    low, high = stats["queries_min"], stats["queries_max"]
    if low is None:
        return "—"
    return str(low) if low == high else f"{low}-{high}"


def judge(page: Page, small: dict | None, reference: dict) -> tuple[str, list[str]]:
    """PASS or FAIL against the page's targets (or 'report' when it has none), with the reasons."""
    reasons = []
    checked = page.budget_ms is not None or (page.same_queries and small is not None)
    for name, stats in (("small", small), ("reference", reference)):
        if stats and stats["errors"]:
            reasons.append(f"{stats['errors']} error(s) on {name}: {stats['statuses']}")
    if page.budget_ms is not None and (reference["app_p95"] or 0) > page.budget_ms:
        reasons.append(f"p95 {reference['app_p95']:.1f} ms > {page.budget_ms:.0f} ms")
    if page.cpu_budget_ms is not None and (reference.get("cpu_p50") or 0) > page.cpu_budget_ms:
        reasons.append(f"CPU {reference['cpu_p50']:.1f} ms > {page.cpu_budget_ms:.0f} ms per request")
    same = small is None or (small["queries_min"], small["queries_max"]) == (
        reference["queries_min"],
        reference["queries_max"],
    )
    if page.same_queries and not same:
        reasons.append(
            f"SQL queries {queries_range(small)} (small) vs {queries_range(reference)} (reference)"
        )
    if reasons:
        return "FAIL", reasons
    return ("PASS" if checked else "report"), reasons


def build_report(datasets: dict[str, dict], plugins: list[str]) -> dict:
    """Rows per page and role with both datasets side by side, the verdicts, and the services."""
    small, reference = datasets.get("small"), datasets["reference"]
    rows = []
    for page in pages(plugins):
        for role in page.roles:
            ref = next(p for p in reference["pages"] if p["label"] == page.label and p["role"] == role)
            sml = (
                next((p for p in small["pages"] if p["label"] == page.label and p["role"] == role), None)
                if small
                else None
            )
            result, reasons = judge(page, sml, ref)
            target = []
            if page.budget_ms is not None:
                target.append(f"p95≤{page.budget_ms:.0f}ms")
            if page.cpu_budget_ms is not None:
                target.append(f"cpu≤{page.cpu_budget_ms:.0f}")
            if page.same_queries:
                target.append("=SQL")
            rows.append(
                {
                    "page": page.label,
                    "path": page.path,
                    "role": role,
                    "target": ", ".join(target) or "—",
                    "small": {k: v for k, v in (sml or {}).items() if k != "samples"} or None,
                    "reference": {k: v for k, v in ref.items() if k != "samples"},
                    "result": result,
                    "reasons": reasons,
                }
            )
    login_page = Page("login (POST, scrypt)", "/auth/login", ("all",), budget_ms=None)
    login_small = {k: v for k, v in small["login"].items() if k != "samples"} if small else None
    login_ref = {k: v for k, v in reference["login"].items() if k != "samples"}
    result, reasons = judge(login_page, login_small, login_ref)
    rows.append(
        {
            "page": login_page.label,
            "path": "POST /auth/login",
            "role": "all",
            "target": "=SQL",
            "small": login_small,
            "reference": login_ref,
            "result": result,
            "reasons": reasons,
        }
    )
    search = [s for p in reference["pages"] if p["path"].startswith("/search/") for s in p["samples"]]
    search = [s for s in search if s["status"] == 200 and s["app_ms"] is not None]
    per_query = {}
    for q in SEARCH_QUERIES:
        times = [s["app_ms"] for s in search if s["tag"] == q]
        per_query[q] = {"p50": percentile(times, 50), "p95": percentile(times, 95), "n": len(times)}
    services = {
        "search": {
            "documents": reference["reindex"]["documents"],
            "queries": len(SEARCH_QUERIES),
            "requests": len(search),
            "app_p50": percentile([s["app_ms"] for s in search], 50),
            "app_p95": percentile([s["app_ms"] for s in search], 95),
            "wall_p95": percentile([s["wall_ms"] for s in search], 95),
            "per_query": per_query,
        },
        "reindex": {name: data["reindex"] for name, data in datasets.items()},
        "uploads": reference.get("uploads", []),
    }
    failed = [r for r in rows if r["result"] == "FAIL"]
    failed += [{"page": u["label"]} for u in services["uploads"] if u["result"] == "FAIL"]
    return {"rows": rows, "services": services, "failed": len(failed)}


def render(report: dict, meta: dict, datasets: dict[str, dict]) -> str:
    """The report as a plain-text table."""
    out = [
        f"Portal benchmark {meta['started']} — {meta['cpus']} CPU(s), {meta['workers']} gunicorn workers, "
        f"{meta['database']}, {meta['clients']} clients per role × {meta['requests']} requests per page",
        f"Plugins: {', '.join([*meta['options']['plugins'], 'bench'])}",
        "Times in ms: app = server time (Server-Timing app), cpu = the worker's CPU time, sql = time in SQL, "
        "wall = client-side; "
        "SQL = queries per request (min-max).",
        f"Load average (1 min) before {meta['load_before'][0]:.2f}, after {meta['load_after'][0]:.2f} "
        "(other processes on the machine skew the times).",
        "",
    ]
    # The page column fits the longest label (plugins name their pages at length).
    width = max([len("page"), *(len(row["page"]) for row in report["rows"])]) + 2
    header = (
        f"{'page':<{width}}{'role':<12}{'data':<6}{'reqs':>5}{'app p50':>9}{'app p95':>9}{'cpu p50':>9}"
        f"{'sql p95':>9}{'wall p95':>10}{'SQL':>7}  {'target':<24}{'result'}"
    )
    out += [header, "-" * len(header)]
    for row in report["rows"]:
        for name in ("small", "reference"):
            stats = row[name]
            if stats is None:
                continue
            first = name == "small" or row["small"] is None
            page, role = (row["page"], row["role"]) if first else ("", "")
            out.append(
                f"{page:<{width}}{role:<12}{DATA_LABELS[name]:<6}"
                f"{stats['requests']:>5}{fmt(stats['app_p50']):>9}{fmt(stats['app_p95']):>9}"
                f"{fmt(stats.get('cpu_p50')):>9}{fmt(stats['sql_p95']):>9}{fmt(stats['wall_p95']):>10}"
                f"{queries_range(stats):>7}  "
                + (f"{row['target']:<24}{row['result']}" if name == "reference" else "")
            )
        for reason in row["reasons"]:
            out.append(f"{'':<{width + 6}}↳ {reason}")
    services = report["services"]
    out += ["", "Services", "--------"]
    for upload in services["uploads"]:
        busiest = max(upload["workers"], key=lambda w: w["growth_mb"])
        out.append(
            f"upload {upload['size_mb']} MiB, {upload['label']}: {upload['wall_s']:.1f} s "
            f"({fmt(upload['throughput_mb_s'])} MiB/s), server {fmt(upload['app_ms'], 0)} ms after the form "
            f"was parsed, {upload['queries']} SQL; worker RSS {busiest['rss_before_mb']:.1f} → peak "
            f"{busiest['rss_peak_mb']:.1f} → {busiest['rss_after_mb']:.1f} MiB: growth "
            f"{upload['growth_mb']:.1f} MiB (target ≤ {upload['target_mb']:.0f})  {upload['result']}"
        )
    if not services["uploads"]:
        out.append("upload: skipped")
    search = services["search"]
    out.append(
        f"search: {search['requests']} requests over {search['queries']} queries on {search['documents']} "
        f"documents (reference): app p50 {fmt(search['app_p50'])} ms, p95 {fmt(search['app_p95'])} ms, "
        f"wall p95 {fmt(search['wall_p95'])} ms"
    )
    for name, figures in services["reindex"].items():
        out.append(
            f"portal reindex ({name}): {figures['documents']} documents in {figures['command_s']:.2f} s "
            f"(start-up {figures['startup_s']:.2f} s): {figures['docs_per_s']:.0f} documents/s "
            f"({figures['docs_per_s_with_startup']:.0f}/s counting start-up)"
        )
    for name, data in datasets.items():
        if any(p["errors"] for p in data["pages"]):
            out += ["", f"gunicorn log of the {name} dataset, last lines:", data["gunicorn_log"]]
    out += [
        "",
        f"{report['failed']} failure(s) against the targets." if report["failed"] else "Every target met.",
    ]
    return "\n".join(out)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options; --quick lowers the defaults."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer clients and requests, a 32 MiB upload")
    parser.add_argument(
        "--database-url", help="a PostgreSQL server URL (a database is created, then dropped)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--clients", type=int, help="concurrent clients per role (default 4, quick 2)")
    parser.add_argument("--requests", type=int, help="requests per client and page (default 40, quick 10)")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured requests per client first")
    parser.add_argument("--upload-mb", type=int, help="size of the upload in MiB, 0 to skip (default 200)")
    parser.add_argument("--small-scale", type=float, default=0.1, help="0 to skip the small dataset")
    parser.add_argument("--reference-scale", type=float, default=1.0)
    parser.add_argument(
        "--plugins", help="comma-separated plugins to enable besides bench (default: every installed one)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the instance folders")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a target is missed")
    opts = parser.parse_args(argv)
    quick = opts.quick
    if opts.plugins is None:
        from portal.plugins import installed_plugin_names

        opts.plugins = installed_plugin_names()
    else:
        opts.plugins = [name.strip() for name in opts.plugins.split(",") if name.strip()]
    opts.clients = opts.clients or (2 if quick else 4)
    opts.requests = opts.requests or (10 if quick else 40)
    if opts.upload_mb is None:
        opts.upload_mb = 32 if quick else 200
    return opts


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table, write bench/out/<timestamp>.json."""
    opts = parse_args(argv)
    started = datetime.now()

    def log(message: str) -> None:
        print(f"{time.monotonic() - t0:6.1f}s {message}", file=sys.stderr, flush=True)

    t0 = time.monotonic()
    load_before = os.getloadavg()
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    datasets: dict[str, dict] = {}
    try:
        scales = [("small", opts.small_scale), ("reference", opts.reference_scale)]
        for label, scale in scales:
            if scale > 0:
                datasets[label] = run_dataset(label, scale, opts, workdir, log)
    finally:
        if opts.keep:
            log(f"instance folders kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    report = build_report(datasets, opts.plugins)
    meta = {
        "started": started.isoformat(timespec="seconds"),
        "duration_s": time.monotonic() - t0,
        "cpus": len(os.sched_getaffinity(0)),
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "python": platform.python_version(),
        "database": "PostgreSQL" if opts.database_url else "SQLite",
        "workers": opts.workers,
        "clients": opts.clients,
        "requests": opts.requests,
        "options": vars(opts),
    }
    text = render(report, meta, datasets)
    print(text)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / f"{started.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(
        json.dumps({"meta": meta, "report": report, "datasets": datasets, "table": text}, indent=1)
    )
    log(f"written {out.relative_to(ROOT)} ({meta['duration_s']:.0f} s)")
    return 1 if opts.strict and report["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
