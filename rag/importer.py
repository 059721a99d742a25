"""Bulk import: stream inputs (:mod:`rag.ingest.sources`), parse them in worker processes, embed in this one, and save an
index version every ``batch`` new articles.

Parsing, places, chunking and tokenising are pure (:func:`rag.ingest.batch.prepare`) and run in ``workers`` spawned
processes (``0``: in this process); their results come back in input order through a bounded window of tasks, so
memory holds at most about two batches of prepared articles, never the whole input. Embedding and saving go through
:meth:`rag.library.Library.ingest_batch` (the ingest path), one atomic version per batch: a crash or Ctrl-C loses
at most the batch in flight, and a rerun skips what is in by content hash (the article ids).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import signal
import threading
import time
from collections import deque
from collections.abc import Collection, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from ._importreport import Tally
from .errors import InputError, RagError
from .index import store
from .ingest.batch import Batch, PageResult, as_document, prepare
from .ingest.pages import PageText
from .ingest.prepared import extend, without_articles
from .ingest.readers import Document, read_data
from .ingest.sources import Failure, Inputs, Padding, Unit
from .ingest.tokenize import Tokenizer

if TYPE_CHECKING:
    from .library import Library

log = logging.getLogger(__name__)

TASK_UNITS = 32  # lines (or files) per worker task
TASK_BYTES = 1 << 20  # ... or fewer, past this much input


@dataclass(frozen=True)
class Outcome:
    """What became of one input in a worker: its error, or the ids it repeated and its text accounting."""

    source: str
    error: str = ""
    repeated: tuple[str, ...] = ()  # ids of articles skipped as already indexed or met earlier in the task
    chars_total: int = 0
    chars_kept: int = 0


@dataclass
class TaskResult:
    batch: Batch  # new articles with chunks, tokens and sentence keys (no per-file results)
    outcomes: list[Outcome]
    weight: float  # input bytes the task stood for


_STATE: dict[str, Any] = {}  # the worker's tokeniser and settings, set by _init_worker


def _init_worker(known: Collection[str], user_dict: Path | None, chunk_size: int, chunk_overlap: int,
                 fields: Mapping[str, str] | None, log_level: int, child: bool = True) -> None:
    if child:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
        logging.basicConfig(level=log_level, format="%(levelname)s %(name)s: %(message)s")
        with contextlib.suppress(OSError, AttributeError):  # Linux: die with the main process (a kill -9 of
            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # an import leaves no parser behind); PR_SET_PDEATHSIG
    _STATE.update(known=frozenset(known), tokenizer=Tokenizer(user_dict), chunk_size=chunk_size,
                  chunk_overlap=chunk_overlap, fields=fields)


def _document(unit: Unit, fields: Mapping[str, str] | None) -> Document:
    try:
        if isinstance(unit.data, str):
            return as_document(PageText(unit.source, unit.data, unit.encoding))
        return read_data(unit.data, unit.source, fields)
    except RagError as exc:  # a usage error (an export lacking a --field column) or an unreadable input
        return Document(unit.source, error=exc.message)
    except Exception as exc:  # a parser bug on odd input must not end the import: reported with the input
        log.exception("%s: parsing failed", unit.source)
        return Document(unit.source, error=f"{unit.source}: parsing failed ({type(exc).__name__}: {exc})")


def work(units: list[Unit]) -> TaskResult:
    """Parse, place, chunk and tokenise one task's inputs (in a worker)."""
    s = _STATE
    docs = [_document(u, s["fields"]) for u in units]
    try:
        batch = prepare(docs, s["known"], s["tokenizer"], s["chunk_size"], s["chunk_overlap"])
    except Exception:  # one document's fault: prepare them one at a time and report the one that fails
        batch = Batch()
        for doc in docs:
            try:
                one = prepare([doc], s["known"], s["tokenizer"], s["chunk_size"], s["chunk_overlap"])
            except Exception as exc:
                log.exception("%s: preparing failed", doc.source)
                one = Batch(results=[PageResult(doc.source, error=f"{doc.source}: preparing failed "
                                                                  f"({type(exc).__name__}: {exc})")])
            extend(batch, without_articles(one, {a.id for a in batch.articles}))
            batch.results.extend(one.results)
    outcomes = [Outcome(r.source, r.error, tuple(a.id for a in r.duplicates), r.chars_total, r.chars_kept)
                for r in batch.results]
    batch.results = []
    return TaskResult(batch, outcomes, sum(u.weight for u in units))


