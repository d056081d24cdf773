"""The instance's own check, for a schema package to call when it is loaded (what lamin's loader did):

    from migrakit_bridge.instance import check_instance
    status = check_instance(url, "lnschema_core")
    if not status.up_to_date:
        print(status.message)      # "… is 3 script(s) behind lnschema_core 0.4.0; run `migrakit deploy --db …`"

or from a shell: ``python -m migrakit_bridge.instance URL [--package NAME] [--version-table TABLE]`` (exit 0
up to date, 1 behind or ahead, 3 cannot read the instance). It only reads: the installed package's scripts
(alembic's ScriptDirectory on ``<package>/migrations``) and the instance's version table. The URL's password
is never printed: the instance is named ``user@host:port/database``.
"""

import argparse
import importlib
import os
import sys

from .urls import with_driver


class InstanceStatus:
    def __init__(self, target, package, version, head, current, pending, ahead):
        self.target = target
        self.package = package
        self.version = version
        self.head = head
        self.current = current
        self.pending = pending
        self.ahead = ahead

    @property
    def up_to_date(self):
        return not self.pending and not self.ahead

    @property
    def behind(self):
        return len(self.pending)

    @property
    def message(self):
        name = "%s %s" % (self.package, self.version or "")
        if self.ahead:
            return (
                "the instance %s is at revision %s, which the installed %s does not know: install the "
                "package version the instance runs" % (self.target, self.current, name.strip())
            )
        if not self.pending:
            return "the instance %s is up to date with %s" % (self.target, name.strip())
        return (
            "the instance %s is %d script(s) behind %s; run `migrakit deploy --db postgresql://%s` "
            "(migrakit status --db … lists them)" % (self.target, len(self.pending), name.strip(), self.target)
        )

    def as_dict(self):
        return {
            "target": self.target,
            "package": self.package,
            "version": self.version,
            "head": self.head,
            "current": self.current,
            "pending": self.pending,
            "ahead": self.ahead,
            "up_to_date": self.up_to_date,
            "message": self.message,
        }


def describe(url):
    """``user@host:port/database`` built from the URL's parts: never the password."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    user = "%s@" % u.username if u.username else ""
    port = ":%s" % u.port if u.port else ""
    return "%s%s%s/%s" % (user, u.host or "localhost", port, u.database or "")


def _version_table(module, version_table):
    if version_table:
        return version_table
    schema_id = getattr(module, "_schema_id", None)
    return "migration_%s" % schema_id if schema_id else "alembic_version"


def check_instance(url, package, version_table=None, migrations_dir=None):
    """Where the instance at ``url`` stands against the installed ``package`` (an InstanceStatus)."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine, pool, text

    module = importlib.import_module(package)
    location = migrations_dir or os.path.join(os.path.dirname(os.path.abspath(module.__file__)), "migrations")
    script = ScriptDirectory(location)
    head = script.get_current_head()
    table = _version_table(module, version_table)
    engine = create_engine(with_driver(url), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            exists = connection.execute(text("SELECT to_regclass(:t)"), {"t": table}).scalar()
            rows = connection.execute(text("SELECT version_num FROM %s" % table)).fetchall() if exists else []
    finally:
        engine.dispose()
    current = rows[0][0] if rows else None
    known = {rev.revision for rev in script.walk_revisions()}
    ahead = current is not None and current not in known
    pending = [] if ahead else [rev.revision for rev in reversed(list(script.iterate_revisions(head, current)))]
    return InstanceStatus(describe(url), package, getattr(module, "__version__", None), head, current, pending, ahead)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m migrakit_bridge.instance", description="Is this instance behind the installed schema package?"
    )
    parser.add_argument("url")
    parser.add_argument("--package", required=True, help="the schema package's import name (lnschema_core)")
    parser.add_argument("--version-table", help="default: migration_<_schema_id>, else alembic_version")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        status = check_instance(args.url, args.package, args.version_table)
    except Exception as exc:  # noqa: BLE001 - one line, no traceback, no password
        message = str(exc).split("\n")[0]
        try:
            from sqlalchemy.engine import make_url

            password = make_url(args.url).password
            if password:
                message = message.replace(str(password), "***")
        except Exception:  # noqa: BLE001
            pass
        print("cannot read the instance %s: %s" % (describe(args.url), message), file=sys.stderr)
        return 3
    if args.json:
        import json

        print(json.dumps(status.as_dict()))
    else:
        print(status.message)
    return 0 if status.up_to_date else 1


if __name__ == "__main__":
    sys.exit(main())
