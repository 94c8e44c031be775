"""The ``reference`` guide protocol: golden renderings of whole trajectories, driven end to end.

The project ships none of the reference's prompt texts: these tests write a fixture ``prompt.py`` with
placeholder texts (the f-string-without-placeholders form and plain/raw string literals) and check every byte the
guide and the task model receive against texts written out here by hand from the protocol's description.
"""

from __future__ import annotations

import ast
import asyncio
import os
from pathlib import Path

import pytest

from codesteer import symbench
from codesteer.models import ModelServer, ScriptedModel
from codesteer.models._remote import OpenAIModel
from codesteer.sandbox import Limits
from codesteer.steer import (
    Models,
    ReferencePromptsError,
    SteerOptions,
    load_reference_prompts,
    reference_summary,
    render_llama3,
    steer,
)

CHOICE = "[CHOICE {placeholder} with braces]\n  Now, here is the task:\n"
CODE_T = "[CODE TEMPLATE \\d raw]\n"
TEXT_T = "[TEXT TEMPLATE]\n"
CHECKER = "[CHECKER PROMPT]"
CLOSE = "The final returned guidance prompt should be of the format <<<guidance prompt content>>>."
NOTE = "\nThe generated code may not be complex enough to carry out symbolic computing for solving the task."

PROMPT_PY = '''"""A stand-in for the reference's prompt.py (placeholder texts)."""
import os
open(os.environ.get("MARKER", "/nonexistent/x"), "w").write("executed")  # must never run
decision_prompt = "not used by the released guide"
code_text_choice_prompt = f"""[CHOICE {{placeholder}} with braces]
  Now, here is the task:
"""
with_COT_code_output_prompt = r"""[CODE TEMPLATE \\d raw]
"""
text_output_prompt = ("[TEXT TEMPLATE]"
                      "\\n")
Code_checker_prompt: str = '[CHECKER PROMPT]'
'''


