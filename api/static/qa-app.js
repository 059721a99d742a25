/*
 * The chat: header, conversation log, composer, starter questions, the side panel, and in bubble mode the
 * launcher that opens and closes it. mount(shadowRoot, config) is called by widget.js.
 *
 * Keyboard: Enter sends, Shift+Enter is a newline (Enter that confirms an IME composition does neither),
 * Esc closes the side panel, else the bubble, and focus goes back to what opened it.
 */
import { createClient } from "./qa-api.js";
import { h, icon, ICONS } from "./qa-dom.js";
import { botMessage, userMessage } from "./qa-messages.js";
import { createSidePanel } from "./qa-side.js";
import { loadSuggestions } from "./qa-suggest.js";

const MAX_HISTORY = 12; // messages (six turns) sent with a follow-up
const MAX_QUESTION = 500;

export function mount(shadow, config) {
  const client = createClient(config);
  const bubble = config.mode !== "page";
  const root = h("div", { class: "qa-root", "data-mode": config.mode });
  const side = createSidePanel({ client, onHide: () => root.classList.remove("side-open") });

  const input = h("textarea", { id: "qa-input", class: "input", rows: "1", maxlength: String(MAX_QUESTION),
    placeholder: "输入问题，Enter 发送", "aria-describedby": "qa-input-hint", autocomplete: "off" });
  const sendBtn = h("button", { type: "submit", class: "send", "aria-label": "发送问题" }, icon(ICONS.send));
  const form = h("form", { class: "composer" },
    h("label", { class: "sr-only", for: "qa-input" }, "输入你的问题"),
    h("span", { class: "sr-only", id: "qa-input-hint" }, "按 Enter 发送，Shift+Enter 换行"), input, sendBtn);

  const suggestions = h("ul", { class: "suggestions", "aria-labelledby": "qa-suggest-label" });
  const welcome = h("div", { class: "welcome" },
    h("p", { class: "intro" }, "你好！我根据已收录的工会新闻报道回答问题，每句回答都标注来源，点击 [1] 这样的标记即可查看原文。"),
    h("p", { class: "suggest-label", id: "qa-suggest-label", hidden: true }, "可以这样问："),
    suggestions);
  const log = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": "对话记录" });
  const scroller = h("div", { class: "scroll" }, welcome, log);

  const newChat = h("button", { type: "button", class: "text-btn new-chat", "aria-label": "开始新对话" },
    icon(ICONS.plus, 18), h("span", { class: "label" }, "新对话"));
  const closeBtn = bubble
    ? h("button", { type: "button", class: "icon-btn close", "aria-label": "关闭问答窗口" }, icon(ICONS.close))
    : null;
  const header = h("header", { class: "bar" },
    h(bubble ? "h2" : "h1", { class: "title", id: "qa-title" }, config.title), newChat, closeBtn);
  const panel = h("section", { class: "panel", id: "qa-panel", role: bubble ? "dialog" : "region",
    "aria-labelledby": "qa-title", hidden: bubble },
  header, h("div", { class: "body" }, h("div", { class: "chat" }, scroller, form), side.el));
  const launcher = bubble
    ? h("button", { type: "button", class: "launcher", "aria-label": "打开工会新闻问答", "aria-expanded": "false",
      "aria-controls": "qa-panel" }, icon(ICONS.chat, 28))
    : null;
  root.append(...[launcher, panel].filter(Boolean));
  shadow.append(root);

  // conversation --------------------------------------------------------------------------------------------
  let history = [];
  let inflight = null; // AbortController of the request being answered

  function scrollToEnd(force) {
    const nearEnd = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
    if (force || nearEnd) scroller.scrollTop = scroller.scrollHeight;
  }

  function setBusy(busy) {
    sendBtn.disabled = busy;
    root.toggleAttribute("data-busy", busy);
  }

  async function run(question, past) {
    const controller = new AbortController();
    inflight = controller;
    setBusy(true);
    const msg = botMessage({
      question,
      openCitations: (citations, n, trigger) => {
        root.classList.add("side-open");
        side.showCitations(citations, n, trigger);
      },
      openArticle: (id, trigger) => {
        root.classList.add("side-open");
        side.showArticle(id, null, trigger);
      },
      sendFeedback: (payload) => client.feedback(payload),
      retry: () => {
        if (inflight) return;
        msg.el.remove();
        run(question, past);
      },
    });
    log.append(msg.el);
    scrollToEnd(true);
    try {
      const res = await client.ask({ question, history: past }, {
        onMeta: msg.meta,
        onDelta: (text) => {
          msg.delta(text);
          scrollToEnd(false);
        },
        signal: controller.signal,
      });
      msg.finish(res);
      history.push({ role: "user", content: question }, { role: "assistant", content: String(res.answer || "") });
    } catch (err) {
      if (err?.name === "AbortError") return;
      msg.fail(err);
    } finally {
      if (inflight === controller) {
        inflight = null;
        setBusy(false);
      }
      scrollToEnd(false);
    }
  }

  function ask(text) {
    const question = String(text || "").trim().slice(0, MAX_QUESTION);
    if (!question || inflight) return false;
    welcome.hidden = true;
    log.append(userMessage(question));
    run(question, history.slice(-MAX_HISTORY));
    return true;
  }

  function resetConversation() {
    inflight?.abort();
    inflight = null;
    setBusy(false);
    history = [];
    log.replaceChildren();
    welcome.hidden = false;
    if (side.isOpen()) side.hide();
    input.value = "";
    autosize();
    input.focus();
  }

  // suggestions -----------------------------------------------------------------------------------------------
  let suggestionsLoaded = false;
  let suggestionAttempts = 0;
  async function showSuggestions() {
    if (suggestionsLoaded) return;
    suggestionsLoaded = true;
    const questions = await loadSuggestions(client);
    if (!questions.length) {
      // e.g. 503 while the index loads: try again (page) or on the next open (bubble)
      suggestionsLoaded = false;
      if (!bubble && ++suggestionAttempts < 5) setTimeout(showSuggestions, 3000);
      return;
    }
    suggestions.replaceChildren(...questions.map((q) => h("li", {}, h("button", {
      type: "button", class: "suggestion", "aria-label": `提问：${q}`, onclick: () => ask(q),
    }, q))));
    shadow.getElementById("qa-suggest-label").hidden = false;
  }

  // composer --------------------------------------------------------------------------------------------------
  function autosize() {
    input.style.height = "auto";
    if (input.scrollHeight) input.style.height = `${Math.min(input.scrollHeight, 160)}px`; // 0 while hidden
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (ask(input.value)) {
      input.value = "";
      autosize();
    }
  });
  input.addEventListener("input", autosize);
  input.addEventListener("keydown", (e) => {
    if (e.key !== "Enter" || e.shiftKey || e.isComposing || e.keyCode === 229) return;
    e.preventDefault();
    form.requestSubmit();
  });
  newChat.addEventListener("click", resetConversation);

  // bubble ----------------------------------------------------------------------------------------------------
  function setLauncher(opened) {
    launcher.setAttribute("aria-expanded", String(opened));
    launcher.setAttribute("aria-label", opened ? "收起工会新闻问答" : "打开工会新闻问答");
    launcher.replaceChildren(icon(opened ? ICONS.close : ICONS.chat, 28));
  }

  function open() {
    if (!bubble) return;
    panel.hidden = false;
    setLauncher(true);
    root.classList.add("open");
    input.focus();
    showSuggestions();
  }

  function close() {
    if (!bubble) return;
    panel.hidden = true;
    setLauncher(false);
    root.classList.remove("open");
    launcher.focus();
  }

  root.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || e.isComposing) return;
    if (side.isOpen()) side.hide();
    else if (bubble && !panel.hidden) close();
    else return;
    e.preventDefault();
  });
  if (bubble) {
    launcher.addEventListener("click", () => (panel.hidden ? open() : close()));
    closeBtn.addEventListener("click", close);
  } else {
    showSuggestions();
  }

  return { open, close, ask, reset: resetConversation, root };
}
