/*
 * Starter questions from the corpus: GET /api/suggestions (questions about the newest articles). Any failure
 * gives an empty list; the chat works without them.
 */

function listOf(body) {
  if (Array.isArray(body)) return body;
  return Array.isArray(body?.questions) ? body.questions : [];
}

/** questionsOf({questions: [{question: "甲？"}, "乙？", {}]}) -> ["甲？", "乙？"] */
export function questionsOf(body) {
  return listOf(body).map((x) => String(typeof x === "string" ? x : x?.question || "").trim()).filter(Boolean);
}

export async function loadSuggestions(client, count = 4) {
  try {
    return questionsOf(await client.suggestions(count)).slice(0, count);
  } catch {
    return [];
  }
}
