"""Where printed values come from: the data flow behind the symbolic checker's "hard-coded" verdict.

A printed answer is hard-coded when every value reaching the output is a constant written in the code that
nothing computed: it may travel through names, containers, lookups with constant keys, function returns and
parameters, loops over constants, conversions and formatting (f-strings, ``format``, ``join``, ``%``, string
concatenation). It is computed as soon as an operation combines or derives values (arithmetic on literals
included, aggregation, slicing, sorting, library or unknown calls, recursion), or when a test on a computed value
— or on a loop's own variable inside that loop, i.e. a search filter — decides what is printed. Comparisons
among constants alone (a lookup chain such as ``if key == "a": return "x"``) compute nothing.

The analysis is static (``ast`` only; the code never runs), flow-insensitive and merges scopes by name: a name is
constant only if *every* binding it has anywhere is, so doubt always falls on the side of "computed".
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import NamedTuple

# builtins that convert or wrap without computing: the kind of value they return
_STRUCTURAL = {
    "str": "str", "repr": "str", "format": "str", "ascii": "str",
    "int": "num", "float": "num", "round": "num", "bool": "bool",
    "list": "seq", "tuple": "seq", "set": "seq", "frozenset": "seq", "dict": "seq", "enumerate": "seq", "range": "seq",
}
# methods that format or read a value without computing from it: the kind they return ("same": the receiver's)
_FORMAT_METHODS = {
    "format": "str", "join": "str", "upper": "str", "lower": "str", "title": "str", "capitalize": "str",
    "strip": "str", "lstrip": "str", "rstrip": "str", "ljust": "str", "rjust": "str", "center": "str", "zfill": "str",
    "split": "seq", "splitlines": "seq", "keys": "seq", "values": "seq", "items": "seq", "get": "any", "copy": "same",
    "tolist": "seq",
}
# methods that add a value to their receiver: the receiver stays constant when what is added is
_GROW_METHODS = {"append", "extend", "insert", "add", "update", "setdefault", "appendleft", "extendleft", "put"}
# calls that read their arguments without changing them (anything else may mutate a name passed to it)
_READ_ONLY = set(_STRUCTURAL) | {
    "print", "len", "sum", "max", "min", "sorted", "any", "all", "isinstance", "abs", "zip", "map", "filter",
    "reversed", "iter", "type", "id", "hash", "divmod", "pow", "chr", "ord", "hex", "bin", "oct",
}
_MAX_DEPTH = 150
_MAX_STEPS = 200_000
_MAX_CALL_SITES = 20_000  # (definition, call) pairs whose arguments are bound to parameters
_FUNCTION_KINDS = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda})
_ASSIGN_NODES = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)
_LATE_NODES = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp, ast.NamedExpr)
# node types _note looks at
_NOTED = frozenset({ast.Call, *_ASSIGN_NODES, ast.Import, ast.ImportFrom, ast.ClassDef, ast.ExceptHandler, ast.Global,
                    ast.Nonlocal, ast.Yield, ast.YieldFrom, *_LATE_NODES})
_STMT_TYPES = frozenset(t for t in vars(ast).values() if isinstance(t, type) and issubclass(t, ast.stmt))
_NODE_TYPES = frozenset(t for t in vars(ast).values() if isinstance(t, type) and issubclass(t, ast.AST))
# node types _index pushes on its stack (names and constants are handled inline: they are most of the nodes)
_PUSHED = _NODE_TYPES - {ast.Name, ast.Constant}
# fields that never hold a node _index must visit: names and flags, contexts, operators (singletons nobody counts)
_LEAF_FIELDS = frozenset({"ctx", "op", "ops", "id", "attr", "arg", "name", "asname", "module", "level", "kind",
                          "conversion", "is_async", "simple", "type_comment", "type_ignores", "tag"})
_Children = Callable[[ast.AST], tuple[object, ...]]


class _NodeTable(dict[type, tuple[_Children, bool, bool, bool]]):
    """Per node type, built on first use: a function giving the values of its fields that may hold child nodes,
    and whether it is a function, a statement, a node _note looks at. One lookup per node in _index's loop."""

    def __missing__(self, kind: type) -> tuple[_Children, bool, bool, bool]:
        names = [f for f in kind._fields if f not in _LEAF_FIELDS]  # type: ignore[attr-defined]
        getter: _Children
        if not names:
            getter = _no_children
        elif len(names) == 1:
            one = attrgetter(names[0])
            getter = lambda n: (one(n),)  # noqa: E731
        else:
            getter = attrgetter(*names)
        info = self[kind] = (getter, kind in _FUNCTION_KINDS, kind in _STMT_TYPES, kind in _NOTED)
        return info


_NODES = _NodeTable()


def _no_children(node: ast.AST) -> tuple[object, ...]:
    return ()


class _Binding(NamedTuple):  # a tuple, not a frozen dataclass: hundreds are made per call, and tuples are cheap
    # made with positional arguments where many are (a NamedTuple's keyword call costs a third more)
    how: str  # value | elem | aug | grow | item | opaque
    node: ast.AST | None = None
    guards: tuple[_Guard, ...] = ()
    parts: tuple[ast.AST, ...] = ()
    why: str = ""  # for opaque bindings: what changed the name