class Importer:
    """One import run into ``lib``: ``Importer(lib, batch=500, workers=1).run(Inputs(paths))`` → :class:`Tally`."""

    def __init__(self, lib: Library, batch: int, workers: int, fields: Mapping[str, str] | None = None,
                 progress: bool = False) -> None:
        if batch < 1:
            raise InputError(f"the batch size must be at least 1 article, got {batch}.")
        if workers < 0:
            raise InputError(f"workers must be 0 (parse in this process) or more, got {workers}.")
        self.lib, self.batch_size, self.workers, self.fields, self.progress = lib, batch, workers, fields, progress
        self.tally = Tally()
        self.pending = Batch()
        self.pending_ids: set[str] = set()
        self.pending_weight = 0.0
        self.known: frozenset[str] = frozenset()
        self.bar: tqdm | None = None
        self._start = 0.0

    def run(self, inputs: Inputs) -> Tally:
        """Import everything ``inputs`` yields; Ctrl-C (or SIGTERM) stops after the last saved batch."""
        self._start = time.monotonic()
        self.known = frozenset(self.lib.index.articles)
        start_articles = len(self.known)
        self.bar = tqdm(total=inputs.total_bytes, desc="importing", unit="B", unit_scale=True, unit_divisor=1024,
                        smoothing=0, disable=not self.progress)
        previous = _on_sigterm()
        executor = None
        try:
            s = self.lib.settings
            initargs = (self.known, s.user_dict, s.chunk_size, s.chunk_overlap, self.fields,
                        logging.getLogger().getEffectiveLevel())
            if self.workers:
                executor = ProcessPoolExecutor(self.workers, mp_context=get_context("spawn"),
                                               initializer=_init_worker, initargs=initargs)
            else:
                _init_worker(*initargs, child=False)
            for result in self._results(executor, inputs):
                self._merge(result)
                self._commit()
            self._commit(final=True)
        except BrokenProcessPool:
            raise RagError("a parser process died (out of memory?); every saved batch is in the index: run the same "
                           "command again to resume, with fewer --workers if memory is short") from None
        except KeyboardInterrupt:
            self.tally.interrupted = True
            # a save cut short leaves the previous version live: count what the index on disk holds
            self.tally.articles_added = _saved_articles(self.lib) - start_articles
        finally:
            if executor is not None:
                if self.tally.interrupted:  # parsers hold nothing worth waiting for: stop them now
                    for process in list((getattr(executor, "_processes", None) or {}).values()):
                        process.terminate()
                executor.shutdown(wait=True, cancel_futures=True)
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
            self.tally.blank_lines = inputs.blank_lines
            self.tally.seconds = time.monotonic() - self._start
            self.bar.close()
        return self.tally

    def _tasks(self, inputs: Inputs) -> Iterator[list[Unit]]:
        group: list[Unit] = []
        size = 0
        for piece in inputs:
            if isinstance(piece, Padding):
                self.pending_weight += piece.weight
                continue
            if isinstance(piece, Failure):
                self.tally.units += 1
                self.tally.fail(piece.source, piece.reason)
                self.pending_weight += piece.weight
                continue
            group.append(piece)
            size += len(piece.data)
            if len(group) >= TASK_UNITS or size >= TASK_BYTES:
                yield group
                group, size = [], 0
        if group:
            yield group

    def _results(self, executor: ProcessPoolExecutor | None, inputs: Inputs) -> Iterator[TaskResult]:
        """Task results in input order; at most ``limit`` tasks in flight (about two batches of articles)."""
        if executor is None:
            yield from (work(units) for units in self._tasks(inputs))
            return
        limit = max(4 * self.workers, 2 * -(-self.batch_size // TASK_UNITS))
        window: deque[Future[TaskResult]] = deque()
        for units in self._tasks(inputs):
            window.append(executor.submit(work, units))
            while len(window) >= limit or (window and window[0].done()):
                yield window.popleft().result()
        while window:
            yield window.popleft().result()

    def _merge(self, result: TaskResult) -> None:
        t = self.tally
        t.units += len(result.outcomes)
        for o in result.outcomes:
            if o.error:
                t.fail(o.source, o.error)
                continue
            t.chars_total += o.chars_total
            t.chars_kept += o.chars_kept
            for aid in o.repeated:
                if aid in self.known:
                    t.already_indexed += 1
                else:
                    t.duplicates += 1
        held = self.lib.index.articles
        repeat = {a.id for a in result.batch.articles if a.id in self.pending_ids or a.id in held}
        t.duplicates += sum(a.id in repeat for a in result.batch.articles)
        extend(self.pending, without_articles(result.batch, repeat))
        self.pending_ids.update(a.id for a in result.batch.articles)
        self.pending_weight += result.weight
        if not self.pending.articles:  # nothing new to save (a rerun going over what is in): progress now
            self._advance(self.pending_weight)
            self.pending_weight = 0.0

    def _commit(self, final: bool = False) -> None:
        """Save a version for every ``batch_size`` pending articles (``final``: for the rest too)."""
        while len(self.pending.articles) >= self.batch_size or (final and self.pending.articles):
            pending = self.pending
            head = {a.id for a in pending.articles[: self.batch_size]}
            rest = {a.id for a in pending.articles[self.batch_size:]}
            added = self.lib.ingest_batch(without_articles(pending, rest), progress=False)
            t = self.tally
            t.articles_added += len(added.articles)
            t.chunks_added += len(added.chunks)
            t.already_indexed += len(head) - len(added.articles)  # another writer added them meanwhile
            t.versions += 1
            log.info("saved %d articles (%d chunks); %d in this import", len(added.articles), len(added.chunks),
                     t.articles_added)
            done = self.pending_weight * len(head) / len(pending.articles)
            self.pending, self.pending_ids = without_articles(pending, head), rest
            self.pending_weight -= done
            self._advance(done)
        if not self.pending.articles:
            self._advance(self.pending_weight)
            self.pending_weight = 0.0

    def _advance(self, weight: float) -> None:
        """Move the bar by ``weight`` input bytes (the caller takes them off ``pending_weight``)."""
        assert self.bar is not None
        self.tally.seconds = time.monotonic() - self._start
        self.bar.set_postfix_str(f"{self.tally.articles_added} articles, {self.tally.rates()}", refresh=False)
        self.bar.update(weight)


def _saved_articles(lib: Library) -> int:
    try:
        return int(store.read_manifest(lib.index_dir)["counts"]["articles"])
    except RagError:
        return 0


def _on_sigterm() -> Any:
    """SIGTERM (``kill PID``) stops an import like Ctrl-C; returns the previous handler (None off the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, stop)


def import_paths(lib: Library, paths: list[str | Path], per_line: bool = False, batch: int | None = None,
                 workers: int | None = None, fields: Mapping[str, str] | None = None,
                 progress: bool | None = None) -> Tally:
    """Import files, directories and archives into ``lib`` (see the module docstring); defaults from settings."""
    s = lib.settings
    importer = Importer(lib, s.import_batch if batch is None else batch,
                        s.import_workers if workers is None else workers, fields,
                        bool(s.progress if progress is None else progress))
    return importer.run(Inputs(paths, per_line))
