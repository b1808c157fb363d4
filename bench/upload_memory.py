"""Upload memory: hostile documents (a DOCX, an ODT and a PDF that expand to a gigabyte from about a
megabyte, and the other bombs of tests/core/test_upload_limits.py) and a normal 20 MB DOCX and PDF, each
uploaded to a route that stores it, extracts its text and indexes it (the bench plugin's /bench/document),
served by gunicorn with one sync worker. Reports, per document, the worker's peak resident memory growth
during the request (the bound of issue 13: 64 MiB), the peak of the child process that reads a PDF, the time
of the request and the characters indexed; then the same extraction alone in a fresh process per document.

    .venv/bin/python -m bench.upload_memory            # about a minute on 2 cores
    .venv/bin/python -m bench.upload_memory --json out.json
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import requests

from bench import bombs
from bench.run import (
    MIB,
    OUT_DIR,
    ROOT,
    Client,
    Server,
    child_env,
    portal_command,
    proc_status,
    reset_peak,
    run_checked,
    write_instance_config,
)
from portal.extract import DOCX, ODT

#: The bound of issue 13: a worker never grows by more than this for any upload.
GROWTH_TARGET_MB = 64.0
PDF = "application/pdf"

#: label → (file name, builder, content type); built once per run (about 20 s, most of it the normal PDF).
DOCUMENTS: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "DOCX bomb (1 GB of text)": ("bombe.docx", bombs.docx_bomb, DOCX),
    "ODT bomb (1 GB of text)": ("bombe.odt", bombs.odt_bomb, ODT),
    "PDF bomb (a stream inflating to 1 GB)": ("bombe.pdf", bombs.pdf_bomb, PDF),
    "DOCX of 1 GB of empty paragraphs": ("vide.docx", bombs.markup_docx, DOCX),
    "ODT whose mimetype entry is 1 GB": ("type.odt", bombs.odt_with_huge_mimetype, ODT),
    "ZIP listing 100,000 entries": ("liste.docx", bombs.many_entries_zip, DOCX),
    "PDF with 500,000 xref entries": ("xref.pdf", bombs.xref_table_pdf, PDF),
    "normal DOCX, 20 MB (300 pages, photos)": ("memoire.docx", bombs.normal_docx, DOCX),
    "normal PDF, 20 MB (300 pages, photos)": ("memoire.pdf", bombs.normal_pdf, PDF),
}

#: Run in a fresh interpreter (cwd: the checkout): extract_text on small real documents first (imports,
#: caches), then on the file, the process's peak resident memory reset in between (Linux clear_refs). A
#: regression must show, not exhaust the machine: the address space may grow by 1 GiB at most.
MEASURE = """
import json, resource, sys, time
from pathlib import Path
from portal.extract import extract_text

def status():
    fields = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return {key: int(fields[key].split()[0]) for key in ("VmRSS", "VmHWM", "VmSize")}

for path, content_type in json.loads(sys.argv[3]):
    extract_text(Path(path), content_type)
limit = (status()["VmSize"] << 10) + (1 << 30)
resource.setrlimit(resource.RLIMIT_AS, (limit, resource.RLIM_INFINITY))
try:
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")
except OSError:
    pass  # then VmHWM may hold an older peak: the growth measured is larger, never smaller
