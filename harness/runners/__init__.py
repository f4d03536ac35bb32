"""Model runners behind one small interface (see :mod:`harness.runners.base`)."""

from harness.runners.base import RUNNERS, Runner, create_runner, load_builtins

__all__ = ["RUNNERS", "Runner", "create_runner", "load_builtins"]
