"""The README's examples work as written: every fenced block is found and run or checked by its language.

Nothing is listed per block: blocks are discovered, so a new section is tested as soon as it is written.

- ```bash/sh/shell/console: run by `bash -euo pipefail` in a temporary copy of the repository (its tracked
  files), with `cleaner`, `python`, `pytest` and `pre-commit` on PATH as this interpreter has them.
  Install steps (`pip install …`, alone or before `&&`) are left out: cleaner is already installed.
  A bare `pytest` line would run this test inside itself, so it runs as `pytest --collect-only -q`
  (the suite is found from the copy and every test module imports). After each block every file of
  the copy is as committed: the README's commands reproduce what the repository holds
  (`out/corpus.jsonl` is committed "so you can compare").
- ```python: run by a fresh interpreter in the same copy; the same check of the files afterwards.
- ```toml: `[tool.cleaner]` through `cleaner.config.load_config` (every key known) into `Options`, then
  `cleaner clean seeds/ --config` it; `[project.entry-points.…]` must name the step registry's group.
  Any other table fails.
- ```yaml: a rule file runs `cleaner rules test` on it alone; a pre-commit config goes through
  pre-commit's own schema, its hook ids must be published in `.pre-commit-hooks.yaml`, and a config of
  `repo: local` hooks is run (`pre-commit run --all-files`) in a new git repository holding the seeds.
- ```json: a record example must have exactly the keys of the records `cleaner clean seeds/` writes.
- ```text: diagrams and synopses; nothing to run (their `cleaner` flags are checked by
  `test_readme_flags_exist`).

`<!-- readme-test: skip (reason) -->` on the line before a block keeps it from running (it is still
parsed and statically checked); skips are counted and capped at MAX_SKIPS. A block without a language,
or in a language this file does not know, fails.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

README = ROOT / "README.md"
SHELL = {"bash", "sh", "shell", "console"}
KNOWN = SHELL | {"python", "toml", "yaml", "json", "text"}
MAX_SKIPS = 4          # network, clusters, packages cleaner does not install: few, each with its reason

FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+|~~~+)\s*(?P<info>[^`\s]*)[^`]*$")
DIRECTIVE = re.compile(r"^\s*<!--\s*readme-test:\s*(?P<body>.*?)\s*-->\s*$")
SKIP = re.compile(r"^skip \((?P<reason>.+)\)$")


@dataclass
class Block:
    line: int            # 1-based line of the opening fence
    lang: str
    code: str
    skip: str | None     # the reason, when marked skip

    @property
    def name(self) -> str:
        return f"L{self.line}-{self.lang or 'untagged'}"


def readme_blocks(text: str) -> list[Block]:
    """Every fenced block of a Markdown text, with the readme-test directive on the line before it."""
    lines = text.splitlines()
    blocks, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, indent, start = m["fence"], len(m["indent"]), i
        body = []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
            i += 1
        i += 1
        prev = next((lines[j] for j in range(start - 1, -1, -1) if lines[j].strip()), "")
        skip = None
        d = DIRECTIVE.match(prev)
        if d:
            s = SKIP.match(d["body"])
            if not s:
                raise AssertionError(f"README.md:{start}: unknown readme-test directive {d['body']!r} "
                                     "(known: skip (reason))")
            skip = s["reason"]
        blocks.append(Block(start + 1, m["info"].lower(), "\n".join(body) + "\n", skip))
    return blocks


BLOCKS = readme_blocks(README.read_text(encoding="utf-8"))


def test_readme_blocks_are_all_tested():
    """Every block is in a language this file runs or checks; skips are few and each has a reason."""
    assert BLOCKS, "no fenced blocks found in README.md"
    unknown = [f"README.md:{b.line}: ```{b.lang}" for b in BLOCKS if b.lang not in KNOWN]
    assert not unknown, ("blocks this test cannot run or check (tag them bash, python, toml, yaml, json or "
                         f"text): {unknown}")
    skips = [f"README.md:{b.line}: {b.skip}" for b in BLOCKS if b.skip]
    assert len(skips) <= MAX_SKIPS, f"{len(skips)} skipped blocks (at most {MAX_SKIPS}): {skips}"
    assert any(b.lang in SHELL and not b.skip for b in BLOCKS), "the quick start is not run"


# -- the copy of the repository the examples run in ----------------------------------------------------

def repo_files(root: Path) -> list[str]:
    """The repository's files as a clone has them (tracked and new, not ignored), else the whole tree."""
    try:
        out = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             capture_output=True, check=True).stdout
        return [p for p in out.decode().split("\0") if p and (root / p).is_file()]
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", ".venv", "__pycache__", ".pytest_cache"}
        return [str(p.relative_to(root)) for p in root.rglob("*")
                if p.is_file() and not skip & set(p.relative_to(root).parts)]


def digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """A copy of the repository, the files it holds when it is fresh, and the PATH of the examples."""
    base = tmp_path_factory.mktemp("readme")
    repo = base / "cleaner"
    for rel in repo_files(ROOT):
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, repo / rel)
    bindir = base / "bin"
    bindir.mkdir()
    py = sys.executable
    script = Path(py).parent / "cleaner"          # the installed console script, as a user runs it
    shims = {"cleaner": f'exec "{script}" "$@"' if script.is_file() else f'exec "{py}" -m cleaner "$@"',
             "python": f'exec "{py}" "$@"', "python3": f'exec "{py}" "$@"',
             "pytest": f'exec "{py}" -m pytest "$@"', "pre-commit": f'exec "{py}" -m pre_commit "$@"'}
    for name, body in shims.items():
        (bindir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bindir / name).chmod(0o755)
    env = dict(os.environ, PATH=f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}",
               PRE_COMMIT_HOME=str(base / "pre-commit-home"), GIT_CONFIG_GLOBAL=str(base / "gitconfig"),
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.invalid")
    env.pop("PYTEST_ADDOPTS", None)
    return repo, digest(repo), env


def assert_as_committed(repo: Path, fresh: dict[str, str], block: Block) -> None:
    now = digest(repo)
    changed = sorted(p for p, h in fresh.items() if now.get(p) != h)
    assert not changed, (f"README.md:{block.line}: the example changed committed files {changed} "
                         "(the README says they are what its commands produce)")


# -- shell ------------------------------------------------------------------------------------------

INSTALL = re.compile(r"^\s*(?:python3? -m )?pip3? install\b[^&;|]*(?:&&\s*)?")
BARE_PYTEST = re.compile(r"^\s*(?:python3? -m )?pytest\s*$")


def shell_script(block: Block) -> str:
    """The block's commands as a script: install steps left out, a bare `pytest` collected only."""
    text = block.code
    if block.lang == "console":        # `$ command` lines; the rest is output
        text = "\n".join(l[2:] for l in text.splitlines() if l.startswith("$ "))
    logical = re.sub(r"\\\n", " ", text).splitlines()
    out = []
    for line in logical:
        if INSTALL.match(line):
            line = INSTALL.sub("", line, count=1)
        if BARE_PYTEST.match(line):
            line = "pytest --collect-only -q"
        if line.strip():
            out.append(line)
    return "\n".join(out) + "\n"


def test_shell_install_lines_are_left_out():
    b = Block(1, "bash", 'pip install -e ".[dev]" && cleaner clean seeds/\npip install x\npytest\n', None)
    assert shell_script(b) == "cleaner clean seeds/\npytest --collect-only -q\n"


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.lang in SHELL], ids=lambda b: b.name)
def test_readme_shell(block, clone):
    repo, fresh, env = clone
    if block.skip:
        pytest.skip(block.skip)
    script = shell_script(block)
    p = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=repo, env=env,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, f"README.md:{block.line}: exit {p.returncode}\n{script}\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}"
    assert_as_committed(repo, fresh, block)


