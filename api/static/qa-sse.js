/*
 * Server-sent events parser for a fetch() body (EventSource cannot POST).
 *
 *   const feed = sseParser();
 *   feed("event: delta\ndata: {\"text\":\"通\"}\n\nevent: del")  -> [{event: "delta", data: "{\"text\":\"通\"}"}]
 *   feed("ta\ndata: {}\n\n")                                    -> [{event: "delta", data: "{}"}]
 *
 * Lines end in \n or \r\n; ":" lines are comments (keep-alive pings); several data lines join with \n;
 * an event without an "event:" field is a "message". Pass done=true on the last call to flush.
 */
export function sseParser() {
  let buffer = "";
  let event = "";
  let data = [];

  return function feed(text, done = false) {
    buffer += text;
    const lines = buffer.split("\n");
    buffer = done ? "" : lines.pop();
    if (done) lines.push("");
    const events = [];
    for (const raw of lines) {
      const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      if (line === "") {
        if (data.length) events.push({ event: event || "message", data: data.join("\n") });
        event = "";
        data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    return events;
  };
}
