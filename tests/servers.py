"""A real gunicorn for the tests that need one (faults, the replica router, the image behind
nginx): started on a free port with the environment given, stopped afterwards."""

import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_answering(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    """Until `url` answers below 500, failing at once if `process` has exited."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{process.args[:4]} exited with {process.returncode}"
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    pytest.fail(f"nothing answered {url}")


@contextmanager
def gunicorn(env: dict, *, workers: int = 2, cwd: Path = ROOT):
    """gisgov under gunicorn from `cwd`; yields (base URL, process) once /ogc/ answers."""
    port = free_port()
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "gisgov.wsgi", "--bind", f"127.0.0.1:{port}"),
            *("--workers", str(workers), "--timeout", "30"),
        ],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{base_url}/ogc/", server)
        yield base_url, server
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=30)
