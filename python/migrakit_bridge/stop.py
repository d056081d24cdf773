"""Stopping a deploy that is under way: the operator's signal, or the TypeScript side going away.

While a deploy runs, the main thread is blocked inside libpq, where no Python signal handler can run. So a
watcher thread waits on two file descriptors at once:

- the signal wake-up pipe (``signal.set_wakeup_fd``): the C-level handler writes to it the moment SIGINT,
  SIGTERM or SIGHUP arrives (a Ctrl-C reaches the whole process group, this helper included);
- stdin: the TypeScript side sends nothing during a request, so a line or end-of-file means "stop" (it
  closes stdin when the operator stops migrakit, and the pipe closes by itself when migrakit is killed).

On either, it asks Postgres to cancel the statement in flight (the DBAPI ``cancel()``, which is thread-safe)
and keeps asking until the deploy has ended, because a cancel that reaches a connection between two
statements is ignored; ``check()`` stops the deploy before its next statement for the same reason.
"""

import os
import select
import signal
import threading

_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class Stopped(Exception):
    """Raised before a statement once a stop was asked for (the deploy then rolls back)."""


def _dbapi(connection):
    """The DBAPI connection under a SQLAlchemy Connection (2.x: dbapi_connection; 1.4: connection)."""
    fairy = connection.connection
    return getattr(fairy, "dbapi_connection", None) or getattr(fairy, "connection", None)


class StopWatch:
    def __init__(self, watch_stdin=True, watch_signals=True):
        self.reason = None
        # True while the deploy's own work runs: then every statement first checks for a stop (cleanup after
        # a stop — rollback, dropping an invalid index, reading where the instance is — must still run).
        self.armed = False
        self._watch_stdin = watch_stdin
        self._watch_signals = watch_signals and threading.current_thread() is threading.main_thread()
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._targets = []
        self._old_handlers = {}
        self._old_wakeup = None
        self._pipe = None
        self._thread = None

    def __enter__(self):
        fds = []
        if self._watch_signals:
            read, write = os.pipe()
            os.set_blocking(write, False)
            self._pipe = (read, write)
            self._old_wakeup = signal.set_wakeup_fd(write)
            for sig in _SIGNALS:
                # A no-op Python handler: no KeyboardInterrupt half-way through a rollback.
                self._old_handlers[sig] = signal.signal(sig, lambda *_: None)
            fds.append(read)
        if self._watch_stdin:
            fds.append(0)
        if fds:
            self._thread = threading.Thread(target=self._watch, args=(fds,), name="migrakit-stop", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        if self._thread is not None:
            self._thread.join()
        if self._watch_signals:
            signal.set_wakeup_fd(self._old_wakeup)
            for sig, handler in self._old_handlers.items():
                signal.signal(sig, handler)
            for fd in self._pipe:
                os.close(fd)
        return False

    def _watch(self, fds):
        fds = list(fds)
        while not self._done.is_set():
            if self.reason:
                self._cancel_all()
            ready, _, _ = select.select(fds, [], [], 0.1)
            if self._done.is_set():
                return
            if self._pipe and self._pipe[0] in ready:
                data = os.read(self._pipe[0], 64)
                names = sorted({signal.Signals(b).name for b in data if b in {int(s) for s in _SIGNALS}})
                self.request("the signal %s" % "/".join(names or ["?"]))
            if 0 in ready:
                data = os.read(0, 4096)
                if not data:
                    fds.remove(0)
                self.request("migrakit asked the helper to stop" if data else "migrakit went away (stdin closed)")

    def request(self, reason):
        with self._lock:
            if self.reason is None:
                self.reason = reason
        self._cancel_all()

    def _cancel_all(self):
        with self._lock:
            targets = list(self._targets)
        for dbapi in targets:
            try:
                dbapi.cancel()
            except Exception:  # noqa: BLE001 - a connection already closed needs no cancel
                pass

    def guard(self, connection):
        """Cancel this connection's statements on a stop; returns a function that stops guarding it."""
        dbapi = _dbapi(connection)
        with self._lock:
            self._targets.append(dbapi)

        def release():
            with self._lock:
                if dbapi in self._targets:
                    self._targets.remove(dbapi)

        return release

    def check(self):
        if self.reason:
            raise Stopped("the deploy was stopped: %s" % self.reason)
