"""The import graph of the library ``yrd/``: no cycles, and no module over 500 lines.

The graph is read statically with :mod:`ast` (nothing is imported): every ``import`` and
``from ... import`` statement of a module counts, also inside functions, methods and ``if``
blocks (``if TYPE_CHECKING:`` included), since a deferred import only hides a cycle until the
function runs, and a type-only import is still a dependency between the two modules. An edge goes to
the most specific module of ``yrd`` that the statement names:

* ``import yrd.a.b`` -> ``yrd.a.b``;
* ``from yrd.a import b`` -> ``yrd.a.b`` when ``b`` is a module, else ``yrd.a`` (its ``__init__``);
* relative imports (``from . import x``, ``from ..a import b``) are resolved against the
  module's package first.

The implicit import of parent packages (``yrd.a.b`` runs ``yrd/a/__init__.py`` first) is not
an edge: a package's ``__init__`` re-exporting its submodules is not a cycle.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "yrd"
MAX_LINES = 500


def _modules() -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file under ``yrd/``."""
    out = {}
    for path in sorted(PKG.rglob("*.py")):
        parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """The longest prefix of the dotted ``name`` that is a module of ``yrd`` (None if none)."""
    parts = name.split(".")
    for k in range(len(parts), 0, -1):
        cand = ".".join(parts[:k])
        if cand in modules:
            return cand
    return None


def _imports(mod: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Modules of ``yrd`` that ``mod`` imports anywhere in its source."""
    is_pkg = path.name == "__init__.py"
    package = mod if is_pkg else mod.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for a in node.names:
                t = _known(a.name, modules)
                if t is not None:
                    out.add(t)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                if node.level - 1 > len(base_parts) - 1:
                    raise AssertionError(f"{mod}: relative import beyond the top package (line {node.lineno})")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for a in node.names:
                t = _known(f"{base}.{a.name}", modules) if a.name != "*" else _known(base, modules)
                if t is not None:
                    out.add(t)
    return out


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of ``yrd`` it imports."""
    modules = _modules()
    return {m: _imports(m, p, modules) for m, p in modules.items()}


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan, iterative), each sorted, in sorted order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    comps: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    comps.append(sorted(comp))
    return sorted(comps)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Components with more than one module, and modules importing themselves."""
    return [c for c in strongly_connected(graph) if len(c) > 1 or c[0] in graph[c[0]]]


def _describe(comp: list[str], graph: dict[str, set[str]]) -> str:
    inside = set(comp)
    edges = [f"{a} -> {b}" for a in comp for b in sorted(graph[a]) if b in inside]
    return f"{{{', '.join(comp)}}}: " + "; ".join(edges)


def long_modules(limit: int = MAX_LINES, under: str = "") -> list[str]:
    """Files under ``yrd/<under>`` with more than ``limit`` lines, as ``path (n lines)``."""
    out = []
    for path in sorted((PKG / under).rglob("*.py")):
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > limit:
            out.append(f"{path.relative_to(PKG.parent)} ({n} lines)")
    return out


# ----------------------------------------------------------------------------- the checks
def test_graph_reader_resolves_all_import_forms(tmp_path, monkeypatch):
    pkg = tmp_path / "yrd"
    (pkg / "a").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a" / "__init__.py").write_text("from yrd.a.b import f\n")
    (pkg / "a" / "b.py").write_text("from . import c\nfrom .c import g\n")
    (pkg / "a" / "c.py").write_text("def h():\n    from ..a import b\n    import yrd.e\n")
    (pkg / "d.py").write_text("import numpy\nfrom yrd.a import f\n")
    (pkg / "e.py").write_text("from yrd import e\n")
    monkeypatch.setattr(sys.modules[__name__], "PKG", pkg)
    g = import_graph()
    assert g == {
        "yrd": set(),
        "yrd.a": {"yrd.a.b"},
        "yrd.a.b": {"yrd.a.c"},
        "yrd.a.c": {"yrd.a.b", "yrd.e"},
        "yrd.d": {"yrd.a"},
        "yrd.e": {"yrd.e"},
    }
    assert cycles(g) == [["yrd.a.b", "yrd.a.c"], ["yrd.e"]]


def test_no_import_cycles():
    graph = import_graph()
    found = cycles(graph)
    assert not found, "import cycles in yrd/:\n" + "\n".join(_describe(c, graph) for c in found)


def test_linking_modules_are_short():
    offenders = long_modules(under="linking")
    assert not offenders, f"modules over {MAX_LINES} lines: {offenders}"


def test_no_module_over_500_lines():
    offenders = long_modules()
    assert not offenders, f"modules over {MAX_LINES} lines:\n" + "\n".join(offenders)
