"""One autogenerate pass for generate + renames: the second request applies its renames to the first's comparison."""

from conftest import HEAD


def _rename_hero_name(repo):
    core = repo / "heroes/_core.py"
    core.write_text(core.read_text().replace("    name: str\n    team_id", "    title: str\n    team_id"))


def _count_env_runs(repo, marker):
    env = repo / "heroes/migrations/env.py"
    env.write_text("with open(%r, 'a') as _f:\n    _f.write('run\\n')\n" % str(marker) + env.read_text())
    return lambda: marker.read_text().count("run") if marker.exists() else 0


RENAME = {"kind": "column", "schema": "core", "table": "hero", "from": "name", "to": "title"}


def test_reuse_applies_renames_to_the_kept_comparison_without_comparing_again(bridge, start_bridge, pkg, repo, db_url, tmp_path):
    bridge.call("upgrade", **pkg, url=db_url, revision=HEAD)
    _rename_hero_name(repo)
    runs = _count_env_runs(repo, tmp_path / "env-runs.txt")
    # The shared bridge has imported this repo's ORM already; a fresh process sees the edited one.
    bridge = start_bridge()
    first = bridge.call("generate", **pkg, url=db_url, renames=[], keep=True)
    assert runs() == 1
    assert "drop_column" in first["upgrade_ops"] and "add_column" in first["upgrade_ops"]
    reused = bridge.call("generate", **pkg, url=db_url, renames=[RENAME], reuse=True)
    assert runs() == 1, "the reuse ran env.py again"
    assert reused["applied"] and "alter_column" in reused["upgrade_ops"] and "drop_column" not in reused["upgrade_ops"]
    fresh = bridge.call("generate", **pkg, url=db_url, renames=[RENAME])
    assert runs() == 2
    for key in ("upgrade_ops", "downgrade_ops", "imports", "applied", "empty", "diffs"):
        assert reused[key] == fresh[key], key


def test_reuse_compares_again_when_nothing_was_kept_for_those_params(bridge, start_bridge, pkg, repo, db_url, tmp_path):
    bridge.call("upgrade", **pkg, url=db_url, revision=HEAD)
    _rename_hero_name(repo)
    runs = _count_env_runs(repo, tmp_path / "env-runs.txt")
    bridge = start_bridge()
    bridge.call("generate", **pkg, url=db_url, renames=[], keep=True)
    # Another database (other params): the kept comparison is not this one's.
    other = bridge.call("generate", **pkg, url=db_url + "?application_name=other", renames=[RENAME], reuse=True)
    assert runs() == 2
    assert other["applied"]
    # A kept comparison is used at most once.
    again = bridge.call("generate", **pkg, url=db_url, renames=[RENAME], reuse=True)
    assert runs() == 3
    assert again["upgrade_ops"] == other["upgrade_ops"]
