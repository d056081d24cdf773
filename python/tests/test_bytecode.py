"""bytecode: alembic's files compiled once per content, in migrakit's own cache folder, and never stale.

Each load runs in a process of its own with its own cache folder (XDG_CACHE_HOME), as a run of the bridge
does: the cache is what carries code from one process to the next.
"""

import hashlib
import json
import marshal
import os
import subprocess
import sys

from conftest import PYTHON_DIR

# Load the versions folder through alembic (with the cache installed as the bridge installs it) and report
# each script's VALUE, where its upgrade() was compiled for, and which files had to be compiled.
_LOAD = r"""
import builtins, json, sys, traceback
sys.path.insert(0, sys.argv[1])
compiled = []
real_compile = builtins.compile
def counting(source, filename, *a, **k):
    if str(filename).startswith(sys.argv[2]):
        compiled.append(str(filename))
    return real_compile(source, filename, *a, **k)
builtins.compile = counting
from alembic.script import ScriptDirectory
from migrakit_bridge import bytecode
bytecode.install()
out = {"values": {}, "files": {}, "compiled": compiled}
try:
    script = ScriptDirectory(sys.argv[2])
    for s in script.walk_revisions():
        out["values"][s.revision] = getattr(s.module, "VALUE", None)
        out["files"][s.revision] = s.module.upgrade.__code__.co_filename
        try:
            s.module.upgrade()
        except RuntimeError:
            out["raised_in"] = traceback.extract_tb(sys.exc_info()[2])[-1].filename
except SyntaxError as e:
    out["syntax_error"] = [e.filename, e.lineno, e.msg]
print(json.dumps(out))
"""

_SCRIPT = '''"""{message}"""
revision = "{rev}"
down_revision = {down!r}
branch_labels = None
depends_on = None
VALUE = "{value}"


def upgrade():
    {body}


def downgrade():
    pass
'''


def _repo(root, scripts):
    versions = root / "versions"
    versions.mkdir(parents=True)
    (root / "script.py.mako").write_text("")
    down = None
    for i, (value, body) in enumerate(scripts):
        rev = "r%04d" % i
        text = _SCRIPT.format(message="step %d" % i, rev=rev, down=down, value=value, body=body)
        (versions / ("%s_step.py" % rev)).write_text(text)
        down = rev
    return root


def _load(repo, cache, **env):
    full = {k: v for k, v in os.environ.items() if k not in ("CI", "MIGRAKIT_NO_CACHE")}
    full.update(XDG_CACHE_HOME=str(cache), PYTHONDONTWRITEBYTECODE="1", **env)
    out = subprocess.run(
        [sys.executable, "-c", _LOAD, PYTHON_DIR, str(repo)], capture_output=True, text=True, env=full, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _entries(cache):
    return [os.path.join(d, f) for d, _, fs in os.walk(cache) for f in fs]


def test_a_script_is_compiled_once_per_content(tmp_path):
    repo = _repo(tmp_path / "repo", [("a", "pass"), ("b", "pass")])
    first = _load(repo, tmp_path / "cache")
    assert len(first["compiled"]) == 2
    assert len(_entries(tmp_path / "cache")) == 2
    second = _load(repo, tmp_path / "cache")
    assert second["compiled"] == []
    assert second["values"] == first["values"] == {"r0000": "a", "r0001": "b"}
    # Only this user may read or write what it runs.
    pyc = tmp_path / "cache" / "migrakit" / "pyc"
    assert all(os.stat(d).st_mode & 0o077 == 0 for d in (pyc, *pyc.iterdir()))


def test_a_script_rewritten_at_the_same_size_and_mtime_is_never_stale(tmp_path):
    repo = _repo(tmp_path / "repo", [("a", "pass")])
    script = next((repo / "versions").iterdir())
    assert _load(repo, tmp_path / "cache")["values"] == {"r0000": "a"}
    st = os.stat(script)
    script.write_text(script.read_text().replace('VALUE = "a"', 'VALUE = "z"'))
    os.utime(script, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(script).st_size == st.st_size
    again = _load(repo, tmp_path / "cache")
    assert again["values"] == {"r0000": "z"}
    assert len(again["compiled"]) == 1


def test_one_entry_serves_every_path_and_names_the_file_it_ran_from(tmp_path):
    one = _repo(tmp_path / "one", [("a", "raise RuntimeError('boom')")])
    two = _repo(tmp_path / "two", [("a", "raise RuntimeError('boom')")])
    _load(one, tmp_path / "cache")
    out = _load(two, tmp_path / "cache")
    assert out["compiled"] == []
    path = str(next((two / "versions").iterdir()))
    assert out["files"]["r0000"] == path
    assert out["raised_in"] == path


def test_nothing_is_kept_in_ci_or_with_migrakit_no_cache(tmp_path):
    repo = _repo(tmp_path / "repo", [("a", "pass")])
    for env in ({"CI": "true"}, {"MIGRAKIT_NO_CACHE": "1"}):
        assert _load(repo, tmp_path / "cache", **env)["values"] == {"r0000": "a"}
        assert _entries(tmp_path / "cache") == []


def _forge(cache, script, value, digest_ok=True):
    """An entry for the script's bytes whose code says something else: the cache's own key, a planted payload."""
    source = script.read_bytes()
    key = hashlib.sha256(b"%d\0" % sys.flags.optimize + source).hexdigest()
    forged = source.replace(b'VALUE = "a"', ('VALUE = "%s"' % value).encode())
    payload = marshal.dumps(compile(forged, str(script), "exec", dont_inherit=True))
    digest = hashlib.sha256(payload if digest_ok else payload + b"x").digest()
    (entry,) = [e for e in _entries(cache) if os.path.basename(e) == key]
    with open(entry, "wb") as f:
        f.write(b"MKPYC1\n" + digest + payload)


def test_an_entry_is_used_only_from_a_folder_no_one_else_may_write_and_only_whole(tmp_path):
    repo = _repo(tmp_path / "repo", [("a", "pass")])
    script = next((repo / "versions").iterdir())
    cache = tmp_path / "cache"
    _load(repo, cache)
    magic = next((cache / "migrakit" / "pyc").iterdir())
    # The planted code is what an entry under the script's key would run: proof that the key is the one read.
    _forge(cache, script, "planted")
    assert _load(repo, cache)["values"] == {"r0000": "planted"}
    # A folder others may write is not trusted: the script is compiled from its source.
    os.chmod(magic, 0o777)
    out = _load(repo, cache)
    assert out["values"] == {"r0000": "a"} and len(out["compiled"]) == 1
    os.chmod(magic, 0o700)
    # A payload that is not the one its digest names (damaged, or cut short) is not run.
    _forge(cache, script, "damaged", digest_ok=False)
    assert _load(repo, cache)["values"] == {"r0000": "a"}


def test_a_syntax_error_reads_as_it_does_without_the_cache(tmp_path):
    repo = _repo(tmp_path / "repo", [("a", "pass"), ("b", "return (")])
    with_cache = _load(repo, tmp_path / "cache")["syntax_error"]
    without = _load(repo, tmp_path / "cache", MIGRAKIT_NO_CACHE="1")["syntax_error"]
    assert with_cache == without
    assert with_cache[0].endswith("r0001_step.py")
