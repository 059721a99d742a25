"""Command line: ``python -m rag ingest|search|ask|delete|stats``.

Exit codes: 0 ok, 1 a page or request failed (message on stderr), 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import asdict

from .config import Settings
from .errors import RagError
from .types import Filters


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m rag", description="工会新闻问答: index and query news pages")
    p.add_argument("--index-dir", help="index directory (default: RAG_INDEX_DIR or var/index)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars, warnings only")
    sub = p.add_subparsers(dest="command", required=True)
    ing = sub.add_parser("ingest", help="add page files or directories of .txt pages")
    ing.add_argument("paths", nargs="+")
    se = sub.add_parser("search", help="retrieve chunks for a query")
    se.add_argument("query")
    se.add_argument("-k", type=int, default=5)
    se.add_argument("--retriever", choices=["hybrid", "bm25", "dense"], default=None)
    se.add_argument("--district", action="append", default=[], help="only articles mentioning this district")
    se.add_argument("--source", action="append", default=[], help="only articles from this page file")
    se.add_argument("--json", action="store_true")
    ask = sub.add_parser("ask", help="answer a question with citations")
    ask.add_argument("question")
    ask.add_argument("-k", type=int, default=None)
    ask.add_argument("--json", action="store_true")
    de = sub.add_parser("delete", help="remove an article from both indexes")
    de.add_argument("article_id")
    sub.add_parser("stats", help="what the index holds")
    return p


def _hit_row(hit) -> dict:
    c = hit.chunk
    return {"chunk_id": c.id, "article_id": c.article_id, "title": c.title, "text": c.text, "score": hit.score,
            "source": c.source, "start": c.start, "end": c.end}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG
    overrides = {"progress": not args.quiet}
    if args.index_dir:
        overrides["index_dir"] = args.index_dir
    settings = Settings(**overrides)
    try:
        from .library import Library

        lib = Library.open(settings)
        if args.command == "ingest":
            results = lib.ingest_paths(args.paths)
            failed = 0
            for r in results:
                if r.error:
                    failed += 1
                    print(f"ERROR {r.source}: {r.error}", file=sys.stderr)
                else:
                    print(f"{r.source}: {len(r.added)} added, {len(r.duplicates)} already indexed ({r.encoding})")
            stats = lib.stats()
            print(f"index: {stats['articles']} articles, {stats['chunks']} chunks in {stats['index_dir']}")
            return 1 if failed else 0
        if args.command == "search":
            filters = Filters(tuple(args.district), tuple(args.source))
            hits = lib.search(args.query, args.k, args.retriever, filters)
            if args.json:
                print(json.dumps({"hits": [_hit_row(h) for h in hits]}, ensure_ascii=False, indent=2))
            else:
                for i, h in enumerate(hits, 1):
                    print(f"{i}. [{h.score:.4f}] {h.chunk.title} ({h.chunk.source})\n   {h.chunk.text[:120]}…")
            return 0
        if args.command == "ask":
            from .answer import answer

            result = answer(lib, args.question, k=args.k)
            if args.json:
                print(json.dumps(asdict(result), ensure_ascii=False, indent=2, default=str))
            else:
                print(result.answer)
                for c in result.citations:
                    print(f"[{c.n}] {c.title} ({c.source}, {c.start}-{c.end}): {c.snippet}")
            return 0
        if args.command == "delete":
            article = lib.delete(args.article_id)
            print(f"deleted {article.id}: {article.title}")
            return 0
        if args.command == "stats":
            print(json.dumps(lib.stats(), ensure_ascii=False, indent=2))
            return 0
    except RagError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
