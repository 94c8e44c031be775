"""``codesteer models``: the packaged offline models, whether they are installed, and how to install them."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from codesteer.cli._app import app, console


@app.command("models")
def models_cmd(json_out: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """List the embedded/<name> models: size, state (ready / installed / not installed) and the pip line."""
    from codesteer.models import llamacpp_build, packaged_models

    rows = packaged_models()
    build: dict = {}
    try:
        build = llamacpp_build()
        engine = (f"llama.cpp (xllamacpp {build['version']}; CPU kernels: "
                  f"{', '.join(build['kernels']) or 'not reported'})")
    except Exception as exc:  # noqa: BLE001 - whatever stops the import, the answer is the fallback
        engine = f"transformers (llama.cpp unavailable: {exc})"
    if json_out:
        print(json.dumps({"engine": engine, "llamacpp": build or None, "models": [
            {"spec": f"embedded/{r.name}", "aliases": list(r.aliases), "description": r.description,
             "size_bytes": r.size, "state": r.state, "path": str(r.path) if r.path else None, "install": r.install,
             "caps": r.caps}
            for r in rows]}, indent=2))
        return
    console.print(f"embedded models run on {engine}", highlight=False, markup=False)
    if build.get("unused_cpu_features"):
        console.print(f"this CPU also has {', '.join(build['unused_cpu_features'])}, which this llama.cpp build does not "
                      "use: a build from source prefills faster (README, Models)", highlight=False, markup=False)
    for r in rows:
        alias = f" (= embedded/{', embedded/'.join(r.aliases)})" if r.aliases else ""
        console.print(f"\nembedded/{r.name}{alias}  {r.size / 2**20:,.0f} MiB  [{r.state}]", highlight=False, markup=False)
        console.print(f"  {r.description}", highlight=False, markup=False)
        if r.state == "installed":
            console.print("  chunks installed; assembled into the cache (sha256-checked) on first use",
                          highlight=False, markup=False)
        elif r.path:
            console.print(f"  file: {r.path}", highlight=False, markup=False)
        if r.caps:
            console.print("  run defaults: " + ", ".join(f"{k} {v}" for k, v in r.caps.items()),
                          highlight=False, markup=False)
        console.print(f"  install: {r.install}", highlight=False, markup=False)