class _Guard(NamedTuple):
    test: ast.expr
    loop_vars: frozenset[str]


@dataclass
class _Func:
    name: str
    returns: list[tuple[ast.expr | None, tuple[_Guard, ...]]] = field(default_factory=list)
    recursive: bool = False
    generator: bool = False


@dataclass
class PrintedValue:
    """The outcome for one print call: constant or not, why, and the routes a constant took to the output."""

    const: bool
    reason: str
    via: list[str]


class Flow:
    """Name bindings, print calls and function returns of one module, and the constant test over them."""

    def __init__(self, tree: ast.Module) -> None:
        self.bindings: dict[str, list[_Binding]] = {}
        self.funcs: dict[str, list[_Func]] = {}
        self.prints: list[tuple[ast.Call, list[ast.expr], tuple[_Guard, ...]]] = []
        self._calls: list[tuple[ast.Call, tuple[_Guard, ...]]] = []
        self._func_nodes: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, _Func]] = []
        self._memo: dict[str, tuple[str | None, str, frozenset[str]]] = {}
        self._func_memo: dict[int, tuple[str | None, str, frozenset[str]]] = {}
        self._reason = ""
        self._via: set[str] = set()
        self._parent: dict[str, str] = {}
        self._locals: dict[str, set[str]] = {"m": set()}
        self._node_scope: dict[ast.AST, str] = {}  # keyed by the node itself (AST nodes hash by identity)
        self._scope = "m"
        self._stack: list[str] = []  # names (and call frames) being evaluated, innermost last
        self._recursive: set[int] = set()
        self._generators: set[int] = set()
        self._late: list[ast.AST] = []  # comprehensions, lambdas, walrus: bound once every scope is known
        self._declared: dict[str, set[str]] = {}  # names a function declares global or nonlocal
        self._mutated: dict[int, set[str]] = {}  # per function: names it may change in place
        self.counts: defaultdict[type, int] = defaultdict(int)  # node type -> how many (Name and Constant not counted)
        self.calls: list[ast.Call] = []
        self.imports: list[ast.Import | ast.ImportFrom] = []
        self._stmt_calls: dict[ast.AST, list[ast.Call]] = {}  # statement -> the calls in its own expressions
        self._test_names: dict[ast.AST, frozenset[str]] = {}
        self._elem_memo: dict[str, str] = {}
        self._keys: dict[tuple[str, str], str] = {}
        self._steps = 0  # evaluation steps so far: hostile code gets a bounded amount of work
        self._index([tree], "m", [])
        self._block(tree.body, (), frozenset(), None)
        self._bind_params()
        for node in self._late:
            if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
                for gen in node.generators:
                    self._bind(gen.target, _Binding("elem", gen.iter))
            elif isinstance(node, ast.Lambda):
                for a in _params(node.args):
                    self._add(a, _Binding("opaque", why=f"`{a}` is a lambda parameter"), f"f{id(node)}")
            elif isinstance(node, ast.NamedExpr):
                self._bind(node.target, _Binding("value", node.value))

    # ---- collecting --------------------------------------------------------------------------------------------

    def _index(self, roots: Sequence[ast.AST], scope: str, calls: list[ast.Call],
               enclosing: tuple[tuple[str, int], ...] = ()) -> None:
        """One pass over the tree: which scope each name belongs to (a function's own names are its locals, the rest
        its enclosing ones), which functions recurse, yield or change their parameters, node counts, and the calls
        of each statement. `roots` are visited in order, each with all it holds before the next; only functions
        recurse (a scope of their own), everything else is walked in one loop, so a 2,000-term expression does not
        exhaust the stack. A statement's calls get a list of their own: the loop makes it current and pushes the
        list it replaces, which becomes current again when popped, after the statement's last node. Names and
        constants are handled inline (they are most of the nodes); contexts and operators are skipped."""
        todo: list[object] = list(reversed(roots))
        push, pop = todo.append, todo.pop
        counts, node_scope, local_names, nodes = self.counts, self._node_scope, self._locals[scope], _NODES
        while todo:
            node = pop()
            kind = type(node)
            if kind is list:  # the end of a statement: the calls of the one around it are current again
                calls = node  # type: ignore[assignment]
                continue
            children, function, statement, noted = nodes[kind]
            if function:
                counts[kind] += 1
                self._index_function(node, kind, scope, calls, enclosing)  # type: ignore[arg-type]
                continue
            if statement:
                push(calls)
                calls = self._stmt_calls[node] = []  # type: ignore[index]
            counts[kind] += 1
            if noted:
                self._note(node, kind, scope, calls, enclosing)  # type: ignore[arg-type]
            # children in any order: nothing downstream depends on the order of siblings here. A field holds one
            # node (or None, or a str) or a list of them; both cases spell out the same two steps, which spares the
            # one-element tuple a shared loop would need for every single node.
            for value in children(node):  # type: ignore[arg-type]
                if type(value) is list:
                    for item in value:
                        tp = type(item)
                        if tp is ast.Name:  # identity, not isinstance: this loop visits every node
                            node_scope[item] = scope
                            if type(item.ctx) is not ast.Load:
                                local_names.add(item.id)
                        elif tp in _PUSHED:  # not a constant, nor a str in Global.names etc.
                            push(item)
                else:
                    tp = type(value)
                    if tp is ast.Name:
                        node_scope[value] = scope  # type: ignore[index]
                        if type(value.ctx) is not ast.Load:  # type: ignore[attr-defined]
                            local_names.add(value.id)  # type: ignore[attr-defined]
                    elif tp in _PUSHED:  # not None, nor a constant
                        push(value)

    def _index_function(self, fn: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, kind: type, scope: str,
                        calls: list[ast.Call], enclosing: tuple[tuple[str, int], ...]) -> None:
        inner = f"f{id(fn)}"
        self._parent[inner] = scope
        self._locals[inner] = set(_params(fn.args))
        outer_parts = fn.args.defaults + [d for d in fn.args.kw_defaults if d is not None]
        if isinstance(fn, ast.Lambda):
            self._late.append(fn)
            self._index([fn.body], inner, calls, enclosing)
        else:
            calls = self._stmt_calls[fn] = []  # its defaults and decorators: the calls of the def statement
            self._locals[scope].add(fn.name)
            outer_parts = outer_parts + fn.decorator_list
            self._index(fn.body, inner, [], enclosing + ((fn.name, id(fn)),))  # its body: statements in order
            self._locals[inner] -= self._declared.pop(inner, set())
        self._index(outer_parts, scope, calls, enclosing)

    def _note(self, node: ast.AST, kind: type, scope: str, calls: list[ast.Call],
              enclosing: tuple[tuple[str, int], ...]) -> None:
        """What one (non-function) node tells the index before its children are visited."""
        if kind is ast.Call:
            call: ast.Call = node  # type: ignore[assignment]
            self.calls.append(call)
            calls.append(call)
            f = call.func
            if type(f) is ast.Name:
                for fname, fid in enclosing:
                    if fname == f.id:
                        self._recursive.add(fid)
                if enclosing and f.id not in _READ_ONLY:
                    self._mutates(enclosing, [a.id for a in call.args if type(a) is ast.Name])
            elif type(f) is ast.Attribute and enclosing and f.attr not in _FORMAT_METHODS:
                root, _ = _root(f.value)
                if root is not None:
                    self._mutates(enclosing, (root.id,))
                if f.attr not in _GROW_METHODS:
                    self._mutates(enclosing, [a.id for a in call.args if type(a) is ast.Name])
        elif kind in _ASSIGN_NODES:
            if enclosing:
                targets = node.targets if kind in (ast.Assign, ast.Delete) else [node.target]  # type: ignore[attr-defined]
                for tgt in targets:
                    if type(tgt) in (ast.Subscript, ast.Attribute):
                        root, _ = _root(tgt)
                        if root is not None:
                            self._mutates(enclosing, (root.id,))
        elif kind in (ast.Import, ast.ImportFrom):
            self.imports.append(node)  # type: ignore[arg-type]
            self._locals[scope] |= {(a.asname or a.name).split(".")[0] for a in node.names}  # type: ignore[attr-defined]
        elif kind is ast.ClassDef:
            self._locals[scope].add(node.name)  # type: ignore[attr-defined]
        elif kind is ast.ExceptHandler and node.name:  # type: ignore[attr-defined]
            self._locals[scope].add(node.name)  # type: ignore[attr-defined]
        elif kind in (ast.Global, ast.Nonlocal):
            self._declared.setdefault(scope, set()).update(node.names)  # type: ignore[attr-defined]
        elif kind in (ast.Yield, ast.YieldFrom) and enclosing:
            self._generators.add(enclosing[-1][1])
        elif kind in _LATE_NODES:
            self._late.append(node)

    def _mutates(self, enclosing: tuple[tuple[str, int], ...], names: Iterable[str]) -> None:
        for _name, fid in enclosing:
            changed = self._mutated.get(fid)
            if changed is None:
                self._mutated[fid] = set(names)
            else:
                changed.update(names)

    def _key(self, name: str, scope: str) -> str:
        """The binding key of `name` seen from `scope` (memoised: scopes are complete once the index is built)."""
        key = self._keys.get((name, scope))
        if key is None:
            s = scope
            while s != "m" and name not in self._locals.get(s, ()):
                s = self._parent.get(s, "m")
            key = self._keys[name, scope] = f"{s}:{name}"
        return key

    def _key_of(self, node: ast.Name) -> str:
        return self._key(node.id, self._node_scope.get(node, "m"))

    def _add(self, name: str, b: _Binding, scope: str | None = None) -> None:
        """Add a binding to `name` as seen from `scope` (by default, the scope of the statement being visited)."""
        scope = scope or self._scope
        key = self._keys.get((name, scope)) or self._key(name, scope)  # a memo hit without the call
        same = self.bindings.get(key)
        if same is None:
            self.bindings[key] = [b]
        else:
            same.append(b)

    def _add_name(self, node: ast.Name, b: _Binding) -> None:
        """Add a binding to the name `node` stands for (its scope is where the index met it)."""
        self._add(node.id, b, self._node_scope.get(node, "m"))

    def _bindings_of(self, node: ast.Name) -> list[_Binding]:
        return self.bindings.get(self._key_of(node), [])

    def _bind(self, target: ast.AST, b: _Binding) -> None:
        if isinstance(target, ast.Name):
            self._add_name(target, b)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                if isinstance(elt, ast.Starred):
                    self._bind(elt.value, _Binding("elem", b.node, b.guards) if b.how == "value" else b)
                elif b.how == "value":
                    # unpacking: each name gets one element of the value (its kind need not be the whole's)
                    self._bind(elt, _Binding("elem", b.node, b.guards))
                else:
                    self._bind(elt, b)
        elif isinstance(target, ast.Starred):
            self._bind(target.value, b)
        elif isinstance(target, (ast.Subscript, ast.Attribute)):
            root, keys = _root(target)
            if root is None:
                return
            if isinstance(target, ast.Subscript) and b.how == "value" and b.node is not None:
                self._add_name(root, _Binding("item", b.node, b.guards, tuple(keys)))
            else:
                self._add_name(root, _Binding("opaque", guards=b.guards,
                                              why=f"`{root.id}` is changed by an assignment to a part of it"))

    def _block(self, body: list[ast.stmt], guards: tuple[_Guard, ...], loop_vars: frozenset[str],
               func: _Func | None) -> None:
        for stmt in body:
            self._stmt(stmt, guards, loop_vars, func)

    def _stmt(self, s: ast.stmt, guards: tuple[_Guard, ...], loop_vars: frozenset[str], func: _Func | None) -> None:
        calls = self._stmt_calls.get(s)
        if calls:
            self._scan(calls, guards)
        if type(s) is ast.Expr:
            return  # its calls were all that mattered
        # the branches below are disjoint: the most frequent statements come first
        if isinstance(s, ast.Assign):
            for t in s.targets:
                self._bind(t, _Binding("value", s.value, guards))
        elif isinstance(s, ast.AnnAssign):
            if s.value is not None:
                self._bind(s.target, _Binding("value", s.value, guards))
        elif isinstance(s, ast.AugAssign):
            if isinstance(s.target, ast.Name):
                self._add_name(s.target, _Binding("aug", s.value, guards, (s.op,)))
            else:
                self._bind(s.target, _Binding("opaque", guards=guards))
        elif isinstance(s, ast.Return):
            if func is not None:
                func.returns.append((s.value, guards))
        elif isinstance(s, (ast.For, ast.AsyncFor)):
            self._bind(s.target, _Binding("elem", s.iter, guards))
            inner = loop_vars | _names(s.target)
            self._block(s.body, guards, inner, func)
            self._block(s.orelse, guards, loop_vars, func)
        elif isinstance(s, ast.While):
            g = guards + (_Guard(s.test, loop_vars),)
            self._block(s.body, g, loop_vars, func)
            self._block(s.orelse, g, loop_vars, func)
        elif isinstance(s, ast.If):
            g = guards + (_Guard(s.test, loop_vars),)
            self._block(s.body, g, loop_vars, func)
            self._block(s.orelse, g, loop_vars, func)
        elif isinstance(s, (ast.With, ast.AsyncWith)):
            for item in s.items:
                if item.optional_vars is not None:
                    self._bind(item.optional_vars, _Binding("opaque", why="a value from a `with` statement"))
            self._block(s.body, guards, loop_vars, func)
        elif isinstance(s, (ast.Try, ast.TryStar)):
            self._block(s.body, guards, loop_vars, func)
            for h in s.handlers:
                if h.name:
                    self._add(h.name, _Binding("opaque", why="an exception object"))
                self._block(h.body, guards, loop_vars, func)
            self._block(s.orelse, guards, loop_vars, func)
            self._block(s.finalbody, guards, loop_vars, func)
        elif isinstance(s, ast.Match):
            g = guards + (_Guard(s.subject, loop_vars),)
            for case in s.cases:
                for n in ast.walk(case.pattern):
                    name = getattr(n, "name", None) or getattr(n, "rest", None)
                    if isinstance(name, str):
                        self._add(name, _Binding("opaque", why="a name bound by a match pattern"))
                self._block(case.body, g, loop_vars, func)
        elif isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)):
            f = _Func(s.name)
            self.funcs.setdefault(s.name, []).append(f)
            self._func_nodes.append((s, f))
            f.recursive = id(s) in self._recursive
            f.generator = id(s) in self._generators
            outer, self._scope = self._scope, f"f{id(s)}"
            self._block(s.body, (), frozenset(), f)
            self._scope = outer
        elif isinstance(s, ast.ClassDef):
            self._add(s.name, _Binding("opaque", why=f"an instance of class {s.name}"))
            for stmt in s.body:
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    # methods are reached through attributes, which are never resolved: their values stay opaque
                    outer, self._scope = self._scope, f"f{id(stmt)}"
                    for a in _params(stmt.args):
                        self._add(a, _Binding("opaque", why=f"`{a}` is a method parameter"))
                    self._block(stmt.body, (), frozenset(), _Func(stmt.name))
                    self._scope = outer
                else:
                    self._stmt(stmt, (), frozenset(), None)
        elif isinstance(s, (ast.Import, ast.ImportFrom)):
            for alias in s.names:
                self._add((alias.asname or alias.name).split(".")[0], _Binding("opaque", why=f"the module {alias.name}"))
        elif isinstance(s, ast.Delete):
            for t in s.targets:
                root, _ = _root(t)
                if root is not None:
                    self._add_name(root, _Binding("opaque", why=f"`{root.id}` is changed by del"))

    def _scan(self, calls: Iterable[ast.Call], guards: tuple[_Guard, ...]) -> None:
        """Record the print calls, call sites and mutations among the calls of one statement."""
        for n in calls:
            fn = n.func
            if type(fn) is ast.Name:
                if fn.id == "print":
                    self.prints.append((n, list(n.args), guards))
                else:
                    self._calls.append((n, guards))  # whether it may change its arguments is known once all defs are
            elif type(fn) is ast.Attribute:
                if fn.attr == "write" and isinstance(fn.value, ast.Attribute) and fn.value.attr == "stdout":
                    self.prints.append((n, list(n.args), guards))
                    continue
                root, keys = _root(fn.value)
                if root is not None and fn.attr not in _FORMAT_METHODS:
                    if fn.attr in _GROW_METHODS:
                        self._add_name(root, _Binding("grow", None, guards, tuple(keys) + tuple(n.args)
                                                      + tuple(k.value for k in n.keywords)))
                    else:
                        self._add_name(root, _Binding("opaque", guards=guards,
                                                      why=f"`{root.id}` is changed by .{fn.attr}()"))
                if fn.attr not in _FORMAT_METHODS and fn.attr not in _GROW_METHODS and not (
                        isinstance(fn.value, ast.Name) and fn.value.id in ("json", "math")):
                    self._arguments_may_change(n, fn.attr, guards)

    def _arguments_may_change(self, call: ast.Call, callee: str, guards: tuple[_Guard, ...],
                              only: set[int] | None = None) -> None:
        args = call.args + [k.value for k in call.keywords] if call.keywords else call.args
        for i, a in enumerate(args):
            if only is not None and i not in only:
                continue
            if isinstance(a, ast.Starred):
                a = a.value
            if isinstance(a, ast.Name):
                self._add_name(a, _Binding("opaque", None, guards,
                                           why=f"`{a.id}` is handed to {callee}(), which may fill or change it"))

    def _bind_params(self) -> None:
        """Parameters get their defaults and the arguments of each call site; arguments handed to a call that may
        change them become opaque (to a local function: the parameters it changes; to an unknown one: all)."""
        changed_by_name: dict[str, set[int]] = {}
        for node, _f in self._func_nodes:
            changed_by_name.setdefault(node.name, set()).update(self._changed_params(node))
        sites_by_name: dict[str, list[tuple[ast.Call, tuple[_Guard, ...]]]] = {}
        for call, guards in self._calls:
            name = call.func.id  # type: ignore[attr-defined]
            if name in self.funcs:
                sites_by_name.setdefault(name, []).append((call, guards))
                changed = changed_by_name[name]
                if changed:
                    self._arguments_may_change(call, name, guards, changed)
            elif name not in _READ_ONLY:
                self._arguments_may_change(call, name, guards)
        budget = _MAX_CALL_SITES
        for node, _f in self._func_nodes:
            scope = f"f{id(node)}"
            a = node.args
            positional = a.posonlyargs + a.args
            for arg, d in zip(positional[len(positional) - len(a.defaults):], a.defaults, strict=True):
                self._add(arg.arg, _Binding("value", d), scope)
            for arg, kd in zip(a.kwonlyargs, a.kw_defaults, strict=True):
                if kd is not None:
                    self._add(arg.arg, _Binding("value", kd), scope)
            for extra in (a.vararg, a.kwarg):
                if extra is not None:
                    self._add(extra.arg, _Binding("opaque", why=f"`{extra.arg}` collects call arguments"), scope)
            names = [p.arg for p in positional]
            sites = sites_by_name.get(node.name, ())
            budget -= len(sites)
            if budget < 0:  # thousands of redefinitions times thousands of calls: stop following, stay safe
                for p in names:
                    self._add(p, _Binding("opaque", why=f"`{p}`: too many call sites to follow"), scope)
                continue
            for call, guards in sites:
                for i, arg_node in enumerate(call.args):
                    if isinstance(arg_node, ast.Starred):
                        for p in names[i:]:
                            self._add(p, _Binding("elem", arg_node.value, guards), scope)
                        break
                    if i < len(names):
                        self._add(names[i], _Binding("value", arg_node, guards), scope)
                for k in call.keywords:
                    if k.arg is None:
                        for p in names:
                            self._add(p, _Binding("opaque", why="arguments passed as **kwargs"), scope)
                    else:
                        self._add(k.arg, _Binding("value", k.value, guards), scope)

    def _changed_params(self, f: ast.FunctionDef | ast.AsyncFunctionDef) -> set[int]:
        """Positions of the parameters a function may change in place (append to, assign into, hand on to a call)."""
        changed = self._mutated.get(id(f), set())
        return {i for i, p in enumerate(f.args.posonlyargs + f.args.args) if p.arg in changed}

    @property
    def recursive(self) -> list[str]:
        """Names of the functions that call themselves, in definition order."""
        return [node.name for node, _ in self._func_nodes if id(node) in self._recursive]

    # ---- judging -----------------------------------------------------------------------------------------------

    def printed(self, args: list[ast.expr], guards: tuple[_Guard, ...]) -> PrintedValue:
        """Is what one print call shows a constant, and through what (or why not)?"""
        self._reason, self._via = "", set()
        ok = all(self._guard_ok(g, 0) for g in guards) and all(self.kind(a, 0) is not None for a in args)
        return PrintedValue(ok, "" if ok else (self._reason or "a value the analysis cannot follow"), sorted(self._via))

    def _computed(self, why: str | Callable[[], str]) -> None:
        """Keep the first reason found; `why` may be a function building it (unparsing code: only when kept)."""
        if not self._reason:
            self._reason = why if isinstance(why, str) else why()

    def _guard_ok(self, g: _Guard, depth: int) -> bool:
        t = g.test
        if (isinstance(t, ast.Compare) and isinstance(t.left, ast.Name) and t.left.id == "__name__"
                and len(t.comparators) == 1 and isinstance(t.comparators[0], ast.Constant)):
            return True
        used = (self._test_names.get(t) or self._test_names.setdefault(t, _names(t))) & g.loop_vars
        if used:
            self._computed(lambda: f"a search: the test `{_short(t)}` filters the loop over {', '.join(sorted(used))}")
            return False
        prior, self._reason = self._reason, ""
        k = self.kind(t, depth + 1)
        inner, self._reason = self._reason, prior
        if k is None:
            self._computed(lambda: f"a choice made by the test `{_short(t)}` on computed data" + (f" ({inner})" if inner else ""))
            return False
        return True

    def kind(self, node: ast.AST, depth: int) -> str | None:
        """The kind of constant `node` is (str, num, bool, seq, none, any), or None when anything computes it."""
        self._steps += 1
        if depth > _MAX_DEPTH or self._steps > _MAX_STEPS:
            self._computed("data flow too deep or too large to follow")
            return None
        d = depth + 1
        # the branches are disjoint: the most frequent nodes come first
        if isinstance(node, ast.Name):
            return self._name(node, d)
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, (str, bytes)):
                return "str"
            if isinstance(v, bool):
                return "bool"
            if isinstance(v, (int, float, complex)):
                return "num"
            return "none" if v is None else "any"
        if isinstance(node, ast.Call):
            return self._call(node, d)
        if isinstance(node, ast.Subscript):
            return self._subscript(node, d)
        if isinstance(node, ast.BinOp):
            return self._binop(node, d)
        if isinstance(node, ast.JoinedStr):
            if all(self.kind(v, d) is not None for v in node.values):
                if any(isinstance(v, ast.FormattedValue) for v in node.values):
                    self._via.add("f-string formatting")
                return "str"
            return None
        if isinstance(node, ast.FormattedValue):
            ok = self.kind(node.value, d) is not None and (node.format_spec is None or self.kind(node.format_spec, d) is not None)
            return "str" if ok else None
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return "seq" if all(self.kind(e, d) is not None for e in node.elts) else None
        if isinstance(node, ast.Dict):
            ok = all(k is None or self.kind(k, d) is not None for k in node.keys) and all(self.kind(v, d) is not None for v in node.values)
            return "seq" if ok else None
        if isinstance(node, ast.Compare):
            ok = self.kind(node.left, d) is not None and all(self.kind(c, d) is not None for c in node.comparators)
            return "bool" if ok else None
        if isinstance(node, ast.BoolOp):
            return "any" if all(self.kind(v, d) is not None for v in node.values) else None
        if isinstance(node, ast.IfExp):
            if not self._guard_ok(_Guard(node.test, frozenset()), d):
                return None
            a, b = self.kind(node.body, d), self.kind(node.orelse, d)
            return None if a is None or b is None else (a if a == b else "any")
        if isinstance(node, ast.UnaryOp):
            return "num" if not isinstance(node.op, ast.Not) and self.kind(node.operand, d) is not None else (
                "bool" if self.kind(node.operand, d) is not None else None)
        if isinstance(node, ast.Starred):
            return self.kind(node.value, d)
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            return self._comprehension(node, d)
        if isinstance(node, ast.NamedExpr):
            return self.kind(node.value, d)
        if isinstance(node, ast.Attribute):
            self._computed(lambda: f"the attribute `{_short(node)}`")
            return None
        self._computed(lambda: f"`{_short(node)}`")
        return None

    def _name(self, node: ast.Name, d: int) -> str | None:
        name, key = node.id, self._key_of(node)
        if key in self._stack:
            if self._stack[-1] == key:
                return "any"  # `x = x + "b"`: the name's own earlier value; its other bindings decide
            self._computed(f"`{name}`, which depends on itself")
            return None
        if key in self._memo:
            k, why, via = self._memo[key]
            if k is None:
                self._computed(why)
            self._via |= via
            return k
        bindings = self.bindings.get(key)
        if not bindings:
            why = f"`{name}`, a value the code never gives" if name not in self.funcs else f"the function object {name}"
            self._computed(why)
            self._memo[key] = (None, why, frozenset())
            return None
        self._stack.append(key)
        outer_reason, outer_via = self._reason, self._via
        self._reason, self._via = "", set()
        kinds: set[str] = set()
        result: str | None = "any"
        for b in bindings:
            k = self._binding(name, b, d)
            if k is None:
                result = None
                break
            kinds.add(k)
        if result is not None:
            result = kinds.pop() if len(kinds) == 1 else "any"
        self._stack.pop()
        why, via = self._reason, frozenset(self._via)
        self._memo[key] = (result, why, via)
        self._reason, self._via = outer_reason, outer_via | set(via)
        if result is None:
            self._computed(why)
        return result

    def _binding(self, name: str, b: _Binding, d: int) -> str | None:
        if not all(self._guard_ok(g, d) for g in b.guards):
            return None
        if b.how == "opaque":
            self._computed(b.why or f"`{name}`, whose value the analysis cannot follow")
            return None
        if b.how == "value":
            return self.kind(b.node, d) if b.node is not None else None
        if b.how == "elem":
            if b.node is None or self.kind(b.node, d) is None:
                return None
            self._via.add("a loop over constants")
            return self._elem_kind(b.node, d)
        if b.how == "aug":
            k = self.kind(b.node, d) if b.node is not None else None
            if k is None:
                return None
            if isinstance(b.parts[0], ast.Add) and k in ("str", "seq"):
                return k
            self._computed(lambda: f"the accumulation `{name} {_OPS.get(type(b.parts[0]), '?')}= {_short(b.node) if b.node is not None else '?'}`")
            return None
        if b.how in ("grow", "item"):
            parts = b.parts + ((b.node,) if b.node is not None else ())
            return "seq" if all(self.kind(p, d) is not None for p in parts) else None
        return None

    def _elem_kind(self, it: ast.AST, d: int) -> str:
        if isinstance(it, (ast.List, ast.Tuple, ast.Set)):
            kinds = {self.kind(e, d) for e in it.elts}
            return kinds.pop() if len(kinds) == 1 and None not in kinds else "any"  # type: ignore[return-value]
        if isinstance(it, ast.Constant) and isinstance(it.value, str):
            return "str"
        if isinstance(it, ast.Name) and d < _MAX_DEPTH:
            key = self._key_of(it)
            if key not in self._elem_memo:  # memoised: names bound to names must not multiply the work
                self._elem_memo[key] = "any"  # cycle guard
                ks = {self._elem_kind(b.node, d + 1) for b in self.bindings.get(key, []) if b.how == "value" and b.node is not None}
                self._elem_memo[key] = ks.pop() if len(ks) == 1 else "any"
            return self._elem_memo[key]
        if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range":
            return "num"
        return "any"

    def _binop(self, node: ast.BinOp, d: int) -> str | None:
        text = {"str", "seq"}
        if isinstance(node.op, ast.Add) and isinstance(node.left, ast.BinOp) and isinstance(node.left.op, ast.Add):
            # a long `"<<<" + a + ", " + b + ...` chain: walk its left spine in a loop, not by recursion
            operands: list[ast.expr] = [node.right]
            left_node: ast.expr = node.left
            while isinstance(left_node, ast.BinOp) and isinstance(left_node.op, ast.Add):
                operands.append(left_node.right)
                left_node = left_node.left
            operands.append(left_node)
            kinds = [self.kind(o, d) for o in reversed(operands)]
            if any(k is None for k in kinds):
                return None
            acc = kinds[0]
            for k in kinds[1:]:
                if acc not in text and k not in text:
                    self._computed(lambda: f"arithmetic (`{_short(node)}`)")
                    return None
                acc = acc if acc in text else k
            self._via.add("string concatenation")
            return acc
        left, right = self.kind(node.left, d), self.kind(node.right, d)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Add) and (left in text or right in text):
            self._via.add("string concatenation")
            return left if left in text else right
        if isinstance(node.op, ast.Mod) and left == "str":
            self._via.add("%-formatting")
            return "str"
        if isinstance(node.op, ast.Mult) and (left in text or right in text):
            return left if left in text else right
        self._computed(lambda: f"arithmetic (`{_short(node)}`)")
        return None

    def _subscript(self, node: ast.Subscript, d: int) -> str | None:
        s = node.slice
        if isinstance(s, ast.Slice):
            if s.lower is None and s.upper is None and s.step is None:
                return self.kind(node.value, d)
            self._computed(lambda: f"slicing (`{_short(node)}`)")
            return None
        base = self.kind(node.value, d)
        if base is None or self.kind(s, d) is None:
            return None
        self._via.add("a lookup with a constant key")
        return "str" if base == "str" else "any"

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp, d: int) -> str | None:
        own: set[str] = set()
        for gen in node.generators:
            if self.kind(gen.iter, d) is None:
                return None
            own |= _names(gen.target)
            for cond in gen.ifs:
                if not self._guard_ok(_Guard(cond, frozenset(own)), d):
                    return None
        parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        if all(self.kind(p, d) is not None for p in parts):
            self._via.add("a loop over constants")
            return "seq"
        return None

    def _call(self, node: ast.Call, d: int) -> str | None:
        fn = node.func
        args = list(node.args) + [k.value for k in node.keywords]
        if isinstance(fn, ast.Name):
            name = fn.id
            bound = bool(self._bindings_of(fn))
            if name in self.funcs and not bound:
                return self._local_call(name, d)
            if name in _STRUCTURAL and not bound:
                if all(self.kind(a, d) is not None for a in args):
                    if name in ("str", "repr", "format"):
                        self._via.add("formatting")
                    return _STRUCTURAL[name]
                return None
            if (name == "map" and len(node.args) == 2 and isinstance(node.args[0], ast.Name)
                    and node.args[0].id in _STRUCTURAL and not bound):
                return "seq" if self.kind(node.args[1], d) is not None else None
            self._computed(f"a call to {name}()")
            return None
        if isinstance(fn, ast.Attribute):
            if isinstance(fn.value, ast.Name) and fn.value.id == "json" and fn.attr == "dumps":
                ok = all(self.kind(a, d) is not None for a in args)
                if ok:
                    self._via.add("formatting")
                return "str" if ok else None
            if fn.attr in _FORMAT_METHODS:
                base = self.kind(fn.value, d)
                if base is None or not all(self.kind(a, d) is not None for a in args):
                    return None
                if fn.attr in ("join", "format"):
                    self._via.add(f"{fn.attr}()")
                elif fn.attr == "get":
                    self._via.add("a lookup with a constant key")
                k = _FORMAT_METHODS[fn.attr]
                return base if k == "same" else k
            self._computed(lambda: f"a call to {_short(fn)}()")
            return None
        self._computed(lambda: f"a call to `{_short(fn)}`")
        return None

    def _local_call(self, name: str, d: int) -> str | None:
        kinds: set[str] = set()
        for f in self.funcs[name]:
            key = id(f)
            if key in self._func_memo:
                k, why, via = self._func_memo[key]
                if k is None:
                    self._computed(why)
                    return None
                self._via |= via
                kinds.add(k)
                continue
            if f.recursive:
                why = f"recursion in {name}()"
                self._func_memo[key] = (None, why, frozenset())
                self._computed(why)
                return None
            if f.generator:
                why = f"the generator {name}()"
                self._func_memo[key] = (None, why, frozenset())
                self._computed(why)
                return None
            self._func_memo[key] = (None, f"recursion through {name}()", frozenset())  # cycle guard
            self._stack.append(f"call:{key}")
            outer_reason, outer_via = self._reason, self._via
            self._reason, self._via = "", set()
            fk: set[str] = set()
            result: str | None = "none"
            for value, guards in f.returns:
                if not all(self._guard_ok(g, d) for g in guards):
                    result = None
                    break
                k = "none" if value is None else self.kind(value, d)
                if k is None:
                    result = None
                    break
                fk.add(k)
            if result is not None:
                result = fk.pop() if len(fk) == 1 else ("none" if not fk else "any")
            self._stack.pop()
            why = self._reason
            via = frozenset(self._via | ({f"the return value of {name}()"} if result is not None else set()))
            self._func_memo[key] = (result, why, via)
            self._reason, self._via = outer_reason, outer_via | set(via)
            if result is None:
                self._computed(why or f"the result of {name}()")
                return None
            kinds.add(result)
        return kinds.pop() if len(kinds) == 1 else "any"


