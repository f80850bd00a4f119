"""No import circle between any two modules of audiostyle, lazy imports included.

grimp reads every ``import`` statement of every module (inside functions too, and
under ``if TYPE_CHECKING:``), so an import made only when a function runs still
counts: a circle there is a circle in the design. The layers themselves are
import-linter contracts in pyproject.toml (``lint-imports``, run by .ci/run).
"""

from __future__ import annotations

import pytest

grimp = pytest.importorskip("grimp", reason="grimp comes with import-linter (dev extra)")


def strongly_connected(graph) -> list[list[str]]:
    """Groups of two or more modules that import each other, directly or not (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        # iterative Tarjan: (node, iterator over its imports)
        work = [(v, iter(sorted(graph.find_modules_directly_imported_by(v))))]
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        while work:
            node, children = work[-1]
            for w in children:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph.find_modules_directly_imported_by(w)))))
                    break
                if w in on_stack:
                    low[node] = min(low[node], index[w])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        group.append(w)
                        if w == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return groups


def describe(graph, group: list[str]) -> str:
    lines = []
    for a in group:
        for b in sorted(graph.find_modules_directly_imported_by(a)):
            if b in group:
                details = graph.get_import_details(importer=a, imported=b)
                where = ", ".join(str(d["line_number"]) for d in details)
                lines.append(f"  {a} -> {b} (line {where})")
    return "\n".join(lines)


def test_finder_finds_a_circle():
    graph = grimp.ImportGraph()
    for m in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(m)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.x")
    graph.add_import(importer="a.z", imported="a.x")
    assert strongly_connected(graph) == [["a.x", "a.y"]]


def test_no_import_circle_in_audiostyle():
    graph = grimp.build_graph("audiostyle", include_external_packages=False)
    groups = strongly_connected(graph)
    assert not groups, "import circles:\n" + "\n\n".join(describe(graph, g) for g in groups)
