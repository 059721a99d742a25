/*
 * Chat messages. A bot message streams plain text while deltas arrive, then is redrawn from the final response:
 * the fact first (`short_answer`, when the server gives one), the cited answer with clickable [n] markers below
 * it and its sources, one line per article; or a refusal (no markers, related articles as plain links); or a
 * friendly error with a retry button. Text is shown as the server returned it (a Traditional question gets its
 * Traditional answer).
 */
import { byArticle, h, icon, ICONS, labelOf, splitMarkers, stripMarkers } from "./qa-dom.js";

const ERRORS = {
  network: "网络连接出现问题，暂时没能拿到回答。请检查网络后重试。",
  rate: "提问有点频繁，请稍等片刻再试。",
  loading: "问答服务正在准备中，请稍后再试。",
  protocol: "回答传输中断了，请重试。",
  http: "抱歉，这个问题暂时无法处理。",
};

export function userMessage(text) {
  return h("div", { class: "msg user" }, h("span", { class: "sr-only" }, "我的问题："), h("p", { class: "text" }, text));
}

/**
 * ctx: {question, openCitations(citations, n, trigger), openArticle(id, trigger), sendFeedback(payload), retry()}
 */
export function botMessage(ctx) {
  const who = h("div", { class: "who" }, "回答");
  const note = h("p", { class: "rewrite", hidden: true });
  const fact = h("p", { class: "fact", hidden: true });
  const answer = h("div", { class: "answer", "aria-busy": "true" },
    h("span", { class: "typing" }, "正在查找相关报道…"));
  const el = h("div", { class: "msg bot", "data-state": "streaming" }, who, note, fact, answer);
  let started = false;

  function meta(m) {
    const used = String(m?.question_used || "");
    if (used && used !== ctx.question) {
      note.textContent = `按“${used}”理解`;
      note.hidden = false;
    }
  }

  function delta(text) {
    if (!started) {
      started = true;
      answer.replaceChildren();
    }
    answer.append(document.createTextNode(text));
  }

  function citeButton(c, citations) {
    return h("button", {
      type: "button", class: "cite", "data-n": c.n, "aria-label": `查看来源 ${c.n}：${labelOf(c)}`,
      onclick: (e) => ctx.openCitations(citations, c.n, e.currentTarget),
    }, `[${c.n}]`);
  }

  // a typed answer opens with its fact ("一等奖[1]。…"), shown large above: the cited lines start after it
  function withoutLead(text, short) {
    const m = text.startsWith(short) ? text.slice(short.length).match(/^((?:\[\d+\])+)[。；，]?/) : null;
    const rest = m ? text.slice(short.length + m[0].length) : "";
    return rest.trim() ? rest : text;
  }

  function answerNodes(res, byN) {
    return splitMarkers(String(res.answer || "")).map((part) => {
      if (typeof part === "string") return part;
      const c = byN.get(part.n);
      return c ? citeButton(c, res.citations) : "";
    });
  }

  function sourcesList(res) {
    // one line per article, with every marker that cites it: "[1][3] 人民网 · 2023年7月28日 · 《…》"
    const items = byArticle(res.citations).map((group) => {
      const ns = group.map((c) => c.n);
      return h("li", {}, h("button", {
        type: "button", class: "source-link", "data-n": ns.join(" "),
        "aria-label": `查看来源 ${ns.join("、")}：${labelOf(group[0])}`,
        onclick: (e) => ctx.openCitations(res.citations, ns[0], e.currentTarget),
      }, `${ns.map((n) => `[${n}]`).join("")} ${labelOf(group[0])}`));
    });
    return h("div", { class: "sources" }, h("p", { class: "sources-label" }, "来源"), h("ul", {}, items));
  }

  function relatedList(res) {
    const items = (res.related || []).map((r) => h("li", {}, h("button", {
      type: "button", class: "related-link", "aria-label": `阅读相关报道：${labelOf(r)}`,
      onclick: (e) => ctx.openArticle(r.article_id, e.currentTarget),
    }, labelOf(r))));
    if (!items.length) return null;
    return h("div", { class: "related" }, h("p", { class: "related-label" }, "可以看看这些相关报道："), h("ul", {}, items));
  }

  function actions(res, text) {
    const status = h("span", { class: "action-status", role: "status" });
    const copy = h("button", { type: "button", class: "icon-btn copy", "aria-label": "复制回答", title: "复制回答" },
      icon(ICONS.copy, 18));
    copy.addEventListener("click", async () => {
      status.textContent = (await copyText(el, text)) ? "已复制" : "复制失败，请手动选择文字";
    });
    const rate = (rating, label, iconPath) => h("button", {
      type: "button", class: `icon-btn rate rate-${rating}`, "aria-label": label, title: label, "aria-pressed": "false",
      onclick: async (e) => {
        const btn = e.currentTarget;
        for (const b of el.querySelectorAll(".rate")) b.disabled = true;
        btn.setAttribute("aria-pressed", "true");
        try {
          await ctx.sendFeedback({ question: ctx.question, answer: String(res.answer || ""), rating,
            citations: res.citations.map(({ n, article_id, chunk_id, start, end }) => ({ n, article_id, chunk_id, start, end })) });
          status.textContent = "感谢反馈！";
        } catch {
          status.textContent = "反馈没有发送成功，请稍后再试。";
          btn.setAttribute("aria-pressed", "false");
          for (const b of el.querySelectorAll(".rate")) b.disabled = false;
        }
      },
    }, icon(iconPath, 18));
    return h("div", { class: "actions" }, copy, rate("up", "回答有帮助", ICONS.up), rate("down", "回答没有帮助", ICONS.down), status);
  }

  function finish(res) {
    started = true;
    el.dataset.state = "done";
    answer.removeAttribute("aria-busy");
    const citations = Array.isArray(res.citations) ? res.citations : [];
    res = { ...res, citations };
    if (res.answerable === false) {
      el.classList.add("refusal");
      who.textContent = "未找到答案";
      const text = stripMarkers(String(res.answer || "未在已收录的报道中找到相关信息。"));
      answer.replaceChildren(h("p", {}, text));
      el.append(...[relatedList(res), actions(res, text)].filter(Boolean));
      return;
    }
    const byN = new Map(citations.map((c) => [c.n, c]));
    const short = String(res.short_answer ?? "").trim();
    if (short) {
      fact.textContent = short;
      fact.hidden = false;
      answer.classList.add("evidence");
    }
    const shown = short ? withoutLead(String(res.answer || ""), short) : res.answer;
    answer.replaceChildren(h("p", {}, answerNodes({ ...res, answer: shown }, byN)));
    const sources = byArticle(citations).map((g) => `${g.map((c) => `[${c.n}]`).join("")} ${labelOf(g[0])}`);
    const copyBody = [String(res.answer || ""), ...sources].join("\n");
    el.append(...[citations.length ? sourcesList(res) : null, actions(res, copyBody)].filter(Boolean));
  }

  function fail(err) {
    el.dataset.state = "error";
    el.classList.add("error");
    answer.removeAttribute("aria-busy");
    who.textContent = "出错了";
    let text = ERRORS[err?.kind] || ERRORS.network;
    if (err?.kind === "rate" && err.retryAfter) text = `提问有点频繁，请约 ${err.retryAfter} 秒后再试。`;
    const retry = h("button", { type: "button", class: "retry", "aria-label": "重试这个问题", onclick: ctx.retry }, "重试");
    answer.replaceChildren(h("p", { role: "alert" }, text), retry);
    return retry;
  }

  return { el, meta, delta, finish, fail };
}

async function copyText(el, text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // clipboard API refused (insecure origin, permissions): select a hidden textarea and copy that
    const area = h("textarea", { class: "sr-only", "aria-hidden": "true", tabindex: "-1" });
    area.value = text;
    el.append(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch {
      ok = false;
    }
    area.remove();
    return ok;
  }
}
