"""The ``versions`` method: what the interpreter has, read from package metadata without importing it.

It is the preflight of the TypeScript side, so it must work when alembic or SQLAlchemy are missing and must
stay fast: importlib.metadata reads the installed distributions' METADATA files only.
"""

import platform
import sys
from importlib import metadata

# Distribution names (as pip knows them) for each component; the first one installed wins.
COMPONENTS = {
    "alembic": ["alembic"],
    "sqlalchemy": ["SQLAlchemy"],
    "sqlmodel": ["sqlmodel"],
    "pydantic": ["pydantic"],
    "psycopg2": ["psycopg2", "psycopg2-binary"],
    "psycopg": ["psycopg"],
}


def _installed(names):
    for name in names:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return None


def versions(_params=None):
    result = {
        "python": platform.python_version(),
        "executable": sys.executable,
        "implementation": platform.python_implementation(),
    }
    for component, names in COMPONENTS.items():
        result[component] = _installed(names)
    from .urls import choose_driver

    result["driver"] = choose_driver(result["sqlalchemy"])
    from . import PROTOCOL_VERSION

    result["protocol"] = PROTOCOL_VERSION
    import signal

    # __main__ registers faulthandler on it: the TS side may ask a hung request where it waits.
    result["stack_dump"] = "SIGUSR1" if hasattr(signal, "SIGUSR1") else None
    return result
