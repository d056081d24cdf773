"""The warm worker: a Python that has already imported alembic, SQLAlchemy, SQLModel and the driver, so a
run on a developer machine does not pay that import (most of a second) again.

    python -m migrakit_bridge.worker SOCKET IDLE_SECONDS MAX_RUNS [fork|spare]

It listens on a unix socket in a per-user folder (mode 0700, made and checked by src/bridge/worker.ts). A run
connects and sends one hello line, ``{"hello": 1, "cwd": ..., "env": {...}}``; the answer is one line:

    {"worker": "ready", "pid": N, "versions": {...}}
                                    N is the process that now serves this run (with the ``versions``
                                    answer, which the run then need not ask for): the bridge protocol of
                                    server.py follows on the socket, with the output of the run's code
                                    (fd 1 and 2) as {"stderr": "..."} lines among the responses
    {"worker": "stale"}             the installed packages changed since the worker started: it exits
    {"worker": "busy"}              MAX_RUNS runs are being served already

Two ways to serve a run, both with an interpreter no earlier run's code has touched:
- ``fork`` (the default on Linux): the worker forks a child per run; the child becomes the run's bridge and
  ends with it, so the user's modules die with the run. The worker itself never imports user code.
- ``spare`` (the default elsewhere: fork with these libraries is unsafe on macOS): the worker serves one run
  itself and, once that run is over, starts its successor for the next one.

The worker is keyed (the socket's name, src/bridge/worker.ts) on the interpreter, the run's folder and the
PYTHON* variables, which fix sys.path; it checks itself against the installed distributions (every
``*.dist-info``/``*.egg-info``/``*.pth`` on sys.path) and the bridge's own files, and exits when those change,
when its socket is removed or replaced, after IDLE_SECONDS without a run, and on SIGTERM
(``migrakit server stop``). Connections from another uid are closed unanswered.
"""

import fcntl
import gc
import hashlib
import json
import logging
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

from . import server

log = logging.getLogger("migrakit_bridge.worker")
_DIST_SUFFIXES = (".dist-info", ".egg-info", ".egg-link", ".pth")
_HELLO_TIMEOUT = 10.0


def fingerprint():
    """What a fresh interpreter would import from: sys.path, the distributions on it, the bridge's files."""
    parts = [sys.executable, sys.version, list(sys.path)]
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            parts.append(None)
            continue
        dists = sorted(n for n in names if n.endswith(_DIST_SUFFIXES))
        # A .pth can change in place (an editable install re-pointed); a dist-info's name carries its version.
        parts.append([(n, _mtime(os.path.join(entry, n)) if n.endswith(".pth") else 0) for n in dists])
    here = os.path.dirname(os.path.abspath(__file__))
    parts.append(sorted((n, _mtime(os.path.join(here, n))) for n in os.listdir(here) if n.endswith(".py")))
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def _mtime(path):
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def _inode(path):
    try:
        st = os.lstat(path)
        return (st.st_dev, st.st_ino)
    except OSError:
        return None


def _peer_uid(conn):
    """The connecting process's uid (Linux), or None where the kernel does not say (the folder's 0700 guards)."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return None
    _pid, uid, _gid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i")))
    return uid


def _bind(path):
    """Listen on ``path``, or None when a live worker already does (two runs started one at the same time)."""
    with open(path + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(path):
            probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                probe.connect(path)
                return None
            except OSError:
                os.unlink(path)  # a dead worker's socket
            finally:
                probe.close()
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
        os.chmod(path, 0o600)
        listener.listen(16)
        return listener


def _read_hello(conn):
    conn.settimeout(_HELLO_TIMEOUT)
    data = b""
    while b"\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            raise ValueError("the run closed the connection before its hello")
        data += chunk
    line, rest = data.split(b"\n", 1)
    hello = json.loads(line.decode("utf-8"))
    if not isinstance(hello, dict) or hello.get("hello") != 1:
        raise ValueError("not a hello")
    return hello, rest


def _send_line(conn, obj):
    conn.sendall((json.dumps(obj) + "\n").encode("utf-8"))


class _Stderr:
    """fd 1 and 2 of the run's process into a pipe whose text goes to the run as {"stderr": ...} lines."""

    def __init__(self, send):
        self._send = send
        read_end, write_end = os.pipe()
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        os.dup2(write_end, 1)
        os.dup2(write_end, 2)
        os.close(write_end)
        sys.stdout = sys.stderr
        self._read_end = read_end
        self._thread = threading.Thread(target=self._pump, name="migrakit-stderr", daemon=True)
        self._thread.start()

    def _pump(self):
        import codecs

        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        while True:
            chunk = os.read(self._read_end, 65536)
            text = decoder.decode(chunk, final=not chunk)
            if text:
                self._send(json.dumps({"stderr": text}) + "\n")
            if not chunk:
                return

    def close(self):
        """Every byte written so far reaches the run: close the write ends, let the pump read to the end."""
        for stream in (sys.stdout, sys.stderr, sys.__stderr__):
            try:
                stream.flush()
            except (OSError, ValueError, AttributeError):
                pass
        os.close(1)
        os.close(2)
        self._thread.join(2.0)