@pytest.fixture()
def prompts_file(tmp_path: Path) -> Path:
    p = tmp_path / "prompt.py"
    p.write_text(PROMPT_PY, encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def inst() -> symbench.Instance:
    return symbench.generate("number_multiply", 1, seed=4, complexity=1)[0]


# --- reading the user's prompt.py ------------------------------------------------------------------------------

def test_prompts_are_parsed_not_executed(prompts_file: Path, tmp_path: Path, monkeypatch) -> None:
    marker = tmp_path / "marker"
    monkeypatch.setenv("MARKER", str(marker))
    p = load_reference_prompts(prompts_file)
    assert (p.choice, p.code, p.text, p.checker) == (CHOICE, CODE_T, TEXT_T, CHECKER)
    assert not marker.exists()


def test_prompts_from_the_environment(prompts_file: Path, monkeypatch) -> None:
    monkeypatch.setenv("CODESTEER_REFERENCE_PROMPTS", str(prompts_file))
    assert load_reference_prompts().choice == CHOICE


@pytest.mark.parametrize("source, needle", [
    (None, "--reference-prompts"),
    ("missing", "not found"),
    ("code_text_choice_prompt = f'x {y}'\n", "'code_text_choice_prompt' is not a string literal"),
    ("code_text_choice_prompt = 'a'\n", "no variable 'with_COT_code_output_prompt'"),
    ("def broken(:\n", "not valid Python"),
    ("code_text_choice_prompt = " + " + ".join(["'a'"] * 5000) + "\n", "prompt.py"),
    ("x = " + "(" * 200_000 + ")" * 200_000 + "\n", "prompt.py"),
])
def test_prompt_errors_are_one_clear_line(tmp_path: Path, monkeypatch, source, needle) -> None:
    monkeypatch.delenv("CODESTEER_REFERENCE_PROMPTS", raising=False)
    path = None
    if source == "missing":
        path = tmp_path / "nope.py"
    elif source is not None:
        path = tmp_path / "prompt.py"
        path.write_text(source)
    with pytest.raises(ReferencePromptsError) as err:
        load_reference_prompts(path)
    assert needle in str(err.value) and "\n" not in str(err.value)


# --- the reference symbolic summary ----------------------------------------------------------------------------

def test_summary_heuristic_reproduces_the_reference() -> None:
    code = "import itertools\nfor a in range(3):\n    if a > 1:\n        print(f'<<<{a*21}>>>')"
    text, score = reference_summary(code)
    assert score == 2.25 and isinstance(score, float)
    assert text == ("SEARCHING APPROACH detected because:\n- Uses itertools for combinatorial search\n"
                    "- Contains loops for systematic search\n\nSYMBOLIC COMPUTING detected because:\n"
                    "- Uses string formatting for expression building\n\nNUMERICAL COMPUTING detected because:\n"
                    "- Contains direct mathematical operations\n\nComplexity score: 2.25")
    # the reference's known flaws are part of what the guide was trained on
    assert reference_summary("from itertools import permutations\nprint(1)") == ("\nComplexity score: 0.0" + NOTE, 0.0)
    # "for" inside "information", "before" and "format" counts three times; "format" in a comment is "symbolic"
    assert reference_summary("# information before format\nprint('<<<42>>>')") == (
        "\nSYMBOLIC COMPUTING detected because:\n- Uses string formatting for expression building\n\n"
        "Complexity score: 3.0", 3.0)


def test_summary_of_invalid_code() -> None:
    try:
        ast.parse("print(1")
    except SyntaxError as exc:
        msg = str(exc)
    assert reference_summary("print(1") == ("Invalid Python code: " + msg + NOTE, 0)


# --- whole trajectories ----------------------------------------------------------------------------------------

G = [
    "  Use code, please.\n",                                             # turn 0: verbatim prefix of the question
    "Check edge cases; write the final answer as <<<answer>>>.",         # guidance that mentions <<<answer>>>
    "Switch to code.\n<<<Code>>>",
    "<<<Text>>>",
    "Print every number up to 3000 to double-check.",                    # raw guidance forwarded
    "All checks pass, so Return Answer now.",                            # control words inside a sentence
]
CODE0 = "import itertools\nfor a in range(3):\n    if a > 1:\n        print(f'<<<{a*21}>>>')"
R0 = f"Plan.\n```python\n{CODE0}\n```\nDone."
R1 = "The answer is <<<42>>>"
R2 = "Fixed:\n```python\nprint(1\n```"
R3 = "Search:\n```python\nwhile True:\n    pass\n```"
LONG = "print(' '.join(str(i) for i in range(3000)))"
R4 = f"```python\n{LONG}\n```"
REPLIES = [R0, R1, R2, R3, R4]
CHECK_OK = "```python\nprint('Correct')\n```"
CHECK_ERR = "```python\nprint('partial')\nraise ValueError('bad')\n```"
CHECK_LONG = f"```python\n{LONG}\nraise ValueError('bad')\n```"
# per examined turn: the replies the checker gives (turn 1: five replies without a python block)
CHECKS = [[CHECK_OK], ["no code here", "```py\nprint(1)\n```", "none", "none", "none"], [CHECK_ERR] * 3,
          [CHECK_LONG] * 3, [CHECK_OK]]
TRACEBACK = ("Traceback (most recent call last):\n  File \"/tmp/main.py\", line 2, in <module>\n"
             "    raise ValueError('bad')\nValueError: bad\n")


def _turn(messages: list[dict]) -> int:
    """How many times the guide already answered: assistant messages, or assistant headers in a raw prompt."""
    text = messages[-1]["content"]
    if text.startswith("<|begin_of_text|>"):
        return text.count("<|start_header_id|>assistant<|end_header_id|>") - 1
    return sum(1 for m in messages if m["role"] == "assistant")


def _guide() -> ScriptedModel:
    return ScriptedModel(fn=lambda messages: G[_turn(messages)], name="guide")


def _run(inst, sandbox, prompts_file, guide=None, **opts):
    guide = guide or _guide()
    task = ScriptedModel(replies=REPLIES, name="task")
    checker = ScriptedModel(replies=[r for rs in CHECKS for r in rs], name="checker")
    options = SteerOptions(guide_protocol="reference", reference_prompts=str(prompts_file),
                           exec_limits=Limits(wall_s=2), **opts)
    traj = asyncio.run(steer(inst, Models(task=task, guide=guide, checker=checker), sandbox, options))
    return traj, guide, task, checker


def _expected_user_turns(q: str) -> list[str]:
    syntax = "  File \"/tmp/main.py\", line 1\n    print(1\n         ^\nSyntaxError: '(' was never closed\n"
    try:
        ast.parse("print(1")
    except SyntaxError as exc:
        invalid = "Invalid Python code: " + str(exc)
    summary0 = ("SEARCHING APPROACH detected because:\n- Uses itertools for combinatorial search\n"
                "- Contains loops for systematic search\n\nSYMBOLIC COMPUTING detected because:\n"
                "- Uses string formatting for expression building\n\nNUMERICAL COMPUTING detected because:\n"
                "- Contains direct mathematical operations\n\nComplexity score: 2.25")
    summary3 = "SEARCHING APPROACH detected because:\n- Contains loops for systematic search\n\nComplexity score: 1.0" + NOTE
    timeout = "\nTimeoutExpired: Command '['python3', 'code_1_3.py']' timed out after 10 seconds"
    return [
        CHOICE + q,
        ("The response from TaskLLM is: " + R0 + "\nThe execution result from the generated code is:\noutput: <<<42>>>\n"
         ", errors: " + "\n\nThe feedback from the checking agent is:\noutput: Correct\n" + "\n\n"
         "The summary of generated code complexity is: " + summary0 + "\n\n" + CLOSE),
        ("The response from TaskLLM is: " + R1 + "\n\nThe feedback from the checking agent is:\n"
         "errors: \nPrevious attempt failed to generate code. Please try again.\n\n" + CLOSE),
        ("The response from TaskLLM is: " + R2 + "\nThe execution result from the generated code is:\noutput: "
         ", errors: " + syntax + "\n\nThe feedback from the checking agent is:\noutput: partial\n\nerrors: " + TRACEBACK
         + "\n\nThe summary of generated code complexity is: " + invalid + NOTE + "\n\n" + CLOSE),
        ("The response from TaskLLM is: " + R3 + "\nThe execution result from the generated code is:\noutput: "
         ", errors: " + timeout + "\n\nThe feedback from the checking agent is:\nCheck function does not work this round."
         "\n\nThe summary of generated code complexity is: " + summary3 + "\n\n" + CLOSE),
        ("The response from TaskLLM is: " + R4 + "\nThe execution result from the generated code is too long to be "
         "displayed.\n\nThe feedback from the checking agent is:\noutput: Correct\n\n\n"
         "The summary of generated code complexity is: \nComplexity score: 1.0" + NOTE + "\n\n" + CLOSE),
    ]


def test_whole_trajectory_renders_byte_for_byte(inst, sandbox, prompts_file) -> None:
    traj, guide, task, checker = _run(inst, sandbox, prompts_file)
    q = inst.question
    users = _expected_user_turns(q)
    # the guide's last call saw every user turn and its own raw outputs, verbatim, with no system message
    expected = []
    for i, u in enumerate(users):
        expected.append({"role": "user", "content": u})
        if i < len(users) - 1:
            expected.append({"role": "assistant", "content": G[i]})
    assert len(guide.calls) == 6
    for got, want in zip(guide.calls[-1], expected, strict=True):
        assert got == want
    # each earlier call saw a prefix of the same conversation
    for k, call in enumerate(guide.calls):
        assert call == expected[: 2 * k + 1]
    # the recorded prompts are the exact user turns (the SFT data of a reference run)
    assert [g.prompt for g in traj.guide_turns] == users
    # the task model saw its user messages and its own raw replies, never execution or checker output
    assert task.calls[-1] == [
        {"role": "user", "content": G[0] + q}, {"role": "assistant", "content": R0},
        {"role": "user", "content": G[1]}, {"role": "assistant", "content": R1},
        {"role": "user", "content": CODE_T}, {"role": "assistant", "content": R2},
        {"role": "user", "content": TEXT_T}, {"role": "assistant", "content": R3},
        {"role": "user", "content": G[4]},
    ]
    assert [g.decision for g in traj.guide_turns] == ["guidance", "guidance", "code", "text", "guidance", "return"]
    assert traj.stop_reason == "return_answer" and traj.extras["guide_protocol"] == "reference"
    # the checker's input: its prompt, the question, the response with its execution text
    assert checker.calls[0] == [{"role": "user", "content": CHECKER + "\nThe question is:\n" + q + "\nThe response is:\n"
                                 + users[1].split("The response from TaskLLM is: ")[1].split("\n\nThe feedback")[0]
                                 + "\nYour checking code:\n"}]
    assert len(checker.calls) == 1 + 5 + 3 + 3 + 1
    # the released guide's decoding, every call
    for p in guide.params:
        assert (p["temperature"], p["top_p"], p["top_k"], p["max_tokens"]) == (0.95, 0.7, 50, 1024)


def test_decoding_flags_override_the_defaults(inst, sandbox, prompts_file) -> None:
    _, guide, _, _ = _run(inst, sandbox, prompts_file, guide_temperature=0.0, guide_top_p=0.9, guide_top_k=5,
                          guide_max_tokens=64)
    assert {(p["temperature"], p["top_p"], p["top_k"], p["max_tokens"]) for p in guide.params} == {(0.0, 0.9, 5, 64)}


def test_terminate_inside_a_sentence_stops(inst, sandbox, prompts_file) -> None:
    replies = ["Use code.\n", "I cannot help further, Terminate."]
    guide = ScriptedModel(fn=lambda m: replies[min(1, sum(x["role"] == "assistant" for x in m))], name="guide")
    traj, *_ = _run(inst, sandbox, prompts_file, guide=guide)
    assert traj.stop_reason == "terminate" and len(traj.task_turns) == 1


def test_at_most_five_rounds(inst, sandbox, prompts_file) -> None:
    guide = ScriptedModel(default="Keep going.", name="guide")
    traj, *_ = _run(inst, sandbox, prompts_file, guide=guide, max_rounds=9)
    assert len(traj.guide_turns) == 6 and len(traj.task_turns) == 6 and traj.stop_reason == "max_rounds"


def test_hf_guide_gets_the_llama3_rendering_untrimmed(inst, sandbox, prompts_file) -> None:
    guide = _guide()
    guide.spec = "hf/released-guide"
    traj, guide, _, _ = _run(inst, sandbox, prompts_file, guide=guide)
    assert len(guide.prompts) == 6
    users = _expected_user_turns(inst.question)
    want = "<|begin_of_text|>"
    for i, u in enumerate(users):
        want += f"<|start_header_id|>user<|end_header_id|>\n\n{u}<|eot_id|>"
        if i < len(users) - 1:
            want += f"<|start_header_id|>assistant<|end_header_id|>\n\n{G[i]}<|eot_id|>"
    want += "<|start_header_id|>assistant<|end_header_id|>\n\n"
    assert guide.prompts[-1] == want
    assert guide.prompts[0] == render_llama3([{"role": "user", "content": CHOICE + inst.question}])
    assert {tuple(p["stop"]) for p in guide.params} == {("<|eot_id|>",)}
    assert traj.stop_reason == "return_answer"


def test_openai_guide_raw_completions_path(inst, sandbox, prompts_file) -> None:
    """``guide_template='llama3'`` on an openai/ guide: our rendering goes to /v1/completions unchanged."""
    served = _guide()
    with ModelServer(served) as server:
        guide = OpenAIModel("released-guide", server.url)
        traj, *_ = _run(inst, sandbox, prompts_file, guide=guide, guide_template="llama3")
    assert traj.stop_reason == "return_answer"
    assert len(served.prompts) == 6 and served.prompts[-1].startswith("<|begin_of_text|><|start_header_id|>user")
    assert served.prompts[-1].endswith(G[4] + "<|eot_id|>" + "<|start_header_id|>user<|end_header_id|>\n\n"
                                       + _expected_user_turns(inst.question)[5]
                                       + "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")
    # the sampling parameters crossed the wire, top_k as vLLM's extra body field
    assert {(p["temperature"], p["top_p"], p["top_k"], p["max_tokens"]) for p in served.params} == {(0.95, 0.7, 50, 1024)}


def test_openai_guide_chat_path_sends_top_k(inst, sandbox, prompts_file) -> None:
    served = _guide()
    with ModelServer(served) as server:
        traj, *_ = _run(inst, sandbox, prompts_file, guide=OpenAIModel("released-guide", server.url))
    assert traj.stop_reason == "return_answer" and served.prompts == []
    assert {(p["top_p"], p["top_k"]) for p in served.params} == {(0.7, 50)}
    assert served.calls[-1][0] == {"role": "user", "content": CHOICE + inst.question}


def test_missing_prompts_fail_before_any_call(inst, sandbox, monkeypatch) -> None:
    monkeypatch.delenv("CODESTEER_REFERENCE_PROMPTS", raising=False)
    guide = _guide()
    with pytest.raises(ReferencePromptsError):
        asyncio.run(steer(inst, Models(task=ScriptedModel(default="x"), guide=guide), sandbox,
                          SteerOptions(guide_protocol="reference")))
    assert guide.calls == []


def test_our_protocol_is_unchanged_by_default(inst, sandbox) -> None:
    guide = ScriptedModel(fn=lambda m: "<<<Code>>>" if len(m) == 1 else "<<<Return Answer>>>", name="guide")
    traj = asyncio.run(steer(inst, Models(task=ScriptedModel(default="<<<1>>>"), guide=guide), sandbox))
    assert traj.extras["guide_protocol"] == "codesteer"
    assert {(p["temperature"], p["top_p"], p["top_k"]) for p in guide.params} == {(0.0, None, None)}


def test_dpo_tree_grows_through_the_same_protocol(inst, sandbox, prompts_file) -> None:
    """Synthesis branches the very steps of the loop: tree prompts and guidances are the reference's format."""
    from codesteer.synth import DpoSynthOptions, build_tree, tree_pairs
    from tests.synth.helpers import branching_guide

    guide = branching_guide([["Use code.\n", "Think in text.\n"], ["Fine, Return Answer."]])
    task = ScriptedModel(fn=lambda m: R0 if m[0]["content"].startswith("Use code") else "It is <<<1>>>", name="task")
    models = Models(task=task, guide=guide, checker=ScriptedModel(default=CHECK_OK, name="checker"))
    opts = DpoSynthOptions(branches=2, depth=1, guide_protocol="reference", reference_prompts=str(prompts_file),
                           guide_temperature=0.95)
    tree = asyncio.run(build_tree(inst, models, sandbox, opts))
    assert tree["config"]["guide_protocol"] == "reference"
    kids = tree["children"]
    assert [k["prompt"] for k in kids] == [CHOICE + inst.question] * 2
    assert [k["guidance"] for k in kids] == ["Use code.\n", "Think in text.\n"]
    nxt = kids[0]["children"][0]
    assert nxt["prompt"] == _expected_user_turns(inst.question)[1] and nxt["guidance"] == "Fine, Return Answer."
    assert nxt["decision"] == "return"
    for p in guide.params:
        assert (p["top_p"], p["top_k"]) == (0.7, 50)
    assert all(p["prompt"][0]["content"].startswith(CHOICE) for p in tree_pairs(tree)) or not tree_pairs(tree)


def test_run_key_follows_the_prompt_texts_not_the_path(prompts_file, tmp_path) -> None:
    from codesteer.eval import RunConfig

    cfg = RunConfig(task_model="scripted/t", guide_protocol="reference", reference_prompts=str(prompts_file))
    copy = tmp_path / "copy.py"
    copy.write_text(PROMPT_PY)
    same = RunConfig(task_model="scripted/t", guide_protocol="reference", reference_prompts=str(copy))
    assert cfg.key_config() == same.key_config()
    copy.write_text(PROMPT_PY.replace("[TEXT TEMPLATE]", "[OTHER TEXT]"))
    os.utime(copy, (1, 1))  # a new mtime, as an edit gives
    changed = RunConfig(task_model="scripted/t", guide_protocol="reference", reference_prompts=str(copy))
    assert changed.key_config() != cfg.key_config()
    # our protocol's keys are those of runs stored before protocols existed
    assert "guide_protocol" not in RunConfig(task_model="scripted/t").key_config()
