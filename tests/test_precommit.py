"""Issue 4, point 1: the hooks work through the real pre-commit client (`pre-commit try-repo`)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, SEEDS

pytestmark = [pytest.mark.skipif(shutil.which("pre-commit") is None, reason="pre-commit is not installed"),
              pytest.mark.timeout(900)]


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def try_repo(repo: Path, hook: str, *files: str) -> subprocess.CompletedProcess:
    cmd = ["pre-commit", "try-repo", str(ROOT), hook, "--verbose"]
    cmd += ["--files", *files] if files else ["--all-files"]
    env = dict(os.environ, PRE_COMMIT_HOME=str(repo.parent / "pc-home"))
    return subprocess.run(cmd, cwd=repo, capture_output=True, text=True, env=env)


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    r = tmp_path_factory.mktemp("user") / "repo"
    r.mkdir()
    git(r, "init", "-q")
    git(r, "config", "user.email", "t@example.invalid")
    git(r, "config", "user.name", "t")
    shutil.copytree(SEEDS, r / "seeds")
    (r / "clean.txt").write_text("A clean paragraph of prose about a harbour council and its ferries.\n")
    git(r, "add", ".")
    git(r, "commit", "-qm", "init")
    return r


def test_check_fails_on_chrome_naming_file_and_line_and_passes_on_clean(repo):
    p = try_repo(repo, "cleaner-check", "seeds/002_e7f71369e2c92f3c.txt")
    assert p.returncode == 1, p.stdout + p.stderr
    assert "seeds/002_e7f71369e2c92f3c.txt:32: comments/" in p.stdout
    p = try_repo(repo, "cleaner-check", "clean.txt")
    assert p.returncode == 0, p.stdout + p.stderr


def test_fix_rewrites_and_fails_then_passes(repo):
    target = "seeds/003_79652632a185e195.txt"
    p = try_repo(repo, "cleaner-fix", target)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "Leave a Reply" not in (repo / target).read_text()
    git(repo, "add", target)
    p = try_repo(repo, "cleaner-fix", target)
    assert p.returncode == 0, p.stdout + p.stderr


def test_corpus_fails_after_a_seed_changes_then_passes(repo):
    p = try_repo(repo, "cleaner-corpus")
    assert p.returncode == 1          # no corpus yet: it is built, and the hook says so
    assert (repo / "out" / "corpus.jsonl").exists()
    git(repo, "add", "-A")
    p = try_repo(repo, "cleaner-corpus")
    assert p.returncode == 0, p.stdout + p.stderr
    seed = repo / "seeds" / "000_3f80f5f669ee686d.txt"
    seed.write_text(seed.read_text() + "\nA new closing paragraph was added to this report by its editor today.\n")
    git(repo, "add", "-A")
    p = try_repo(repo, "cleaner-corpus")
    assert p.returncode == 1, p.stdout + p.stderr
    git(repo, "add", "-A")
    p = try_repo(repo, "cleaner-corpus")
    assert p.returncode == 0, p.stdout + p.stderr


def test_published_check_and_fix_default_to_the_seed_folder(repo):
    """Issue 18: on a repository with a CHANGELOG, notes and JSONL records beside its seeds, the
    published hooks clean seeds/ and nothing else; non-text files in seeds/ are passed over."""
    r = repo.parent / "with-docs"
    r.mkdir()
    git(r, "init", "-q")
    git(r, "config", "user.email", "t@example.invalid")
    git(r, "config", "user.name", "t")
    shutil.copytree(SEEDS, r / "seeds")
    others = {
        "CHANGELOG.md": "# Changelog\n\n## [Unreleased]\n\n### Added\n- Export\n- Login\n\n## [1.0.0]\n- First release\n",
        "notes.txt": "Home\nShare this article\nLeave a Reply\n",
        "seeds/records.jsonl": '{"text": "Home"}\n{"text": "Share this article"}\n',
    }
    for name, text in others.items():
        (r / name).write_text(text)
    git(r, "add", ".")
    git(r, "commit", "-qm", "init")
    p = try_repo(r, "cleaner-fix")
    assert p.returncode == 1, p.stdout + p.stderr
    for name, text in others.items():
        assert (r / name).read_text() == text, name
    assert "seeds/records.jsonl: not a text document" in p.stdout
    assert "Leave a Reply" not in (r / "seeds" / "003_79652632a185e195.txt").read_text()
    git(r, "add", "-A")
    for hook in ("cleaner-fix", "cleaner-check"):
        p = try_repo(r, hook)
        assert p.returncode == 0, (hook, p.stdout + p.stderr)
