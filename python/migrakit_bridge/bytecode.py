"""A code cache for the files alembic loads (every script of the versions folder, and env.py), keyed by content.

alembic builds its revision map by executing every script file, and the bridge runs with no bytecode written
(``sys.dont_write_bytecode``: a script rewritten within the second, at the same size, would be shadowed by
its stale timestamp-checked .pyc, and the user's tree is not ours to write into). So each run compiled every
script from source again: at 1000 scripts that is a few hundred ms of each warm hook and check. This cache
maps the source's bytes (with the interpreter's bytecode magic and the optimisation level) to the compiled
code, in migrakit's own cache folder, so a script is compiled once per content, whichever folder it is read
from (the user's tree, a hook's snapshot): exact by construction, never stale.

What it keeps is code that this process will run, so it is only read from a folder this user owns that no
one else may write (as the V8 code cache of the CLI, src/util/code-cache.ts), and each entry carries the
digest of its payload (marshal checks nothing). Off under ``CI=true`` (a fresh clone never hits it) and with
``MIGRAKIT_NO_CACHE=1``. Any failure to read or write an entry only means a compile, as without the cache.
"""

import hashlib
import importlib.util
import os
import sys
import types

_ENTRY_MAGIC = b"MKPYC1\n"
_installed = False


def install():
    """Load alembic's files through the cache from now on (idempotent; alembic imported by the caller)."""
    global _installed
    if _installed:
        return
    import alembic.util.pyfiles as pyfiles

    original = pyfiles.load_module_py

    def load_module_py(module_id, path):
        folder = cache_folder(os.environ)
        if folder is None or not str(path).endswith(".py"):
            return original(module_id, path)
        return load_module(module_id, path, folder)

    # alembic's load_python_file (scripts and env.py alike) calls this module-level function at each load.
    pyfiles.load_module_py = load_module_py
    _installed = True


_VARIABLES = ("CI", "MIGRAKIT_NO_CACHE", "XDG_CACHE_HOME", "HOME")
_folders = {}


def cache_folder(environ):
    """``$XDG_CACHE_HOME/migrakit/pyc/<magic>``, else under ``$HOME/.cache``; None when caching is off.

    The same base folder as the TS side's (src/util/cache-dir.ts): the run's environment is the caller's.
    """
    ci, off, xdg, home = (environ.get(name) for name in _VARIABLES)
    key = (ci, off, xdg, home)
    if key not in _folders:
        _folders[key] = _folder(ci, off, xdg, home)
    return _folders[key]


def _folder(ci, off, xdg, home):
    if (ci or "").lower() in ("true", "1") or off == "1":
        return None
    base = (xdg or "").strip()
    if not base:
        if not home:
            return None
        base = os.path.join(home, ".cache")
    return os.path.join(base, "migrakit", "pyc", importlib.util.MAGIC_NUMBER.hex())


def load_module(module_id, path, folder):
    """What alembic's load_module_py does (the same spec, module and namespace), with the code from the cache."""
    spec = importlib.util.spec_from_file_location(module_id, path)
    module = importlib.util.module_from_spec(spec)
    with open(path, "rb") as f:
        source = f.read()
    filename = os.fspath(path)
    code = cached_code(source, filename, folder)
    exec(code, module.__dict__)  # what SourceLoader.exec_module does with the file's code
    return module


def cached_code(source, filename, folder):
    """The code of ``source`` as compiled for ``filename``: from the cache when a trusted entry holds it."""
    key = hashlib.sha256(b"%d\0" % sys.flags.optimize + source).hexdigest()
    entry = os.path.join(folder, key[:2], key)
    code = _read(entry, folder)
    if code is None:
        # As SourceLoader.source_to_code: bytes, so a coding cookie or a BOM is honoured as on import.
        code = compile(source, filename, "exec", dont_inherit=True)
        _write(entry, code)
        return code
    return _with_filename(code, filename)


def _with_filename(code, filename):
    """The code as if compiled for ``filename``: an entry is shared by every path with the same content, and
    a traceback must name the file it ran from."""
    if code.co_filename == filename:
        return code
    consts = tuple(_with_filename(c, filename) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def _trusted(folder):
    """Ours, and writable by no one else (the folder and the pyc/ folder above it): they hold code we run."""
    try:
        for d in (folder, os.path.dirname(folder)):
            st = os.stat(d)
            if st.st_uid != os.geteuid() or st.st_mode & 0o022:
                return False
    except OSError:
        return False
    return True


_trust = {}


def _read(entry, folder):
    import marshal

    if folder not in _trust:
        _trust[folder] = _trusted(folder)
    if not _trust[folder]:
        return None
    try:
        with open(entry, "rb") as f:
            data = f.read()
    except OSError:
        return None
    head = len(_ENTRY_MAGIC)
    if data[:head] != _ENTRY_MAGIC or len(data) < head + 32:
        return None
    digest, payload = data[head : head + 32], data[head + 32 :]
    if hashlib.sha256(payload).digest() != digest:
        return None
    try:
        code = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, types.CodeType) else None


def _make_folders(folder):
    """Each missing level made 0700 (os.makedirs gives only the last one its mode), up to migrakit's folder."""
    if os.path.isdir(folder):
        return
    _make_folders(os.path.dirname(folder))
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass


def _write(entry, code):
    """Atomically (a whole entry or none), in folders made 0700; a failure leaves only the compile done."""
    import marshal

    tmp = f"{entry}.{os.getpid()}.tmp"
    try:
        _make_folders(os.path.dirname(entry))
        payload = marshal.dumps(code)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, _ENTRY_MAGIC + hashlib.sha256(payload).digest() + payload)
        finally:
            os.close(fd)
        os.replace(tmp, entry)
    except (OSError, ValueError):
        try:
            os.unlink(tmp)
        except OSError:
            pass
