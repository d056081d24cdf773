"""The ``deploy`` method against a real Postgres: one transaction, an advisory lock, timeouts, a history row."""

import os
import threading

from conftest import FIRST, HEAD, PYTHON_DIR, _engine, query

HISTORY = {
    "setup": ["CREATE TABLE IF NOT EXISTS public.deploy_log (revision text, version text)"],
    "insert": "INSERT INTO public.deploy_log VALUES (:revision, :version)",
    "values": {"version": "0.2.0"},
}


def _tables(url):
    return query(
        url,
        "select table_schema, table_name from information_schema.tables "
        "where table_schema in ('core', 'public') order by 1, 2",
    )


def _execute(url, sql):
    from sqlalchemy import text

    engine = _engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text(sql))
    finally:
        engine.dispose()


def _instance_at_first(bridge, pkg, url):
    bridge.call("upgrade", **pkg, url=url, revision=FIRST)
    _execute(url, "insert into core.team (id, name) values (1, 'a'), (2, 'b')")


def test_deploy_applies_the_pending_scripts_and_the_history_in_one_transaction(bridge, pkg, db_url):
    _instance_at_first(bridge, pkg, db_url)
    answer = bridge.call(
        "deploy",
        **pkg,
        url=db_url,
        expected_from=[FIRST],
        history=HISTORY,
        lock_timeout_ms=2000,
        statement_timeout_ms=60000,
    )
    assert answer["status"] == "applied"
    assert answer["from"] == [FIRST] and answer["current"] == [HEAD]
    assert [step["revision"] for step in answer["applied"]] == [HEAD]
    assert answer["applied"][0]["path"].endswith("2023-02-16-b2c3d4e5f6a1-vx_x_x.py")
    assert query(db_url, "select count(*) from core.team") == [(2,)]
    assert query(db_url, "select revision, version from public.deploy_log") == [(HEAD, "0.2.0")]
    assert bridge.call("current", **pkg, url=db_url) == [HEAD]


def test_an_instance_at_head_is_left_alone(bridge, pkg, db_url):
    bridge.call("upgrade", **pkg, url=db_url, revision="head")
    answer = bridge.call("deploy", **pkg, url=db_url, expected_from=[FIRST], history=HISTORY)
    assert answer["status"] == "up_to_date" and answer["current"] == [HEAD]
    assert ("public", "deploy_log") not in _tables(db_url)


def test_an_instance_elsewhere_than_confirmed_is_left_alone(bridge, pkg, db_url):
    _instance_at_first(bridge, pkg, db_url)
    answer = bridge.call("deploy", **pkg, url=db_url, expected_from=[], history=HISTORY)
    assert answer["status"] == "changed" and answer["current"] == [FIRST]
    assert bridge.call("current", **pkg, url=db_url) == [FIRST]


def test_a_failing_script_rolls_everything_back_and_names_the_script(bridge, pkg, repo, db_url):
    _instance_at_first(bridge, pkg, db_url)
    script = repo / "heroes/migrations/versions/2023-02-16-b2c3d4e5f6a1-vx_x_x.py"
    script.write_text(
        script.read_text().replace(
            '        schema="core",\n    )\n', '        schema="core",\n    )\n    op.execute("select 1/0")\n'
        )
    )
    answer = bridge.call("deploy", **pkg, url=db_url, expected_from=[FIRST], history=HISTORY)
    assert answer["status"] == "failed"
    assert answer["sqlstate"] == "22012"
    assert "division by zero" in answer["message"]
    assert answer["script"].split(":")[0].endswith("2023-02-16-b2c3d4e5f6a1-vx_x_x.py")
    assert ("core", "hero") not in _tables(db_url) and ("public", "deploy_log") not in _tables(db_url)
    assert bridge.call("current", **pkg, url=db_url) == [FIRST]
    assert query(db_url, "select count(*) from core.team") == [(2,)]


def test_statement_timeout_applies_to_the_scripts(bridge, pkg, repo, db_url):
    _instance_at_first(bridge, pkg, db_url)
    script = repo / "heroes/migrations/versions/2023-02-16-b2c3d4e5f6a1-vx_x_x.py"
    script.write_text(
        script.read_text().replace(
            '        schema="core",\n    )\n', '        schema="core",\n    )\n    op.execute("select pg_sleep(5)")\n'
        )
    )
    answer = bridge.call("deploy", **pkg, url=db_url, expected_from=[FIRST], statement_timeout_ms=300)
    assert answer["status"] == "failed" and answer["sqlstate"] == "57014"
    assert bridge.call("current", **pkg, url=db_url) == [FIRST]


