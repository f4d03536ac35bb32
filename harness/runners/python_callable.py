"""The ``python`` runner: a Python function that takes requests and returns texts.

In a config::

    runners:
      - name: my-function
        type: python
        options:
          function: my_package.answers:answer_all   # module:attribute
          # or a file: {path: tools/answer.py, function: answer_all}
          arguments: {temperature: 0.2}             # extra keyword arguments

The function is called with the list of :class:`~harness.types.Request`
values of a batch (plus ``arguments``) and returns one ``str`` (raw model
text: prompt echo and ``<think>`` blocks removed, cut at the request's stop
sequences and trimmed like any model's) or
one :class:`~harness.types.Generation` per request, in order. An exception,
a wrong number of results or a result of the wrong type becomes a
per-sample error naming it. The fingerprint hashes the function's source, its
whole module file and the project-local modules that file imports
(transitively), so editing the function, a module constant or an imported
helper invalidates cached outputs; installed packages and data files are not
covered (:mod:`harness.runners.sources`).

Example:
    >>> from harness.prompts import build_request
    >>> from harness.types import Sample
    >>> s = Sample(id="d/q", doc_id="d", task="qa", language="de", input="Wer?", references=())
    >>> runner = PythonCallable(name="fn", function="harness.runners.python_callable:echo_question")
    >>> runner.generate([build_request(s, article="...")])[0].text
    'Wer?'
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import inspect
import sys
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from harness.runners.base import RUNNERS, process_output, stable_hash
from harness.runners.sources import local_sources, module_root
from harness.types import Generation, Request


def echo_question(requests: Sequence[Request]) -> list[str]:
    """Answer each question with itself (a tiny example function for docs and tests)."""
    return [r.sample.input for r in requests]


def _load_file(path: Path, runner: str) -> Any:
    if not path.is_file():
        raise ValueError(f"runner {runner!r}: path: {path} is not a file")
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
    module_name = f"harness_user_{path.stem}_{digest}"
    # Executed afresh on every load, so that an edited file is never served stale.
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ValueError(f"runner {runner!r}: path: cannot import {path} as a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(module_name, None)
        raise ValueError(f"runner {runner!r}: path: importing {path} failed: {exc!r}") from exc
    return module


def resolve_function(
    function: str, path: str | None = None, runner: str = "python"
) -> Callable[..., Any]:
    """The callable named ``module:attr`` (or ``attr`` in the file ``path``).

    >>> resolve_function("harness.runners.python_callable:echo_question").__name__
    'echo_question'
    >>> resolve_function("echo_question")
    Traceback (most recent call last):
    ...
    ValueError: runner 'python': function: 'echo_question' is not 'module:attribute'
    """
    if path is not None:
        module = _load_file(Path(path).expanduser(), runner)
        attr = function.split(":", 1)[-1]
        where = str(path)
    else:
        mod_name, sep, attr = function.partition(":")
        if not sep or not mod_name or not attr:
            raise ValueError(f"runner {runner!r}: function: {function!r} is not 'module:attribute'")
        try:
            module = importlib.import_module(mod_name)
        except ImportError as exc:
            raise ValueError(
                f"runner {runner!r}: function: cannot import module {mod_name!r}: {exc}"
            ) from exc
        where = mod_name
    obj: Any = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise ValueError(f"runner {runner!r}: function: {where} has no attribute {attr!r}")
        obj = getattr(obj, part)
    if not callable(obj):
        raise ValueError(f"runner {runner!r}: function: {where}:{attr} is not callable")
    return obj  # type: ignore[no-any-return]


def source_digest(fn: Callable[..., Any]) -> str:
    """sha256 of the function's source, else of its module file, else of its bytecode."""
    target = inspect.unwrap(fn)
    try:
        return hashlib.sha256(inspect.getsource(target).encode("utf-8")).hexdigest()
    except (OSError, TypeError):
        pass
    try:
        file = inspect.getsourcefile(target) or inspect.getfile(target)
        return hashlib.sha256(Path(file).read_bytes()).hexdigest()
    except (OSError, TypeError):
        pass
    code = getattr(target, "__code__", None) or getattr(type(target).__call__, "__code__", None)
    return hashlib.sha256(code.co_code if code is not None else repr(target).encode()).hexdigest()


