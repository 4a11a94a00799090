"""Prints the import graph between the backend apps, function-local imports included (every
`import` statement in every module, wherever it sits), and any cycle in it.

    .venv/bin/python scripts/app_graph.py
"""

import ast
import sys
from collections import defaultdict
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[1] / "backend"


def app_edges() -> dict[tuple[str, str], int]:
    edges: dict[tuple[str, str], int] = defaultdict(int)
    for path in BACKEND.rglob("*.py"):
        parts = path.relative_to(BACKEND).parts
        if len(parts) < 2 or "migrations" in parts:
            continue
        source = parts[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                pieces = name.split(".")
                if pieces[0] == "backend" and len(pieces) > 1 and pieces[1] != source:
                    edges[(source, pieces[1])] += 1
    return edges


def cycles(edges) -> list[list[str]]:
    graph = defaultdict(set)
    for source, target in edges:
        graph[source].add(target)
    found, path, on_path = [], [], set()

    def visit(node):
        if node in on_path:
            found.append([*path[path.index(node) :], node])
            return
        on_path.add(node)
        path.append(node)
        for target in sorted(graph[node]):
            visit(target)
        path.pop()
        on_path.discard(node)

    for node in sorted(graph):
        visit(node)
    return found


def main() -> int:
    edges = app_edges()
    for (source, target), count in sorted(edges.items()):
        print(f"{source:>12} -> {target:<12} {count:>3} imports")
    found = cycles(edges)
    if found:
        for cycle in found:
            print("cycle:", " -> ".join(cycle))
        return 1
    print("no cycle between the backend apps")
    return 0


if __name__ == "__main__":
    sys.exit(main())
