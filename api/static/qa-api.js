/*
 * The HTTP API as the widget uses it: streamed /api/ask, an article, starter questions, feedback.
 * Every failure becomes an ApiError whose `kind` picks the message the user sees.
 */
import { sseParser } from "./qa-sse.js";

export class ApiError extends Error {
  /** kind: "network" | "rate" (429) | "loading" (503) | "http" (other 4xx/5xx) | "protocol" (bad stream) */
  constructor(kind, message, { status = 0, code = "", retryAfter = 0 } = {}) {
    super(message);
    this.kind = kind;
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

async function errorFrom(res) {
  let code = "";
  let message = `HTTP ${res.status}`;
  try {
    const body = await res.json();
    code = body?.error?.code || "";
    message = body?.error?.message || message;
  } catch {
    // not JSON: keep the status line
  }
  const kind = res.status === 429 ? "rate" : res.status === 503 ? "loading" : "http";
  const retryAfter = Number(res.headers.get("Retry-After")) || 0;
  return new ApiError(kind, message, { status: res.status, code, retryAfter });
}

export function createClient({ api, apiKey = "" }) {
  async function send(path, { method = "GET", body, accept = "application/json", signal } = {}) {
    const headers = { Accept: accept };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (apiKey) headers.Authorization = `Bearer ${apiKey}`;
    let res;
    try {
      res = await fetch(api + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        mode: "cors",
        credentials: "omit",
      });
    } catch (err) {
      if (err?.name === "AbortError") throw err;
      throw new ApiError("network", String(err?.message || err));
    }
    if (!res.ok) throw await errorFrom(res);
    return res;
  }

  async function json(path, options) {
    const res = await send(path, options);
    try {
      return await res.json();
    } catch {
      throw new ApiError("protocol", `${path}: response is not JSON`);
    }
  }

  /**
   * Ask with streaming: onMeta({question_used}), onDelta(text) per piece; resolves to the full response of the
   * final `done` event. A server that answers with plain JSON instead of a stream is accepted too.
   */
  async function ask({ question, history = [], k }, { onMeta = () => {}, onDelta = () => {}, signal } = {}) {
    const body = { question, history, stream: true };
    if (k) body.k = k;
    const res = await send("/api/ask", { method: "POST", body, accept: "text/event-stream", signal });
    if (!(res.headers.get("Content-Type") || "").includes("text/event-stream") || !res.body) {
      return res.json();
    }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    const feed = sseParser();
    let final = null;
    for (;;) {
      let chunk;
      try {
        chunk = await reader.read();
      } catch (err) {
        if (err?.name === "AbortError") throw err;
        throw new ApiError("network", String(err?.message || err));
      }
      const text = chunk.done ? decoder.decode() : decoder.decode(chunk.value, { stream: true });
      for (const ev of feed(text, chunk.done)) {
        let payload;
        try {
          payload = JSON.parse(ev.data);
        } catch {
          continue; // a non-JSON event is not ours
        }
        if (ev.event === "meta") onMeta(payload);
        else if (ev.event === "delta") onDelta(String(payload?.text ?? ""));
        else if (ev.event === "done") final = payload;
        else if (ev.event === "error") {
          const e = payload?.error || payload || {};
          const kind = e.code === "rate_limited" ? "rate" : "http";
          throw new ApiError(kind, e.message || "stream error", { code: e.code || "" });
        }
      }
      if (chunk.done) break;
    }
    if (!final) throw new ApiError("network", "the answer stream ended before its final event");
    return final;
  }

  return {
    ask,
    article: (id) => json(`/api/articles/${encodeURIComponent(id)}`),
    suggestions: (n = 4) => json(`/api/suggestions?n=${n}`),
    feedback: (payload) => json("/api/feedback", { method: "POST", body: payload }),
  };
}
