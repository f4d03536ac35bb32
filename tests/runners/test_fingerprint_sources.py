"""Fingerprints cover what can change a ``python`` or ``command`` runner's output (class 3).

The function or script named in the config is one file among several: its module's
constants, the helpers it imports (and theirs), a package's relative imports. Each row
edits one file of a small project and says whether the fingerprint must change; a stale
fingerprint serves stale answers from the generation cache.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.config import RunConfig
from harness.pipeline import run
from harness.runners.command import Command
from harness.runners.python_callable import PythonCallable
from tests.conftest import GOLD

FILES = {
    "proj/answer.py": (
        "from helpers import fmt\nfrom pkg.sub import tail\nPREFIX = 'A'\n\n"
        "def answer(requests):\n    return [fmt(PREFIX) + tail() for r in requests]\n"
    ),
    "proj/helpers.py": "import deep\n\ndef fmt(x):\n    return x + deep.MARK\n",
    "proj/deep.py": "MARK = '!'\n",
    "proj/pkg/__init__.py": "",
    "proj/pkg/sub.py": "from .leaf import LEAF\n\ndef tail():\n    return LEAF\n",
    "proj/pkg/leaf.py": "LEAF = 'x'\n",
    "proj/unrelated.py": "NOT_IMPORTED = 1\n",
    "proj/notes.txt": "not code\n",
}


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "proj"))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    for mod in ("answer", "helpers", "deep", "pkg", "pkg.sub", "pkg.leaf"):
        monkeypatch.delitem(sys.modules, mod, raising=False)
    return tmp_path


def python_by_module(root: Path) -> str:
    return PythonCallable(name="p", function="answer:answer").fingerprint()


def python_by_path(root: Path) -> str:
    path = str(root / "proj/answer.py")
    return PythonCallable(name="p", function="answer", path=path).fingerprint()


def command_script(root: Path) -> str:
    return Command(name="c", command=[sys.executable, str(root / "proj/answer.py")]).fingerprint()


@dataclass(frozen=True)
class Edit:
    id: str
    file: str
    old: str
    new: str
    changes: bool  # whether the fingerprint must change


EDITS = [
    Edit("function-body", "proj/answer.py", "for r in", "for _r in", True),
    Edit("module-constant", "proj/answer.py", "PREFIX = 'A'", "PREFIX = 'B'", True),
    Edit("imported-helper", "proj/helpers.py", "x + deep", "x.lower() + deep", True),
    Edit("helper-of-helper", "proj/deep.py", "'!'", "'?'", True),
    Edit("package-relative-import", "proj/pkg/leaf.py", "'x'", "'y'", True),
    Edit("package-init", "proj/pkg/__init__.py", "", "X = 1\n", True),
    Edit("unrelated-module", "proj/unrelated.py", "1", "2", False),
    Edit("data-file", "proj/notes.txt", "not", "no", False),
]
KINDS: dict[str, Callable[[Path], str]] = {
    "python-module": python_by_module,
    "python-path": python_by_path,
    "command-script": command_script,
}


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("edit", EDITS, ids=[e.id for e in EDITS])
def test_fingerprint_follows_the_code_that_runs(edit: Edit, kind: str, project: Path) -> None:
    fingerprint = KINDS[kind]
    before = fingerprint(project)
    assert fingerprint(project) == before  # stable
    path = project / edit.file
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(edit.old, edit.new, 1) if edit.old else edit.new, "utf-8")
    for mod in ("answer", "helpers", "deep", "pkg", "pkg.sub", "pkg.leaf"):
        sys.modules.pop(mod, None)
    assert (fingerprint(project) != before) is edit.changes


def test_covers_says_what_is_hashed(project: Path) -> None:
    runner = PythonCallable(name="p", function="answer:answer")
    assert sorted(runner.covers()) == [
        "answer.py", "deep.py", "helpers.py", "pkg/__init__.py", "pkg/leaf.py", "pkg/sub.py",
    ]  # fmt: skip
    # Installed packages and the standard library are left out: they are versioned.
    assert not any("site-packages" in p for p in runner.covers())


def test_a_changed_module_constant_is_not_served_from_the_cache(
    tmp_path: Path, project: Path
) -> None:
    """The issue's example: a constant changes, the cached run must answer anew."""
    answer = project / "proj/answer.py"

    def run_once(run_id: str) -> str:
        cfg = RunConfig.model_validate(
            {
                "gold": [str(GOLD)],
                "tasks": ["qa"],
                "limit": 2,
                "runners": [
                    {"name": "p", "type": "python",
                     "options": {"function": "answer", "path": str(answer)}},
                ],  # fmt: skip
                "bootstrap": {"resamples": 0},
                "cache": {"enabled": True, "path": str(tmp_path / "cache.sqlite")},
            }
        )
        for mod in ("helpers", "deep", "pkg", "pkg.sub", "pkg.leaf"):
            sys.modules.pop(mod, None)
        rd = run(cfg, tmp_path, output_dir=tmp_path / "r", run_id=run_id)
        return (rd / "generations.jsonl").read_text(encoding="utf-8")

    assert '"text": "A!x"' in run_once("first")
    (project / "proj/deep.py").write_text("MARK = '?'\n", encoding="utf-8")
    second = run_once("second")
    assert '"text": "A?x"' in second and '"cached": false' in second
