"""Which of our packages may import which: the project's layering as one table, and a checker
that reads every module's imports from its source (nothing is imported or run).

Dependencies point one way (docs/architecture.md): the shell wires everything; workflows
reach only the pure domain (activity names and models included); activities reach the
adapters and the few shell services they do I/O through; adapters reach the domain; the
domain reaches nothing of ours; the mocks stand for the agencies' own systems and import
nothing of ours, so that the adapters' mappings are really tested against them.
"""

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Layer:
    """A set of modules (by dotted prefix) and the layers they may import besides their own."""

    name: str
    modules: tuple[str, ...]
    may_import: tuple[str, ...]


LAYERS = (
    Layer("domain", ("onceonly.domain",), may_import=()),
    # What activities do their I/O through: settings, the disclosure log's and the usage
    # ledger's entries and protocols, receipt signing. Below the activities, so they reach
    # only the domain.
    Layer(
        "services",
        ("onceonly.settings", "onceonly.disclosures", "onceonly.usage", "onceonly.receipts"),
        may_import=("domain",),
    ),
    Layer("workflows", ("workflows",), may_import=("domain",)),
    Layer("adapters", ("adapters",), may_import=("domain",)),
    Layer("activities", ("activities",), may_import=("adapters", "services", "domain")),
    Layer("mocks", ("mocks",), may_import=()),
    # The shell: API, CLI, worker wiring, the local stack and test kit (which start the mocks).
    Layer(
        "shell",
        ("onceonly",),
        may_import=("services", "workflows", "activities", "adapters", "domain", "mocks"),
    ),
)
# Ours, but in no layer: nothing layered may import them.
UNLAYERED = ("tests", "bench", "examples")
PACKAGES = tuple(
    dict.fromkeys(prefix.split(".")[0] for layer in LAYERS for prefix in layer.modules)
)


def layer_of(module: str) -> Layer | None:
    """The layer of the module: the one whose longest prefix names it."""
    found: tuple[int, Layer] | None = None
    for layer in LAYERS:
        for prefix in layer.modules:
            if (module == prefix or module.startswith(f"{prefix}.")) and (
                found is None or len(prefix) > found[0]
            ):
                found = (len(prefix), layer)
    return found[1] if found else None


def importable_by(name: str) -> tuple[str, ...]:
    """The module prefixes the layer `name` may import: its own and its allowed layers'."""
    [layer] = [layer for layer in LAYERS if layer.name == name]
    allowed = [other for other in LAYERS if other is layer or other.name in layer.may_import]
    return tuple(prefix for other in allowed for prefix in other.modules)


def may_import(importer: str, imported: str) -> bool:
    """Whether the layering lets `importer` import `imported` (not ours: always)."""
    source, target = layer_of(importer), layer_of(imported)
    if target is None:
        return imported.split(".", maxsplit=1)[0] not in UNLAYERED
    return source is None or target is source or target.name in source.may_import


@dataclass(frozen=True)
class Violation:
    """One import against the layering."""

    importer: str
    imported: str
    path: Path
    line: int

    def __str__(self) -> str:
        source, target = layer_of(self.importer), layer_of(self.imported)
        arrow = f"{source.name if source else '?'} -> {target.name if target else 'unlayered'}"
        return f"{self.path}:{self.line}: {self.importer} imports {self.imported} ({arrow})"


def violations(root: Path) -> list[Violation]:
    """Every import against the layering in the layered packages under `root`."""
    found = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            module = module_name(root, path)
            for imported, line in imports(root, path, module):
                if not may_import(module, imported):
                    found.append(Violation(module, imported, path.relative_to(root), line))
    return found


def module_name(root: Path, path: Path) -> str:
    """`a/b/c.py` -> `a.b.c`; a package's `__init__.py` is the package."""
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(root: Path, path: Path, module: str) -> Iterator[tuple[str, int]]:
    """Every module the source imports, anywhere in it (under TYPE_CHECKING too), with its
    line; `from pkg import name` is `pkg.name` when that is a module, else `pkg`."""
    is_package = path.name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                yield (candidate if _is_module(root, candidate) else base), node.lineno


def _is_module(root: Path, module: str) -> bool:
    path = root.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()
