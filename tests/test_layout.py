"""The tree shows the pipeline: imports flow one way (embeddings ← ingest ← index ← answer ← facade), files stay
small, and a model that cannot load is a product error the CLI and API report."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from rag import Library, RagError, Settings

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    """Absolute names of the modules a file imports (relative imports resolved against its package)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            name = ".".join(p for p in (base, node.module or "") if p)
            out.add(name)
            out |= {f"{name}.{alias.name}" for alias in node.names}
    return out


def offenders(folder: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    found = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        bad = sorted(m for m in imported_modules(path) if m == "rag" and "rag" in forbidden
                     or any(m == f or m.startswith(f + ".") for f in forbidden if f != "rag"))
        if bad:
            found[str(path.relative_to(ROOT))] = bad
    return found


def test_embeddings_depend_on_nothing_in_rag() -> None:
    assert offenders("embeddings", ("rag", "rag.config", "rag.errors", "rag.types", "rag.ingest", "rag.index")) == {}


def test_ingest_knows_nothing_of_the_index_answers_or_facade() -> None:
    assert offenders("rag/ingest", ("rag.index", "rag.answer", "rag.library", "rag.importer")) == {}


def test_index_knows_nothing_of_answers_or_facade() -> None:
    assert offenders("rag/index", ("rag.answer", "rag.library", "rag.importer")) == {}


def test_the_layout_check_sees_a_backward_import(tmp_path: Path) -> None:
    probe = ROOT / "rag" / "ingest" / "_layout_probe.py"
    probe.write_text("from ..index import store\n", encoding="utf-8")
    try:
        assert offenders("rag/ingest", ("rag.index",)) == {"rag/ingest/_layout_probe.py": ["rag.index",
                                                                                            "rag.index.store"]}
    finally:
        probe.unlink()


def test_code_files_stay_under_about_300_lines() -> None:
    long = {str(p.relative_to(ROOT)): n for folder in ("rag", "embeddings", "api", "eval")
            for p in (ROOT / folder).rglob("*.py") if (n := len(p.read_text(encoding="utf-8").splitlines())) > 320}
    assert long == {}


def test_a_model_that_cannot_load_is_a_product_error(tmp_path: Path) -> None:
    with pytest.raises(RagError, match="RAG_MODEL=hash-256"):
        Library.open(Settings(model="hash-big", index_dir=tmp_path / "index"))
