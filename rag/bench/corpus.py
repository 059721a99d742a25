"""A synthetic newspaper of any size, made from the seeds' own sentences and vocabulary (pure but for the seed read).

Every synthetic article starts from a seed article (its kind, headings, paragraphs) and varies it: each district
it names becomes another district (consistently within the article), street/town names and reporters change,
every number is redrawn with as many digits (years stay in 2015–2025), some sentences are dropped and some
paragraphs are borrowed from another seed article. Pages are written in the seeds' raw format (``#`` banner,
``##`` titles, kicker/subtitle lines, ``本报讯（记者 …）`` bylines, photo news with ``本报记者 … 摄影报道``,
blank lines, column breaks inside paragraphs) so the real parser runs on them.

Each page comes with its provenance: which seed sentence every generated sentence was made from, so vectors can
be derived from the seed sentences' real embeddings (see :mod:`rag.bench.vectors`).

>>> seeds = load_seeds(Path("seeds"))                                   # doctest: +SKIP
>>> page = next(generate_pages(seeds, seed=1))                          # doctest: +SKIP
>>> page.text.splitlines()[1]                                           # doctest: +SKIP
'# 深入学习贯彻党的二十大精神 奋力开拓首都工会工作新局面'
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rag.ingest.gazetteer import DISTRICTS, find_places
from rag.ingest.pages import PageText, read_page
from rag.ingest.parse import parse_page
from rag.ingest.sentences import ends_sentence, sentence_spans

_ALIASES = {alias: name for name, aliases in DISTRICTS.items() for alias in (name, *aliases) if len(alias) >= 2}
_DISTRICT_RE = re.compile("|".join(sorted(map(re.escape, _ALIASES), key=len, reverse=True)))
_NUMBER = re.compile(r"\d+")
_BYLINE = re.compile(r"^本报讯（([^）]*)）")
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏建林文辉力宇浩然欣怡思雨晨阳博轩子涵佳琪梓萱雅婷昊天晓东立新志国海燕春梅"
_STREETS = ("八里庄", "朝外", "陶然亭", "西长安街", "拱辰", "梨园", "永顺", "回龙观", "天通苑", "望京", "中关村", "学院路",
            "大红门", "卢沟桥", "苹果园", "大栅栏", "和平里", "亚运村", "酒仙桥", "潘家园", "双井", "劲松", "首都机场",
            "马坡", "南法信", "宋庄", "台湖", "西红门", "黄村", "长阳", "良乡", "城关", "雁栖", "穆家峪", "溪翁庄", "康庄")


@dataclass(frozen=True)
class SeedArticle:
    kind: str
    title: str
    subtitle: str
    kicker: str
    paragraphs: tuple[tuple[int, ...], ...]  # sentence ids per paragraph
    credit: str  # the byline's credit ("记者 周美玉 通讯员 …") or the photo credit line


@dataclass
class Seeds:
    """Sentences (``sentences[id]``) and article skeletons of the seed pages, plus their vocabulary."""

    sentences: list[str]
    articles: list[SeedArticle]
    banners: list[str]
    places: list[str]
    titles: list[str] = field(default_factory=list)  # titles[i] is seed article i's title

    @property
    def texts_to_embed(self) -> list[str]:
        """Every seed sentence, then every seed heading: the real vectors the synthetic ones are mixed from."""
        return [*self.sentences, *(f"{a.title} {a.subtitle}".strip() for a in self.articles)]


def load_seeds(seeds_dir: Path) -> Seeds:
    sentences: list[str] = []
    ids: dict[str, int] = {}
    articles: list[SeedArticle] = []
    banners: list[str] = []
    places: set[str] = set(f"{s}街道" for s in _STREETS)
    for path in sorted(Path(seeds_dir).glob("*.txt")):
        page = read_page(path)
        banners.extend(line.lstrip("# ").strip() for line in page.text.splitlines() if line.startswith("# "))
        for article in parse_page(page.text, page.source):
            places.update(find_places(article.body))
            paragraphs = []
            for a, b in article.paragraphs:
                para = []
                for s, e in sentence_spans(article.body, a, b):
                    text = article.body[s:e]
                    para.append(ids.setdefault(text, len(ids)))
                    if para[-1] == len(sentences):
                        sentences.append(text)
                paragraphs.append(tuple(para))
            if article.kind == "photo":
                credit = article.body[article.paragraphs[-1][0] : article.paragraphs[-1][1]]
                paragraphs = paragraphs[:-1]
            else:
                m = _BYLINE.match(article.body)
                credit = m.group(1) if m else ""
            articles.append(SeedArticle(article.kind, article.title, article.subtitle, article.kicker,
                                        tuple(p for p in paragraphs if p), credit))
    return Seeds(sentences, articles, banners or ["工会新闻"], sorted(places), [a.title for a in articles])


@dataclass(frozen=True)
class SyntheticPage:
    """A page in raw format and, for every sentence and heading on it, the seed it was made from."""

    page: PageText
    sentence_seed: dict[str, int]  # generated sentence text -> seed sentence id
    title_seed: dict[str, int]  # generated title -> seed article id

    @property
    def text(self) -> str:
        return self.page.text


class _Variation:
    """One article's consistent rewrite: district -> district, street -> street, numbers redrawn."""

    def __init__(self, rng: random.Random, seeds: Seeds) -> None:
        self.rng = rng
        names = list(DISTRICTS)
        self.districts: dict[str, str] = {}
        self.places: dict[str, str] = {}
        self._names = names
        self._seeds = seeds

    def district(self, alias: str) -> str:
        name = _ALIASES[alias]
        target = self.districts.setdefault(name, self.rng.choice(self._names))
        # keep the written form: a short alias stays short ("昌平" -> "大兴")
        return target if alias == name else (DISTRICTS[target][0] if DISTRICTS[target] else target)

    def number(self, m: re.Match[str]) -> str:
        digits = m.group(0)
        if len(digits) == 4 and digits.startswith(("19", "20")):
            return str(self.rng.randint(2015, 2025))
        if len(digits) == 1:
            return str(self.rng.randint(1, 9))
        return str(self.rng.randint(10 ** (len(digits) - 1), 10 ** len(digits) - 1))

    def __call__(self, text: str) -> str:
        text = _DISTRICT_RE.sub(lambda m: self.district(m.group(0)), text)
        for place in self._seeds.places:
            if place in text:
                text = text.replace(place, self.places.setdefault(place, self.rng.choice(self._seeds.places)))
        return _NUMBER.sub(self.number, text)


