"""The warm worker's own guard: a connection from another uid is closed unanswered (SO_PEERCRED, Linux).

migrakit's socket folder is 0700, so another user cannot even reach the socket; this opens the folder on
purpose to see the worker's own check. Needs root (to act as `nobody`), which the test suite runs as.
"""

import json
import os
import socket
import subprocess
import sys
import time

import pytest

from conftest import PYTHON_DIR

# Skipped on a developer's machine without root; under CI=true (.ci/run runs as root on Linux) never skipped.
pytestmark = pytest.mark.skipif(
    os.environ.get("CI", "").strip().lower() not in ("true", "1")
    and (not sys.platform.startswith("linux") or os.getuid() != 0),
    reason="needs Linux and root",
)

_CONNECT_AS_NOBODY = r"""
import os, pwd, socket, sys
n = pwd.getpwnam("nobody")
os.setgid(n.pw_gid); os.setuid(n.pw_uid)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.settimeout(20)
try:
    s.sendall(b'{"hello": 1, "cwd": "/", "env": {}}\n')
    print(repr(s.recv(4096)))
except OSError:
    print("b''")  # closed on us: reset or broken pipe, depending on timing
"""


def _hello(path, cwd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.sendall((json.dumps({"hello": 1, "cwd": cwd, "env": dict(os.environ)}) + "\n").encode())
    s.settimeout(60)
    data = b""
    while b"\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    return s, data


def test_another_uid_is_refused_and_ours_is_served():
    import pathlib
    import shutil
    import tempfile

    # Not pytest's tmp_path: its parents are 0700, and `nobody` must be able to reach the socket.
    tmp_path = pathlib.Path(tempfile.mkdtemp(prefix="migrakit-worker-"))
    folder = tmp_path / "workers"
    folder.mkdir()
    path = str(folder / "w.sock")
    env = dict(os.environ, PYTHONPATH=PYTHON_DIR)
    worker = subprocess.Popen(
        [sys.executable, "-m", "migrakit_bridge.worker", path, "60", "2"], cwd=str(tmp_path), env=env
    )
    try:
        deadline = time.time() + 60
        while not os.path.exists(path + ".json"):
            assert worker.poll() is None and time.time() < deadline, "the worker did not come up"
            time.sleep(0.05)
        # Open the way on purpose: the folder and the socket for everyone.
        os.chmod(str(tmp_path), 0o755)
        os.chmod(str(folder), 0o755)
        os.chmod(path, 0o777)
        out = subprocess.run(
            [sys.executable, "-c", _CONNECT_AS_NOBODY, path], capture_output=True, text=True, timeout=60
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == "b''", "another uid got an answer: %s" % out.stdout
        conn, answer = _hello(path, str(tmp_path))
        ready = json.loads(answer.decode().splitlines()[0])
        assert ready["worker"] == "ready" and ready["pid"] != worker.pid
        conn.sendall(b'{"id": 1, "method": "versions", "params": {}}\n')
        lines = b""
        while b'"id": 1' not in lines:
            lines += conn.recv(65536)
        conn.close()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        removed = not os.path.exists(path)
        shutil.rmtree(str(tmp_path), ignore_errors=True)
    assert removed, "SIGTERM removes the socket"
