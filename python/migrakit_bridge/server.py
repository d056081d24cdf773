"""The protocol: one JSON request per line on stdin, one JSON response per line on stdout.

    → {"id": 1, "method": "upgrade", "params": {...}}
    ← {"id": 1, "result": ...}
    ← {"id": 1, "error": {"type": "...", "message": "...", "traceback": "...", "category": "...", "frames": [...]}}

An error's ``frames`` are the repo's own frames of the failure, the innermost last (frames.py): what the TS
side points a finding at; the traceback text is only shown, never read.

stdout carries protocol only: at start the real stdout is kept for responses and file descriptor 1 is
pointed at stderr, so a print() in env.py, a migration script or a C extension cannot corrupt the stream.
The process serves until stdin closes; the import of alembic/SQLAlchemy/the package is paid once.
"""

import gc
import json
import logging
import os
import sys
import time
import traceback

from .frames import user_frames

# Exceptions that mean "the machine is missing something" rather than "the repo's code failed".
_DATABASE_ERRORS = ("OperationalError", "InterfaceError")


def _protocol_stream():
    """A private duplicate of stdout for responses; fd 1 and sys.stdout then go to stderr."""
    sys.stdout.flush()
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return protocol


def _category(exc):
    if isinstance(exc, ModuleNotFoundError):
        return "missing_module"
    if type(exc).__name__ in _DATABASE_ERRORS and type(exc).__module__.startswith("sqlalchemy"):
        return "database"
    return "error"


def describe(exc, params=None):
    """The error answer for ``exc``; ``params`` (the request's) give the import root its frames are shown under."""
    params = params if isinstance(params, dict) else {}
    error = {
        "type": type(exc).__name__,
        "message": str(exc),
        "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
        "category": _category(exc),
        "frames": user_frames(exc, params.get("import_root") or params.get("repo_root")),
    }
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        error["module"] = exc.name
    return error


def handle(line, methods):
    """One request line → one response dict (never raises)."""
    try:
        request = json.loads(line)
        if not isinstance(request, dict) or not isinstance(request.get("method"), str):
            raise ValueError("a request is an object with a string `method`")
    except ValueError as exc:
        return {
            "id": None,
            "error": {"type": "ProtocolError", "message": str(exc), "traceback": "", "category": "protocol"},
        }
    request_id = request.get("id")
    try:
        method = methods.get(request["method"])
        if method is None:
            return {
                "id": request_id,
                "error": {
                    "type": "UnknownMethod",
                    "category": "protocol",
                    "traceback": "",
                    "message": "unknown method %r" % request["method"],
                },
            }
        return {"id": request_id, "result": method(request.get("params") or {})}
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - user code failing (even sys.exit in env.py) is an answer
        params = request.get("params")
        _forget_failed_import(params.get("package") if isinstance(params, dict) else None)
        return {"id": request_id, "error": describe(exc, params)}


def _forget_failed_import(package):
    """After a request failed with the schema package not (fully) imported, forget what the failed import left.

    A module that raised after defining tables leaves them in SQLModel's one MetaData while the module itself
    is gone from sys.modules: the next request's import would then fail with "Table ... is already defined
    for this MetaData instance" instead of the real error. Purging makes every request report the original.
    """
    if isinstance(package, str) and package and package not in sys.modules:
        from . import package as package_module

        package_module._purge(package)


# What the first real request would import, in the order it would: alembic and SQLAlchemy (with the
# Postgres dialect and driver), SQLModel, which schema packages build on, and the bridge's whole method table
# (generate, renames, deploy, …: compiled from source in every run, bytecode never being written, when the
# worker left them to the run's first request). Missing ones are skipped: the request that needs them
# reports it. sqlalchemy.ext.asyncio (every env.py run imports it:
# environment._async_engines_take_an_async_driver) and what the dialect's first connect imports: left out,
# every run of the warm worker imported them again (python/tests/test_warm_modules.py holds the list whole).
_WARM_MODULES = (
    "sqlalchemy",
    "alembic.config",
    "alembic.script",
    "alembic.runtime.environment",
    "alembic.runtime.migration",
    "alembic.operations",
    "alembic.autogenerate",
    "sqlalchemy.dialects.postgresql",
    "psycopg2",
    "psycopg2.extras",
    "psycopg2._ipaddress",
    "sqlalchemy.ext.asyncio",
    "sqlmodel",
    "migrakit_bridge.methods",
)


def warm_up_modules():
    import importlib

    for name in _WARM_MODULES:
        try:
            importlib.import_module(name)
        except BaseException:  # noqa: BLE001 - a failed import is the request's to report, not ours
            pass
    _warm_up_templates()


def _warm_up_templates():
    """Compile the built-in script template once (not rendered, not kept): Mako's lexer compiles its regular
    expressions on first use, which re's cache then keeps for the repo's own template in render_script."""
    try:
        from mako.template import Template

        from .environment import TEMPLATES_DIR

        Template(filename=os.path.join(TEMPLATES_DIR, "script.py.mako"))
    except Exception:  # noqa: BLE001 - render_script reports a broken Mako itself
        pass


