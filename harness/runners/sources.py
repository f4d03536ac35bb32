"""The source files behind a ``python`` or ``command`` runner, for its fingerprint.

A runner's outputs change when any code it runs changes, not only the function
or script named in the config: a module constant, a helper it imports. So the
fingerprint hashes the whole file, plus every *project-local* module it imports,
followed transitively: each ``import`` and ``from … import`` statement (found
with :mod:`ast`, nothing is executed) that resolves to a ``.py`` file under the
entry's root (the folder on ``sys.path`` it was imported from, or the script's
folder). Packages installed in ``site-packages`` and the standard library are
left out (their versions are in the manifest), as are imports made
dynamically (``importlib.import_module(name)``), data files the code reads,
and programs that are not Python (a shell script is hashed itself, but not
what it runs). :func:`local_sources` returns what was covered, so a runner can
say it.

Example:
    >>> from pathlib import Path
    >>> import harness.runners.python_callable as m
    >>> covered = local_sources(Path(m.__file__), [Path(m.__file__).parents[2]])
    >>> "harness/runners/base.py" in {Path(p).as_posix()[-23:] for p in covered}
    True
"""

from __future__ import annotations

import ast
import hashlib
import sys
import sysconfig
from collections.abc import Iterator, Sequence
from pathlib import Path

#: At most this many files are followed from one entry (a guard against huge trees).
MAX_FILES = 500


def _library_dirs() -> list[Path]:
    out = []
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        with_path = sysconfig.get_paths().get(key)
        if with_path:
            out.append(Path(with_path).resolve())
    return out


def is_library(path: Path) -> bool:
    """Whether ``path`` belongs to the standard library or an installed package."""
    if any(part in ("site-packages", "dist-packages") for part in path.parts):
        return True
    return any(path.is_relative_to(d) for d in _library_dirs())


def module_root(module_name: str, file: Path) -> tuple[Path, Path]:
    """``(root, area)`` of a module imported as ``module_name`` from ``file``.

    ``root`` is the ``sys.path`` folder absolute imports resolve against; ``area``
    is where local modules may live: the root itself for a project folder, the
    module's own top-level package for one installed in ``site-packages``.
    """
    parts = module_name.split(".")
    depth = len(parts) - (0 if file.name == "__init__.py" else 1)
    root = file.parents[depth] if depth < len(file.parents) else file.parent
    expected = root.joinpath(*parts[:-1], parts[-1] if file.name == "__init__.py" else file.name)
    if not file.is_relative_to(root) or expected.name != file.name:
        root = file.parent  # loaded from a path under another name
    area = root / parts[0] if is_library(root) and len(parts) > 1 else root
    return root, area


def _imports(tree: ast.AST) -> Iterator[tuple[int, list[str], list[str]]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield 0, alias.name.split("."), []
        elif isinstance(node, ast.ImportFrom):
            module = node.module.split(".") if node.module else []
            yield node.level, module, [a.name for a in node.names if a.name != "*"]


def _candidates(
    file: Path, roots: Sequence[Path], level: int, parts: list[str], names: list[str]
) -> Iterator[Path]:
    if level:
        base = file.parent
        for _ in range(level - 1):
            base = base.parent
        bases = [base]
    else:
        bases = list(roots)
    for base in bases:
        for k in range(1, len(parts) + 1):
            yield base.joinpath(*parts[:k], "__init__.py")
        if parts:
            yield base.joinpath(*parts[:-1], parts[-1] + ".py")
        for name in names:
            yield base.joinpath(*parts, name + ".py")
            yield base.joinpath(*parts, name, "__init__.py")


def local_sources(
    entry: Path, roots: Sequence[Path], areas: Sequence[Path] | None = None
) -> dict[str, str]:
    """sha256 of ``entry`` and of every local module it imports, transitively.

    Args:
        entry: A source file (a Python module or script; any other file is hashed alone).
        roots: Folders absolute imports resolve against (a ``sys.path`` entry).
        areas: Folders local modules must lie in (default: ``roots``); files in
            ``site-packages`` or the standard library never count.

    Returns:
        ``{path: sha256}`` for every file covered, ``entry`` first; at most
        :data:`MAX_FILES` files.
    """
    entry = entry.resolve()
    resolved_roots = [r.resolve() for r in roots]
    allowed = [a.resolve() for a in (areas or roots)]
    out: dict[str, str] = {}
    queue = [entry]
    while queue and len(out) < MAX_FILES:
        file = queue.pop(0)
        if str(file) in out:
            continue
        try:
            data = file.read_bytes()
        except OSError:
            continue
        out[str(file)] = hashlib.sha256(data).hexdigest()
        first = data.split(b"\n", 1)[0]
        if file.suffix != ".py" and not (first.startswith(b"#!") and b"python" in first):
            continue  # not Python: hashed, not followed
        try:
            tree = ast.parse(data, filename=str(file))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for level, parts, names in _imports(tree):
            for cand in _candidates(file, resolved_roots, level, parts, names):
                if (
                    str(cand) not in out
                    and cand.is_file()
                    and any(cand.is_relative_to(a) for a in allowed)
                    and not is_library(cand)
                ):
                    queue.append(cand)
    return out


def module_file(module_name: str) -> Path | None:
    """The source file of an imported module, or None (built in, frozen, no file)."""
    module = sys.modules.get(module_name)
    file = getattr(module, "__file__", None)
    if not file or not str(file).endswith(".py"):
        return None
    return Path(file)
