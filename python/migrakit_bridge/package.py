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


def _purge(package):
    """Forget ``package`` and every package whose classes share SQLModel's registry with it.

    SQLModel's MetaData and class registry are global: clearing them for a re-import also drops the tables
    of packages the ORM builds on (a lamin schema module's foreign keys into ``core.user``), which would not
    come back, being imported already. So those packages are forgotten too and re-imported with it, from
    wherever they are found (the same snapshot, or installed elsewhere).
    """
    owners = {package} | _sqlmodel_table_packages()
    for name in [n for n in sys.modules if any(_owned_by(n, owner) for owner in owners)]:
        del sys.modules[name]
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


def _forget_sqlmodel_tables():
    """SQLModel keeps one global MetaData and class registry; a re-import would define every table twice."""
    main = sys.modules.get("sqlmodel.main")
    if main is None:
        return
    sqlmodel_cls = getattr(main, "SQLModel", None)
    if sqlmodel_cls is not None:
        sqlmodel_cls.metadata.clear()
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
        _purge(package)
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
