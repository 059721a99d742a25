/*
 * DOM building with data as text only. Nothing in the widget assigns innerHTML: every string coming from the
 * server (answers, titles, article bodies) becomes a Text node, so "<img src=x onerror=alert(1)>" is shown as
 * those characters and never parsed.
 */

/**
 * h("button", {class: "x", "aria-label": "发送", onclick: fn}, "发送") -> <button class="x" aria-label="发送">发送</button>
 * Props: class, text, on<event> (listener), boolean true -> empty attribute, null/false -> omitted.
 * Children: nodes, strings (-> Text nodes), arrays, null (skipped).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Inline SVG icon from path data (constants in this codebase, never data). */
export function icon(d, size = 20) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", String(size));
  svg.setAttribute("height", String(size));
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", d);
  path.setAttribute("fill", "currentColor");
  svg.append(path);
  return svg;
}

export const ICONS = {
  chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2zm3 6v2h2v-2H7zm4 0v2h2v-2h-2zm4 0v2h2v-2h-2z",
  close: "M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z",
  send: "M3 20.5 21 12 3 3.5V10l12 2-12 2z",
  copy: "M16 1H4a2 2 0 0 0-2 2v14h2V3h12V1zm3 4H8a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h11a2 2 0 0 0 2-2V7a2 2 0 0 0-2-2zm0 16H8V7h11v14z",
  up: "M2 21h4V9H2v12zm20-11a2 2 0 0 0-2-2h-6.3l1-4.6v-.3a1.5 1.5 0 0 0-.5-1L13.2 1 7.6 6.6A2 2 0 0 0 7 8v11a2 2 0 0 0 2 2h9a2 2 0 0 0 1.8-1.2l3-7.1c.1-.2.2-.5.2-.7v-2z",
  down: "M22 3h-4v12h4V3zM2 14a2 2 0 0 0 2 2h6.3l-1 4.6v.3c0 .4.2.8.5 1l1 1.1 5.6-5.6c.4-.4.6-.9.6-1.4V5a2 2 0 0 0-2-2H6a2 2 0 0 0-1.8 1.2l-3 7.1c-.1.2-.2.5-.2.7v2z",
  plus: "M11 5h2v6h6v2h-6v6h-2v-6H5v-2h6z",
  back: "M15.4 7.4 14 6l-6 6 6 6 1.4-1.4L10.8 12z",
};

/**
 * Split an answer into text and citation markers.
 * splitMarkers("通州[1]和昌平[2]。") -> ["通州", {n: 1}, "和昌平", {n: 2}, "。"]
 */
export function splitMarkers(text) {
  const parts = [];
  let last = 0;
  for (const m of text.matchAll(/\[(\d{1,3})\]/g)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push({ n: Number(m[1]) });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

/** The answer without its [n] markers (refusals, copy text). */
export function stripMarkers(text) {
  return text.replace(/\s*\[\d{1,3}\]/g, "");
}

/**
 * Text nodes around a <mark> for the code-point span [start, end) of `chars` (an Array.from(string)).
 * Offsets from the server are Python str indices, i.e. code points, not UTF-16 units.
 */
export function markSpan(chars, from, to, start, end) {
  return markSpans(chars, from, to, [[start, end]]);
}

/**
 * markSpan for several spans; overlapping or touching spans become one <mark>.
 * markSpans(Array.from("甲乙丙丁"), 0, 4, [[2, 3], [0, 1]]) -> [<mark>甲</mark>, "乙", <mark>丙</mark>, "丁"]
 */
export function markSpans(chars, from, to, spans) {
  const merged = [];
  for (const [start, end] of [...spans].sort((x, y) => x[0] - y[0])) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  const nodes = [];
  let at = from;
  for (const [start, end] of merged) {
    const a = Math.max(at, Math.min(to, start));
    const b = Math.max(a, Math.min(to, end));
    if (b === a) continue;
    if (a > at) nodes.push(chars.slice(at, a).join(""));
    nodes.push(h("mark", {}, chars.slice(a, b).join("")));
    at = b;
  }
  if (to > at) nodes.push(chars.slice(at, to).join(""));
  return nodes;
}

/**
 * The chunk text around its cited sentence, the sentence in a <mark>, at most `context` characters either side.
 * snippetNodes("甲。乙。丙。", "乙。", 1) -> ["…。", <mark>乙。</mark>, "丙…"]
 */
export function snippetNodes(text, snippet, context = 80) {
  const chars = Array.from(text || "");
  const needle = Array.from(snippet || "");
  const at = (text || "").indexOf(snippet || "\u0000");
  if (!needle.length || at < 0) return [h("mark", {}, snippet || text || "")];
  const start = Array.from(text.slice(0, at)).length;
  const end = start + needle.length;
  const from = Math.max(0, start - context);
  const to = Math.min(chars.length, end + context);
  return [from > 0 ? "…" : null, ...markSpan(chars, from, to, start, end), to < chars.length ? "…" : null];
}

/** The reference shown for a citation or related article: the server's label, else the title. */
export function labelOf(c) {
  return String(c?.label || (c?.title ? `《${c.title}》` : "（无标题报道）"));
}

/**
 * Citations grouped by article, in order of first citation.
 * byArticle([{n: 1, article_id: "a"}, {n: 2, article_id: "b"}, {n: 3, article_id: "a"}]) -> [[c1, c3], [c2]]
 */
export function byArticle(citations) {
  const groups = new Map();
  for (const c of citations || []) {
    const key = c.article_id ?? `#${c.n}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(c);
  }
  return [...groups.values()];
}
