"""Redaction by exact secret-key patterns, never by substring (issue 12, class 4).

``tokenizer: unicode`` is a setting: saved as ``'***'`` it let a resume with another
tokenizer through and labelled ROUGE with the wrong signature. Each row is an option or
header name and whether its value is a secret.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from harness.cli import main
from harness.results import is_secret_key, redact, secret_values
from tests.conftest import GOLD

KEYS = [
    # settings whose names merely contain a secret word
    ("tokenizer", False), ("tokenize", False), ("max_tokens", False), ("max_new_tokens", False),
    ("token_budget", False), ("tokens_per_second", False), ("secret_name", False),
    ("password_file_hint", False), ("key", False), ("keys", False), ("monkey", False),
    ("keyword", False), ("primary_key_column", False), ("api_key_env", False),
    ("authorization_url", False), ("X-Trace", False), ("OpenAI-Organization", False),
    # credentials
    ("api_key", True), ("apiKey", True), ("API_KEY", True), ("x-api-key", True),
    ("api-key", True), ("apikey", True), ("token", True), ("access_token", True),
    ("accessToken", True), ("hf_token", True), ("refresh-token", True), ("secret", True),
    ("client_secret", True), ("password", True), ("db_password", True), ("passwd", True),
    ("Authorization", True), ("Proxy-Authorization", True), ("bearer", True),
    ("private_key", True), ("access_key", True), ("subscription-key", True),
    ("credentials", True), ("basic_auth", True), ("Cookie", True),
]  # fmt: skip


@pytest.mark.parametrize(("key", "secret"), KEYS, ids=[k for k, _ in KEYS])
def test_secret_keys_by_whole_words(key: str, secret: bool) -> None:
    assert is_secret_key(key) is secret
    redacted = redact({"options": {key: "value-12345678"}})["options"][key]
    assert (redacted == "***") is secret
    found = secret_values({key: "value-12345678"}, environ={})
    assert ("value-12345678" in found) is secret


def _config(tmp_path: Path, tokenizer: str) -> Path:
    cfg = {
        "name": "tok",
        "gold": [str(GOLD)],
        "tasks": ["summary"],
        "runners": [{"name": "lead", "type": "lead"}],
        "metrics": {"summary": [{"name": "rouge", "options": {"tokenizer": tokenizer}}]},
        "bootstrap": {"resamples": 0},
        "cache": {"enabled": False},
        "output_dir": str(tmp_path / "results"),
    }
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return path


def test_a_tokenizer_is_saved_and_a_resume_with_another_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(_config(tmp_path, "rouge_score")), "-q", "--run-id", "r"]) == 0
    run = tmp_path / "results" / "r"
    saved = yaml.safe_load((run / "config.yaml").read_text(encoding="utf-8"))
    assert saved["metrics"]["summary"][0]["options"] == {"tokenizer": "rouge_score"}
    signature = json.loads((run / "manifest.json").read_text(encoding="utf-8"))["metrics"]["rouge"]
    assert "rouge_score" in signature
    capsys.readouterr()
    assert main(["run", str(_config(tmp_path, "unicode")), "-q", "--resume", str(run)]) == 2
    assert "it differs in: metrics" in capsys.readouterr().err
