"""What the helper keeps between requests (parsed scripts, engines, loaded modules) never shows stale state."""

import uuid

from conftest import HEAD, _engine, _with_database, query

NEXT = "c3d4e5f6a1b2"


def _head_script(repo):
    return repo / "heroes/migrations/versions/2023-02-16-b2c3d4e5f6a1-vx_x_x.py"


def test_a_script_rewritten_in_place_is_parsed_again(bridge, pkg, repo):
    assert bridge.call("heads", **pkg) == [HEAD]
    script = _head_script(repo)
    # Same file name, same length: only the content (and the file's times) differ.
    script.write_text(script.read_text().replace(HEAD, NEXT))
    assert bridge.call("heads", **pkg) == [NEXT]


def test_a_script_replaced_by_a_new_file_is_parsed_again(bridge, pkg, repo):
    assert bridge.call("heads", **pkg) == [HEAD]
    script = _head_script(repo)
    text = script.read_text().replace(HEAD, NEXT)
    script.unlink()
    script.write_text(text)
    history = bridge.call("history", **pkg)
    assert [r["revision"] for r in history][-1] == NEXT


def test_upgrade_answers_what_current_reads(bridge, pkg, db_url):
    answer = bridge.call("upgrade", **pkg, url=db_url, revision="head")
    assert answer == {"current": bridge.call("current", **pkg, url=db_url)} == {"current": [HEAD]}
    answer = bridge.call("stamp", **pkg, url=db_url, revision="base")
    assert answer == {"current": bridge.call("current", **pkg, url=db_url)} == {"current": []}


def test_no_connection_is_left_open_between_requests(bridge, pkg, admin_url):
    # migrakit drops and recreates scratch databases while the helper runs: nothing may hold them open.
    from sqlalchemy import text

    # Random, not the clock: the other stack's run of this test shares the server (test/bridge/pytest.test.ts).
    name = "bridge_pytest_reuse_" + uuid.uuid4().hex[:10]
    url = _with_database(admin_url, name)
    admin = _engine(admin_url)
    try:
        for _ in range(2):
            with admin.connect() as connection:
                connection.execute(text('CREATE DATABASE "%s"' % name))
            assert bridge.call("upgrade", **pkg, url=url, revision="head") == {"current": [HEAD]}
            assert ("hero",) in query(url, "select table_name from information_schema.tables")
            with admin.connect() as connection:
                connection.execute(text('DROP DATABASE "%s"' % name))  # no FORCE: fails if still in use
    finally:
        with admin.connect() as connection:
            connection.execute(text('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name))
        admin.dispose()


def test_closing_stdin_ends_the_helper_at_once_with_its_output_flushed(start_bridge, pkg, repo, db_url):
    env_py = repo / "heroes/migrations/env.py"
    env_py.write_text("print('said by env.py')\n" + env_py.read_text())
    bridge = start_bridge()
    assert bridge.call("versions")["protocol"] == 1
    assert bridge.call("upgrade", **pkg, url=db_url, revision="head") == {"current": [HEAD]}
    # It exits by itself (code 0, not killed) with its output flushed; how fast is bench/'s to measure.
    assert bridge.close() == 0
    assert "said by env.py" in bridge.stderr
