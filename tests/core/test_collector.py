"""A worker freezes its long-lived objects out of the garbage collector after its first request."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import gc, json, sys
from portal import create_app

app = create_app({"TESTING": True, "SECRET_KEY": "x" * 32, "INSTANCE_PATH": sys.argv[1],
                  "DATABASE_URL": "sqlite:///" + sys.argv[1] + "/portal.db", "PLUGINS": []})
before = gc.get_freeze_count()
client = app.test_client()
first = client.get("/auth/login").status_code
after_first = gc.get_freeze_count()
client.get("/auth/login")
print(json.dumps([before, first, after_first, gc.get_freeze_count()]))
"""


def test_objects_alive_after_the_first_request_are_frozen_once(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    before, status, after_first, after_second = json.loads(done.stdout.strip().splitlines()[-1])
    assert status == 200
    assert before == 0
    assert after_first > 10_000  # modules, templates, locale data
    assert after_second == after_first  # frozen once: later garbage stays collectable
