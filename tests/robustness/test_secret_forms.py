"""A secret planted in every form named by issue 12 (classes 5 and 6) reaches no file and no
console output.

A real ``harness run`` (in process) evaluates the ``openai`` runner against a misbehaving
local server that echoes the key: after 105 characters of a 401 body (cut at 200), JSON-
escaped, percent-encoded and base64-encoded in error bodies, unicode-escaped in a successful
answer, a short key (6 characters) in a successful answer, and a URL password that holds
``@``. A gold folder whose ``article.txt`` links to a file holding the environment is
refused. Every file of the run folder, the generation cache and everything printed are
searched for each form and for the key's first 12 characters (what cutting before masking
left behind).
"""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml

from harness.cli import main
from tests.conftest import DOC_ID, GOLD
from tests.runners.fake_server import FakeServer, Reply, completion

KEY = "sk-planted/Key+0123456789abcdefghijklmnopqrst"  # 44 characters
SHORT = "q7Zx9k"  # a short key, declared by the config (header_env)
URL_PASSWORD = "pa@ss-planted-77"
SECRET_FORMS = {
    "key": KEY,
    "key-prefix": KEY[:12],
    "json-escaped": json.dumps(KEY)[1:-1].replace("/", "\\/"),
    "url-encoded": quote(KEY, safe=""),
    "base64": base64.b64encode(KEY.encode()).decode(),
    "short-key": SHORT,
    "url-password": URL_PASSWORD,
    "url-password-tail": URL_PASSWORD.split("@", 1)[1],
}


def _unicode_escaped(text: str) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in text)


def replies(path: str) -> list[Reply]:
    """One reply per sample, in order (concurrency 1, no retries)."""
    return [
        Reply(401, "x" * 105 + KEY + " is not a valid key"),
        Reply(500, '{"error": {"message": "bad key ' + SECRET_FORMS["json-escaped"] + '"}}'),
        Reply(400, "rejected: key=" + SECRET_FORMS["url-encoded"] + "&x=1"),
        Reply(403, "token " + SECRET_FORMS["base64"]),
        completion(path, f"my short key is {SHORT}, thanks"),
        Reply(
            200,
            b'{"choices": [{"message": {"role": "assistant", "content": "key '
            + _unicode_escaped(KEY).encode()
            + b'"}, "finish_reason": "stop"}]}',
            {"Content-Type": "application/json"},
        ),
    ]


@pytest.fixture()
def server() -> Iterator[FakeServer]:
    with FakeServer() as s:
        yield s


def test_a_planted_key_in_every_form_leaks_nowhere(
    tmp_path: Path,
    server: FakeServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PLANTED_KEY", KEY)
    monkeypatch.setenv("PLANTED_SHORT", SHORT)
    server.script.extend(replies("/v1/chat/completions"))
    base_url = server.url.replace("http://", f"http://alice:{quote(URL_PASSWORD, safe='@')}@")
    cfg = {
        "name": "leak",
        "gold": [str(GOLD)],
        "tasks": ["qa"],
        "limit": 6,
        "runners": [{
            "name": "served", "type": "openai",
            "options": {
                "base_url": base_url + "/v1", "model": "m", "api_key_env": "PLANTED_KEY",
                "header_env": {"X-Short-Key": "PLANTED_SHORT"}, "concurrency": 1,
                "max_retries": 0,
            },
        }],  # fmt: skip
        "bootstrap": {"resamples": 10},
        "cache": {"enabled": True, "path": str(tmp_path / "cache" / "gen.sqlite")},
        "output_dir": str(tmp_path / "results"),
    }
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    code = main(["run", str(tmp_path / "c.yaml"), "--run-id", "leak"])
    out, err = capsys.readouterr()
    assert code == 0, err
    run = tmp_path / "results" / "leak"
    files = {str(p): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    files = {k: v for k, v in files.items() if not k.endswith("c.yaml")}
    assert any("report.html" in k for k in files) and any("gen.sqlite" in k for k in files)
    files["stdout"], files["stderr"] = out.encode(), err.encode()
    for form, secret in SECRET_FORMS.items():
        for where, data in files.items():
            assert secret.encode() not in data, f"{form} ({secret}) leaked into {where}"
    gens = [json.loads(x) for x in (run / "generations.jsonl").read_text("utf-8").splitlines()]
    assert gens[0]["error"].startswith("HTTP 401")
    assert "***" in gens[0]["error"] and gens[4]["text"] == "my short key is ***, thanks"
    assert gens[5]["text"] == "key ***"


def test_a_gold_link_to_the_environment_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    environ = tmp_path / "environ"  # stands for /proc/self/environ (tested as well below)
    environ.write_bytes(f"HOME=/root\0OPENAI_API_KEY={KEY}\0".encode())
    gold = tmp_path / "gold"
    shutil.copytree(GOLD / DOC_ID, gold / DOC_ID)
    for target in (environ, Path("/proc/self/environ")):
        article = gold / DOC_ID / "article.txt"
        article.unlink()
        article.symlink_to(target)
        assert main(["gold", "validate", str(gold)]) == 2
        cfg = {"gold": [str(gold)], "runners": [{"name": "o", "type": "oracle"}],
               "output_dir": str(tmp_path / "results"), "cache": {"enabled": False}}  # fmt: skip
        (tmp_path / "c.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
        assert main(["run", str(tmp_path / "c.yaml"), "-q"]) == 2
        out, err = capsys.readouterr()
        assert f"{article}: (file): a symbolic link to {target.resolve()}" in out + err
        assert KEY not in out + err
        assert not (tmp_path / "results").exists()
