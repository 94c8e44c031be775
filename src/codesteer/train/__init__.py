"""Training a guide with TRL: multi-turn SFT (loss on guide turns only), then DPO from the SFT checkpoint.

Importing this package does not import torch or TRL; the functions do, and raise ``MissingExtraError('train')``
when they are not installed.
"""

from codesteer.steer import GUIDE_MARKER, guide_view_for  # the marker is read below train, by the runners
from codesteer.train._tiny import build_tiny_llama
from codesteer.train._trainer import (
    DPO_DEFAULTS,
    SFT_DEFAULTS,
    TrainOptions,
    TrainResult,
    assistant_mask,
    build_dpo_trainer,
    build_sft_trainer,
    chatml_generation_template,
    completion_logprob,
    config_path,
    preference_margin,
    prepare_tokenizer,
    resolve_base,
    run_trainer,
    shipped_configs,
    train_dpo,
    train_sft,
    write_marker,
)

__all__ = [
    "DPO_DEFAULTS", "GUIDE_MARKER", "SFT_DEFAULTS", "TrainOptions", "TrainResult", "assistant_mask", "build_tiny_llama",
    "build_dpo_trainer", "build_sft_trainer", "chatml_generation_template", "completion_logprob", "config_path", "guide_view_for",
    "preference_margin", "prepare_tokenizer", "resolve_base", "run_trainer", "shipped_configs", "train_dpo", "train_sft",
    "write_marker",
]
