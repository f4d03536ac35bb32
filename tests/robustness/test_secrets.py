"""Secrets never reach results, manifests, logs or reports; trust_remote_code is reported.

A test runner (``robust-leaky``) is handed an API key through an environment
variable, literal keys and tokens in its options, a URL with a password and a
secret query parameter, and an Authorization header, and repeats all of them
in its fingerprint, its answers and its error messages, as a careless runner
would. Every file of the run, and everything printed, is then searched for
each planted value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from harness.config import load_config
from harness.pipeline import run
from harness.runners.baselines import Oracle
from tests.robustness.procs import start, stop_leftovers, write_config
from tests.robustness.robust_runners import Leaky

ENV_KEY = "sk-env-planted-7f3a9c1e5b"
HEADER_ENV_KEY = "hdrenv-planted-3b7d9f1c"
HF_TOKEN = "hf_planted_6e4a2c8b0d"
LITERAL_KEY = "sk-literal-planted-2b8d4f6a"
LITERAL_TOKEN = "tok-literal-planted-9e1c3a7b"
URL_PASSWORD = "url-pass-planted-4c2e"
QUERY_KEY = "query-planted-5d1f"
BEARER = "hdr-planted-8a6c2e0f"
SECRETS = [ENV_KEY, HEADER_ENV_KEY, HF_TOKEN, LITERAL_KEY, LITERAL_TOKEN, URL_PASSWORD, QUERY_KEY]
SECRETS += [BEARER]

OPTIONS: dict[str, Any] = {
    "api_key_env": "ROBUST_TEST_API_KEY",
    "api_key": LITERAL_KEY,
    "token": LITERAL_TOKEN,
    "base_url": f"https://alice:{URL_PASSWORD}@llm.example.org/v1?api_key={QUERY_KEY}",
    "headers": {"Authorization": f"Bearer {BEARER}", "X-Trace": "harmless"},
    "header_env": {"api-key": "ROBUST_TEST_HEADER"},
}
ENV = {"ROBUST_TEST_API_KEY": ENV_KEY, "ROBUST_TEST_HEADER": HEADER_ENV_KEY, "HF_TOKEN": HF_TOKEN}


def teardown_function() -> None:
    stop_leftovers()  # a failed test may leave a run blocked at its gate


def test_planted_secrets_appear_in_no_output(tmp_path: Path) -> None:
    config = write_config(
        tmp_path, [{"name": "leaky", "type": "robust-leaky", "options": OPTIONS}], limit=6
    )
    proc = start(["run", str(config), "--run-id", "leak"], tmp_path, "leak", env=ENV)
    assert proc.wait() == 0, proc.stderr
    run_dir = tmp_path / "results" / "leak"
    files = [p for p in run_dir.rglob("*") if p.is_file()]
    assert {"config.yaml", "manifest.json", "generations.jsonl", "report.md"} <= {
        p.name for p in files
    }
    outputs = {str(p): p.read_bytes() for p in files}
    outputs["stdout"], outputs["stderr"] = proc.out.read_bytes(), proc.err.read_bytes()
    assert b"leaky runner sees" in outputs["stderr"]  # the runner did run and print
    for secret in SECRETS:
        for where, data in outputs.items():
            assert secret.encode() not in data, f"{secret} leaked into {where}"
    # The run went through, with the leaks replaced rather than the data dropped.
    lines = (run_dir / "generations.jsonl").read_text("utf-8").split("\n")
    gens = [json.loads(x) for x in lines if x]
    assert any(g["text"].startswith("my key is ***") for g in gens)
    assert any(g["error"] and "HTTP 401 from https://***@llm" in g["error"] for g in gens)
    saved = yaml.safe_load((run_dir / "config.yaml").read_text(encoding="utf-8"))
    options = saved["runners"][0]["options"]
    assert options["api_key_env"] == "ROBUST_TEST_API_KEY"  # the name is no secret
    assert options["api_key"] == options["token"] == "***"
    assert options["headers"]["Authorization"] == "***"
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert "***" in manifest["runners"]["leaky"]["fingerprint"]


def _trust_config(tmp_path: Path, trusted: bool) -> Path:
    options = {"trust_remote_code": True} if trusted else {}
    return write_config(
        tmp_path,
        [{"name": "remote", "type": "leaky", "options": options}, {"name": "o", "type": "oracle"}],
        limit=2,
    )


def _factory(type_name: str, name: str, options: dict[str, Any]) -> Any:
    return Leaky(name, **options) if type_name == "leaky" else Oracle(name=name)


def test_report_says_when_trust_remote_code_was_on(tmp_path: Path) -> None:
    for trusted in (True, False):
        folder = tmp_path / str(trusted)
        folder.mkdir()
        cfg, base = load_config(_trust_config(folder, trusted))
        run_dir = run(cfg, base, runner_factory=_factory)
        manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["runners"]["remote"]["trust_remote_code"] is trusted
        assert manifest["runners"]["o"]["trust_remote_code"] is False
        report = (run_dir / "report.md").read_text(encoding="utf-8")
        warning = "**Warning: `trust_remote_code` was on** for remote:"
        assert (warning in report) is trusted
        assert "for o" not in report


def test_a_run_writes_only_inside_its_results_folder(tmp_path: Path) -> None:
    # Run ids are checked (test_resume) and config names are plain names (test_broken_inputs);
    # the run touches nothing beside its own folder.
    cfg_path = write_config(tmp_path, [{"name": "o", "type": "oracle"}], limit=1)
    cfg, base = load_config(cfg_path)
    run_dir = run(cfg, base, run_id="inside")
    assert run_dir.parent == (tmp_path / "results").resolve()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.yaml", "results"]
    assert [p.name for p in (tmp_path / "results").iterdir()] == ["inside"]
