"""loaded_files: the source files a run read outside the interpreter's own folders, through symlinks.

The check's result cache keys on these files, so a module must be skipped exactly when its real path is in
the interpreter's folders (or the bridge's) and kept otherwise, whatever links lie on the way: a linked
folder on sys.path, a module file that is itself a link, a path entry with ".." after a link (where the
real path and the textual one part ways).
"""

import json
import os
import subprocess
import sys

from conftest import PYTHON_DIR

_RUN = r"""
import importlib, json, sys
sys.path.insert(0, sys.argv[1])
from migrakit_bridge.package import loaded_files
sys.path[:0] = sys.argv[2:]
for name in ("mod_linked_folder", "quoting", "sym_quoting", "mod_after_dotdot"):
    importlib.import_module(name)
print(json.dumps(loaded_files({})))
"""


def test_loaded_files_follow_links_as_realpath_does(tmp_path):
    bridge = os.path.join(PYTHON_DIR, "migrakit_bridge")
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "mod_linked_folder.py").write_text("")
    (tmp_path / "linked").symlink_to(tmp_path / "real")
    # A folder of the bridge's reached through a link, and a module file linking into it: both skipped.
    (tmp_path / "bridge_link").symlink_to(bridge)
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "sym_quoting.py").symlink_to(os.path.join(bridge, "quoting.py"))
    # a/b/../other is a/other; textually (abspath) it would be tmp/other, which does not exist.
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "other").mkdir()
    (tmp_path / "a" / "other" / "mod_after_dotdot.py").write_text("")
    (tmp_path / "l").symlink_to(tmp_path / "a" / "b")
    entries = [
        str(tmp_path / "linked"),
        str(tmp_path / "bridge_link"),
        str(tmp_path / "files"),
        str(tmp_path / "l") + "/../other",
    ]
    out = subprocess.run([sys.executable, "-c", _RUN, PYTHON_DIR, *entries], capture_output=True, text=True, check=True)
    files = json.loads(out.stdout.strip().splitlines()[-1])
    assert str(tmp_path / "linked" / "mod_linked_folder.py") in files
    assert os.path.abspath(str(tmp_path / "l") + "/../other/mod_after_dotdot.py") in files
    assert not [f for f in files if "quoting" in f]