# -- python -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("block", [b for b in BLOCKS if b.lang == "python"], ids=lambda b: b.name)
def test_readme_python(block, clone):
    repo, fresh, env = clone
    compile(block.code, f"README.md:{block.line}", "exec")
    if block.skip:
        pytest.skip(block.skip)
    p = subprocess.run([sys.executable, "-c", block.code], cwd=repo, env=env, capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, f"README.md:{block.line}:\n{p.stderr[-3000:]}"
    assert_as_committed(repo, fresh, block)


# -- toml -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("block", [b for b in BLOCKS if b.lang == "toml"], ids=lambda b: b.name)
def test_readme_toml(block, clone, tmp_path):
    from cleaner.config import Options, load_config
    from cleaner.registry import ENTRY_POINT_GROUP

    repo, _, env = clone
    data = tomllib.loads(block.code)
    checked = False
    tool = data.pop("tool", {})
    if "cleaner" in tool:
        path = tmp_path / "config.toml"
        path.write_text(block.code, encoding="utf-8")
        Options(**load_config(path))            # raises ConfigError naming an unknown key
        if not block.skip:                      # and a user can copy it: a run with it works
            out = tmp_path / "corpus.jsonl"
            p = subprocess.run(["cleaner", "clean", "seeds/", "--config", str(path), "-o", str(out), "-q"],
                               cwd=repo, env=env, capture_output=True, text=True, timeout=300)
            assert p.returncode == 0 and out.stat().st_size, f"README.md:{block.line}: {p.stderr[-2000:]}"
        checked = True
    assert set(tool) <= {"cleaner"}, f"README.md:{block.line}: tables this test does not know: tool.{set(tool)}"
    project = data.pop("project", {})
    for group, points in project.pop("entry-points", {}).items():
        assert group == ENTRY_POINT_GROUP, f"README.md:{block.line}: entry-point group {group!r} is not loaded"
        for name, target in points.items():
            assert re.fullmatch(r"[\w.]+:[\w.]+", target), f"README.md:{block.line}: {name} = {target!r}"
        checked = True
    assert not project and not data, f"README.md:{block.line}: tables this test does not know: {project or data}"
    assert checked, f"README.md:{block.line}: nothing to check"


# -- yaml -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("block", [b for b in BLOCKS if b.lang == "yaml"], ids=lambda b: b.name)
def test_readme_yaml(block, clone, tmp_path):
    repo, _, env = clone
    data = yaml.safe_load(block.code)
    assert isinstance(data, dict), f"README.md:{block.line}: not a mapping"
    if "repos" in data:
        precommit_config(block, data, repo, env, tmp_path)
    elif "rules" in data:
        path = tmp_path / "readme-example.yaml"
        path.write_text(block.code, encoding="utf-8")
        if block.skip:
            pytest.skip(block.skip)
        p = subprocess.run(["cleaner", "rules", "test", "--no-default-rules", "--rules", str(path)], cwd=repo,
                           env=env, capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, f"README.md:{block.line}:\n{p.stdout}{p.stderr}"
        assert "all pass" in p.stdout, p.stdout
    else:
        pytest.fail(f"README.md:{block.line}: a YAML block that is neither a rule file nor a pre-commit config")


def revision_exists(rev: str) -> bool:
    p = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
                       capture_output=True)
    return p.returncode == 0


def precommit_config(block: Block, data: dict, repo: Path, env: dict, tmp_path: Path) -> None:
    clientlib = pytest.importorskip("pre_commit.clientlib", reason="pre-commit is in the dev extra")
    path = tmp_path / ".pre-commit-config.yaml"
    path.write_text(block.code, encoding="utf-8")
    clientlib.load_config(str(path))            # pre-commit's own schema
    published = {h["id"] for h in clientlib.load_manifest(str(repo / ".pre-commit-hooks.yaml"))}
    for r in data["repos"]:
        if r["repo"] not in ("local", "meta"):
            missing = {h["id"] for h in r["hooks"]} - published
            assert not missing, f"README.md:{block.line}: hooks {missing} are not in .pre-commit-hooks.yaml"
            rev = str(r["rev"])
            assert re.fullmatch(r"<[\w -]+>", rev) or revision_exists(rev), \
                f"README.md:{block.line}: rev {rev!r} is neither a <placeholder> nor a tag or commit of this repository"
    if block.skip:
        pytest.skip(block.skip)
    assert all(r["repo"] == "local" for r in data["repos"]), \
        f"README.md:{block.line}: a config installing from a URL needs the network: mark it skip"
    user = tmp_path / "user"
    shutil.copytree(repo / "seeds", user / "seeds")
    shutil.copy(path, user / ".pre-commit-config.yaml")
    for cmd in (["git", "init", "-q"], ["git", "add", "."], ["git", "commit", "-qm", "seeds"]):
        subprocess.run(cmd, cwd=user, env=env, check=True, capture_output=True)
    p = subprocess.run(["pre-commit", "run", "--all-files"], cwd=user, env=env, capture_output=True, text=True,
                       timeout=300)
    out = p.stdout + p.stderr
    assert p.returncode in (0, 1), out
    for r in data["repos"]:
        for h in r["hooks"]:
            assert re.search(re.escape(h["name"]) + r"\.*(Passed|Failed)", out), f"{h['id']} did not run:\n{out}"
    assert "Traceback" not in out and "Executable" not in out, out


# -- json -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("block", [b for b in BLOCKS if b.lang == "json"], ids=lambda b: b.name)
def test_readme_json(block, clone):
    repo, _, _ = clone
    example = json.loads(block.code)
    if {"id", "text", "source"} <= set(example):          # a corpus record: the committed corpus has it
        records = [json.loads(l) for l in (repo / "out" / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
        assert set(example) == set(records[0]), f"README.md:{block.line}: keys {sorted(example)} != {sorted(records[0])}"
        real = next((r for r in records if r["source"] == example["source"]), None)
        assert real is not None, f"README.md:{block.line}: no record of {example['source']} in out/corpus.jsonl"
        for key, value in example.items():
            if isinstance(value, str) and "…" in value:        # shortened: its pieces are in the real value
                missing = [piece for piece in value.split("…") if piece.strip() and piece.strip() not in real[key]]
                assert not missing, f"README.md:{block.line}: {key}: {missing} not in {real[key][:200]!r}"
            else:
                assert value == real[key], f"README.md:{block.line}: {key} is {real[key]!r}, not {value!r}"
    else:
        pytest.fail(f"README.md:{block.line}: a JSON block this test does not know")


# -- flags named in the README exist ----------------------------------------------------------------

CLEANER_CMD = re.compile(r"(?:^|[\s(`'\"|&;])cleaner\s+(?P<sub>[a-z]+)(?P<rest>.*)")
BENCH_CMD = re.compile(r"(?:^|\s)python3? (?P<script>bench/[\w/]+\.py)(?P<rest>.*)")
OTHER_CMD = re.compile(r"(?:^|\s)(?:python3? \S+\.py|pre-commit|ray|pip|git)\b(?P<rest>.*)")
FLAG = re.compile(r"(?<![\w/.-])(--?[A-Za-z][\w-]*)")
BARE_FLAG = re.compile(r"^(--?[A-Za-z][\w-]*)(?:[ =]\S+)?$")


def segment(rest: str) -> str:
    """A command's own arguments: up to a pipe, a chained command or a comment."""
    return re.split(r" \| |&&|;| #", rest, maxsplit=1)[0]


def command_lines() -> list[str]:
    """Code that holds commands: lines of shell and text blocks (continuations joined) and inline code."""
    text = README.read_text(encoding="utf-8")
    lines = []
    for b in BLOCKS:
        if b.lang in SHELL | {"text"}:
            joined = re.sub(r"\\\n\s*", " ", b.code)
            for line in joined.splitlines():
                if line.lstrip().startswith("#"):     # a shell comment
                    continue
                if line[:1].isspace() and lines:      # a synopsis continues on indented lines
                    lines[-1] += " " + line.strip()
                else:
                    lines.append(line)
    prose = re.sub(r"^ *(```|~~~).*?^ *\1", "", text, flags=re.S | re.M)
    # inline code that starts with `cleaner:` quotes a message the program prints, not a command
    lines += [c for c in re.findall(r"`([^`\n]+)`", prose) if not c.startswith("cleaner:")]
    return lines


def options_of(sub: str) -> set[str]:
    from cleaner.cli import build_parser

    help_text = io.StringIO()
    with contextlib.redirect_stdout(help_text), contextlib.redirect_stderr(help_text), \
            pytest.raises(SystemExit) as e:
        build_parser().parse_args([sub, "--help"])
    assert e.value.code == 0, f"`cleaner {sub}` is not a command: {help_text.getvalue()}"
    return set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", help_text.getvalue()))


def test_readme_flags_exist():
    """Every `--flag` the README gives a cleaner command (or a bench script) is one it accepts."""
    lines = command_lines()
    wrong, seen_cleaner, external = [], set(), set()
    cache: dict[str, set[str]] = {}
    for line in lines:
        for m in CLEANER_CMD.finditer(line):
            sub = m["sub"]
            if sub not in cache:
                cache[sub] = options_of(sub)
            for flag in FLAG.findall(segment(m["rest"])):
                seen_cleaner.add(flag)
                if flag not in cache[sub]:
                    wrong.append(f"cleaner {sub} {flag}")
        for m in BENCH_CMD.finditer(line):
            script = ROOT / m["script"]
            assert script.is_file(), f"README names {m['script']}, which does not exist"
            source = script.read_text(encoding="utf-8")
            for flag in FLAG.findall(segment(m["rest"])):
                external.add(flag)
                if f'"{flag}"' not in source and f"'{flag}'" not in source:
                    wrong.append(f"{m['script']} {flag}")
        for m in OTHER_CMD.finditer(line):
            external.update(FLAG.findall(segment(m["rest"])))
    from cleaner.cli import build_parser

    top = set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", build_parser().format_help()))   # --help, --version…
    known = set().union(top, *cache.values()) | external
    bench = " ".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "bench").glob("*.py")))
    for line in lines:
        m = BARE_FLAG.match(line.strip())
        if m and m[1] not in known and f'"{m[1]}"' not in bench and f"'{m[1]}'" not in bench:
            wrong.append(f"`{line}` (no cleaner command, bench script or README command takes {m[1]})")
    assert seen_cleaner, "no cleaner flags found in the README: the scan is broken"
    assert not wrong, f"the README names options that do not exist: {wrong}"


