"""Guide options shared by ``run``, ``solve`` and ``synth``: which protocol the guide speaks and how it decodes."""

from __future__ import annotations

from typing import Annotated

import typer

GuideProtocolOpt = Annotated[str, typer.Option(
    "--guide-protocol",
    help="codesteer (ours, default) or reference (the paper's released guide, byte for byte; needs --reference-prompts).")]
GuideViewOpt = Annotated[str | None, typer.Option(
    "--guide-view",
    help="Our protocol's view: compact (guides trained on it, e.g. a served `codesteer train` checkpoint) or full "
         "(API guides). Default: compact for an hf/ checkpoint with codesteer's guide marker, else full.")]
ReferencePromptsOpt = Annotated[str | None, typer.Option(
    "--reference-prompts",
    help="Your copy of the reference's prompt.py (read with ast, never run); default $CODESTEER_REFERENCE_PROMPTS.")]
GuideTopPOpt = Annotated[float | None, typer.Option(
    "--guide-top-p", help="Guide nucleus sampling (reference protocol default 0.7).")]
GuideTopKOpt = Annotated[int | None, typer.Option(
    "--guide-top-k", help="Guide top-k sampling (reference default 50; sent to vLLM as an extra body field).")]
GuideTemplateOpt = Annotated[str, typer.Option(
    "--guide-template",
    help="auto, chat or llama3. llama3 renders the guide prompt here (untrimmed) and calls the raw completions "
         "endpoint (/v1/completions for openai/ guides); auto does so for hf/ guides under the reference protocol.")]
GuideMaxTokensOpt = Annotated[int | None, typer.Option(
    "--guide-max-tokens", help="Reply cap of guide calls (default 1024; embedded models: their own, see `codesteer models`).")]
GuideTemperatureOpt = Annotated[float | None, typer.Option(
    "--guide-temperature", help="Guide sampling temperature (default: 0 for ours, 0.95 for the reference protocol).")]
