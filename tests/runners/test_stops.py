"""Stop sequences count only once the answer has begun (models often open with a newline)."""

from __future__ import annotations

from harness.runners.base import postprocess
from harness.runners.hf import _RowEnds


class _CharTokenizer:
    """Token ids are character codes: decode is chr()."""

    def decode(self, ids: list[int], skip_special_tokens: bool = True) -> str:
        return "".join(chr(i) for i in ids)


def test_postprocess_skips_a_leading_newline() -> None:
    assert postprocess("\nKeo Chhea\nFrage: x", ["\n"]) == "Keo Chhea"
    assert postprocess("  \n\n", ["\n"]) == ""


def test_decoding_does_not_stop_on_a_leading_newline() -> None:
    ends = _RowEnds(_CharTokenizer(), ["\n"], eos_ids=set(), rows=1)
    assert not ends.add(0, ord("\n"))
    assert not ends.add(0, ord("K"))
    assert ends.add(0, ord("\n"))
