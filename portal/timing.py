"""Server-Timing header (time in the app, the worker's CPU time, SQL queries and their time), for benchmarks
and diagnosis."""

import time

from flask import Flask, g, has_request_context
from sqlalchemy import event

from portal.extensions import db


def init_app(app: Flask) -> None:
    """Count every SQL statement of a request and report it in Server-Timing when SERVER_TIMING is on."""
    if not app.config.get("SERVER_TIMING"):
        return
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        if has_request_context():
            g._sql_started = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        if has_request_context() and "_sql_started" in g:
            g._sql_count = g.get("_sql_count", 0) + 1
            g._sql_time = g.get("_sql_time", 0.0) + time.perf_counter() - g.pop("_sql_started")

    @app.before_request
    def _start():
        g._request_started = time.perf_counter()
        # CPU time of this thread only: a sync worker serves one request at a time, so this is the request's.
        g._cpu_started = time.thread_time()

    @app.after_request
    def _report(response):
        if "_request_started" in g:
            total = (time.perf_counter() - g._request_started) * 1000
            cpu = (time.thread_time() - g._cpu_started) * 1000
            sql = g.get("_sql_time", 0.0) * 1000
            response.headers["Server-Timing"] = (
                f"app;dur={total:.2f}, cpu;dur={cpu:.2f}, "
                f'sql;dur={sql:.2f};desc="{g.get("_sql_count", 0)} queries"'
            )
        return response