def test_readme_names_every_config_key_and_rule_family():
    """The configuration keys and the rule families the README lists are the ones the code has."""
    from dataclasses import fields

    from cleaner.config import Options

    text = README.read_text(encoding="utf-8")
    keys = {f.name for f in fields(Options)} - {"step_options"}        # [step.NAME] tables
    unnamed = [k for k in sorted(keys) if f"`{k}`" not in text]
    assert not unnamed, f"config keys the README does not name: {unnamed}"
    m = re.search(r"The (\d+) families: ([^(]+)\(", text)
    assert m, "the README no longer lists the rule families"
    named = {f.strip() for f in m[2].replace("\n", " ").split(",")}
    shipped = {p.stem for p in (ROOT / "rules").glob("*.yaml")}
    assert named == shipped and int(m[1]) == len(shipped), (named ^ shipped, m[1])


def test_readme_names_every_command():
    """Each `cleaner` command the parser has is shown in the README's code."""
    from cleaner.cli import build_parser

    commands = re.findall(r"^ {4}([a-z]+) ", build_parser().format_help(), flags=re.M)
    assert commands, "no commands found in `cleaner --help`"
    code = "\n".join(command_lines())
    missing = [c for c in commands if not re.search(rf"(?:^|[\s`(]){re.escape('cleaner ' + c)}\b", code)]
    assert not missing, f"commands the README does not show: {missing}"
