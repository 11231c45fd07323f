"""`make setup` prints only what a person needs: the package metadata builds without warnings."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_metadata_builds_without_packaging_warnings(tmp_path):
    build = (
        "from setuptools import build_meta; "
        f"print(build_meta.prepare_metadata_for_build_editable({str(tmp_path)!r}))"
    )
    done = subprocess.run(
        [sys.executable, "-W", "always", "-c", build], cwd=ROOT, capture_output=True, text=True, check=True
    )
    said = done.stdout + done.stderr
    assert "warning" not in said.lower(), said
    metadata = (tmp_path / done.stdout.split()[-1] / "METADATA").read_text()
    assert "License-Expression: MIT" in metadata
