import { escapeHtml } from "./html.js";

interface ClientLatency {
  client: string;
  connectMs: number | undefined;
  joinMs: number | undefined;
  /** null: the message never arrived. */
  echoMs: number | null | undefined;
}

const PHASES = [
  { key: "connectMs", label: "connect", color: "#4c78a8" },
  { key: "joinMs", label: "join", color: "#72b7b2" },
  { key: "echoMs", label: "echo", color: "#f58518" },
] as const;

const ROW = 18;
const LABEL = 90;
const WIDTH = 520;

/**
 * Per client, its connect, join and echo times as one stacked horizontal bar (inline SVG, no
 * script). A message that never arrived is drawn as a red mark. Pure.
 */
export function latencyChart(clients: readonly ClientLatency[], title: string): string {
  if (clients.length === 0) return "";
  const total = (c: ClientLatency) => (c.connectMs ?? 0) + (c.joinMs ?? 0) + (c.echoMs ?? 0);
  const max = Math.max(1, ...clients.map(total));
  const scale = (WIDTH - LABEL - 60) / max;
  const height = clients.length * ROW + 34;
  const rows = clients.map((client, i) => {
    const y = 20 + i * ROW;
    let x = LABEL;
    const bars = PHASES.map(({ key, label, color }) => {
      const ms = client[key];
      if (typeof ms !== "number") return "";
      const width = Math.max(ms > 0 ? 1 : 0, ms * scale);
      const bar = `<rect x="${x.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="${ROW - 5}" fill="${color}"><title>${escapeHtml(`${client.client} ${label}: ${ms} ms`)}</title></rect>`;
      x += width;
      return bar;
    }).join("");
    const lost =
      client.echoMs === null
        ? `<text x="${(x + 4).toFixed(1)}" y="${y + 10}" class="lost">✖ never received</text>`
        : `<text x="${(x + 4).toFixed(1)}" y="${y + 10}">${escapeHtml(`${Math.round(total(client))} ms`)}</text>`;
    return `<text x="0" y="${y + 10}">${escapeHtml(client.client)}</text>${bars}${lost}`;
  });
  const legend = PHASES.map(
    ({ label, color }, i) =>
      `<rect x="${LABEL + i * 80}" y="2" width="10" height="10" fill="${color}"/><text x="${LABEL + i * 80 + 14}" y="11">${label}</text>`,
  ).join("");
  return `<svg class="chart" role="img" aria-label="${escapeHtml(title)}" xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}">${legend}${rows.join("")}</svg>`;
}
