"""What the load test counts (statuses, latencies, the writes acknowledged) and the report it prints."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from api.latency import percentile

OK = {200, 201}
INTENDED = {429}


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    failures: list[str] = field(default_factory=list)  # first few unexpected responses, for the report
    uploads: dict[str, str] = field(default_factory=dict)  # acknowledged article id -> its unique token
    live: list[str] = field(default_factory=list)  # acknowledged uploads not deleted (nor being deleted)
    deleted: list[str] = field(default_factory=list)  # acknowledged deletes
    unsure: list[str] = field(default_factory=list)  # deletes that got no answer
    distinct: dict[str, int] = field(default_factory=dict)  # distinct questions/queries sent
    counts: dict[str, int] = field(default_factory=dict)  # articles: before, added, deleted, readyz, listed

    def record(self, op: str, status: int | str, seconds: float, detail: str = "") -> None:
        self.latencies[op].append(seconds)
        self.statuses[op][status] += 1
        if status not in OK and status not in INTENDED and len(self.failures) < 10:
            self.failures.append(f"{op} -> {status}: {detail[:300]}")

    def unexpected(self) -> int:
        return sum(n for counts in self.statuses.values() for s, n in counts.items()
                   if s not in OK and s not in INTENDED)


def report(tally: Tally, problems: list[str], elapsed: float, clients: int) -> None:
    served = sum(len(v) for v in tally.latencies.values())
    print(f"requests served: {served} in {elapsed:.0f} s ({served / max(elapsed, 1e-9):.1f}/s, {clients} clients)")
    statuses: Counter = Counter()
    for counts in tally.statuses.values():
        statuses.update(counts)
    print("statuses: " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items(), key=lambda x: str(x[0]))))
    print(f"rate limited (429, intended): {statuses.get(429, 0)}")
    print(f"unexpected errors: {tally.unexpected()}")
    for line in tally.failures:
        print(f"  {line}")
    print(f"distinct questions asked: {tally.distinct.get('ask', 0)}, distinct searches: "
          f"{tally.distinct.get('search', 0)}")
    print(f"{'operation':<9} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for op in ("ask", "search", "upload", "delete"):
        values = [s * 1000 for s in tally.latencies.get(op, [])]
        if values:
            print(f"{op:<9} {len(values):>6} {percentile(values, 0.50):>8.0f} {percentile(values, 0.95):>8.0f} "
                  f"{percentile(values, 0.99):>8.0f} {max(values):>8.0f}")
    c = tally.counts
    if c:
        print(f"articles: {c['before']} before + {c['added']} added - {c['deleted']} deleted = "
              f"{c['before'] + c['added'] - c['deleted']} expected; the server has {c['readyz']} (/readyz), "
              f"{c['listed']} (/api/articles)")
    print(f"acknowledged uploads: {len(tally.uploads)}, deletes: {len(tally.deleted)}, "
          f"still there and searchable: {len(tally.live)}")
    print(f"index check: {'OK' if not problems else 'FAILED'}")
    for line in problems[:10]:
        print(f"  {line}")
