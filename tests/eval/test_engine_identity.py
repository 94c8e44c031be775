"""The engine that serves an embedded/ model is part of a run's identity: its replies differ from the other's."""

from __future__ import annotations

import pytest

from codesteer.eval import RunConfig
from codesteer.models import embedded_engine


def test_llamacpp_engine_enters_the_key_and_transformers_keeps_old_keys() -> None:
    if embedded_engine() != "llamacpp":
        pytest.skip("xllamacpp cannot be imported here")
    assert RunConfig(task_model="embedded/default").key_config()["embedded_engine"] == {"task": "llamacpp"}
    both = RunConfig(task_model="embedded/default", guide_model="embedded/default",
                     model_options={"guide": {"engine": "transformers"}}).key_config()
    assert both["embedded_engine"] == {"task": "llamacpp"}
    # runs stored before llama.cpp served embedded/ models (transformers) keep their keys and resume
    old = RunConfig(task_model="embedded/default", model_options={"task": {"engine": "transformers"}}).key_config()
    assert "embedded_engine" not in old
    assert "embedded_engine" not in RunConfig(task_model="openai/gpt-4o").key_config()


def test_a_folder_filled_on_transformers_refuses_llamacpp(tmp_path) -> None:
    if embedded_engine() != "llamacpp":
        pytest.skip("xllamacpp cannot be imported here")
    from codesteer.errors import CodesteerError
    from codesteer.eval import RunStore

    old = RunConfig(task_model="embedded/default", model_options={"task": {"engine": "transformers"}}).key_config()
    new = RunConfig(task_model="embedded/default").key_config()
    with RunStore(tmp_path / "run") as store:
        store.configs = lambda: [old]  # type: ignore[method-assign]  # a folder whose rows were stored on transformers
        with pytest.raises(CodesteerError, match="embedded_engine"):
            store.check_config(new)
        store.check_config(old)
