"""Tiny transformers models for runner tests, built in-process (no downloads).

Each model has random weights (seeded) and a byte-level BPE tokenizer trained
on the article, saved with ``save_pretrained`` into a session temp folder:

- ``tiny_gpt2``: a 2-layer GPT-2, no chat template;
- ``tiny_gpt2_chat``: the same weights with a small Jinja chat template;
- ``tiny_gemma3``: a 2-layer Gemma 3 with one sliding-window layer (window 24),
  to exercise the shared-prefix cache against sliding windows;
- ``tiny_bart``: an encoder-decoder (seq2seq) model.

Initialisation is chosen so that greedy outputs differ between questions (a
random model that answers every prompt alike would make the equivalence tests
meaningless); a test checks that they do.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[2]
_ARTICLE_CANDIDATES = (
    ROOT / "gold" / "kambodscha-menschenhandel-2025" / "article.txt",
    Path("/work/shared/seed/article.de.txt"),
)
_FALLBACK_ARTICLE = (
    "Kambodscha hat diese Woche auf einer hochrangigen Sitzung der Vereinten Nationen in New York "
    "seine fortgesetzte Entschlossenheit im globalen Kampf gegen Menschenhandel bekräftigt. "
    "Botschafter Keo Chhea, Ständiger Vertreter Kambodschas bei den Vereinten Nationen, erklärte "
    "vor internationalen Staats- und Regierungschefs, dass die Bekämpfung von Menschenhandel, "
    "Zwangsarbeit und sexueller Ausbeutung oberste Priorität habe. Die Sitzung fand vom 24. bis "
    "25. November im UN-Hauptquartier statt. Der Nationale Strategieplan 2024–2028 wurde im "
    "August 2024 eingeführt und basiert auf vier Säulen."
)
CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)
QUESTIONS = (
    "Wer sprach für Kambodscha?",
    "Wann fand die Sitzung statt?",
    "Wo fand die Sitzung statt?",
    "Wie viele Säulen hat der Plan?",
    "Seit wann gibt es den Strategieplan 2024–2028?",
    "Welche Verbrechen nannte der Botschafter als oberste Priorität der nationalen Agenda?",
    "Was feiert der Aktionsplan?",
    "Wer ist Keo Chhea?",
    "Was will Kambodscha stärken?",
    "Mit wem arbeitet Kambodscha zusammen?",
)


def article_text() -> str:
    """The gold article (or the seed copy, or a short built-in excerpt)."""
    for path in _ARTICLE_CANDIDATES:
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return _FALLBACK_ARTICLE


def _tokenizer(chat: bool) -> Any:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    special = ["<|endoftext|>", "<pad>", "<|user|>", "<|assistant|>", "<|system|>"]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=600,
        special_tokens=special,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator([article_text(), *QUESTIONS, "Frage: Antwort: Artikel:"], trainer)
    fast_class: Any = PreTrainedTokenizerFast
    fast = fast_class(
        tokenizer_object=tok,
        bos_token="<|endoftext|>",
        eos_token="<|endoftext|>",
        pad_token="<pad>",
    )
    if chat:
        fast.chat_template = CHAT_TEMPLATE
    return fast


def _save(model: Any, tokenizer: Any, folder: Path) -> Path:
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def build_gpt2(folder: Path, chat: bool = False) -> Path:
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    tok = _tokenizer(chat)
    torch.manual_seed(0)
    config = GPT2Config(
        vocab_size=len(tok),
        n_positions=4096,
        n_embd=16,
        n_layer=2,
        n_head=2,
        initializer_range=1.0,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id,
    )
    return _save(GPT2LMHeadModel(config), tok, folder)


def build_gemma3(folder: Path) -> Path:
    import torch
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    tok = _tokenizer(False)
    torch.manual_seed(0)
    config = Gemma3TextConfig(
        vocab_size=len(tok),
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        head_dim=8,
        sliding_window=24,
        layer_types=["sliding_attention", "full_attention"],
        max_position_embeddings=4096,
        initializer_range=0.02,  # Gemma's norms make large ones collapse to one answer
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id,
    )
    return _save(Gemma3ForCausalLM(config), tok, folder)


def build_bart(folder: Path) -> Path:
    import torch
    from transformers import BartConfig, BartForConditionalGeneration

    tok = _tokenizer(False)
    torch.manual_seed(0)
    config = BartConfig(
        vocab_size=len(tok),
        d_model=16,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=32,
        decoder_ffn_dim=32,
        max_position_embeddings=4096,
        init_std=1.0,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id,
        decoder_start_token_id=tok.eos_token_id,
        forced_eos_token_id=None,
    )
    return _save(BartForConditionalGeneration(config), tok, folder)


@pytest.fixture(scope="session")
def tiny_gpt2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_gpt2(tmp_path_factory.mktemp("tiny-gpt2"))


@pytest.fixture(scope="session")
def tiny_gpt2_chat(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_gpt2(tmp_path_factory.mktemp("tiny-gpt2-chat"), chat=True)


@pytest.fixture(scope="session")
def tiny_gemma3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_gemma3(tmp_path_factory.mktemp("tiny-gemma3"))


@pytest.fixture(scope="session")
def tiny_bart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_bart(tmp_path_factory.mktemp("tiny-bart"))


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private model cache dir (hash memo) so tests never touch the user's cache."""
    return tmp_path_factory.mktemp("model-cache")



@pytest.fixture(scope="session")
def qa_requests() -> Any:
    """A factory: QA requests about the article, as the pipeline builds them."""
    from harness.prompts import build_request
    from harness.types import GenerationParams, Sample

    article = article_text()

    def make(
        n: int = len(QUESTIONS), max_new_tokens: int = 8, stop: tuple[str, ...] = ("\x00\x00\x00",),
        temperature: float = 0.0, doc: str = "d",
    ) -> list[Any]:
        params = GenerationParams(max_new_tokens=max_new_tokens, stop=stop, temperature=temperature)
        return [
            build_request(
                Sample(id=f"{doc}/q{i}", doc_id=doc, task="qa", language="de", input=q,
                       references=()),
                article,
                params=params,
            )
            for i, q in enumerate(QUESTIONS[:n])
        ]

    return make
