"""Benchmarks: a data generator for the reference size, a bench plugin and a runner over gunicorn."""
