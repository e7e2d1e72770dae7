/** Text as HTML (element content and quoted attribute values alike). Every user value goes through it. */
export function escapeHtml(value: unknown): string {
  return String(value ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** A cell: HTML already escaped, optionally with CSS classes. */
type Cell = string | { html: string; classes: readonly string[] };

/** A table from already-escaped cells (the header is escaped here). */
export function htmlTable(header: readonly string[], rows: readonly (readonly Cell[])[], cls = ""): string {
  const head = header.map((cell) => `<th>${escapeHtml(cell)}</th>`).join("");
  const td = (cell: Cell) =>
    typeof cell === "string"
      ? `<td>${cell}</td>`
      : `<td${cell.classes.length ? ` class="${cell.classes.join(" ")}"` : ""}>${cell.html}</td>`;
  const body = rows.map((row) => `<tr>${row.map(td).join("")}</tr>`).join("\n");
  return `<table${cls ? ` class="${cls}"` : ""}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** A status badge: `ok`, `fail` or `skip`, with its text escaped. */
export function badge(kind: "ok" | "fail" | "skip", text: string): string {
  return `<span class="badge ${kind}">${escapeHtml(text)}</span>`;
}
