"""Rows of news exports (JSON Lines, JSON arrays, CSV/TSV) → :class:`~rag.types.Article`, pure.

Exports name their fields in many ways; the common names are mapped case-insensitively, and a caller can name the
field for any role (``{"body": "正文"}``, the CLI's ``--field body=正文``):

>>> row = {"Title": "职工运动会开幕", "published_at": "2023年8月16日 17:26", "媒体": "人民网", "正文": "第一段。\\n第二段。"}
>>> a = row_article(row, source="news.jsonl#1")
>>> a.title, a.date, a.publisher, a.paragraphs
('职工运动会开幕', '2023-08-16', '人民网', ((0, 4), (5, 9)))
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from rag.errors import InputError, PageError
from rag.types import Article

from .parse import article_id

#: role -> the field names exports commonly use for it (compared case-insensitively), most specific first
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "标题", "题目", "subject"),
    "date": ("date", "published_at", "publish_time", "pubdate", "pub_date", "published", "datetime", "time",
             "日期", "发布时间", "时间"),
    "publisher": ("source", "media", "publisher", "site", "sitename", "来源", "媒体", "出处"),
    "url": ("url", "link", "href", "链接", "网址"),
    "body": ("content", "body", "text", "article", "maintext", "正文", "内容", "全文"),
}
ROLES = tuple(FIELD_NAMES)

_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_MONTH = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_TITLE_LEAD = re.compile(r"^\s*(?:原标题|标题)\s*[：:]\s*")


def normalise_date(value: object) -> str:
    """ISO ``YYYY-MM-DD`` from the ways exports write dates; "" when there is none.

    >>> [normalise_date(v) for v in ("[ 2023-07-28 16：40 ]", "2023/8/6", "2023年8月16日", "2023-08", 1692172800, "昨天")]
    ['2023-07-28', '2023-08-06', '2023-08-16', '2023-08', '2023-08-16', '']
    """
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):  # a Unix time, in seconds or milliseconds
        from datetime import UTC, datetime

        seconds = value / 1000 if value > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC).date().isoformat()
        except (OverflowError, OSError, ValueError):
            return ""
    text = str(value).strip()
    if m := _DATE.search(text):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
        return ""
    if (m := _MONTH.search(text)) and 1 <= int(m.group(2)) <= 12:
        return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
    return ""


def field_map(keys: list[str], overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """role -> the row key that holds it. Overrides name keys exactly (or case-insensitively); unknown roles or
    keys that no row has are an error, not a silent miss.

    >>> field_map(["ID", "Headline", "Content", "Time"])
    {'title': 'Headline', 'date': 'Time', 'body': 'Content'}
    """
    lower = {key.lower().strip(): key for key in keys}
    found: dict[str, str] = {}
    for role, names in FIELD_NAMES.items():
        key = next((lower[name] for name in names if name in lower), None)
        if key is not None:
            found[role] = key
    for role, key in (overrides or {}).items():
        if role not in FIELD_NAMES:
            raise PageError(f"unknown field role {role!r}; use one of {', '.join(ROLES)} (e.g. body=正文).")
        if key not in keys and key.lower() not in lower:
            raise PageError(f"no field {key!r} in this export (it has {', '.join(keys[:20])}).")
        found[role] = key if key in keys else lower[key.lower()]
    return found


def parse_fields(pairs: list[str]) -> dict[str, str]:
    """``["body=正文", "date=发布时间"]`` → ``{"body": "正文", "date": "发布时间"}`` (the CLI's ``--field``, the API's
    ``field``); a malformed pair is an InputError.

    >>> parse_fields(["body=正文"])
    {'body': '正文'}
    """
    fields: dict[str, str] = {}
    for pair in pairs:
        role, sep, name = pair.partition("=")
        if not sep or role.strip() not in ROLES or not name.strip():
            raise InputError(f"field {pair!r} is not ROLE=NAME with ROLE one of {', '.join(ROLES)} (e.g. body=正文).")
        fields[role.strip()] = name.strip()
    return fields


def derive_title(body: str, limit: int = 40) -> str:
    """A title for a row that has none: its first sentence (without a ``原标题：`` lead), at most ``limit`` chars.

    >>> derive_title("原标题：暴雨过后村民重建家园 本报讯 连日来，……")
    '暴雨过后村民重建家园'
    >>> derive_title("连日来，长春市朝阳区总工会走访一线职工。送去清凉。")
    '连日来，长春市朝阳区总工会走访一线职工'
    >>> derive_title("普麦期货领跌，主力合约收于每吨2634元，较前一交易日结算价下跌110元，跌幅4.01%。")
    '普麦期货领跌，主力合约收于每吨2634元，较前一交易日结算价下跌110元'
    """
    text = body.strip()
    if lead := _TITLE_LEAD.match(text):  # scraped text: 原标题：TITLE BODY…, the title ends at the first space
        text = text[lead.end():]
        head = re.split(r"\s", text, maxsplit=1)[0]
        if len(head) <= limit:
            return head
    first = re.split(r"[。！？!?\n]", text, maxsplit=1)[0].strip()
    if len(first) <= limit:
        return first
    # too long: end at the last clause break that fits, rather than in the middle of a number or a name
    cut = max((m.start() for m in re.finditer(r"[，；：、,;\s]", first[: limit + 1])), default=0)
    return first[:cut] if cut >= 8 else first[:limit]


def row_article(row: Mapping[str, object], source: str, fields: Mapping[str, str] | None = None) -> Article:
    """One export row → an Article; PageError when it has no body text."""
    keys = field_map([str(k) for k in row], fields)
    get = {role: row.get(key) for role, key in keys.items()}
    raw = get.get("body")
    if not isinstance(raw, str) or not raw.strip():
        raise PageError(f"no body text (looked for {', '.join(FIELD_NAMES['body'])}; "
                        f"the row has {', '.join(map(str, row))}); name it with --field body=NAME.")
    paragraphs = [p.strip() for p in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n") if p.strip()]
    body = "\n".join(paragraphs)
    offsets, pos = [], 0
    for para in paragraphs:
        offsets.append((pos, pos + len(para)))
        pos += len(para) + 1
    title = str(get.get("title") or "").strip() or derive_title(body)
    return Article(id=article_id(title, body), title=title, body=body, source=source, paragraphs=tuple(offsets),
                   date=normalise_date(get.get("date")), publisher=str(get.get("publisher") or "").strip(),
                   url=str(get.get("url") or "").strip())


@dataclass(frozen=True)
class Row:
    no: int  # 1-based line (JSONL) or record (CSV, JSON array) number
    data: Mapping[str, object] | None
    raw: str  # what to show when the row cannot be used
    chars: int  # characters of text in the row


def _whole_json(text: str) -> list | None:
    """A JSON array of rows, or an object holding one (``{"articles": [...]}``); None for JSON Lines."""
    stripped = text.lstrip()
    if not stripped.startswith(("[", "{")):
        return None
    first = stripped.split("\n", 1)[0]
    if stripped.startswith("{"):
        try:
            json.loads(first)
            return None  # the first line is a whole object: JSON Lines
        except json.JSONDecodeError:
            pass
    try:
        whole = json.loads(stripped)
    except json.JSONDecodeError as exc:
        if stripped.startswith("{"):
            return None  # let each line say what is wrong with it
        raise PageError(f"not valid JSON ({exc.msg} at line {exc.lineno}).") from None
    if isinstance(whole, dict):
        lists = [v for v in whole.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
        if not lists:
            raise PageError(f"a JSON object with no list of rows in it (keys: {', '.join(list(whole)[:10])}).")
        whole = lists[0]
    return whole if isinstance(whole, list) else None


def _json_rows(text: str) -> Iterator[Row]:
    items = _whole_json(text)
    if items is not None:  # a JSON array of objects
        for no, item in enumerate(items, start=1):
            yield _json_row(no, item, json.dumps(item, ensure_ascii=False))
        return
    for no, line in enumerate(io.StringIO(text), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Row(no, None, f"not valid JSON ({exc.msg}): {line.strip()[:80]}", len(line.strip()))
            continue
        yield _json_row(no, item, line.strip())


def _json_row(no: int, item: object, raw: str) -> Row:
    if not isinstance(item, dict):
        return Row(no, None, f"not a JSON object: {raw[:80]}", len(raw))
    return Row(no, item, raw, sum(len(v) for v in item.values() if isinstance(v, str)))


def _csv_rows(text: str, delimiter: str) -> Iterator[Row]:
    csv.field_size_limit(max(csv.field_size_limit(), len(text)))  # one long article is more than the 128 KB default
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for no, item in enumerate(reader, start=1):
            extra = item.pop(None, None)  # type: ignore[call-overload]
            raw = delimiter.join(str(v) for v in item.values() if v)
            if extra:
                yield Row(no, None, f"more cells than the header has columns: {raw[:80]}", len(raw))
                continue
            yield Row(no, {k: v for k, v in item.items() if k is not None}, raw, sum(len(v or "") for v in item.values()))
    except csv.Error as exc:
        raise PageError(f"not valid CSV ({exc}).") from None


def export_rows(text: str, kind: str) -> Iterator[Row]:
    """Rows of an export: ``kind`` is ``json`` (JSON Lines or an array), ``csv`` or ``tsv``."""
    if kind == "json":
        return _json_rows(text)
    return _csv_rows(text, "\t" if kind == "tsv" else ",")
