"""Command line: ``python -m rag ingest|import|search|ask|list|delete|stats|model``.

Quiet by default: results on stdout, problems on stderr, logs only with ``-v`` (INFO) or ``-vv`` (DEBUG). Progress
bars show only when stderr is a terminal (and ``RAG_PROGRESS`` is on, and no ``-q``). The embedding model loads
only when a command embeds something: ``list``, ``stats`` and ``delete`` never load it.

Exit codes: 0 ok, 1 a page or request failed (message on stderr), 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from dataclasses import asdict

from ._cliopts import add_filter_options, filters_from, print_report
from .answer.labels import article_label, title_label
from .config import Settings
from .errors import RagError
from .ingest.exports import parse_fields
from .types import Answer, Article


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m rag", description="工会新闻问答: index and query news pages")
    p.add_argument("--index-dir", help="index directory (default: RAG_INDEX_DIR or var/index)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars, errors only")
    p.add_argument("-v", dest="log_level", action="count", default=0, help="log INFO (-vv: DEBUG) to stderr")
    sub = p.add_subparsers(dest="command", required=True)
    ing = sub.add_parser("ingest", help="add files (pages .txt/.md, exports .jsonl/.csv, saved .html) or directories")
    ing.add_argument("paths", nargs="+")
    ing.add_argument("--field", action="append", default=[], metavar="ROLE=NAME",
                     help="export column for a role (title, date, publisher, url, body), e.g. body=正文")
    ing.add_argument("--verbose", action="store_true", help="list the lines and rows that went into no article")
    im = sub.add_parser("import", help="bulk-import directories, archives (.tar.xz/.tar.gz/.zip) and exports: "
                        "parsed in worker processes, saved every --batch articles, resumable")
    im.add_argument("paths", nargs="+")
    im.add_argument("--per-line", action="store_true",
                    help="text files (and text members of archives) hold one article per non-empty line")
    im.add_argument("--batch", type=int, default=None, metavar="N",
                    help="save an index version every N new articles (default RAG_IMPORT_BATCH, 500)")
    im.add_argument("--workers", type=int, default=None, metavar="N",
                    help="parser processes; 0 parses in this process (default RAG_IMPORT_WORKERS, 1)")
    im.add_argument("--field", action="append", default=[], metavar="ROLE=NAME", help="as for ingest")
    se = sub.add_parser("search", help="retrieve chunks for a query")
    se.add_argument("query")
    se.add_argument("-k", type=int, default=5)
    se.add_argument("--retriever", choices=["hybrid", "bm25", "dense"], default=None)
    add_filter_options(se)
    se.add_argument("--json", action="store_true")
    ask = sub.add_parser("ask", help="answer a question with citations")
    ask.add_argument("question")
    ask.add_argument("-k", type=int, default=None)
    ask.add_argument("--json", action="store_true")
    add_filter_options(ask)
    ls = sub.add_parser("list", help="the indexed articles: id, date, title, places")
    ls.add_argument("--json", action="store_true", help="one JSON object per article, one per line")
    add_filter_options(ls)
    de = sub.add_parser("delete", help="remove an article from both indexes")
    de.add_argument("article_id")
    sub.add_parser("stats", help="what the index holds")
    sub.add_parser("model", help="build the default embedding model into the cache (once; setup runs it)")
    return p


def _configure_logging(args: argparse.Namespace) -> None:
    level = logging.ERROR if args.quiet else {0: logging.WARNING, 1: logging.INFO}.get(args.log_level, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if args.log_level < 2:
        for noisy in ("bm25s", "jieba", "sentence_transformers", "transformers", "faiss", "httpx"):
            logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings(**({"index_dir": args.index_dir} if args.index_dir else {}))
    progress = (sys.stderr.isatty() if settings.progress is None else settings.progress) and not args.quiet
    return settings.model_copy(update={"progress": progress})


def _hit_row(hit) -> dict:
    c = hit.chunk
    return {"chunk_id": c.id, "article_id": c.article_id, "title": c.title, "text": c.text, "score": hit.score,
            "source": c.source, "start": c.start, "end": c.end}


def _places(article: Article) -> list[str]:
    """Administrative divisions first, then other named places (``朝外街道``), each once."""
    return list(dict.fromkeys(article.regions + article.districts + article.places))


def _article_row(article: Article) -> dict:
    return {"id": article.id, "date": article.date, "title": article.title, "label": article_label(article),
            "publisher": article.publisher, "places": _places(article), "source": article.source,
            "kind": article.kind}


def _label(articles: dict[str, Article], article_id: str, title: str) -> str:
    article = articles.get(article_id)
    return article_label(article) if article else title_label(title)


def print_list(articles: list[Article], as_json: bool) -> None:
    """One line per article: ``id  date  title  [places]``, or JSON lines."""
    for a in articles:
        if as_json:
            print(json.dumps(_article_row(a), ensure_ascii=False))
        else:
            places = "、".join(_places(a))
            print(f"{a.id}  {a.date or '----------'}  {a.title or '（无标题）'}" + (f"  [{places}]" if places else ""))


def print_answer(result: Answer, articles: dict[str, Article]) -> None:
    """The short answer first (when the answer does not already open with it), the cited answer, then each cited
    article once with its sentences::

        永顺镇总工会代表队
        在通州区的决赛中，永顺镇总工会代表队获得二等奖。[1]
        [1] 《2025年通州区工会集体协商大赛决赛举办》 (001_d15e506f488c69d4.txt)
            [1] 永顺镇总工会代表队获得二等奖。
    """
    if result.short_answer and result.answerable and not result.answer.startswith(result.short_answer):
        print(result.short_answer)
    print(result.answer)
    grouped: dict[str, list] = {}
    for c in result.citations:
        grouped.setdefault(c.article_id, []).append(c)
    for cites in grouped.values():
        first = cites[0]
        marks = "".join(f"[{c.n}]" for c in cites)
        print(f"{marks} {_label(articles, first.article_id, first.title)} ({first.source})")
        for c in cites:
            print(f"    [{c.n}] {c.snippet}")
    if not result.answerable and result.related:
        print("相关报道：")
        for r in result.related:
            print(f"  {r.article_id}  {_label(articles, r.article_id, r.title)}")


def _answer_json(result: Answer, articles: dict[str, Article]) -> str:
    data = asdict(result)
    for c in data["citations"] + data["related"]:
        c["label"] = _label(articles, c["article_id"], c["title"])
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _configure_logging(args)
    try:
        return run(args)
    except BrokenPipeError:  # `python -m rag list | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes
        return 0


def run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    try:
        from .library import Library, ensure_model

        if args.command == "model":
            folder = ensure_model(settings)
            print(f"model {settings.model}: {folder or 'loaded by name, nothing to build'}")
            return 0
        # the model loads when a command first embeds; an import shows one bar of its own, not the encoder's
        quiet = args.command == "import" and settings.model_copy(update={"progress": False})
        lib = Library.open(quiet or settings, lazy=True)
        articles = lib.index.articles
        if args.command == "ingest":
            results = lib.ingest_paths(args.paths, parse_fields(args.field))
            failed = print_report(results, args.verbose)
            stats = lib.stats()
            print(f"index: {stats['articles']} articles, {stats['chunks']} chunks in {stats['index_dir']}")
            return 1 if failed else 0
        if args.command == "import":
            from ._importreport import print_import
            from .importer import import_paths

            tally = import_paths(lib, args.paths, args.per_line, args.batch, args.workers, parse_fields(args.field),
                                 settings.progress)
            stats = lib.stats()
            return print_import(tally, f"index: {stats['articles']} articles, {stats['chunks']} chunks in "
                                       f"{stats['index_dir']} (version {stats['version']})")
        if args.command == "search":
            filters = filters_from(args)
            hits = lib.search(args.query, args.k, args.retriever, filters)
            if args.json:
                print(json.dumps({"hits": [_hit_row(h) for h in hits]}, ensure_ascii=False, indent=2))
            else:
                for i, h in enumerate(hits, 1):
                    label = _label(articles, h.chunk.article_id, h.chunk.title)
                    print(f"{i}. [{h.score:.4f}] {label} ({h.chunk.source})\n   {h.chunk.text[:120]}…")
            return 0
        if args.command == "ask":
            from .answer import answer

            result = answer(lib, args.question, k=args.k, filters=filters_from(args) or None)
            if args.json:
                print(_answer_json(result, lib.index.articles))
            else:
                print_answer(result, lib.index.articles)
            return 0
        if args.command == "list":
            from .answer.starters import as_chunk

            wanted = lib.resolve_filters(filters_from(args))
            print_list([a for a in articles.values() if not wanted or wanted.accepts(as_chunk(a))], args.json)
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
