"""Text from models, gold or files, made safe to show: terminals, SVG, XML, Markdown.

Model output and file contents are data, never instructions to whatever shows
them. :func:`printable` replaces control characters (ANSI escape sequences, an
OSC window title, NUL, carriage returns), direction overrides and other
invisible format characters by U+FFFD, so nothing can move the cursor, retitle
a terminal or reorder what a reader sees. :func:`neutral_markdown` keeps text
meant for a pull-request comment from loading remote images, linking, or
notifying people (``@mentions``, ``#123`` references).

Example:
    >>> printable("ok\\x1b[2J\\u202egnp.exe")
    'ok\\ufffd[2J\\ufffdgnp.exe'
    >>> neutral_markdown("![x](http://e.vil/a.png) @alice #12")
    '!\\\\[x\\\\](http://e.vil/a.png) @\\u200balice #\\u200b12'
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"


def printable(text: str, keep: str = "\n\t") -> str:
    """``text`` with every character that is not printable replaced by U+FFFD.

    Not printable (``str.isprintable``): control characters (C0, DEL, C1: ANSI
    escapes, NUL, ``\\r``), format characters (bidirectional overrides and
    isolates, zero-width characters), line and paragraph separators,
    surrogates and unassigned code points. Characters in ``keep`` stay.

    Args:
        text: Any text.
        keep: Characters to leave as they are (default: newline and tab).

    Returns:
        A string of the same length.

    >>> printable("a\\rb\\x00c\\nd", keep="")
    'a\\ufffdb\\ufffdc\\ufffdd'
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c in keep else REPLACEMENT for c in text)


_MENTION = re.compile(r"([@#])(?=[A-Za-z0-9_])")
_LINK = re.compile(r"[\[\]]")


def neutral_markdown(text: str) -> str:
    """``text`` that GitHub Markdown shows as written, without acting on it.

    ``[`` and ``]`` are backslash-escaped (no image, link or reference
    definition can form), and a zero-width space follows every ``@`` and ``#``
    that precede a word character (no ``@mention``, no ``#123`` reference).
    Meant for text outside code spans; apply it after other escaping.

    >>> neutral_markdown("see [docs](http://x) or ping @team/core about GH#4")
    'see \\\\[docs\\\\](http://x) or ping @\\u200bteam/core about GH#\\u200b4'
    """
    return _MENTION.sub("\\1\u200b", _LINK.sub(lambda m: "\\" + m.group(0), text))
