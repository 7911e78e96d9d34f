"""The default rules ship inside the wheel, so a plain `pip install .` behaves like the checkout."""
from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from conftest import ROOT


@pytest.mark.timeout(300)
def test_wheel_carries_the_default_rules_and_type_marker(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(ROOT)], check=True)
    wheel = next(tmp_path.glob("cleaner-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {n.rsplit("/", 1)[-1] for n in names if n.startswith("cleaner/_rules/") and n.endswith(".yaml")}
    assert shipped == {p.name for p in (ROOT / "rules").glob("*.yaml")}
    assert "cleaner/py.typed" in names
    assert "cleaner/classifier/model.json" in names
    assert "cleaner/extraction/chooser.json" in names


def test_default_rules_dir_finds_the_rules():
    from cleaner.ruleset import default_rules_dir

    assert sorted(p.name for p in default_rules_dir().glob("*.yaml")) == sorted(p.name for p in (ROOT / "rules").glob("*.yaml"))
