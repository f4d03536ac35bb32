"""The ``python`` runner: a function by ``module:attr`` or from a file; failures per sample."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from harness.prompts import build_request
from harness.runners.base import create_runner
from harness.runners.python_callable import PythonCallable, resolve_function
from harness.types import Generation, Request, Sample


def requests(n: int = 2) -> list[Request]:
    return [
        build_request(
            Sample(
                id=f"doc/q{i}",
                doc_id="doc",
                task="qa",
                language="de",
                input=f"Frage {i}?",
                references=("x",),
            ),
            article="Ein Artikel.",
        )
        for i in range(n)
    ]


def module_file(tmp_path: Path, body: str, name: str = "answers.py") -> str:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return str(path)


def test_module_function_by_name() -> None:
    runner = create_runner(
        "python", "fn", {"function": "harness.runners.python_callable:echo_question"}
    )
    assert [g.text for g in runner.generate(requests())] == ["Frage 0?", "Frage 1?"]


def test_a_function_from_a_file_with_arguments_and_stop_sequences(tmp_path: Path) -> None:
    path = module_file(
        tmp_path,
        "def answer(requests, suffix=''):\n"
        "    return [r.sample.input + suffix + '\\nFrage: mehr' for r in requests]\n",
    )
    runner = PythonCallable(name="fn", path=path, function="answer", arguments={"suffix": "!"})
    gens = runner.generate(requests())
    assert [g.text for g in gens] == ["Frage 0?!", "Frage 1?!"]
    assert gens[0].raw == "Frage 0?!\nFrage: mehr" and gens[0].runner == "fn"


def test_a_module_on_sys_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module_file(
        tmp_path,
        "class Model:\n"
        "    def answer(self, requests):\n"
        "        return ['A'] * len(requests)\n"
        "model = Model()\n",
        name="my_models_xyz.py",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    runner = PythonCallable(name="fn", function="my_models_xyz:model.answer")
    assert [g.text for g in runner.generate(requests())] == ["A", "A"]
    assert runner.qualified_name == "my_models_xyz:Model.answer"
    sys.modules.pop("my_models_xyz", None)


def test_generations_are_accepted_and_relabelled(tmp_path: Path) -> None:
    path = module_file(
        tmp_path,
        "from harness.types import Generation\n"
        "def answer(requests):\n"
        "    return [Generation(r.sample_id, 'inner', 'T', raw='T', prompt_tokens=7)\n"
        "            for r in requests]\n",
    )
    gens = PythonCallable(name="fn", path=path, function="answer").generate(requests())
    assert gens[0] == Generation("doc/q0", "fn", "T", raw="T", prompt_tokens=7)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("def answer(requests):\n    raise RuntimeError('GPU weg')\n", "raised RuntimeError"),
        ("def answer(requests):\n    return 'one string'\n", "returned str, not a list"),
        ("def answer(requests):\n    return ['only one']\n", "returned 1 results for 2"),
    ],
)
def test_failures_of_the_whole_call_fail_every_sample(
    tmp_path: Path, body: str, message: str
) -> None:
    gens = PythonCallable(name="fn", path=module_file(tmp_path, body), function="answer").generate(
        requests()
    )
    for g in gens:
        assert g.text == "" and g.error is not None and message in g.error, g.error


def test_the_error_names_where_the_exception_came_from(tmp_path: Path) -> None:
    body = "def answer(requests):\n    x = 1\n    raise ValueError('kaputt')\n"
    (g,) = PythonCallable(name="fn", path=module_file(tmp_path, body), function="answer").generate(
        requests(1)
    )
    assert g.error is not None and "ValueError('kaputt')" in g.error and "answers.py:3" in g.error


def test_a_bad_item_fails_only_its_sample(tmp_path: Path) -> None:
    body = (
        "from harness.types import Generation\n"
        "def answer(requests):\n"
        "    return [None, 'ok', Generation('other/id', 'x', 'y')]\n"
    )
    g0, g1, g2 = PythonCallable(
        name="fn", path=module_file(tmp_path, body), function="answer"
    ).generate(requests(3))
    assert g0.error == "result is NoneType, not str or Generation"
    assert g1.error is None and g1.text == "ok"
    assert g2.error is not None and "'other/id' is not the request's" in g2.error


def test_bad_function_names_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is not 'module:attribute'"):
        resolve_function("harness.runners")
    with pytest.raises(ValueError, match="cannot import module 'no_such_module_xyz'"):
        resolve_function("no_such_module_xyz:f")
    with pytest.raises(ValueError, match="has no attribute 'nope'"):
        resolve_function("harness.runners.python_callable:nope")
    with pytest.raises(ValueError, match="is not callable"):
        resolve_function("harness:__version__")
    with pytest.raises(ValueError, match="is not a file"):
        resolve_function("f", path=str(tmp_path / "missing.py"))
    broken = module_file(tmp_path, "raise ImportError('needs torch')\n", name="broken.py")
    with pytest.raises(ValueError, match="importing .*broken.py failed: ImportError"):
        resolve_function("f", path=broken)
    with pytest.raises(ValueError, match="bad options"):
        create_runner("python", "fn", {"function": "a:b", "unknown": 1})


def test_fingerprint_follows_the_source(tmp_path: Path) -> None:
    path = module_file(tmp_path, "def answer(requests):\n    return ['a'] * len(requests)\n")
    first = PythonCallable(name="fn", path=path, function="answer").fingerprint()
    assert PythonCallable(name="fn2", path=path, function="answer").fingerprint() == first
    assert (
        PythonCallable(name="fn", path=path, function="answer", arguments={"k": 1}).fingerprint()
        != first
    )
    Path(path).write_text("def answer(requests):\n    return ['b'] * len(requests)\n")
    edited = PythonCallable(name="fn", path=path, function="answer")
    assert edited.fingerprint() != first
    assert edited.generate(requests(1))[0].text == "b"  # the edited file, not a stale module
