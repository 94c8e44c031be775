"""The symbolic checker: does a code block really compute or search, or does it print a hard-coded answer?

Works on the ``ast`` (the reference used regexes over raw text, so "for" inside "format" counted as a loop and
``from itertools import ...`` was missed). "Hard-coded" is decided by data flow: every value the code prints is
a literal, arithmetic on literals, or a name bound only to such values — whatever else the code computes.
"""

from __future__ import annotations

import ast
from typing import Any

from codesteer.steer._records import SymbolicReport

SEARCH_MODULES = {
    "itertools", "sympy", "z3", "networkx", "heapq", "scipy", "numpy", "collections", "functools", "ortools",
    "pulp", "constraint", "bisect", "fractions", "datetime", "math", "random", "re", "copy", "queue",
}
# modules whose use means search/solving rather than plain arithmetic
STRONG_MODULES = {"itertools", "sympy", "z3", "networkx", "heapq", "scipy", "ortools", "pulp", "constraint", "queue"}
_PURE_BUILTINS = {"str", "int", "float", "repr", "list", "tuple", "round", "abs", "len", "sorted", "set", "dict", "bool", "Fraction"}
_PURE_METHODS = {"format", "join", "upper", "lower", "strip", "replace", "split"}


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
    loops = comprehensions = conditionals = binops = functions = 0
    modules: set[str] = set()
    imported_names: dict[str, str] = {}
    recursive: list[str] = []
    prints: list[ast.Call] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.For, ast.While, ast.AsyncFor)):
            loops += 1
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            comprehensions += 1
        elif isinstance(node, (ast.If, ast.IfExp)):
            conditionals += 1
        elif isinstance(node, ast.BinOp):
            binops += 1
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions += 1
            if any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == node.name
                   for n in ast.walk(node)):
                recursive.append(node.name)
        elif isinstance(node, ast.Import):
            for a in node.names:
                top = a.name.split(".")[0]
                modules.add(top)
                imported_names[a.asname or top] = top
        elif isinstance(node, ast.ImportFrom) and node.module:
            top = node.module.split(".")[0]
            modules.add(top)
            for a in node.names:
                imported_names[a.asname or a.name] = top
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
            prints.append(node)
    search_libs = sorted(m for m in modules if m in SEARCH_MODULES)
    strong = sorted(m for m in modules if m in STRONG_MODULES)
    used_lib_calls = sorted({
        f"{imported_names[n.func.id]}.{n.func.id}" if isinstance(n.func, ast.Name) else f"{n.func.value.id}.{n.func.attr}"
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and (
            (isinstance(n.func, ast.Name) and n.func.id in imported_names)
            or (isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name) and n.func.value.id in imported_names)
        )
    })
    consts = _ConstFlow(tree)
    printed_args = [a for p in prints for a in p.args]
    hardcoded = bool(printed_args) and all(consts.is_const(a) for a in printed_args)
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
        "library_calls": used_lib_calls[:20], "prints": len(prints),
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
    elif hardcoded:
        parts.append(
            "Every value it prints is a literal or arithmetic on literals: the answer is HARD-CODED (worked out in "
            "text, then printed), not computed by the code. Ask for code that actually computes or searches for it."
        )
    else:
        parts.append("What it prints is derived from its computation.")
    parts.append(f"Complexity score: {score}/10" + (" (low: the code may not be doing real symbolic work)." if score <= 2 else "."))
    return " ".join(parts)


class _ConstFlow:
    """Which expressions depend only on literals (module-level data flow, conservative)."""

    def __init__(self, tree: ast.Module) -> None:
        self.assigned: dict[str, list[ast.AST | None]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                for t in node.targets:
                    self._bind(t, node.value)
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
                self._bind(node.target, node.value if not isinstance(node, ast.AugAssign) else None)
            elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
                self._bind(node.target, None)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.assigned.setdefault(node.name, []).append(None)
                if not isinstance(node, ast.ClassDef):
                    for a in node.args.args + node.args.kwonlyargs:
                        self.assigned.setdefault(a.arg, []).append(None)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for a in node.names:
                    self.assigned.setdefault((a.asname or a.name).split(".")[0], []).append(None)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if item.optional_vars is not None:
                        self._bind(item.optional_vars, None)
            elif isinstance(node, ast.NamedExpr):
                self._bind(node.target, node.value)
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and isinstance(node.func.value, ast.Name) and node.func.attr not in _PURE_METHODS):
                # `x.sort()`, `x.append(...)`: a method may mutate x
                self.assigned.setdefault(node.func.value.id, []).append(None)
        self._memo: dict[str, bool] = {}

    def _bind(self, target: ast.AST, value: ast.AST | None) -> None:
        if isinstance(target, (ast.Subscript, ast.Attribute)):
            # `x[i] = ...` / `x.a = ...` changes x: it is no longer provably the literal it was bound to
            root = target
            while isinstance(root, (ast.Subscript, ast.Attribute)):
                root = root.value
            if isinstance(root, ast.Name):
                self.assigned.setdefault(root.id, []).append(None)
            return
        if isinstance(target, ast.Name):
            self.assigned.setdefault(target.id, []).append(value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                # unpacking a literal tuple keeps constness only in the simple, positional case
                self._bind(elt, None if not isinstance(value, (ast.Tuple, ast.List)) else value)
        elif isinstance(target, ast.Starred):
            self._bind(target.value, None)

    def is_const(self, node: ast.AST, depth: int = 0) -> bool:
        if depth > 50:
            return False
        d = depth + 1
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.JoinedStr):
            return all(self.is_const(v, d) for v in node.values)
        if isinstance(node, ast.FormattedValue):
            return self.is_const(node.value, d)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return all(self.is_const(e, d) for e in node.elts)
        if isinstance(node, ast.Dict):
            return all(k is None or self.is_const(k, d) for k in node.keys) and all(self.is_const(v, d) for v in node.values)
        if isinstance(node, ast.BinOp):
            return self.is_const(node.left, d) and self.is_const(node.right, d)
        if isinstance(node, ast.UnaryOp):
            return self.is_const(node.operand, d)
        if isinstance(node, ast.BoolOp):
            return all(self.is_const(v, d) for v in node.values)
        if isinstance(node, ast.Compare):
            return self.is_const(node.left, d) and all(self.is_const(c, d) for c in node.comparators)
        if isinstance(node, ast.Subscript):
            return self.is_const(node.value, d) and self.is_const(node.slice, d)
        if isinstance(node, ast.Starred):
            return self.is_const(node.value, d)
        if isinstance(node, ast.Call):
            args_const = all(self.is_const(a, d) for a in node.args) and all(self.is_const(k.value, d) for k in node.keywords)
            if isinstance(node.func, ast.Name) and node.func.id in _PURE_BUILTINS and self.assigned.get(node.func.id) is None:
                return args_const
            if isinstance(node.func, ast.Attribute) and node.func.attr in _PURE_METHODS:
                return args_const and self.is_const(node.func.value, d)
            return False
        if isinstance(node, ast.Name):
            if node.id in self._memo:
                return self._memo[node.id]
            values = self.assigned.get(node.id)
            if not values:
                return False  # a builtin or an unknown name: not provably constant
            self._memo[node.id] = False  # cycle guard
            result = all(v is not None and self.is_const(v, d) for v in values)
            self._memo[node.id] = result
            return result
        return False
