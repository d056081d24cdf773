"""Which copy of the schema package Python imports.

migrakit checks the git index, not the working tree: it exports the index to a temporary folder and passes
it as ``import_root``. The package may also be pip-installed in editable mode, whose finder (setuptools'
``__editable___*_finder``) or ``.pth`` entry would hand out the working tree instead; so the import root goes
first on sys.path, editable finders that claim the package are removed, and modules of the package already
imported from elsewhere are purged.
"""

import importlib
import os
import sys

# The import root in force for each package name, so a request with another root re-imports the package.
_roots = {}
# Top-level packages requests were for (not only imported as another's dependency) since SQLModel's metadata
# was last cleared: the metadata holds what each of them imports, so switching between them needs no purge.
_imported_with = set()


def _owned_by(module_name, package):
    return module_name == package or module_name.startswith(package + ".")


def _claims(finder, package):
    """True for a setuptools editable finder (or similar) that maps ``package`` somewhere."""
    module = sys.modules.get(getattr(finder, "__module__", "") or "")
    if module is None or "__editable__" not in module.__name__:
        return False
    mapping = getattr(module, "MAPPING", None)
    if isinstance(mapping, dict):
        return package.split(".")[0] in mapping
    return True


def _purge(package, old_root=None):
    """Forget the package, everything imported from its old root, the packages that share SQLModel's
    registry with it, and the modules that depend on any of them.

    SQLModel's MetaData and class registry are global: clearing them for a re-import also drops the tables
    of packages the ORM builds on (a lamin schema module's foreign keys into ``core.user``), which would not
    come back, being imported already — so those packages are forgotten too and re-imported with it, from
    wherever they are found (the same snapshot, or installed elsewhere). A dependent (another schema package
    importing this one, a module of the repo holding its classes) would otherwise keep the old classes and
    their tables alive in the next request's metadata.
    """
    owners = {package} | _sqlmodel_table_packages()
    gone = {n for n in sys.modules if any(_owned_by(n, owner) for owner in owners)}
    if old_root:
        gone |= {
            n
            for n, m in list(sys.modules.items())
            if m is not None and _module_under(m, old_root) and not _installed(m)
        }
    gone |= _dependents(gone)
    for name in sorted(gone):
        sys.modules.pop(name, None)
    _imported_with.clear()
    _forget_sqlmodel_tables()


def _sqlmodel_table_packages():
    """Top-level names of the modules whose classes SQLModel's registry maps (sqlmodel's own excluded)."""
    main = sys.modules.get("sqlmodel.main")
    registry = getattr(main, "default_registry", None) if main is not None else None
    try:
        modules = {mapper.class_.__module__ for mapper in registry.mappers} if registry is not None else set()
    except Exception:  # noqa: BLE001 - a registry in a bad state: forget only the package itself
        return set()
    return {m.split(".")[0] for m in modules if m and not m.startswith(("sqlmodel", "sqlalchemy"))}


def _installed(module):
    """A module of an installed distribution or of the bridge (a venv may live inside the repo root)."""
    path = getattr(module, "__file__", None) or ""
    parts = os.path.abspath(path).split(os.sep) if path else []
    return "site-packages" in parts or "dist-packages" in parts or module.__name__.startswith("migrakit_bridge")


def _dependents(gone):
    """Modules outside ``gone`` holding a module, class or function of it, to a fixpoint."""
    found = set()
    while True:
        added = set()
        for name, module in list(sys.modules.items()):
            if (
                name in gone
                or name in found
                or module is None
                or name.startswith(("sqlalchemy", "sqlmodel", "alembic", "pydantic"))
            ):
                continue
            try:
                values = list(vars(module).values())
            except TypeError:
                continue
            for value in values:
                origin = value.__name__ if isinstance(value, type(sys)) else getattr(value, "__module__", None)
                if isinstance(origin, str) and (origin in gone or origin in found):
                    added.add(name)
                    break
        if not added:
            return found
        found |= added


