"""The frames an error answer carries: the repo's own, innermost last, SQLAlchemy's and the bridge's left out."""

from migrakit_bridge.frames import user_frames


def _raise_from(path, source):
    code = compile(source, str(path), "exec")
    exec(code, {"__name__": "repo_module"})


def test_a_failing_statement_is_the_innermost_frame_relative_to_the_root(tmp_path):
    script = tmp_path / "pkg" / "migrations" / "versions" / "2023-x.py"
    script.parent.mkdir(parents=True)
    script.write_text("import sqlalchemy\n\ndef upgrade():\n    sqlalchemy.text(1)\n")
    try:
        _raise_from(script, script.read_text() + "upgrade()\n")
    except Exception as exc:  # noqa: BLE001 - whatever SQLAlchemy raises for a non-string
        frames = user_frames(exc, str(tmp_path))
    assert frames[-1] == {
        "file": "pkg/migrations/versions/2023-x.py",
        "line": 4,
        "function": "upgrade",
        "code": "sqlalchemy.text(1)",
    }
    assert not any("sqlalchemy" in f["file"] or "migrakit_bridge" in f["file"] for f in frames), frames


def test_a_syntax_error_is_placed_at_its_file_and_line(tmp_path):
    orm = tmp_path / "pkg" / "_core.py"
    orm.parent.mkdir(parents=True)
    orm.write_text("class A:\n    x = (1,\n\ny = 2 +\n")
    try:
        compile(orm.read_text(), str(orm), "exec")
    except SyntaxError as exc:
        frames = user_frames(exc, str(tmp_path))
    assert frames[-1]["file"] == "pkg/_core.py"
    assert frames[-1]["function"] is None
    assert frames[-1]["line"] in (2, 4)  # where the parser gives up differs between Python versions


def test_a_chained_error_keeps_the_frames_of_its_cause_first_and_outside_files_absolute(tmp_path):
    elsewhere = tmp_path / "elsewhere.py"
    elsewhere.write_text(
        "def inner():\n    raise KeyError('k')\n\ntry:\n    inner()\nexcept KeyError as e:\n    raise ValueError('v') from e\n"
    )
    try:
        _raise_from(elsewhere, elsewhere.read_text())
    except ValueError as exc:
        frames = user_frames(exc, str(tmp_path / "repo"))
    mine = [(f["line"], f["function"]) for f in frames if f["file"] == str(elsewhere.resolve())]
    assert mine == [(5, "<module>"), (2, "inner"), (7, "<module>")], "the cause's frames, then the error's own"
    assert frames[-1]["file"] == str(elsewhere.resolve()), "a file outside the root stays absolute"
