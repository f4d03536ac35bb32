"""Config validation: unknown keys and bad values are named with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.config import ConfigError, load_config

GOOD = "name: x\nrunners:\n  - name: o\n    type: oracle\n"


def test_loads_and_resolves_base(tmp_path: Path) -> None:
    p = tmp_path / "c.yaml"
    p.write_text(GOOD, encoding="utf-8")
    cfg, base = load_config(p)
    assert cfg.runners[0].type == "oracle"
    assert base == tmp_path.resolve()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD + "colour: red\n", ":5: colour: unknown key 'colour'"),
        (
            "name: x\nrunners:\n  - name: o\n    type: oracle\n    flavour: 1\n",
            ":5: runners.0.flavour: unknown key 'flavour'",
        ),
        ("name: x\nrunners: []\n", "runners: List should have at least 1 item"),
        (
            "name: x\nrunners:\n  - {name: a, type: oracle}\n  - {name: a, type: lead}\n",
            "runner names must be unique; repeated: a",
        ),
        ("runners: [\n", "invalid YAML"),
        ("- just\n- a list\n", "a config is a mapping"),
        (GOOD + "bootstrap: {resamples: -1}\n", "bootstrap.resamples"),
        (GOOD + "tasks: [translation]\n", "tasks.0"),
        ("name: ../../etc\n" + GOOD.split("\n", 1)[1], "name: String should match pattern"),
    ],
)
def test_bad_configs(tmp_path: Path, text: str, expected: str) -> None:
    p = tmp_path / "c.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(p)
    assert expected in str(err.value)
    assert str(p) in str(err.value)


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "nope.yaml")
    p = tmp_path / "bin.yaml"
    p.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigError, match="not valid UTF-8"):
        load_config(p)
