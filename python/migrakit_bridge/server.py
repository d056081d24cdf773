"""The protocol: one JSON request per line on stdin, one JSON response per line on stdout.

    → {"id": 1, "method": "upgrade", "params": {...}}
    ← {"id": 1, "result": ...}
    ← {"id": 1, "error": {"type": "...", "message": "...", "traceback": "...", "category": "..."}}

stdout carries protocol only: at start the real stdout is kept for responses and file descriptor 1 is
pointed at stderr, so a print() in env.py, a migration script or a C extension cannot corrupt the stream.
The process serves until stdin closes; the import of alembic/SQLAlchemy/the package is paid once.
"""

import json
import logging
import os
import sys
import traceback

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


def describe(exc):
    error = {
        "type": type(exc).__name__,
        "message": str(exc),
        "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
        "category": _category(exc),
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
        return {"id": None, "error": {"type": "ProtocolError", "message": str(exc), "traceback": "",
                                      "category": "protocol"}}
    request_id = request.get("id")
    try:
        method = methods.get(request["method"])
        if method is None:
            return {"id": request_id, "error": {"type": "UnknownMethod", "category": "protocol", "traceback": "",
                                                "message": "unknown method %r" % request["method"]}}
        return {"id": request_id, "result": method(request.get("params") or {})}
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - user code failing (even sys.exit in env.py) is an answer
        return {"id": request_id, "error": describe(exc)}


class LazyMethods:
    """The method table, imported on the first request that needs it.

    ``versions`` (the preflight) answers without it: the table's modules import alembic and SQLAlchemy,
    which takes a second and fails when they are missing, and that is what the preflight must report.
    """

    def get(self, name):
        if name == "versions":
            from .versions import versions

            return versions
        from .commands import METHODS

        return METHODS.get(name)


def _encode(response):
    try:
        return json.dumps(response, default=str)
    except (TypeError, ValueError) as exc:
        return json.dumps({"id": response.get("id"), "error": describe(exc)})


def main():
    sys.dont_write_bytecode = True  # a rewritten script must never be shadowed by a stale .pyc
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.INFO if os.environ.get("MIGRAKIT_BRIDGE_VERBOSE") else logging.WARNING,
        format="[bridge] %(levelname)s %(name)s: %(message)s",
    )
    protocol = _protocol_stream()
    methods = LazyMethods()
    for line in sys.stdin:
        if not line.strip():
            continue
        protocol.write(_encode(handle(line, methods)) + "\n")
        protocol.flush()


if __name__ == "__main__":
    main()
