"""The import graph of ankigen's modules: each module → the ankigen modules it imports
(function-level imports included; genanki and click shown as <genanki>, <click>), then
any cycle. The pipeline rule (issue 4): each stage imports only from stages before it,
genanki only in package.py, click only in cli.py, no cycles.

    python benchmarks/imports.py [src/ankigen]
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

THIRD_PARTY = ("genanki", "click")


def graph(root: Path) -> dict[str, set[str]]:
    mods = {p.stem for p in root.glob("*.py")}
    out: dict[str, set[str]] = {}
    for path in sorted(root.glob("*.py")):
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                deps.update([node.module.split(".")[0]] if node.module else
                            [a.name for a in node.names if a.name in mods])
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                deps.update(f"<{n.split('.')[0]}>" for n in names if n.split(".")[0] in THIRD_PARTY)
        out[path.stem] = deps - {path.stem, "__init__"}
    return out


def reach(g: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(g.get(start, ()))
    while todo:
        m = todo.pop()
        if m not in seen:
            seen.add(m)
            todo.extend(g.get(m, ()))
    return seen


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "src" / "ankigen")
    g = graph(root)
    for module, deps in g.items():
        print(f"{module} -> {', '.join(sorted(deps))}")
    cycles = [(a, b) for a in g for b in g if a < b and b in reach(g, a) and a in reach(g, b)]
    print("cycles:", ", ".join(f"{a} <-> {b}" for a, b in cycles) or "none")
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
