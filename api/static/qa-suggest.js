/*
 * Starter questions from the corpus: GET /api/suggestions when the server has it, else questions made from
 * article titles ("{title}是怎么回事？"). Any failure gives an empty list; the chat works without them.
 */

const MIN_TITLE = 4;
const MAX_TITLE = 28;

function listOf(body, keys) {
  if (Array.isArray(body)) return body;
  for (const key of keys) if (Array.isArray(body?.[key])) return body[key];
  return [];
}

function shuffle(items) {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** titleQuestions([{title: "昌平区工会第六次代表大会召开"}]) -> ["昌平区工会第六次代表大会召开是怎么回事？"] */
export function titleQuestions(items) {
  const seen = new Set();
  const out = [];
  for (const item of items) {
    const title = String(item?.title || "").replace(/\s+/g, " ").trim().replace(/[。！？!?，,；;：:、]+$/, "");
    const length = Array.from(title).length;
    if (length < MIN_TITLE || length > MAX_TITLE || seen.has(title)) continue;
    seen.add(title);
    out.push(`${title}是怎么回事？`);
  }
  return out;
}

export async function loadSuggestions(client, count = 4) {
  try {
    const list = listOf(await client.suggestions(), ["suggestions", "questions", "items"])
      .map((x) => (typeof x === "string" ? x : x?.question || x?.text || ""))
      .filter(Boolean);
    if (list.length) return list.slice(0, count);
  } catch {
    // no suggestions endpoint: fall back to titles
  }
  try {
    const items = listOf(await client.articles(60), ["items", "articles", "results"]);
    return shuffle(titleQuestions(items)).slice(0, count);
  } catch {
    return [];
  }
}
