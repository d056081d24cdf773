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


def is_library(path, realpath=os.path.realpath):
    """A file of the standard library, an installed package or the bridge; ``<frozen …>``, ``<string>`` too."""
    if not path or path.startswith("<"):
        return True
    real = realpath(path)
    return real.startswith(_LIBRARY_DIRS) or any(part in real for part in _INSTALLED)


def _shown(path, root, realpath=os.path.realpath):
    """``path`` relative to ``root`` when it lies under it (with ``/``), else absolute."""
    real = realpath(path)
    if root:
        base = realpath(root)
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


def _users(path, root, realpath=os.path.realpath):
    """A file under the import root is the repo's, even where that root lies (a repo inside a venv)."""
    if root and realpath(path).startswith(realpath(root) + os.sep):
        return True
    return not is_library(path, realpath)


def _remembered_realpath():
    """os.path.realpath, each path resolved once: a failure's 40-odd frames lie in a dozen files, and each
    frame asked for its file's and the root's real path up to three times (an lstat per component each;
    two thirds of the frames' cost on an env.py that fails to connect)."""
    known = {}

    def realpath(path):
        real = known.get(path)
        if real is None:
            real = known[path] = os.path.realpath(path)
        return real

    return realpath


def user_frames(exc, root=None):
    """The user's frames of ``exc`` and its chain, the innermost last: ``{file, line, function, code}``.

    A SyntaxError's place is no frame (the file never ran): it comes last, with the offending line as code.
    """
    realpath = _remembered_realpath()  # for this answer only: files may move between requests
    frames = []
    for e in _chain(exc):
        for f in traceback.extract_tb(e.__traceback__):
            if _users(f.filename, root, realpath):
                code = (f.line or "").strip()
                shown = _shown(f.filename, root, realpath)
                frames.append({"file": shown, "line": f.lineno, "function": f.name, "code": code})
        if isinstance(e, SyntaxError) and e.filename and _users(e.filename, root, realpath):
            code = (e.text or "").strip()
            frames.append(
                {"file": _shown(e.filename, root, realpath), "line": e.lineno, "function": None, "code": code}
            )
    return frames
