"""SymBench: 37 symbolic tasks with seeded generators, exact-rule questions and model-free verifiers.

``tasks()`` lists them, ``generate()`` draws instances, ``verify()`` scores a reply, ``load_reference()``
reads the paper's published test files. New tasks subclass ``Task`` in ``symbench/suite/`` and ``@register``.
"""

from codesteer.symbench._api import (
    ReferenceLoad,
    ReferenceWarning,
    generate,
    load_reference,
    reference_summary,
    resolve_config,
    tasks,
    verify,
)
from codesteer.symbench._io import export, read_jsonl, read_responses, select_tasks, write_jsonl
from codesteer.symbench._parse import ParseError, extract_answer
from codesteer.symbench._task import Draft, RefItem, Task, get_task, register
from codesteer.symbench._types import Instance, Knob, TaskInfo, Verdict

__all__ = [
    "Draft",
    "Instance",
    "Knob",
    "ParseError",
    "RefItem",
    "ReferenceLoad",
    "ReferenceWarning",
    "Task",
    "TaskInfo",
    "Verdict",
    "export",
    "extract_answer",
    "generate",
    "get_task",
    "load_reference",
    "read_jsonl",
    "read_responses",
    "reference_summary",
    "register",
    "resolve_config",
    "select_tasks",
    "tasks",
    "verify",
    "write_jsonl",
]
