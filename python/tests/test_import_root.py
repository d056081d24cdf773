"""import_root: the package is imported from an export of the git index, never from the working tree.

The working tree is made importable the two ways an editable install does it: a path entry (PYTHONPATH
here, a .pth file in real life) and a setuptools-style ``__editable___*_finder`` placed first on
sys.meta_path by sitecustomize, as the .pth of a strict editable install would.
"""

import shutil

from conftest import HEAD

FINDER = """
import importlib.util
import sys
from importlib.machinery import PathFinder

MAPPING = {"heroes": %r}


class _EditableFinder:
    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if fullname in MAPPING:
            return importlib.util.spec_from_file_location(
                fullname, MAPPING[fullname] + "/__init__.py", submodule_search_locations=[MAPPING[fullname]])
        return None


def install():
    sys.meta_path.insert(0, _EditableFinder)
"""


def _export_with_extra_column(repo, tmp_path):
    export = tmp_path / "export"
    shutil.copytree(repo, export)
    core = export / "heroes/_core.py"
    core.write_text(core.read_text() + "    power: Optional[int] = None\n")
    return export


def _editable_install(repo, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "__editable___heroes_0_2_0_finder.py").write_text(FINDER % str(repo / "heroes"))
    (site / "sitecustomize.py").write_text("import __editable___heroes_0_2_0_finder as f\nf.install()\n")
    return site


def test_import_root_wins_over_an_editable_install_of_the_working_tree(start_bridge, repo, tmp_path, db_url):
    export = _export_with_extra_column(repo, tmp_path)
    site = _editable_install(repo, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    bridge = start_bridge(cwd=elsewhere, extra_path=[site, repo])
    working_tree = {"repo_root": str(repo), "package": "heroes"}
    index = {"repo_root": str(repo), "package": "heroes", "import_root": str(export)}

    assert bridge.call("package", **working_tree)["file"] == str(repo / "heroes/__init__.py")
    bridge.call("upgrade", **index, url=db_url, revision="head")
    info = bridge.call("package", **index)
    assert info["file"] == str(export / "heroes/__init__.py")
    diffs = bridge.call("compare", **index, url=db_url)["diffs"]
    assert [(d["kind"], d["table"], d["column"]) for d in diffs] == [("add_column", "hero", "power")]


def test_switching_import_roots_in_one_process_re_imports_the_package(bridge, repo, tmp_path, db_url):
    export = _export_with_extra_column(repo, tmp_path)
    working_tree = {"repo_root": str(repo), "package": "heroes"}
    index = dict(working_tree, import_root=str(export))
    assert bridge.call("upgrade", **working_tree, url=db_url, revision="head") == {"current": [HEAD]}
    assert bridge.call("compare", **working_tree, url=db_url)["diffs"] == []
    assert len(bridge.call("compare", **index, url=db_url)["diffs"]) == 1
    assert bridge.call("compare", **working_tree, url=db_url)["diffs"] == []