@RUNNERS.register("python")
class PythonCallable:
    """A Python function (module:attr, or in a .py file) taking requests, returning texts.

    Args:
        name: the label in reports.
        function: ``package.module:function`` (with ``path``: the attribute name).
        path: a ``.py`` file to load the function from (relative to the
            directory ``harness`` runs in).
        arguments: extra keyword arguments for every call.
    """

    def __init__(
        self,
        name: str,
        function: str,
        path: str | None = None,
        arguments: Mapping[str, Any] | None = None,
    ) -> None:
        if not isinstance(function, str) or not function:
            raise ValueError(f"runner {name!r}: function: give 'module:function'")
        self.name = name
        self.function_name = function
        self.path = path
        self.arguments = dict(arguments or {})
        self.function = resolve_function(function, path, runner=name)
        module = getattr(self.function, "__module__", None) or str(path)
        qualname = getattr(self.function, "__qualname__", None) or type(self.function).__qualname__
        self.qualified_name = f"{module}:{qualname}"
        self._covers: dict[str, str] | None = None

    def covers(self) -> dict[str, str]:
        """The files the fingerprint hashes: ``{path relative to the root: sha256}``.

        The function's module file and every project-local module it imports,
        transitively (:func:`harness.runners.sources.local_sources`); empty when the
        function has no source file (then only its bytecode is hashed).
        """
        if self._covers is None:
            self._covers = {}
            target = inspect.unwrap(self.function)
            try:
                file = inspect.getsourcefile(target)
            except TypeError:
                file = None
            module = getattr(target, "__module__", None)
            if file and module:
                root, area = module_root(module, Path(file).resolve())
                for path, digest in local_sources(Path(file), [root], [area]).items():
                    p = Path(path)
                    self._covers[p.relative_to(root).as_posix() if p.is_relative_to(root)
                                 else path] = digest  # fmt: skip
        return dict(self._covers)

    def fingerprint(self) -> str:
        """Identifies the outputs: the function's name and source, its whole module file and
        the project-local modules that imports (a module constant or helper changes it
        too), and ``arguments``. Not covered: installed packages (their versions are in the
        manifest), data files the function reads, modules imported by name at run time."""
        return stable_hash(
            "python",
            2,
            self.qualified_name,
            source_digest(self.function),
            self.covers(),
            self.arguments,
        )

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        requests = list(requests)
        if not requests:
            return []
        t0 = time.perf_counter()
        try:
            results = self.function(requests, **self.arguments)
        except Exception as exc:
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            where = f" ({Path(frame.filename).name}:{frame.lineno})"
            return self._fail(requests, f"{self.qualified_name} raised {exc!r}{where}")
        per = (time.perf_counter() - t0) / len(requests)
        if isinstance(results, str | bytes) or not isinstance(results, Sequence):
            return self._fail(
                requests,
                f"{self.qualified_name} returned {type(results).__name__}, "
                "not a list with one str or Generation per request",
            )
        if len(results) != len(requests):
            return self._fail(
                requests,
                f"{self.qualified_name} returned {len(results)} results for {len(requests)} "
                "requests",
            )
        out = []
        for r, res in zip(requests, results, strict=True):
            if isinstance(res, str):
                text = process_output(res, r).text
                out.append(Generation(r.sample_id, self.name, text, raw=res, seconds=per))
            elif isinstance(res, Generation):
                if res.sample_id != r.sample_id:
                    out.append(
                        self._error(r, f"result's sample_id {res.sample_id!r} is not the request's")
                    )
                else:
                    out.append(Generation(**{**res.to_dict(), "runner": self.name}))
            else:
                out.append(self._error(r, f"result is {type(res).__name__}, not str or Generation"))
        return out

    def _error(self, request: Request, message: str) -> Generation:
        return Generation(request.sample_id, self.name, "", error=message)

    def _fail(self, requests: Sequence[Request], message: str) -> list[Generation]:
        return [self._error(r, message) for r in requests]
