/*
 * 工会新闻问答 — the one script tag that puts the chat on a page.
 *
 *   <script src="https://HOST/widget.js" data-api="https://HOST" defer></script>
 *
 * On another site than the API's own, the server must allow that site's origin: RAG_CORS_ORIGINS=https://SITE
 * (comma-separated; by default browsers may call the API only from its own origin).
 *
 * data-api     API base URL (default: where this script came from)
 * data-mode    "bubble" (default: floating launcher + panel) or "page" (inline, fills its container)
 * data-target  CSS selector of the container for page mode (default: <body>)
 * data-api-key bearer key, only if the server requires one for reading (RAG_READ_REQUIRES_KEY)
 * data-title   heading shown in the widget (default 工会新闻问答)
 *
 * This file is a classic script so it can read document.currentScript; everything else is ES modules under
 * /static/ loaded with import(), so nothing lands on window except the `GhnewsQA` namespace below. The UI lives
 * in an open shadow root with its own stylesheet: host-page CSS cannot reach in and ours cannot leak out.
 */
(() => {
  "use strict";
  // currentScript is null only in odd loaders; then the last script whose file is widget.js
  const script = document.currentScript
    || [...document.querySelectorAll("script[src]")].reverse().find((s) => /\/widget\.js(\?|#|$)/.test(s.src));
  if (!script || !script.src) return; // not loaded through a <script src> tag: nothing to configure from

  const ns = (window.GhnewsQA = window.GhnewsQA || { version: "1", instances: [] });
  const src = new URL(script.src, location.href);
  const data = script.dataset;
  // the server's base URL: where /widget.js lives (also when served as /static/widget.js or behind a path prefix)
  const base = new URL(/\/static\/widget\.js$/.test(src.pathname) ? "../" : "./", src);
  const config = {
    api: new URL(data.api || base.href, location.href).href.replace(/\/+$/, ""),
    assets: new URL("static/", base).href,
    mode: data.mode === "page" ? "page" : "bubble",
    title: data.title || "工会新闻问答",
    apiKey: data.apiKey || "",
  };

  function whenReady(fn) {
    if (document.body) fn();
    else document.addEventListener("DOMContentLoaded", fn, { once: true });
  }

  function stylesheet(shadow) {
    // A <link> inside the shadow root is scoped to it; wait for it so the UI never flashes unstyled.
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = config.assets + "widget.css";
    const loaded = new Promise((resolve) => {
      link.addEventListener("load", resolve, { once: true });
      link.addEventListener("error", resolve, { once: true });
    });
    shadow.appendChild(link);
    return loaded;
  }

  whenReady(async () => {
    const host = document.createElement("ghnews-qa");
    host.setAttribute("data-mode", config.mode);
    const target = config.mode === "page" && data.target ? document.querySelector(data.target) : null;
    (target || document.body).appendChild(host);

    const shadow = host.attachShadow({ mode: "open" });
    const [app] = await Promise.all([import(config.assets + "qa-app.js"), stylesheet(shadow)]);
    const instance = app.mount(shadow, config);
    ns.instances.push(instance);
    host.dispatchEvent(new CustomEvent("ghnews-qa:ready", { bubbles: true, composed: true }));
  });
})();