def _versions():
    try:
        from .versions import versions

        return versions()
    except Exception:  # noqa: BLE001 - then each run asks for them itself
        return None


def _serve_run(conn, hello, rest, after=None, known=None):
    """Become the run's bridge: its environment and folder, the protocol on the socket; then exit
    (``after`` first: the spare starts its successor once its run is over, not while it is served).
    ``known``: the ``versions`` answer, sent with "ready" so the run needs no preflight request."""
    conn.settimeout(None)
    server.collect_less()  # a run's child collects cycles as a run's own process does (server.py)
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in (hello.get("env") or {}).items()})
    os.chdir(hello.get("cwd") or os.getcwd())
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    lock = threading.Lock()

    def send(text):
        with lock:
            conn.sendall(text.encode("utf-8"))

    stderr = _Stderr(send)
    server.setup_logging()
    ready = {"worker": "ready", "pid": os.getpid()}
    if known is not None:
        ready["versions"] = known
    send(json.dumps(ready) + "\n")
    reader = conn.makefile("r", encoding="utf-8", newline="\n")
    lines = _chain(rest.decode("utf-8"), reader)
    try:
        server.serve(lines, send)
    except OSError:
        pass  # the run went away: nothing to answer
    try:
        stderr.close()
    except OSError:
        pass
    if after is not None:
        after()
    os._exit(0)  # no teardown: see server.exit_now


def _chain(first, reader):
    if first:
        for line in first.splitlines(True):
            yield line
    for line in reader:
        yield line


