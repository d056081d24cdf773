"""What the warm worker imports before a run (server._WARM_MODULES) covers what a run's requests import.

A module the worker's parent did not import is imported, and its code executed, by every run's child again:
that is how `sqlalchemy.ext.asyncio` (which every env.py run imports, environment.py) cost each warm hook its
first request's import, and the bridge's own generate/renames/deploy modules (compiled from source each time:
bridge runs write no bytecode) its `schemas` request 30 ms. A fresh interpreter warms up as the worker does,
then runs the hook's requests on the fixture repo; of the stack (alembic, SQLAlchemy, SQLModel, the driver)
and of the bridge, nothing may be new.
"""

import json
import subprocess
import sys

from conftest import PYTHON_DIR

_RUN = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from migrakit_bridge import server
server.warm_up_modules()
before = set(sys.modules)
from migrakit_bridge.methods import METHODS
pkg = {"repo_root": sys.argv[2], "package": "heroes"}
METHODS["schemas"](pkg)
METHODS["upgrade"](dict(pkg, url=sys.argv[3]))
METHODS["compare"](dict(pkg, url=sys.argv[3]))
METHODS["generate"](dict(pkg, url=sys.argv[3]))
METHODS["render_script"]({"revision": "c0ffee000001", "down_revision": None})
print(json.dumps(sorted(set(sys.modules) - before)))
"""

_STACK = ("alembic", "sqlalchemy", "sqlmodel", "psycopg2", "pydantic", "mako", "migrakit_bridge")


def test_a_run_after_the_warm_up_imports_nothing_of_the_stack_or_the_bridge(repo, db_url):
    out = subprocess.run(
        [sys.executable, "-c", _RUN, PYTHON_DIR, str(repo), db_url],
        capture_output=True,
        text=True,
        check=True,
    )
    new = json.loads(out.stdout.strip().splitlines()[-1])
    assert "heroes" in new  # the run did import the package: the comparison below is not vacuous
    assert [m for m in new if m.split(".")[0] in _STACK] == []