def test_a_held_lock_is_waited_for_then_reported_with_its_holder(bridge, pkg, db_url):
    from sqlalchemy import text

    _instance_at_first(bridge, pkg, db_url)
    engine = _engine(db_url)
    try:
        with engine.connect() as holder:
            holder.execute(text("SELECT pg_advisory_lock(hashtext('migrakit deploy')::bigint)"))
            answer = bridge.call("deploy", **pkg, url=db_url, expected_from=[FIRST], lock_wait_ms=500)
            assert answer["status"] == "locked" and answer["waited_ms"] == 500
            assert len(answer["holders"]) == 1
            # Released during the wait: the deploy goes ahead.
            timer = threading.Timer(
                0.5, lambda: holder.execute(text("SELECT pg_advisory_unlock(hashtext('migrakit deploy')::bigint)"))
            )
            timer.start()
            answer = bridge.call("deploy", **pkg, url=db_url, expected_from=[FIRST], lock_wait_ms=10000)
            timer.join()
            assert answer["status"] == "applied" and answer["waited_ms"] >= 300
    finally:
        engine.dispose()
    assert bridge.call("current", **pkg, url=db_url) == [HEAD]


def test_stdin_closing_mid_deploy_cancels_and_rolls_back(bridge, pkg, repo, db_url, start_bridge):
    """The helper alone (its migrakit gone): stdin closes while a script runs → cancelled, rolled back."""
    import json
    import time

    _instance_at_first(bridge, pkg, db_url)
    script = repo / "heroes/migrations/versions/2023-02-16-b2c3d4e5f6a1-vx_x_x.py"
    script.write_text(
        script.read_text().replace(
            '        schema="core",\n    )\n', '        schema="core",\n    )\n    op.execute("select pg_sleep(30)")\n'
        )
    )
    own = start_bridge()
    own.process.stdin.write(
        json.dumps(
            {
                "id": 99,
                "method": "deploy",
                "params": dict(pkg, url=db_url, expected_from=[FIRST], history=HISTORY, interruptible=True),
            }
        )
        + "\n"
    )
    own.process.stdin.flush()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if query(
            db_url,
            # This database's sleep only: the other stack's copy of this test may be sleeping on the same server.
            "select count(*) from pg_stat_activity where datname = current_database()"
            " and query like 'select pg_sleep(30)%' and state = 'active'",
        ) == [(1,)]:
            break
        time.sleep(0.1)
    started = time.monotonic()
    own.process.stdin.close()
    answer = json.loads(own.process.stdout.readline())["result"]
    assert time.monotonic() - started < 10
    assert answer["status"] == "stopped" and "stdin closed" in answer["stop_reason"]
    assert answer["committed"] == []
    assert ("core", "hero") not in _tables(db_url) and ("public", "deploy_log") not in _tables(db_url)
    assert query(db_url, "select version_num from public.migration_hero") == [(FIRST,)]


def test_the_instance_check_on_load(bridge, pkg, repo, db_url):
    import subprocess
    import sys

    from migrakit_bridge.instance import check_instance

    bridge.call("upgrade", **pkg, url=db_url, revision=FIRST)
    sys.path.insert(0, str(repo))
    try:
        status = check_instance(db_url, "heroes")
    finally:
        sys.path.remove(str(repo))
    assert status.behind == 1 and status.pending == [HEAD] and not status.up_to_date
    assert "is 1 script(s) behind heroes 0.2.0; run `migrakit deploy --db postgresql://" in status.message
    password = db_url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
    assert password not in status.message
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([PYTHON_DIR, str(repo)]))
    run = subprocess.run(
        [sys.executable, "-m", "migrakit_bridge.instance", db_url, "--package", "heroes"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert run.returncode == 1 and "1 script(s) behind" in run.stdout and password not in run.stdout + run.stderr
    bridge.call("upgrade", **pkg, url=db_url, revision="head")
    run = subprocess.run(
        [sys.executable, "-m", "migrakit_bridge.instance", db_url, "--package", "heroes"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert run.returncode == 0 and "is up to date with heroes 0.2.0" in run.stdout
