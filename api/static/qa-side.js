/*
 * The side panel: the citations of one answer, one card per article (its reference label, then each cited
 * sentence with its [n], in a <mark> inside the chunk around it; the file only in the details), and the full
 * article (GET /api/articles/{id}) with the cited spans marked and the first scrolled into view.
 * Beside the chat on a wide page, over it in the bubble and on phones.
 */
import { byArticle, h, icon, ICONS, labelOf, markSpans, snippetNodes } from "./qa-dom.js";

function articleParagraphs(article, spans) {
  const chars = Array.from(article.body || "");
  let paras = Array.isArray(article.paragraphs) ? article.paragraphs.filter((p) => Array.isArray(p)) : [];
  if (!paras.length) paras = [[0, chars.length]];
  return paras.map(([from, to]) => h("p", {}, markSpans(chars, from, to, spans || [])));
}

function metaLine(article) {
  const parts = [article.publisher, article.date, article.section].filter(Boolean);
  const people = [].concat(article.reporters || []);
  if (people.length) parts.push(`记者：${people.join("、")}`);
  const places = [].concat(article.regions?.length ? article.regions : article.districts || []);
  if (places.length) parts.push(`涉及：${places.join("、")}`);
  return parts.join(" · ");
}

export function createSidePanel({ client, onHide }) {
  const title = h("h2", { class: "side-title", id: "qa-side-title", tabindex: "-1" }, "引用来源");
  const back = h("button", { type: "button", class: "text-btn side-back", "aria-label": "返回来源列表", hidden: true },
    icon(ICONS.back, 18), "来源列表");
  const close = h("button", { type: "button", class: "icon-btn side-close", "aria-label": "关闭来源面板" },
    icon(ICONS.close));
  const content = h("div", { class: "side-content" });
  const el = h("aside", { class: "side", hidden: true, "aria-labelledby": "qa-side-title" },
    h("div", { class: "side-bar" }, back, title, close), content);

  let citations = [];
  let trigger = null; // element to refocus when the panel closes
  let loading = 0; // guards against a slow article response overwriting a newer view

  function open(from) {
    if (from) trigger = from;
    el.hidden = false;
  }

  function hide() {
    loading++;
    el.hidden = true;
    onHide?.();
    if (trigger?.isConnected) trigger.focus();
    trigger = null;
  }

  /** One article and every sentence of it the answer cites. */
  function citationCard(group, n) {
    const first = group[0];
    const ns = group.map((c) => c.n);
    const heading = h("h3", { class: "cite-title", tabindex: "-1" }, labelOf(first));
    const spans = group.map((c) => [c.start, c.end]);
    const openBtn = h("button", {
      type: "button", class: "text-btn open-article", "aria-label": `打开原文：${first.title || labelOf(first)}`,
      onclick: (e) => showArticle(first.article_id, spans, e.currentTarget, true),
    }, "打开原文");
    const several = group.length > 1; // then each sentence carries its own number
    const quotes = group.map((c) => h("blockquote", { class: `cite-snippet${several && c.n === n ? " active" : ""}`,
      "data-n": c.n }, several ? [h("span", { class: "cite-n" }, `[${c.n}]`), " "] : null, snippetNodes(c.text, c.snippet)));
    const file = h("details", { class: "cite-file" }, h("summary", {}, "文件信息"),
      h("p", {}, `${first.source || "未知文件"} · ${group.map((c) => `第 ${c.start}–${c.end} 字`).join("，")}`));
    return h("li", { class: `citation${ns.includes(n) ? " active" : ""}`, "data-n": ns.join(" ") },
      h("div", { class: "cite-head" }, h("span", { class: "cite-n" }, ns.map((x) => `[${x}]`).join("")), heading),
      quotes, h("div", { class: "cite-foot" }, openBtn, file));
  }

  function showCitations(list, n, from) {
    loading++;
    citations = list || [];
    open(from);
    title.textContent = "引用来源";
    back.hidden = true;
    const cards = byArticle(citations).map((group) => citationCard(group, n));
    content.replaceChildren(h("ol", { class: "citations" }, cards));
    const active = cards.find((card) => card.classList.contains("active")) || cards[0];
    const focusTarget = active?.querySelector(".cite-title") || title;
    focusTarget.focus({ preventScroll: true });
    active?.scrollIntoView({ block: "nearest" });
  }

  async function showArticle(id, spans, from, fromCitations = false) {
    const token = ++loading;
    open(from);
    title.textContent = "原文";
    back.hidden = !fromCitations;
    content.replaceChildren(h("p", { class: "status", role: "status" }, "正在加载原文…"));
    let article;
    try {
      article = await client.article(id);
    } catch {
      if (token !== loading) return;
      const retry = h("button", { type: "button", class: "text-btn", "aria-label": "重新加载原文",
        onclick: () => showArticle(id, spans, null, fromCitations) }, "重试");
      content.replaceChildren(h("p", { class: "status error", role: "alert" }, "原文加载失败，请稍后重试。 ", retry));
      return;
    }
    if (token !== loading) return;
    const heading = h("h3", { class: "article-title", tabindex: "-1" }, article.title || "（无标题）");
    content.replaceChildren(h("article", { class: "article", "data-article-id": article.id || id },
      article.kicker ? h("p", { class: "kicker" }, article.kicker) : null,
      heading,
      article.subtitle ? h("p", { class: "subtitle" }, article.subtitle) : null,
      h("p", { class: "article-meta" }, metaLine(article)),
      h("div", { class: "article-body" }, articleParagraphs(article, spans)),
      h("p", { class: "article-file" }, `文件：${article.source || "未知"}`)));
    heading.focus({ preventScroll: true });
    const mark = content.querySelector("mark");
    if (mark) mark.scrollIntoView({ block: "center" });
    else content.scrollTop = 0;
  }

  back.addEventListener("click", () => showCitations(citations, null));
  close.addEventListener("click", hide);

  return { el, showCitations, showArticle, hide, isOpen: () => !el.hidden };
}
