"""SFT and DPO of a guide with TRL: loss on the guide's turns only, DPO from the SFT checkpoint.

The defaults are the paper's for an 8B base (SFT lr 1e-5 for 10 epochs, DPO lr 5e-6 for 6 epochs, sigmoid loss,
beta 0.1, batch 4, cosine schedule with 10% warm-up). On a machine without CUDA every run uses fp32 on the CPU
(``bf16=False, use_cpu=True``): TRL's bf16 default is several times slower there. Multi-GPU and multi-node runs
go through ``accelerate launch`` with one of the configs shipped in ``codesteer/train/configs``.
"""

from __future__ import annotations

import json
import math
import shutil
import time
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from codesteer._files import json_objects
from codesteer.errors import CodesteerError, MissingExtraError
from codesteer.steer import GUIDE_MARKER

IM_START, IM_END = "<|im_start|>", "<|im_end|>"

# the paper's hyper-parameters (for an 8B base); see spec §6 and the README
SFT_DEFAULTS = {"learning_rate": 1e-5, "epochs": 10.0}
DPO_DEFAULTS = {"learning_rate": 5e-6, "epochs": 6.0}


@dataclass
class TrainOptions:
    """Knobs of one training run; ``None`` means the stage's paper default (see ``SFT_DEFAULTS``/``DPO_DEFAULTS``)."""

    epochs: float | None = None
    learning_rate: float | None = None
    batch_size: int = 4
    grad_accum: int = 1
    max_steps: int = -1
    max_length: int = 8192
    warmup_ratio: float = 0.1
    lr_scheduler: str = "cosine"
    beta: float = 0.1  # DPO only
    lora: bool = False
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    bf16: bool | None = None  # None: bf16 where CUDA supports it, fp32 elsewhere
    gradient_checkpointing: bool = False
    logging_steps: int = 10
    save_steps: int | None = None  # intermediate checkpoints every N steps (None: only the final model)
    seed: int = 0
    deepspeed: str | None = None  # a DeepSpeed JSON (alternative to an accelerate config)
    extra: dict[str, Any] = field(default_factory=dict)  # passed to SFTConfig/DPOConfig as is

    def __post_init__(self) -> None:
        if self.batch_size < 1 or self.grad_accum < 1:
            raise ValueError("--batch-size and --grad-accum must be >= 1")
        if self.epochs is not None and self.epochs <= 0:
            raise ValueError("--epochs must be > 0")
        if self.learning_rate is not None and self.learning_rate <= 0:
            raise ValueError("--lr must be > 0")
        if self.max_length < 16:
            raise ValueError("--max-length must be >= 16")
        if self.beta <= 0:
            raise ValueError("--beta must be > 0")


@dataclass
class TrainResult:
    """What a run did: where the model is, the logged losses, throughput."""

    stage: str
    out_dir: Path
    steps: int
    losses: list[float]
    train_tokens: int
    wall_s: float
    examples: int
    dropped: int = 0
    metrics: list[dict[str, float]] = field(default_factory=list)
    train_loss: float | None = None  # mean over the run (reported even when no step was logged)

    @property
    def tokens_per_s(self) -> float:
        return self.train_tokens / self.wall_s if self.wall_s > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["out_dir"] = str(self.out_dir)
        d["tokens_per_s"] = self.tokens_per_s
        return d


def _require() -> tuple[Any, Any, Any, Any]:
    try:
        import datasets
        import torch
        import transformers
        import trl
    except ImportError:
        raise MissingExtraError("train", "codesteer train") from None
    return torch, transformers, trl, datasets


def chatml_generation_template() -> str:
    """ChatML with ``{% generation %}`` around each assistant reply and its end token (assistant-only loss)."""
    return resources.files("codesteer.train").joinpath("chatml_generation.jinja").read_text(encoding="utf-8")


