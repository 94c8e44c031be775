"""A tiny Llama with a tokenizer trained on the spot: SFT and DPO plumbing on a CPU in seconds, offline."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from codesteer.train._trainer import _require


def build_tiny_llama(
    out: str | Path,
    corpus: Iterable[str],
    *,
    vocab_size: int = 600,
    hidden: int = 64,
    layers: int = 2,
    seed: int = 0,
) -> Path:
    """Save a small random Llama plus a byte-level BPE tokenizer trained on ``corpus`` into ``out``.

    It has no chat template, like a base model: training gives it ChatML with generation markers. Useful for
    tests, benchmarks of the training plumbing and demos; it learns nothing useful beyond its data.
    """
    torch, transformers, _, _ = _require()
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    specials = ["<pad>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"]
    bpe = Tokenizer(models.BPE(unk_token=None))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=specials,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    bpe.train_from_iterator(list(corpus), trainer=trainer)
    tok = transformers.PreTrainedTokenizerFast(tokenizer_object=bpe, pad_token="<pad>", bos_token="<s>",
                                               eos_token="</s>")
    torch.manual_seed(seed)
    heads = max(1, hidden // 16)
    cfg = transformers.LlamaConfig(
        vocab_size=len(tok), hidden_size=hidden, intermediate_size=2 * hidden, num_hidden_layers=layers,
        num_attention_heads=heads, num_key_value_heads=max(1, heads // 2), max_position_embeddings=4096,
        pad_token_id=tok.pad_token_id, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
        tie_word_embeddings=True,
    )
    model = transformers.LlamaForCausalLM(cfg)
    path = Path(out)
    path.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(path))
    tok.save_pretrained(str(path))
    return path
