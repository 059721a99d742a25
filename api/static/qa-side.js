/*
 * The side panel: the citations of one answer (title, page, chunk with the cited sentence in a <mark>) and the
 * full article (GET /api/articles/{id}) with the cited span [start, end) marked and scrolled into view.
 * Beside the chat on a wide page, over it in the bubble and on phones.
 */
import { h, icon, ICONS, markSpan, snippetNodes } from "./qa-dom.js";

function articleParagraphs(article, span) {
  const chars = Array.from(article.body || "");
  let paras = Array.isArray(article.paragraphs) ? article.paragraphs.filter((p) => Array.isArray(p)) : [];
  if (!paras.length) paras = [[0, chars.length]];
  const [start, end] = span || [-1, -1];
  return paras.map(([from, to]) => h("p", {}, span ? markSpan(chars, from, to, start, end) : chars.slice(from, to).join("")));
}

function metaLine(article) {
  const parts = [`来源：${article.source || "未知版面"}`];
  const people = [].concat(article.reporters || []);
  if (people.length) parts.push(`记者：${people.join("、")}`);
  const districts = [].concat(article.districts || []);
  if (districts.length) parts.push(`涉及：${districts.join("、")}`);
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

  function citationCard(c, active) {
    const heading = h("h3", { class: "cite-title", tabindex: "-1" }, c.title || "（无标题）");
    const openBtn = h("button", {
      type: "button", class: "text-btn open-article", "aria-label": `打开原文：${c.title || ""}`,
      onclick: (e) => showArticle(c.article_id, [c.start, c.end], e.currentTarget, true),
    }, "打开原文");
    return h("li", { class: `citation${active ? " active" : ""}`, "data-n": c.n },
      h("div", { class: "cite-head" }, h("span", { class: "cite-n" }, `[${c.n}]`), heading),
      h("p", { class: "cite-source" }, `来源：${c.source || "未知版面"}`),
      h("blockquote", { class: "cite-snippet" }, snippetNodes(c.text, c.snippet)),
      openBtn);
  }

  function showCitations(list, n, from) {
    loading++;
    citations = list || [];
    open(from);
    title.textContent = "引用来源";
    back.hidden = true;
    const cards = citations.map((c) => citationCard(c, c.n === n));
    content.replaceChildren(h("ol", { class: "citations" }, cards));
    const active = cards.find((card) => card.classList.contains("active")) || cards[0];
    const focusTarget = active?.querySelector(".cite-title") || title;
    focusTarget.focus({ preventScroll: true });
    active?.scrollIntoView({ block: "nearest" });
  }

  async function showArticle(id, span, from, fromCitations = false) {
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
        onclick: () => showArticle(id, span, null, fromCitations) }, "重试");
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
      h("div", { class: "article-body" }, articleParagraphs(article, span))));
    heading.focus({ preventScroll: true });
    const mark = content.querySelector("mark");
    if (mark) mark.scrollIntoView({ block: "center" });
    else content.scrollTop = 0;
  }

  back.addEventListener("click", () => showCitations(citations, null));
  close.addEventListener("click", hide);

  return { el, showCitations, showArticle, hide, isOpen: () => !el.hidden };
}