def prepare_tokenizer(tokenizer: Any) -> bool:
    """Give ``tokenizer`` a chat template with generation markers, in place; True when tokens were added.

    A template that already has markers is kept; one TRL knows how to patch (llama3, qwen, ...) is replaced by
    TRL's equivalent training template (same rendering); anything else (no template, or an unknown one such as
    SmolLM2's) gets our ChatML template, with its two special tokens added if the vocabulary lacks them.
    """
    from trl.chat_template_utils import get_training_chat_template, has_generation_markers

    template = tokenizer.chat_template
    if isinstance(template, str) and has_generation_markers(template):
        return False
    if template:
        try:
            patched = get_training_chat_template(tokenizer)
        except ValueError:
            patched = None
        if patched:
            tokenizer.chat_template = patched
            return False
    vocab = tokenizer.get_vocab()
    missing = [t for t in (IM_START, IM_END) if t not in vocab]
    if missing:
        tokenizer.add_special_tokens({"additional_special_tokens": missing})
    tokenizer.chat_template = chatml_generation_template()
    tokenizer.eos_token = IM_END
    if tokenizer.pad_token is None:
        tokenizer.pad_token = IM_END
    return bool(missing)


def assistant_mask(tokenizer: Any, messages: list[dict[str, str]]) -> tuple[list[int], list[int]]:
    """(input_ids, mask) exactly as SFT sees a conversation: mask 1 on the tokens that carry loss."""
    out = tokenizer.apply_chat_template(messages, tokenize=True, return_dict=True, return_assistant_tokens_mask=True)
    return list(out["input_ids"]), list(out["assistant_masks"])


def _device_flags(torch: Any, opts: TrainOptions) -> dict[str, Any]:
    cuda = torch.cuda.is_available()
    bf16 = opts.bf16 if opts.bf16 is not None else bool(cuda and torch.cuda.is_bf16_supported())
    if bf16 and not cuda:
        raise CodesteerError("--bf16 needs a CUDA GPU; on the CPU training runs in fp32")
    return {"bf16": bf16, "fp16": False, "use_cpu": not cuda}


def _common_args(torch: Any, stage: str, out: Path, opts: TrainOptions, defaults: dict[str, float]) -> dict[str, Any]:
    args: dict[str, Any] = {
        "output_dir": str(out / "trainer"),
        "num_train_epochs": opts.epochs if opts.epochs is not None else defaults["epochs"],
        "learning_rate": opts.learning_rate if opts.learning_rate is not None else defaults["learning_rate"],
        "per_device_train_batch_size": opts.batch_size,
        "gradient_accumulation_steps": opts.grad_accum,
        "max_steps": opts.max_steps,
        "max_length": opts.max_length,
        "warmup_steps": float(opts.warmup_ratio),  # a float in [0, 1) is a ratio in transformers 5
        "lr_scheduler_type": opts.lr_scheduler,
        "logging_steps": opts.logging_steps,
        "save_strategy": "steps" if opts.save_steps else "no",
        "report_to": "none",
        "seed": opts.seed,
        "activation_checkpointing": opts.gradient_checkpointing,  # TRL defaults it to True; off suits small models
        "dataloader_num_workers": 0,
        **_device_flags(torch, opts),
    }
    if opts.save_steps:
        args["save_steps"] = opts.save_steps
    if opts.deepspeed:
        args["deepspeed"] = opts.deepspeed
    args.update(opts.extra)
    return args


def _peft_config(opts: TrainOptions) -> Any:
    if not opts.lora:
        return None
    try:
        from peft import LoraConfig
    except ImportError:
        raise MissingExtraError("train", "--lora") from None
    return LoraConfig(r=opts.lora_r, lora_alpha=opts.lora_alpha, lora_dropout=opts.lora_dropout,
                      target_modules="all-linear", task_type="CAUSAL_LM")


