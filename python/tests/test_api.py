"""The type stubs describe the package as it is: the same public names, the same parameters
with the same defaults, the same methods and properties."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import leadsim

STUB = Path(leadsim.__file__).with_name("__init__.pyi")


def stub_tree():
    return ast.parse(STUB.read_text())


def parameters(fn: ast.FunctionDef) -> list[tuple[str, str | None]]:
    """(name, default as source text) of a stub function, `self` left out."""
    args = fn.args
    positional = args.posonlyargs + args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + [ast.unparse(d) for d in args.defaults]
    out = [(a.arg, d) for a, d in zip(positional, defaults)]
    out += [(a.arg, None if d is None else ast.unparse(d)) for a, d in zip(args.kwonlyargs, args.kw_defaults)]
    return [p for p in out if p[0] != "self"]


def runtime_parameters(fn) -> list[tuple[str, str | None]]:
    out = []
    for p in inspect.signature(fn).parameters.values():
        if p.name == "self":
            continue
        out.append((p.name, None if p.default is inspect.Parameter.empty else repr(p.default)))
    return out


def normalise(params):
    # `20_000` in a stub and `20000` at run time are the same default.
    return [(n, None if d is None else repr(ast.literal_eval(d))) for n, d in params]


def test_functions_match_their_stubs():
    functions = {n.name: n for n in stub_tree().body if isinstance(n, ast.FunctionDef)}
    assert set(functions) == {"train", "load_model", "generate", "simulate", "simulate_shard", "merge"}
    for name, fn in functions.items():
        assert normalise(parameters(fn)) == runtime_parameters(getattr(leadsim, name)), name


def test_classes_match_their_stubs():
    classes = {n.name: n for n in stub_tree().body if isinstance(n, ast.ClassDef)}
    assert set(classes) == {"Model", "Results"}
    for name, cls in classes.items():
        runtime = getattr(leadsim, name)
        public = {m for m in dir(runtime) if not m.startswith("_")}
        stubbed = {n.name for n in cls.body if isinstance(n, ast.FunctionDef)}
        assert stubbed == public, name
        for node in cls.body:
            if not isinstance(node, ast.FunctionDef):
                continue
            attr = inspect.getattr_static(runtime, node.name)
            is_property = any(ast.unparse(d) == "property" for d in node.decorator_list)
            assert is_property == isinstance(attr, property), (name, node.name)
            if not is_property:
                assert normalise(parameters(node)) == runtime_parameters(attr), (name, node.name)
            assert inspect.getdoc(attr), f"{name}.{node.name} has no docstring"


def test_exported_names_are_stubbed():
    stubbed = set()
    for node in stub_tree().body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            stubbed.add(node.name)
        elif isinstance(node, ast.ImportFrom):
            stubbed |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.AnnAssign):
            stubbed.add(node.target.id)
    assert set(leadsim.__all__) <= stubbed
