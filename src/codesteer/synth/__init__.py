"""Training data for a guide: successful loop trajectories for SFT, scored guidance trees for DPO."""

from codesteer.synth._common import DEFAULT_SYNTH_SEED, check_disjoint, normalise_question
from codesteer.synth._dpo import (
    DpoProgress,
    DpoSynthOptions,
    build_tree,
    export_dpo,
    leaf_score,
    synthesize_dpo,
    tree_file,
    tree_pairs,
)
from codesteer.synth._sft import (
    SFT_METHOD,
    SftSynthOptions,
    SynthProgress,
    attempt_seed,
    export_sft,
    paraphrase_choice,
    sft_messages,
    synthesize_sft,
)

__all__ = [
    "DEFAULT_SYNTH_SEED", "SFT_METHOD", "DpoProgress", "DpoSynthOptions", "SftSynthOptions", "SynthProgress",
    "attempt_seed", "build_tree", "check_disjoint", "export_dpo", "export_sft", "leaf_score", "normalise_question",
    "paraphrase_choice", "sft_messages", "synthesize_dpo", "synthesize_sft", "tree_file", "tree_pairs",
]