before = status()["VmRSS"]
started = time.perf_counter()
text = extract_text(Path(sys.argv[1]), sys.argv[2])
seconds = time.perf_counter() - started
print(json.dumps({
    "growth_mb": (status()["VmHWM"] - before) / 1024,
    "seconds": seconds,
    "chars": len(text),
}))
"""


def warm_up_documents(folder: Path) -> list[tuple[str, bytes, str]]:
    """Small real documents of each type, read first so that imports and caches are not counted."""
    import io

    import docx
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    from portal.textpdf import text_pdf

    word = docx.Document()
    word.add_paragraph("Bonjour")
    word_out = io.BytesIO()
    word.save(word_out)
    odt = OpenDocumentText()
    odt.text.addElement(P(text="Bonjour"))
    odt_out = io.BytesIO()
    odt.write(odt_out)
    documents = [("a.docx", word_out.getvalue(), DOCX), ("a.odt", odt_out.getvalue(), ODT)]
    documents.append(("a.pdf", text_pdf("Bonjour"), PDF))
    for name, content, _ in documents:
        (folder / name).write_bytes(content)
    return documents


def measure_extraction(path: Path, content_type: str, warm_up: list[tuple[str, str]]) -> dict:
    """extract_text on the file in a fresh process, after the warm-up documents (path, content type): the
    process's growth in MB, the seconds and the characters extracted."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", MEASURE, str(path), content_type, json.dumps(warm_up)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def upload(client: Client, token: str, name: str, content: bytes) -> tuple[requests.Response, float]:
    """POST the document to /bench/document; the answer and its wall time in seconds."""
    started = time.perf_counter()
    response = client.session.post(
        client.base + "/bench/document",
        files={"file": (name, content, "application/octet-stream")},
        headers={"X-CSRFToken": token},
        timeout=120,
    )
    return response, time.perf_counter() - started


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid` (the worker's PDF reader)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if re.search(rf"^PPid:\s+{pid}$", status, re.MULTILINE):
                found.append(int(entry.name))
    return found


def private_kb(pid: int) -> int:
    """The memory a forked process holds of its own (private pages, in kB): its resident size would count
    the pages it still shares with its parent."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    return sum(
        int(found) for found in re.findall(r"^Private_(?:Clean|Dirty):\s+(\d+) kB", text, re.MULTILINE)
    )


def measure_served(server: Server, client: Client, name: str, content: bytes) -> dict:
    """Upload once; the worker's growth (VmHWM reset before, against VmRSS before) and its children's peak
    private memory (the PDF reader), polled every 20 ms."""
    [worker] = server.worker_pids()
    token = client.csrf_token("/auth/profile")
    peak_reset = reset_peak(worker)
    before = proc_status(worker).get("VmRSS", 0)
    polled = {"worker": before, "child": 0}
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            polled["worker"] = max(polled["worker"], proc_status(worker).get("VmRSS", 0))
            for child in children_of(worker):
                polled["child"] = max(polled["child"], private_kb(child))
            done.wait(0.02)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    try:
        response, seconds = upload(client, token, name, content)
    finally:
        done.set()
        poller.join()
    if response.status_code != 201:
        raise RuntimeError(f"upload of {name} answered {response.status_code}: {response.text[:300]}")
    peak = max(polled["worker"], proc_status(worker).get("VmHWM", 0) if peak_reset else 0)
    growth = (peak - before) / 1024
    return {
        "worker_growth_mb": growth,
        "worker_before_mb": before / 1024,
        "pdf_reader_private_mb": polled["child"] / 1024 if polled["child"] else None,
        "seconds": seconds,
        "chars": response.json()["chars"],
        "content_type": response.json()["content_type"],
        "result": "PASS" if growth <= GROWTH_TARGET_MB else "FAIL",
    }


def run(json_path: Path | None) -> int:
    """Build the documents, measure them served and alone, print the table; 1 if any exceeds the target."""
    workdir = Path(tempfile.mkdtemp(prefix="portal-upload-memory-"))
    try:
        return _run(workdir, json_path)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _run(workdir: Path, json_path: Path | None) -> int:
    files = workdir / "documents"
    files.mkdir()
    print(f"building the documents in {files} ...", flush=True)
    built = {}
    for label, (name, make, content_type) in DOCUMENTS.items():
        content = make()
        (files / name).write_bytes(content)
        built[label] = (name, content, content_type)
    warm = warm_up_documents(files)
    instance = workdir / "instance"
    instance.mkdir()
    write_instance_config(instance, None, 64, [])
    env = child_env(instance)
    password = secrets.token_urlsafe(18)
    run_checked([*portal_command(), "db", "upgrade", "heads"], env)
    names = ["--email", "bench@example.org", "--first-name", "Banc", "--last-name", "Essai"]
    run_checked([*portal_command(), "create-user", *names, "--admin", "--password", password], env)
    results = {}
    print("serving with gunicorn (1 sync worker) ...", flush=True)
    with Server(instance, workers=1) as server:
        client = Client(server.url, "admin", {"email": "bench@example.org"})
        client.login(password)
        for name, content, _ in warm * 2:
            upload(client, client.csrf_token("/auth/profile"), name, content)
        for label, (name, content, _) in built.items():
            results[label] = {
                "file_mb": len(content) / MIB,
                "served": measure_served(server, client, name, content),
            }
            print(f"  {label}: {results[label]['served']['worker_growth_mb']:.1f} MB", flush=True)
    print("extraction alone, a fresh process per document ...", flush=True)
    warm_paths = [(str(files / name), content_type) for name, _, content_type in warm]
    for label, (name, _, content_type) in built.items():
        results[label]["alone"] = measure_extraction(files / name, content_type, warm_paths)
    print(render(results))
    report = {"started": datetime.now().isoformat(timespec="seconds"), "target_mb": GROWTH_TARGET_MB}
    report["documents"] = results
    OUT_DIR.mkdir(exist_ok=True)
    target = json_path or OUT_DIR / f"upload-memory-{datetime.now():%Y%m%d-%H%M%S}.json"
    target.write_text(json.dumps(report, indent=2))
    print(f"written to {target}")
    return 1 if any(r["served"]["result"] == "FAIL" for r in results.values()) else 0


def render(results: dict) -> str:
    """The figures as a Markdown table."""

    def mb(value: float | None) -> str:
        return "—" if value is None else f"{value:.1f}"

    lines = [
        "| document | file MB | worker growth MB | PDF reader private MB | request s | chars "
        "| alone: growth MB, s |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, result in results.items():
        served, alone = result["served"], result["alone"]
        lines.append(
            f"| {label} | {result['file_mb']:.1f} | {mb(served['worker_growth_mb'])} {served['result']} | "
            f"{mb(served['pdf_reader_private_mb'])} | {served['seconds']:.2f} | {served['chars']} | "
            f"{mb(alone['growth_mb'])}, {alone['seconds']:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", type=Path, help="where to write the figures (default: bench/out/)")
    sys.exit(run(parser.parse_args().json))


if __name__ == "__main__":
    main()
