"""lnschema_demo: an example schema package in the style of lamin's schema modules."""

_schema_id = "demo"
_migration = "dd2b4a9499f2"
__version__ = "0.2.0"

from ._core import Run, Transform, User  # noqa: E402,F401
