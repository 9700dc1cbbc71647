"""The sandbox's module layout: no import cycle between its modules (read from the source with ast)."""
import ast
from pathlib import Path

import sandbox

ROOT = Path(sandbox.__file__).resolve().parent


def module_name(path: Path, root: Path, package: str) -> str:
    """The dotted name of a source file under a package root (a package is named by its __init__.py)."""
    parts = (package,) + path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, name: str, known: set[str]) -> set[str]:
    """The sandbox modules one file imports, anywhere in it (function-level imports count too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from package import module` names a module; `from module import name` the module itself.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        found.update(t for t in targets if t in known)
    return found - {name}


def import_graph(root: Path, package: str = "sandbox") -> dict[str, set[str]]:
    """Module → the modules of the same package it imports."""
    files = {module_name(p, root, package): p for p in root.rglob("*.py")}
    known = set(files)
    return {name: imported_modules(path, name, known) for name, path in files.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path (first module repeated at the end), or None."""
    visiting, done = [], set()

    def visit(node):
        if node in visiting:
            return visiting[visiting.index(node):] + [node]
        if node in done:
            return None
        visiting.append(node)
        for target in sorted(graph[node]):
            cycle = visit(target)
            if cycle:
                return cycle
        visiting.pop()
        done.add(node)
        return None

    for start in sorted(graph):
        cycle = visit(start)
        if cycle:
            return cycle
    return None


def test_the_sandbox_has_no_import_cycle():
    graph = import_graph(ROOT)
    assert len(graph) > 20  # the walk really found the modules
    assert find_cycle(graph) is None, " → ".join(find_cycle(graph))


def test_the_cycle_finder_sees_a_cycle(tmp_path):
    """Guard: two modules importing each other (one at the bottom, as api.py once did) are reported."""
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "api.py").write_text("bp = 1\nfrom . import api_orders\n")
    (tmp_path / "api_orders.py").write_text("from .api import bp\n")
    (tmp_path / "web.py").write_text("def f():\n    from .api import bp\n")
    graph = import_graph(tmp_path, "pkg")
    assert find_cycle(graph) is not None
    assert graph["pkg.web"] == {"pkg.api"}
