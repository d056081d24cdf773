"""Fixtures: a fresh Postgres database per test, a copy of the heroes fixture repo, a running bridge.

The server comes from MIGRAKIT_TEST_DATABASE_URL (an admin URL; the node test that runs this suite sets it
from test/helpers/postgres.ts). Each test gets its own database, dropped afterwards.
"""

import json
import os
import shutil
import subprocess
import sys
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON_DIR = os.path.dirname(HERE)
FIXTURE_REPO = os.path.join(PYTHON_DIR, "..", "test", "fixtures", "bridge", "repo")
HEAD = "b2c3d4e5f6a1"
FIRST = "a1b2c3d4e5f6"

sys.path.insert(0, PYTHON_DIR)


@pytest.fixture(scope="session")
def admin_url():
    url = os.environ.get("MIGRAKIT_TEST_DATABASE_URL")
    if not url:
        pytest.fail("MIGRAKIT_TEST_DATABASE_URL is not set: point it at a Postgres server (an admin URL)")
    return url


def _engine(url):
    from sqlalchemy import create_engine, pool

    from migrakit_bridge.urls import with_driver

    return create_engine(with_driver(url), poolclass=pool.NullPool, isolation_level="AUTOCOMMIT")


def _with_database(url, name):
    head, _, tail = url.rpartition("/")
    query = ""
    if "?" in tail:
        query = "?" + tail.split("?", 1)[1]
    return head + "/" + name + query


@pytest.fixture
def db_url(admin_url):
    from sqlalchemy import text

    name = "bridge_pytest_" + uuid.uuid4().hex[:10]
    admin = _engine(admin_url)
    with admin.connect() as connection:
        connection.execute(text('CREATE DATABASE "%s"' % name))
    try:
        yield _with_database(admin_url, name)
    finally:
        with admin.connect() as connection:
            connection.execute(text('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name))
        admin.dispose()


def query(url, sql):
    from sqlalchemy import text

    engine = _engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


@pytest.fixture
def repo(tmp_path):
    target = tmp_path / "repo"
    shutil.copytree(FIXTURE_REPO, target)
    return target


class BridgeError(Exception):
    def __init__(self, error):
        super().__init__(error["message"])
        self.error = error


class Bridge:
    """The bridge as migrakit runs it: a subprocess speaking line-delimited JSON."""

    def __init__(self, cwd, env=None, extra_path=()):
        environment = dict(os.environ, **(env or {}))
        environment["PYTHONPATH"] = os.pathsep.join([PYTHON_DIR, *map(str, extra_path)])
        self.process = subprocess.Popen(
            [sys.executable, "-m", "migrakit_bridge"],
            cwd=str(cwd),
            env=environment,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.next_id = 0

    def send_line(self, line):
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def request(self, method, **params):
        self.next_id += 1
        response = self.send_line(json.dumps({"id": self.next_id, "method": method, "params": params}))
        assert response["id"] == self.next_id
        return response

    def call(self, method, **params):
        response = self.request(method, **params)
        if "error" in response:
            raise BridgeError(response["error"])
        return response["result"]

    def close(self):
        self.process.stdin.close()
        code = self.process.wait(timeout=30)
        self.stderr = self.process.stderr.read()
        self.process.stdout.close()
        self.process.stderr.close()
        return code


@pytest.fixture
def start_bridge(repo):
    started = []

    def start(cwd=None, env=None, extra_path=()):
        bridge = Bridge(cwd or repo, env, extra_path)
        started.append(bridge)
        return bridge

    yield start
    for bridge in started:
        if bridge.process.poll() is None:
            assert bridge.close() == 0, bridge.stderr


_shared = {}


@pytest.fixture
def bridge(repo):
    """One bridge process for the whole session, as migrakit keeps one per run.

    Each test has its own copy of the repo, so each request names another import root: the package is
    re-imported every test while alembic and SQLAlchemy stay loaded (and a test that needs a fresh
    process uses start_bridge). A bridge that died is replaced.
    """
    current = _shared.get("bridge")
    if current is None or current.process.poll() is not None:
        current = _shared["bridge"] = Bridge(repo)
    yield current


def pytest_sessionfinish(session, exitstatus):
    current = _shared.pop("bridge", None)
    if current is not None and current.process.poll() is None:
        current.close()


@pytest.fixture
def pkg(repo):
    """Params naming the fixture package in the copied repo."""
    return {"repo_root": str(repo), "package": "heroes"}