# A run's process lives for one run. With the default threshold (700) the cyclic collector ran some 25 times
# in a warm hook's `generate` (importing the ORM twice, reflecting, rendering: 15–25 ms CPU), and 480 times
# in a cold check of 1000 scripts. A warm hook or check on the benches' 1000 scripts leaves 75 000–77 000
# young objects in all: at 50 000 one collection of them all (20–80 ms) ran in each, at this one none does;
# a run that makes garbage by the million (a data migration) still has it collected, a little later.
RUN_GC_THRESHOLD = 100_000


def collect_less():
    _young, *older = gc.get_threshold()
    gc.set_threshold(RUN_GC_THRESHOLD, *older)


def _warm_up_out_of_sight():
    """warm_up_modules in a process of its own, then its heap out of the collector's sight, as the warm
    worker's parent leaves it to each run's child (gc.freeze; no collection first: what the import left as
    garbage is little, and a full collection here would cost more than it frees), collected as that child is.

    The stack's import makes some 130 000 objects that live as long as the process: left in sight, every
    later collection of the older generations walks them again. A cold check of 1000 scripts spent 1.2 s
    in 480 collections; this way 0.2–0.4 s in one to three after the warm-up (the same loaded machine).
    """
    gc.disable()  # nothing else runs meanwhile: requests other than the preflight wait for the warm-up
    try:
        warm_up_modules()
    finally:
        gc.freeze()
        collect_less()
        gc.enable()


class LazyMethods:
    """The method table, imported on the first request that needs it.

    ``versions`` (the preflight) answers without it: the table's modules import alembic and SQLAlchemy,
    which takes a second and fails when they are missing, and that is what the preflight must report.
    ``warm_up`` imports them in a thread (a failed import is the request's to report, not the thread's);
    the next request other than ``versions`` waits for that thread, so user code never runs beside it.
    ``start`` (a process of its own: main) reads the preflight's answer first, in this thread, and then
    starts the thread at once, in the time the TS side takes to send its first request: so the two threads
    never import at the same time (the preflight's importlib.metadata and email are the stack's imports too,
    and two threads importing one circle of modules can deadlock on Python's per-module import locks).
    """

    def __init__(self):
        self._warming = None
        self._versions = None
        self._target = warm_up_modules

    def start(self):
        from .versions import versions

        try:
            self._versions = versions()
        except Exception:  # noqa: BLE001 - then the request asks again, and answers with the error
            self._versions = None
        self._target = _warm_up_out_of_sight
        self.warm_up()

    def warm_up(self):
        import threading

        if self._warming is None:
            self._warming = threading.Thread(target=self._target, name="migrakit-warm-up", daemon=True)
            self._warming.start()

    def get(self, name):
        if name == "versions":
            known = self._versions
            if known is not None:
                # Read at the process's start, a moment ago: a process serves one run (as the worker's
                # answer, read once, serves all of its runs).
                return lambda _params=None: known
            from .versions import versions

            return versions
        if self._warming is not None:
            self._warming.join()
        from .methods import METHODS

        return METHODS.get(name)


def _encode(response):
    try:
        return json.dumps(response, default=str)
    except (TypeError, ValueError) as exc:
        return json.dumps({"id": response.get("id"), "error": describe(exc)})


def _method_of(line):
    try:
        return json.loads(line).get("method")
    except (ValueError, AttributeError):
        return None


def exit_now():
    """End without interpreter teardown: it takes most of a second after alembic, SQLAlchemy and the ORM are
    loaded (module and object finalisation), and nothing of ours is left to do once stdin has closed."""
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    logging.shutdown()
    os._exit(0)


def setup_logging(env=None):
    """Logging to stderr; MIGRAKIT_BRIDGE_VERBOSE=1 logs each request's time (set again per run by the worker)."""
    env = os.environ if env is None else env
    logging.basicConfig(
        stream=sys.stderr,
        format="[bridge] %(relativeCreated)6.0f ms %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger().setLevel(logging.INFO if env.get("MIGRAKIT_BRIDGE_VERBOSE") else logging.WARNING)


def serve(lines, send, methods=None):
    """Answer request lines until they end; ``send`` writes one response line. Used by main() on stdin and
    by the warm worker (worker.py) on a run's socket, whose child has the table imported already."""
    log = logging.getLogger("migrakit_bridge")
    methods = LazyMethods() if methods is None else methods
    for line in lines:
        if not line.strip():
            continue
        started = time.perf_counter()
        send(_encode(handle(line, methods)) + "\n")
        method = _method_of(line)
        log.info("%s answered in %.3f s", method, time.perf_counter() - started)
        if method == "versions":
            methods.warm_up()


def main():
    sys.dont_write_bytecode = True  # a rewritten script must never be shadowed by a stale .pyc
    setup_logging()
    protocol = _protocol_stream()

    def send(text):
        protocol.write(text)
        protocol.flush()

    # The stack's import (a second or more) starts now, not once the preflight has answered: the preflight
    # comes when the TS side's event loop gets to it (a cold check reads its scripts meanwhile), and until
    # then this process has nothing else to do.
    methods = LazyMethods()
    methods.start()
    serve(sys.stdin, send, methods)
    protocol.close()
    exit_now()


if __name__ == "__main__":
    main()
