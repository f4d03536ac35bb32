"""One small generic registry for runners and metrics.

Built-ins register exactly as third parties do; third parties come in through
the entry-point groups ``harness.runners`` and ``harness.metrics`` (the entry
point's value is the class, and its name is the registered name).

Example:
    >>> shapes: Registry[type] = Registry("shape", entry_point_group=None)
    >>> @shapes.register("square")
    ... class Square: ...
    >>> shapes.get("square") is Square
    True
    >>> shapes.get("sqare")
    Traceback (most recent call last):
    ...
    harness.registry.UnknownNameError: unknown shape 'sqare'; did you mean 'square'? Known: square
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from importlib import metadata
from typing import Generic, TypeVar

T = TypeVar("T")


class UnknownNameError(KeyError):
    """Raised for a name nobody registered; the message suggests close names."""

    def __str__(self) -> str:
        return str(self.args[0])


class DuplicateNameError(ValueError):
    """Raised when two components claim the same name."""


class Registry(Generic[T]):
    """Names to components, with entry-point plugins loaded on first use."""

    def __init__(self, kind: str, entry_point_group: str | None) -> None:
        self.kind = kind
        self.entry_point_group = entry_point_group
        self._items: dict[str, T] = {}
        self._origins: dict[str, str] = {}
        self._plugins_loaded = entry_point_group is None

    def register(self, name: str, origin: str = "harness") -> Callable[[T], T]:
        """Class decorator registering ``name``; a second registration raises."""

        def decorate(item: T) -> T:
            self.add(name, item, origin)
            return item

        return decorate

    def add(self, name: str, item: T, origin: str = "harness") -> None:
        if name in self._items and self._items[name] is not item:
            raise DuplicateNameError(
                f"{self.kind} {name!r} is registered twice "
                f"(by {self._origins[name]} and by {origin})"
            )
        self._items[name] = item
        self._origins[name] = origin

    def _load_plugins(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        assert self.entry_point_group is not None
        for entry in metadata.entry_points(group=self.entry_point_group):
            dist = entry.dist.name if entry.dist is not None else "unknown package"
            try:
                item = entry.load()
            except Exception as exc:  # a broken plugin must not hide the others
                raise RuntimeError(
                    f"plugin {self.kind} {entry.name!r} from {dist} failed to load: {exc}"
                ) from exc
            self.add(entry.name, item, origin=f"{dist} (plugin)")

    def get(self, name: str) -> T:
        """Return the component called ``name`` or raise :class:`UnknownNameError`."""
        self._load_plugins()
        try:
            return self._items[name]
        except KeyError:
            known = sorted(self._items)
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UnknownNameError(
                f"unknown {self.kind} {name!r}{hint} Known: {', '.join(known)}"
            ) from None

    def names(self) -> list[str]:
        self._load_plugins()
        return sorted(self._items)

    def origin(self, name: str) -> str:
        self._load_plugins()
        return self._origins[name]