def person(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _credit(rng: random.Random, kind: str) -> str:
    if kind == "photo":
        return f"本报记者 {person(rng)} 摄影报道"
    credit = f"记者 {person(rng)}"
    if rng.random() < 0.4:
        credit += " 通讯员 " + " ".join(person(rng) for _ in range(rng.choice((1, 1, 2))))
    return credit


def _column_break(rng: random.Random, line: str) -> list[str]:
    """Split a paragraph line mid-sentence the way a page's columns do (the parser joins it back)."""
    if len(line) < 60 or rng.random() > 0.2:
        return [line]
    for _ in range(5):
        cut = rng.randint(20, len(line) - 20)
        head, tail = line[:cut], line[cut:]
        if not ends_sentence(head) and not head.endswith((" ", "（")) and not tail.startswith((" ", "）")):
            return [head, tail]
    return [line]


def _article_lines(rng: random.Random, seeds: Seeds, idx: int, sentence_seed: dict[str, int],
                   title_seed: dict[str, int]) -> list[str]:
    art = seeds.articles[idx]
    vary = _Variation(rng, seeds)
    paragraphs = list(art.paragraphs)
    if art.kind == "news" and len(paragraphs) > 2 and rng.random() < 0.3:
        # borrow a paragraph from another news article (not its byline paragraph)
        other = rng.choice([a for a in seeds.articles if a.kind == "news" and len(a.paragraphs) > 1])
        paragraphs.insert(rng.randint(1, len(paragraphs)), rng.choice(other.paragraphs[1:]))
    body: list[str] = []
    for n, para in enumerate(paragraphs):
        kept = [s for i, s in enumerate(para) if (n == 0 and i == 0) or rng.random() > 0.1]
        sentences = []
        for sid in kept:
            text = vary(seeds.sentences[sid])
            if n == 0 and sid == kept[0] and art.kind == "news":
                text = _BYLINE.sub(f"本报讯（{_credit(rng, 'news')}）", text)
            sentence_seed.setdefault(text, sid)
            sentences.append(text)
        if sentences:
            body.append("".join(sentences))
    title = vary(art.title)
    title_seed.setdefault(title, idx)
    if art.kind == "photo":
        return [title, *body, _credit(rng, "photo")]
    lines = []
    if art.kicker:
        lines.append(vary(art.kicker))
    lines.append(f"## {title}" if rng.random() < 0.7 else title)
    if art.subtitle:
        lines.append(vary(art.subtitle))
    lines.append(body[0])
    for para in body[1:]:
        lines.extend(_column_break(rng, para))
    return lines


def generate_pages(seeds: Seeds, seed: int = 0, articles_per_page: tuple[int, int] = (5, 8)) -> Iterator[SyntheticPage]:
    """An endless, reproducible stream of synthetic pages (``seed`` fixes it)."""
    rng = random.Random(seed)
    n = 0
    while True:
        sentence_seed: dict[str, int] = {}
        title_seed: dict[str, int] = {}
        lines = ["", f"# {rng.choice(seeds.banners)}"]
        for _ in range(rng.randint(*articles_per_page)):
            idx = rng.randrange(len(seeds.articles))
            lines.append("")
            lines.extend(_article_lines(rng, seeds, idx, sentence_seed, title_seed))
        text = "\n\n".join(lines) + "\n"
        yield SyntheticPage(PageText(f"syn_{seed}_{n:07d}.txt", text, "utf-8"), sentence_seed, title_seed)
        n += 1
