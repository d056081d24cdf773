"""The bridge's method table: every request name the TS side may send, mapped to its function.

One table for the whole protocol. Its TypeScript side is the method map of src/bridge/contract.ts (params
and answer per method); test/bridge/contract.test.ts fails when the two name different methods. The
modules it joins import alembic and SQLAlchemy, so server.py imports this one lazily, after the preflight.
"""

from .commands import METHODS as _CORE
from .deploy import METHODS as _DEPLOY
from .generate import METHODS as _GENERATE

METHODS = {**_CORE, **_DEPLOY, **_GENERATE}