class Worker:
    def __init__(self, path, idle, max_runs, mode):
        self.path = path
        self.idle = idle
        self.max_runs = max_runs
        self.mode = mode
        self.children = set()
        self.last_used = time.monotonic()
        self.listener = None
        self.inode = None
        self.key = None
        self.versions = None
        self.argv = list(sys.argv)
        self.environ = dict(os.environ)
        self.cwd = os.getcwd()

    def start(self):
        self.listener = _bind(self.path)
        if self.listener is None:
            return False
        self.inode = _inode(self.path)
        server.warm_up_modules()
        # What the warm-up made lives as long as the worker: out of the collector's sight (gc.freeze), a run's
        # child never walks it. A full collection there would touch every inherited object, copying each
        # page the fork shares (0.3 s measured, where the frozen heap takes 0.1 ms).
        gc.collect()
        gc.freeze()
        self.key = fingerprint()
        # The preflight's answer, read once: it only changes with the installed distributions, and then the
        # fingerprint no longer matches and the worker exits.
        self.versions = _versions()
        self.last_used = time.monotonic()  # idle from now: the import may have taken seconds
        self._write_state()
        return True

    def _write_state(self):
        versions = {}
        for name in ("sqlalchemy", "alembic", "sqlmodel", "pydantic"):
            module = sys.modules.get(name)
            versions[name] = getattr(module, "__version__", None) if module else None
        state = {
            "pid": os.getpid(),
            "python": sys.executable,
            "cwd": self.cwd,
            "mode": self.mode,
            "idleSeconds": self.idle,
            "maxRuns": self.max_runs,
            "started": time.time(),
            "versions": versions,
        }
        tmp = self.path + ".json.tmp"
        with open(tmp, "w") as f:
            json.dump(state, f)
        os.replace(tmp, self.path + ".json")

    def ours(self):
        """Is the socket path still this worker's? (Removed or replaced: another worker serves it, or none.)"""
        return self.inode is not None and _inode(self.path) == self.inode

    def release(self):
        """Give the socket path up (only if it is still ours) and close the listener."""
        if self.listener is not None:
            self.listener.close()
            self.listener = None
        if self.ours():
            for p in (self.path, self.path + ".json"):
                try:
                    os.unlink(p)
                except OSError:
                    pass
        self.inode = None

    def _reap(self):
        while self.children:
            try:
                pid, _status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                return
            if pid == 0:
                return
            self.children.discard(pid)
            self.last_used = time.monotonic()

    def _why_stop(self):
        if not self.ours():
            return "its socket was removed or replaced"
        if not self.children and time.monotonic() - self.last_used >= self.idle:
            return "idle for %s s" % self.idle
        if fingerprint() != self.key:
            return "the installed packages changed"
        return None

    def loop(self):
        tick = max(0.05, min(5.0, self.idle / 4))
        while True:
            self._reap()
            why = self._why_stop()
            if why:
                log.warning("worker %s exits: %s", os.getpid(), why)
                return
            self.listener.settimeout(tick)
            try:
                conn, _addr = self.listener.accept()
            except socket.timeout:
                continue
            try:
                if self._connection(conn):
                    return
            finally:
                conn.close()

    def _connection(self, conn):
        """Handle one connection; True when the worker must stop (stale, or a spare that served its run)."""
        uid = _peer_uid(conn)
        if uid is not None and uid != os.getuid():
            log.warning("refused a connection from uid %s", uid)
            return False
        try:
            hello, rest = _read_hello(conn)
        except (OSError, ValueError):
            return False
        self.last_used = time.monotonic()
        if fingerprint() != self.key:
            _try_send(conn, {"worker": "stale"})
            log.warning("worker %s exits: the installed packages changed", os.getpid())
            return True
        self._reap()
        if self.mode == "spare":
            self.release()
            try:
                _serve_run(conn, hello, rest, after=self.successor, known=self.versions)
            finally:
                os._exit(0)
        if len(self.children) >= self.max_runs:
            _try_send(conn, {"worker": "busy"})
            return False
        pid = os.fork()
        if pid == 0:
            try:
                self.listener.close()
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                _serve_run(conn, hello, rest, known=self.versions)
            finally:
                os._exit(0)
        self.children.add(pid)
        return False

    def successor(self):
        """Spare mode: the interpreter for the next run, started once this one has served its run."""
        with open(self.path + ".log", "a") as out:
            subprocess.Popen(
                [sys.executable, "-m", "migrakit_bridge.worker"] + self.argv[1:],
                cwd=self.cwd,
                env=self.environ,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                start_new_session=True,
            )


def _try_send(conn, obj):
    try:
        _send_line(conn, obj)
    except OSError:
        pass


def _stop(_signum, _frame):
    raise SystemExit(0)


def main(argv):
    sys.dont_write_bytecode = True
    server.setup_logging()
    # As in __main__: SIGUSR1 dumps the stacks to fd 2, which in a run is the pipe to the client (forks
    # inherit the handler), so a hung request can be asked where it waits.
    import faulthandler

    if hasattr(signal, "SIGUSR1"):
        faulthandler.register(signal.SIGUSR1, all_threads=True)
    path, idle, max_runs = argv[1], float(argv[2]), int(argv[3])
    default_mode = "fork" if sys.platform.startswith("linux") else "spare"
    mode = argv[4] if len(argv) > 4 and argv[4] in ("fork", "spare") else default_mode
    worker = Worker(path, idle, max_runs, mode)
    signal.signal(signal.SIGTERM, _stop)
    try:
        if not worker.start():
            return
        worker.loop()
    finally:
        worker.release()


if __name__ == "__main__":
    main(sys.argv)