def _forget_sqlmodel_tables():
    """SQLModel keeps one global MetaData and class registry; a re-import would define every table twice.

    What an import or an env.py sets on that MetaData goes too (a naming convention, a default schema,
    ``info``): a tree that sets none must not get the convention of the tree imported before it.
    """
    main = sys.modules.get("sqlmodel.main")
    if main is None:
        return
    sqlmodel_cls = getattr(main, "SQLModel", None)
    if sqlmodel_cls is not None:
        metadata = sqlmodel_cls.metadata
        metadata.clear()
        from sqlalchemy.sql import schema as sa_schema

        metadata.naming_convention = sa_schema.DEFAULT_NAMING_CONVENTION
        metadata.schema = None
        metadata.info.clear()
        # An Enum with a schema registers create/drop listeners on the MetaData it joins: left there, the
        # next tree's create_all would create the earlier tree's types (in a schema that tree may lack).
        try:
            metadata.dispatch._clear()
        except Exception:  # noqa: BLE001 - private API; without it only old enum types leak
            pass
    registry = getattr(main, "default_registry", None)
    if registry is not None:
        try:
            registry.dispose()
            registry._class_registry.clear()
        except Exception:  # noqa: BLE001 - private API; a leftover registry only causes warnings
            pass


def prepare(params):
    """Make ``import {package}`` resolve to ``import_root`` (or ``repo_root``) for this request."""
    package = params["package"]
    repo_root = os.path.abspath(params.get("repo_root") or os.getcwd())
    import_root = params.get("import_root")
    root = os.path.abspath(import_root) if import_root else repo_root
    if root in sys.path:
        sys.path.remove(root)
    sys.path.insert(0, root)
    if import_root:
        sys.meta_path[:] = [f for f in sys.meta_path if not _claims(f, package)]
    if _roots.get(package) not in (None, root):
        _purge(package, _roots.get(package))
    elif import_root and package in sys.modules and not _module_under(sys.modules[package], root):
        _purge(package)
    elif _sqlmodel_table_packages() - {package.split(".")[0]} and package.split(".")[0] not in _imported_with:
        # Another package's tables are on SQLModel's metadata but this package was not imported with them
        # (check of core after a module): start clean, so its metadata holds its own tables and what it imports.
        _purge(package)
    _imported_with.add(package.split(".")[0])
    _roots[package] = root
    importlib.invalidate_caches()
    return root


def _module_under(module, root):
    path = getattr(module, "__file__", None)
    if not path:
        locations = list(getattr(module, "__path__", []) or [])
        path = locations[0] if locations else None
    if not path:
        return False
    return os.path.abspath(path).startswith(root.rstrip(os.sep) + os.sep)


def import_package(params):
    prepare(params)
    return importlib.import_module(params["package"])


def migrations_dir(params):
    """The alembic script location: ``migrations_dir`` if given, else ``{package}/migrations``.

    Relative paths are taken from the import root when there is one (the exported index), else the repo
    root, so scripts and ORM always come from the same snapshot.
    """
    base = params.get("import_root") or params.get("repo_root") or os.getcwd()
    location = params.get("migrations_dir") or os.path.join(*params["package"].split("."), "migrations")
    return os.path.abspath(os.path.join(base, location))


def _interpreter_folders():
    """The folders of the interpreter itself (stdlib, site-packages, user site): what a pip install changes."""
    import site
    import sysconfig

    folders = set()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = sysconfig.get_paths().get(key)
        if path:
            folders.add(path)
    for path in list(getattr(site, "getsitepackages", lambda: [])()) + [getattr(site, "USER_SITE", None) or ""]:
        if path:
            folders.add(path)
    folders.add(os.path.dirname(os.path.abspath(__file__)))  # the bridge itself
    return tuple(os.path.realpath(f).rstrip(os.sep) + os.sep for f in folders)


def loaded_files(_params):
    """Source files of every module loaded so far, outside the interpreter's own folders and the bridge.

    After the dynamic check this is what the ORM import and env.py actually read besides installed packages:
    a repo-root ``shared_settings.py``, a sibling folder on PYTHONPATH. The check's result cache keys on their
    contents (installed packages are covered by the site-packages stamps on the TypeScript side).
    """
    skip = _interpreter_folders()
    real_dirs = {}
    files = set()
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path:
            continue
        real = _realpath(path, real_dirs)
        if real.startswith(skip) or not os.path.isfile(real):
            continue
        files.add(os.path.abspath(path))
    return sorted(files)


def _realpath(path, real_dirs):
    """os.path.realpath(path), resolving each folder once: a thousand modules live in a few dozen folders, and
    realpath looks at every component of every path (45 ms for the worker's own modules)."""
    if os.pardir in path.split(os.sep) or os.path.islink(path):
        return os.path.realpath(path)  # "..": realpath walks up from where a link leads, abspath does not
    folder, name = os.path.split(os.path.abspath(path))
    real = real_dirs.get(folder)
    if real is None:
        real = real_dirs[folder] = os.path.realpath(folder)
    return os.path.join(real, name)
