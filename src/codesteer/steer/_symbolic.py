"""The symbolic checker: does a code block really compute or search, or does it print a hard-coded answer?

Works on the ``ast`` and never runs the code (the reference used regexes over raw text, so "for" inside "format"
counted as a loop and ``from itertools import ...`` was missed). "Hard-coded" is decided by data flow
(``_dataflow``): the printed answer is hard-coded when every value reaching the output is a constant that no
computation transformed — through names, function returns, loops over constants, lookups, joins and f-strings —
and computed when any operation combines values (arithmetic on literals included) or a search/recursion
produces it. The verdict comes with a one-line reason, which the guide reads.
"""

from __future__ import annotations

import ast
from typing import Any

from codesteer.steer._dataflow import Flow, iter_nodes
from codesteer.steer._records import SymbolicReport

SEARCH_MODULES = {
    "itertools", "sympy", "z3", "networkx", "heapq", "scipy", "numpy", "collections", "functools", "ortools",
    "pulp", "constraint", "bisect", "fractions", "datetime", "math", "random", "re", "copy", "queue",
}
# modules whose use means search/solving rather than plain arithmetic
STRONG_MODULES = {"itertools", "sympy", "z3", "networkx", "heapq", "scipy", "ortools", "pulp", "constraint", "queue"}


def symbolic_check(code: str) -> SymbolicReport:
    """Analyse one code block; never raises (code that does not parse gives a report saying so)."""
    try:
        tree = ast.parse(code if isinstance(code, str) else "")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        msg = getattr(exc, "msg", None) or type(exc).__name__
        line = getattr(exc, "lineno", None)
        where = f" (line {line})" if line else ""
        return SymbolicReport(
            parsed=False, hardcoded=False, symbolic=False, score=0.0,
            features={"error": f"{type(exc).__name__}: {msg}{where}"},
            summary=f"The code does not parse: {type(exc).__name__}: {msg}{where}. It cannot have produced an answer.",
        )
    try:
        return _analyse(tree)
    except RecursionError:
        return SymbolicReport(parsed=True, hardcoded=False, symbolic=False, score=0.0,
                              features={"error": "too deeply nested"}, summary="The code is too deeply nested to analyse.")


def _analyse(tree: ast.Module) -> SymbolicReport:
    flow = Flow(tree)  # one pass over the tree collects what the features need, too
    n = flow.counts.get
    loops = n(ast.For, 0) + n(ast.While, 0) + n(ast.AsyncFor, 0)
    comprehensions = n(ast.ListComp, 0) + n(ast.SetComp, 0) + n(ast.DictComp, 0) + n(ast.GeneratorExp, 0)
    conditionals = n(ast.If, 0) + n(ast.IfExp, 0)
    binops = n(ast.BinOp, 0)
    functions = n(ast.FunctionDef, 0) + n(ast.AsyncFunctionDef, 0)
    modules: set[str] = set()
    imported_names: dict[str, str] = {}
    for node in flow.imports:
        if isinstance(node, ast.Import):
            for a in node.names:
                top = a.name.split(".")[0]
                modules.add(top)
                imported_names[a.asname or top] = top
        elif node.module:
            top = node.module.split(".")[0]
            modules.add(top)
            for a in node.names:
                imported_names[a.asname or a.name] = top
    search_libs = sorted(m for m in modules if m in SEARCH_MODULES)
    strong = sorted(m for m in modules if m in STRONG_MODULES)
    lib_calls: set[str] = set()
    if imported_names:  # a call to an imported name, or to an attribute of one (`heapq.heappush`, `np.array`)
        for call in flow.calls:
            f = call.func
            if type(f) is ast.Name:
                if f.id in imported_names:
                    lib_calls.add(f"{imported_names[f.id]}.{f.id}")
            elif type(f) is ast.Attribute and type(f.value) is ast.Name and f.value.id in imported_names:
                lib_calls.add(f"{f.value.id}.{f.attr}")
    used_lib_calls = sorted(lib_calls)
    recursive = flow.recursive
    hardcoded, reason = _hardcoded(flow)
    symbolic = bool(loops or comprehensions or recursive or strong)
    score = (
        min(loops + comprehensions, 3) * 1.0
        + (2.0 if recursive else 0.0)
        + min(len(strong), 2) * 1.5
        + min(functions, 3) * 0.5
        + min(conditionals, 6) * 0.25
        + min(binops, 10) * 0.1
    )
    score = round(min(score, 10.0), 2)
    if hardcoded:
        score = min(score, 1.0)
    features: dict[str, Any] = {
        "loops": loops, "comprehensions": comprehensions, "recursion": recursive, "functions": functions,
        "conditionals": conditionals, "binops": binops, "imports": sorted(modules), "search_libs": search_libs,
        "library_calls": used_lib_calls[:20], "prints": len(flow.prints), "reason": reason,
    }
    return SymbolicReport(parsed=True, hardcoded=hardcoded, symbolic=symbolic, score=score, features=features,
                          summary=_summary(features, hardcoded, symbolic, score, strong))


def _summary(f: dict[str, Any], hardcoded: bool, symbolic: bool, score: float, strong: list[str]) -> str:
    parts: list[str] = []
    if symbolic:
        how = []
        if f["loops"] or f["comprehensions"]:
            how.append(f"{f['loops']} loop(s) and {f['comprehensions']} comprehension(s)")
        if f["recursion"]:
            how.append("recursion in " + ", ".join(f["recursion"]))
        if strong:
            how.append("search/solver libraries: " + ", ".join(strong))
        parts.append("The code computes or searches: " + "; ".join(how) + ".")
    else:
        parts.append("The code has no loops, recursion or search/solver library use: it does straight-line work only.")
    if f["prints"] == 0:
        parts.append("It prints nothing, so its run cannot show an answer.")
    else:
        parts.append(f["reason"])
    parts.append(f"Complexity score: {score}/10" + (" (low: the code may not be doing real symbolic work)." if score <= 2 else "."))
    return " ".join(parts)


def _hardcoded(flow: Flow) -> tuple[bool, str]:
    """The verdict on what the code prints, and its reason in one line.

    When some prints carry ``<<<`` or ``>>>`` with something besides the markers, they are the answer and only they
    are judged (a hard-coded answer stays hard-coded when the code also prints computed intermediate values).
    """
    prints = flow.prints
    if not prints:
        return False, "It prints nothing, so its run cannot show an answer."
    marked = [p for p in prints if _marked(p[1])]
    judged = [p for p in marked if not _markers_only(p[1])] or [p for p in prints if not _markers_only(p[1])] or prints
    via: set[str] = set()
    for _call, args, guards in judged:
        out = flow.printed(args, guards)
        if not out.const:
            return False, f"COMPUTED: what it prints comes from {out.reason}."
        via |= set(out.via)
    route = f", reaching the output through {', '.join(sorted(via))}" if via else ""
    return True, (
        f"HARD-CODED: every value it prints is a constant written in the code{route}; no computation produces it "
        "(the answer was worked out in text, then printed). Ask for code that actually computes or searches for it."
    )


def _marked(args: list[ast.expr]) -> bool:
    return any(isinstance(n, ast.Constant) and isinstance(n.value, str) and ("<<<" in n.value or ">>>" in n.value)
               for n in iter_nodes(*args))


def _markers_only(args: list[ast.expr]) -> bool:
    return all(isinstance(a, ast.Constant) and isinstance(a.value, str)
               and not a.value.replace("<<<", "").replace(">>>", "").strip() for a in args)
