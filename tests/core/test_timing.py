"""The Server-Timing header the benchmarks read: server time, the worker's CPU time, SQL time and count."""

from __future__ import annotations

import re

from portal import create_app
from tests import conftest


def test_server_timing_reports_app_cpu_and_sql(migrated_database, tmp_path, smtp_server, world):
    config = conftest.make_test_config(migrated_database, tmp_path / "instance", smtp_server[0].port)
    app = create_app({**config, "SERVER_TIMING": True})
    client = app.test_client()
    header = client.get("/auth/login").headers["Server-Timing"]
    found = re.fullmatch(r'app;dur=([\d.]+), cpu;dur=([\d.]+), sql;dur=([\d.]+);desc="(\d+) queries"', header)
    assert found, header
    app_ms, cpu_ms = float(found.group(1)), float(found.group(2))
    assert 0 < cpu_ms <= app_ms + 1


def test_no_timing_header_by_default(client):
    assert "Server-Timing" not in client.get("/auth/login").headers
