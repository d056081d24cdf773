"""Where the repo's own code failed: the frames of a failure that are the user's, not a library's.

A failed request's answer carries them (server.py ``describe``), so the TS side points a finding at the
script's statement, env.py or the ORM file without reading the traceback text. A frame is the user's
unless its file is the standard library's, an installed package's (SQLAlchemy, alembic, psycopg2 …) or
this bridge's own. Files under the import root (``import_root`` or ``repo_root`` of the request) are given
relative to it, with ``/``; others (a copy of the scripts in a temporary folder) stay absolute.
"""

import os
import sysconfig
import traceback

_BRIDGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _library_dirs():
    paths = sysconfig.get_paths()
    dirs = {paths.get(key) for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    return tuple(os.path.realpath(d) + os.sep for d in dirs if d) + (_BRIDGE_DIR + os.sep,)


_LIBRARY_DIRS = _library_dirs()
_INSTALLED = (os.sep + "site-packages" + os.sep, os.sep + "dist-packages" + os.sep)


def is_library(path):
    """A file of the standard library, an installed package or the bridge; ``<frozen …>``, ``<string>`` too."""
    if not path or path.startswith("<"):
        return True
    real = os.path.realpath(path)
    return real.startswith(_LIBRARY_DIRS) or any(part in real for part in _INSTALLED)


def _shown(path, root):
    """``path`` relative to ``root`` when it lies under it (with ``/``), else absolute."""
    real = os.path.realpath(path)
    if root:
        base = os.path.realpath(root)
        if real.startswith(base + os.sep):
            return os.path.relpath(real, base).replace(os.sep, "/")
    return real


def _chain(exc):
    """The exception and those it was raised from or during, the earliest first (as a traceback prints them)."""
    seen, order = set(), []
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        order.append(exc)
        exc = exc.__cause__ if exc.__cause__ is not None else (None if exc.__suppress_context__ else exc.__context__)
    return reversed(order)


def _users(path, root):
    """A file under the import root is the repo's, even where that root lies (a repo inside a venv)."""
    if root and os.path.realpath(path).startswith(os.path.realpath(root) + os.sep):
        return True
    return not is_library(path)


def user_frames(exc, root=None):
    """The user's frames of ``exc`` and its chain, the innermost last: ``{file, line, function, code}``.

    A SyntaxError's place is no frame (the file never ran): it comes last, with the offending line as code.
    """
    frames = []
    for e in _chain(exc):
        for f in traceback.extract_tb(e.__traceback__):
            if _users(f.filename, root):
                code = (f.line or "").strip()
                frames.append({"file": _shown(f.filename, root), "line": f.lineno, "function": f.name, "code": code})
        if isinstance(e, SyntaxError) and e.filename and _users(e.filename, root):
            code = (e.text or "").strip()
            frames.append({"file": _shown(e.filename, root), "line": e.lineno, "function": None, "code": code})
    return frames