def _load(torch: Any, transformers: Any, base: str | Path, flags: dict[str, Any]) -> tuple[Any, Any, bool]:
    path = Path(base).expanduser()
    if not (path / "config.json").is_file():
        raise CodesteerError(f"--base {base}: not a model folder (no config.json); give a local transformers checkpoint")
    dtype = torch.bfloat16 if flags["bf16"] else torch.float32
    try:
        tok = transformers.AutoTokenizer.from_pretrained(str(path))
        model = transformers.AutoModelForCausalLM.from_pretrained(str(path), dtype=dtype)
    except (OSError, ValueError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise CodesteerError(f"cannot load --base {base}: {first}") from None
    added = prepare_tokenizer(tok)
    if added:
        model.resize_token_embeddings(len(tok))
    eos = tok.convert_tokens_to_ids(tok.eos_token)
    ids = model.generation_config.eos_token_id
    ids = [ids] if isinstance(ids, int) else list(ids or [])
    if eos not in ids:
        model.generation_config.eos_token_id = [eos, *ids] if ids else eos
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return model, tok, added


def _records(data: str | Path, name: str, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """Training records from ``data`` (a folder written by ``codesteer synth``, or the JSONL file itself)."""
    p = Path(data).expanduser()
    if p.is_dir():
        p = p / name
    if not p.is_file():
        raise CodesteerError(f"no training data at {p} (run `codesteer synth` first, or give the .jsonl file)")
    out: list[dict[str, Any]] = []
    for lineno, rec in json_objects(p):
        if any(k not in rec for k in keys):
            raise CodesteerError(f"{p}:{lineno}: a record needs the fields {', '.join(keys)}")
        out.append({k: rec[k] for k in keys})
    if not out:
        raise CodesteerError(f"{p} holds no records")
    return out


def _history(trainer: Any) -> tuple[list[float], list[dict[str, float]]]:
    logs = [h for h in trainer.state.log_history if "loss" in h]
    return [float(h["loss"]) for h in logs], [{k: float(v) for k, v in h.items() if isinstance(v, int | float)} for h in logs]


def write_marker(out: Path, stage: str, base: str | Path, opts: TrainOptions) -> None:
    """Tell the loop (and people) that this checkpoint is a guide trained on the compact view."""
    info = {"view": "compact", "stage": stage, "base": str(base), "lora_merged": opts.lora,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S"), "format": "codesteer guide v1"}
    (out / GUIDE_MARKER).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")


def _save(trainer: Any, transformers: Any, tok: Any, base: str | Path, out: Path, stage: str, opts: TrainOptions,
          flags: dict[str, Any]) -> None:
    """Save a plain checkpoint (LoRA adapters merged into the base) that ``hf/<out>`` and vLLM can load."""
    if not opts.lora:
        trainer.save_model(str(out))
    else:
        adapter = out / "adapter"
        trainer.save_model(str(adapter))
    if not trainer.accelerator.is_main_process:
        return
    if opts.lora:
        import torch
        from peft import PeftModel

        dtype = torch.bfloat16 if flags["bf16"] else torch.float32
        base_model = transformers.AutoModelForCausalLM.from_pretrained(str(base), dtype=dtype)
        if base_model.get_input_embeddings().weight.shape[0] != len(tok):
            base_model.resize_token_embeddings(len(tok))
        merged = PeftModel.from_pretrained(base_model, str(out / "adapter")).merge_and_unload()
        merged.generation_config = trainer.model.generation_config
        merged.save_pretrained(str(out))
    tok.save_pretrained(str(out))
    write_marker(out, stage, base, opts)
    if not opts.save_steps:
        shutil.rmtree(out / "trainer", ignore_errors=True)


def _check_out(out: str | Path) -> Path:
    p = Path(out).expanduser()
    if p.exists() and not p.is_dir():
        raise CodesteerError(f"--out {p} exists and is not a folder")
    p.mkdir(parents=True, exist_ok=True)
    return p


def resolve_base(base: str | Path) -> Path:
    """The folder a training run starts from: a local transformers checkpoint (``hf/`` prefix allowed) or an
    ``embedded/<name>`` model (its converted copy). Anything else is refused here, before torch is imported."""
    text = str(base).strip()
    if text.startswith("embedded/"):
        from codesteer.models._embedded import embedded_path, resolve_embedded_name

        name = resolve_embedded_name(text.removeprefix("embedded/"))
        return embedded_path(name)
    path = Path(text.removeprefix("hf/")).expanduser()
    if (path / "config.json").is_file():
        return path
    what = "no such folder" if not path.exists() else "no config.json"
    raise CodesteerError(f"--base {text}: not a model folder ({what}); give a local transformers checkpoint folder or an embedded/<name> "
                         "model (hub ids and API models cannot be trained here: download the checkpoint first)")


def build_sft_trainer(base: str | Path, data: str | Path, out: str | Path, opts: TrainOptions | None = None) -> Any:
    """An ``SFTTrainer`` over the ``messages`` records in ``data`` with loss on the assistant (guide) turns only."""
    opts = opts or TrainOptions()
    base = resolve_base(base)
    torch, transformers, trl, datasets = _require()
    outp = _check_out(out)
    records = _records(data, "sft.jsonl", ("messages",))
    args = trl.SFTConfig(**_common_args(torch, "sft", outp, opts, SFT_DEFAULTS), assistant_only_loss=True)
    model, tok, _ = _load(torch, transformers, base, _device_flags(torch, opts))
    trainer = trl.SFTTrainer(model=model, args=args, train_dataset=datasets.Dataset.from_list(records),
                             processing_class=tok, peft_config=_peft_config(opts))
    trainer._codesteer = {"stage": "sft", "base": base, "out": outp, "opts": opts, "tok": tok, "examples": len(records),
                          "dropped": 0}
    return trainer


def build_dpo_trainer(base: str | Path, data: str | Path, out: str | Path, opts: TrainOptions | None = None) -> Any:
    """A ``DPOTrainer`` (sigmoid loss) over the preference records in ``data``, starting from ``base``.

    Full fine-tuning compares against a frozen copy of ``base`` (TRL reloads it from ``base``'s folder); with
    LoRA the reference is the adapter-disabled model. Pairs whose prompt plus reply exceed ``max_length`` are
    dropped rather than truncated: truncation would cut the very replies being compared.
    """
    opts = opts or TrainOptions()
    base = resolve_base(base)
    torch, transformers, trl, datasets = _require()
    outp = _check_out(out)
    records = _records(data, "dpo.jsonl", ("prompt", "chosen", "rejected"))
    args = trl.DPOConfig(**_common_args(torch, "dpo", outp, opts, DPO_DEFAULTS), beta=opts.beta, loss_type=["sigmoid"])
    flags = _device_flags(torch, opts)
    model, tok, added = _load(torch, transformers, base, flags)
    kept = [r for r in records if _pair_tokens(tok, r) <= opts.max_length]
    if not kept:
        raise CodesteerError(f"every preference pair is longer than --max-length {opts.max_length} tokens")
    ref = None
    if added and not opts.lora:
        import copy

        ref = copy.deepcopy(model)  # the folder's weights lack the tokens we added; reloading would not match
    trainer = trl.DPOTrainer(model=model, ref_model=ref, args=args, train_dataset=datasets.Dataset.from_list(kept),
                             processing_class=tok, peft_config=_peft_config(opts))
    trainer._codesteer = {"stage": "dpo", "base": base, "out": outp, "opts": opts, "tok": tok, "examples": len(kept),
                          "dropped": len(records) - len(kept)}
    return trainer


def _pair_tokens(tok: Any, rec: dict[str, Any]) -> int:
    longest = max((rec["chosen"], rec["rejected"]), key=lambda m: sum(len(x["content"]) for x in m))
    ids = tok.apply_chat_template(rec["prompt"] + longest, tokenize=True, return_dict=True)["input_ids"]
    return len(ids)


def run_trainer(trainer: Any) -> TrainResult:
    """Train, save the final checkpoint (+ guide marker), return the losses and throughput."""
    _, transformers, _, _ = _require()
    info = trainer._codesteer
    t0 = time.perf_counter()
    output = trainer.train()
    wall = time.perf_counter() - t0
    losses, metrics = _history(trainer)
    tokens = int(getattr(trainer.state, "num_input_tokens_seen", 0) or 0) or _tokens_seen(trainer)
    _save(trainer, transformers, info["tok"], info["base"], info["out"], info["stage"], info["opts"],
          {"bf16": bool(trainer.args.bf16)})
    result = TrainResult(stage=info["stage"], out_dir=info["out"], steps=int(trainer.state.global_step), losses=losses,
                         train_tokens=tokens, wall_s=wall, examples=info["examples"], dropped=info["dropped"],
                         metrics=metrics, train_loss=float(output.training_loss) if output.training_loss is not None else None)
    if trainer.accelerator.is_main_process:
        (info["out"] / "train_result.json").write_text(json.dumps(result.to_dict(), indent=2) + "\n")
    return result


def _tokens_seen(trainer: Any) -> int:
    """Tokens processed, from TRL's logged ``num_tokens`` (or an estimate from the data when not logged)."""
    seen = [h.get("num_tokens") for h in trainer.state.log_history if h.get("num_tokens")]
    if seen:
        return int(max(seen))
    ds = trainer.train_dataset
    col = "input_ids" if "input_ids" in ds.column_names else None
    if col is None:
        return 0
    per_epoch = sum(len(x) for x in ds[col])
    steps_per_epoch = max(1, math.ceil(len(ds) / (trainer.args.per_device_train_batch_size
                                                   * trainer.args.gradient_accumulation_steps)))
    return int(per_epoch * trainer.state.global_step / steps_per_epoch)


def train_sft(base: str | Path, data: str | Path, out: str | Path, opts: TrainOptions | None = None) -> TrainResult:
    """Multi-turn SFT of a guide (loss on every guide turn, none on the feedback turns)."""
    return run_trainer(build_sft_trainer(base, data, out, opts))


def train_dpo(base: str | Path, data: str | Path, out: str | Path, opts: TrainOptions | None = None) -> TrainResult:
    """DPO of a guide from its SFT checkpoint on sibling-guidance pairs (sigmoid loss, beta 0.1 by default)."""
    return run_trainer(build_dpo_trainer(base, data, out, opts))


def completion_logprob(model: Any, tokenizer: Any, prompt: list[dict[str, str]], reply: list[dict[str, str]]) -> float:
    """Sum of log-probabilities of ``reply`` after ``prompt`` under the chat template (what DPO compares)."""
    import torch

    p_ids = tokenizer.apply_chat_template(prompt, tokenize=True, add_generation_prompt=True, return_dict=True)["input_ids"]
    full = tokenizer.apply_chat_template(prompt + reply, tokenize=True, return_dict=True)["input_ids"]
    ids = torch.tensor([list(full)], device=model.device)
    with torch.no_grad():
        logits = model(input_ids=ids).logits[0, :-1].float()
    logp = torch.log_softmax(logits, dim=-1)
    targets = ids[0, 1:]
    start = len(p_ids) - 1
    return float(logp[start:].gather(1, targets[start:, None]).sum())


def preference_margin(model: Any, tokenizer: Any, records: list[dict[str, Any]]) -> float:
    """Mean of log p(chosen) − log p(rejected) over preference records."""
    vals = [completion_logprob(model, tokenizer, r["prompt"], r["chosen"])
            - completion_logprob(model, tokenizer, r["prompt"], r["rejected"]) for r in records]
    return sum(vals) / len(vals) if vals else 0.0


def config_path(name: str) -> Path:
    """The path of a shipped accelerate/DeepSpeed config (``configs/<name>``), for ``accelerate launch``."""
    root = Path(str(resources.files("codesteer.train").joinpath("configs")))
    p = root / name
    if not p.is_file():
        known = ", ".join(sorted(x.name for x in root.iterdir() if x.is_file()))
        raise CodesteerError(f"no shipped config {name!r}; known: {known}")
    return p


def shipped_configs() -> list[Path]:
    root = Path(str(resources.files("codesteer.train").joinpath("configs")))
    return sorted(p for p in root.iterdir() if p.is_file())