_OPS: dict[type[ast.AST], str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**"}


def iter_nodes(*roots: ast.AST) -> Iterator[ast.AST]:
    """`roots` and the nodes under them, as ``ast.walk`` gives them but in no set order and without contexts and
    operators: a loop over the child fields _NODES lists, several times faster than ``ast.walk``'s generators."""
    todo: list[object] = list(roots)
    while todo:
        node = todo.pop()
        if type(node) in _NODE_TYPES:  # not a None or a str among child field values
            yield node  # type: ignore[misc]
            for value in _NODES[type(node)][0](node):  # type: ignore[arg-type]
                if type(value) is list:
                    todo += value
                else:
                    todo.append(value)


def _names(node: ast.AST) -> frozenset[str]:
    if type(node) is ast.Name:  # the usual loop target
        return frozenset((node.id,))
    return frozenset(n.id for n in iter_nodes(node) if type(n) is ast.Name)


def _params(a: ast.arguments) -> list[str]:
    out = [p.arg for p in a.posonlyargs + a.args + a.kwonlyargs]
    out += [p.arg for p in (a.vararg, a.kwarg) if p is not None]
    return out


def _root(node: ast.AST) -> tuple[ast.Name | None, list[ast.expr]]:
    """`x[i][j].a` -> (x, [i, j]): the name a subscript/attribute chain starts from, and its keys."""
    keys: list[ast.expr] = []
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        if isinstance(node, ast.Subscript):
            keys.append(node.slice)
        node = node.value
    return (node, keys) if isinstance(node, ast.Name) else (None, keys)


def _short(node: ast.AST, limit: int = 48) -> str:
    try:
        text = ast.unparse(node)
    except Exception:  # noqa: BLE001 - unparse of odd trees is best-effort, for the message only
        return type(node).__name__
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
