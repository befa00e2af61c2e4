"""The layout's promises, checked on the code itself: no import cycle between the project's modules (imports
inside functions count too), no module over MAX_LINES without a reason at its top, and every write to a Case
in feedback/services/ (plus a stated allow-list)."""
import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("agencies", "dashboard", "feedback", "ihanoi", "notify_channels")
MAX_LINES = 300


def project_modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            rel = path.relative_to(ROOT).with_suffix("")
            if "migrations" in rel.parts:
                continue
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules `name` imports anywhere in its text (top level or inside a function)."""
    is_package = path.name == "__init__.py"
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # `from package import module` names a module; `from module import name` names the module
            targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in modules else module for a in node.names]
        else:
            continue
        out |= {t for t in targets if t in modules and t != name}
    return out


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


class ImportCycleTests:
    def test_the_cycle_finder_finds_one(self):
        graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
        assert cycles(graph) == [["a", "b", "c"]]
        assert cycles({"a": {"b"}, "b": set()}) == []

    def test_the_graph_sees_imports_inside_functions(self):
        graph = import_graph()
        assert "feedback.storage" in graph["feedback.models.case"]  # imported inside _private_storage()
        assert "feedback.services.sweeps" in graph["feedback.tasks"]  # `from .services import sweeps`

    def test_no_import_cycle(self):
        assert cycles(import_graph()) == []


# --- where cases are written -----------------------------------------------------------------------------------

WRITE_METHODS = {"save", "update", "create", "bulk_update", "bulk_create", "get_or_create", "update_or_create",
                 "delete"}
CASE_NAMES = {"case", "locked", "c", "target", "into", "other", "instance", "duplicate", "original"}


def _root(node):
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node


def case_writes(path: Path) -> list[int]:
    """Lines of `path` that write a Case: a queryset write on `Case.objects…`, or `.save()/.delete()` on a
    variable that holds a case (the names this project gives them)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in WRITE_METHODS):
            continue
        receiver = node.func.value
        root = _root(receiver)
        if isinstance(root, ast.Name) and root.id == "Case" and receiver is not root:
            lines.append(node.lineno)
        elif (node.func.attr in {"save", "delete"} and isinstance(receiver, ast.Name)
              and receiver.id in CASE_NAMES):
            lines.append(node.lineno)
    return lines


# Writes to a Case outside feedback/services/, each with its reason. Nothing else may write one.
CASE_WRITE_ALLOWED: dict[str, str] = {}


class CaseWriteTests:
    def test_the_finder_sees_a_write(self, tmp_path):
        sample = tmp_path / "sample.py"
        sample.write_text("def f(case):\n    Case.objects.filter(pk=1).update(status='x')\n    case.save()\n"
                          "    Case.objects.all().count()\n")
        assert case_writes(sample) == [2, 3]

    def test_every_write_to_a_case_is_in_feedback_services(self):
        outside = {}
        for name, path in project_modules().items():
            rel = str(path.relative_to(ROOT))
            if rel.startswith("feedback/services/") or rel in CASE_WRITE_ALLOWED:
                continue
            if lines := case_writes(path):
                outside[rel] = lines
        assert outside == {}

    def test_the_services_do_write_cases(self):
        assert case_writes(ROOT / "feedback/services/cases.py")


# --- module size -------------------------------------------------------------------------------------------------

REASON = re.compile(r"over (~)?%d lines" % MAX_LINES, re.I)


class ModuleSizeTests:
    def test_no_module_over_the_limit_without_a_reason_at_its_top(self):
        too_long = []
        for name, path in project_modules().items():
            text = path.read_text()
            if text.count("\n") > MAX_LINES and not REASON.search(ast.get_docstring(ast.parse(text)) or ""):
                too_long.append(f"{path.relative_to(ROOT)} ({text.count(chr(10))} lines)")
        assert too_long == []
