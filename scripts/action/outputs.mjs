// Pure: what the GitHub Action (action.yml) makes of one `echogate … --json` result: its step
// outputs, the lines for $GITHUB_OUTPUT, and the job summary in Markdown.
import { randomBytes } from "node:crypto";

/** The outputs action.yml declares, in its order. */
export const OUTPUT_NAMES = ["ok", "url", "revision", "digest", "version", "gate", "image", "json"];

const text = (value) => (typeof value === "string" ? value : typeof value === "number" ? String(value) : "");

/**
 * Step outputs from a result: deploy/promote/rollback carry an `outcome` (on a failed gate, the
 * error's `details` are that outcome), preview deploy `serverUrl` and `serverGate`, smoke its own
 * `ok`, build `digest`/`imageRef`/`version`. Missing values are "" (GitHub's unset output).
 */
export function actionOutputs(result) {
  const doc = result && typeof result === "object" ? result : {};
  const details =
    doc.ok === false && doc.error && typeof doc.error.details === "object" ? doc.error.details : undefined;
  const outcome = (doc.outcome && typeof doc.outcome === "object" ? doc.outcome : undefined) ?? details ?? {};
  const gate =
    typeof outcome.ok === "boolean" && Array.isArray(outcome.smoke)
      ? outcome.ok
        ? "passed"
        : "failed"
      : doc.serverGate && typeof doc.serverGate.ok === "boolean"
        ? doc.serverGate.ok
          ? "passed"
          : "failed"
        : Array.isArray(doc.checks) && typeof doc.ok === "boolean"
          ? doc.ok
            ? "passed"
            : "failed"
          : "";
  return {
    ok: doc.ok === false ? "false" : "true",
    url: text(outcome.url) || text(doc.serverUrl) || text(doc.url) || text(doc.globalUrl),
    revision: text(outcome.revision) || text(doc.revision),
    digest: text(outcome.digest) || text(doc.digest),
    version: text(outcome.version) || text(doc.version),
    gate,
    image: text(doc.imageRef),
    json: JSON.stringify(doc),
  };
}

/** `$GITHUB_OUTPUT` lines: every value in the multi-line form, with a delimiter it can't contain. */
export function outputFileText(outputs, delimiter = `echogate_${randomBytes(12).toString("hex")}`) {
  return Object.entries(outputs)
    .map(([name, value]) => {
      if (value.includes(delimiter)) throw new Error(`The ${name} output contains its delimiter.`);
      return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
    })
    .join("");
}

const cell = (value) =>
  value ? `\`${String(value).replaceAll("`", "'").replaceAll("|", "\\|").replaceAll("\n", " ")}\`` : "—";

/** The job summary: what ran, how it ended, the outputs, and the CLI's own Markdown when it has one. */
export function stepSummary(command, result, outputs, exitCode) {
  const doc = result && typeof result === "object" ? result : {};
  const mark = exitCode === 0 ? "✅" : "❌";
  const lines = [`### ${mark} \`echogate ${command.replaceAll("`", "'")}\` (exit ${exitCode})`, ""];
  if (doc.ok === false && doc.error) {
    lines.push(`**${String(doc.error.message ?? "failed").replaceAll("\n", " ")}**`, "");
    if (doc.error.hint) lines.push(`Hint: ${String(doc.error.hint).replaceAll("\n", " ")}`, "");
  }
  const rows = ["url", "revision", "digest", "version", "gate", "image"].filter((name) => outputs[name]);
  if (rows.length > 0) {
    lines.push("| output | value |", "| --- | --- |");
    for (const name of rows) lines.push(`| ${name} | ${cell(outputs[name])} |`);
    lines.push("");
  }
  if (typeof doc.markdown === "string" && doc.markdown.trim()) lines.push(doc.markdown.trim(), "");
  return `${lines.join("\n")}\n`;
}
