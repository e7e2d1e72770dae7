import type { Diagnostic } from "../core/diagnostics.js";

/** Recovery hints for config diagnostics that arrive without one (YAML and zod issues). */
export function withConfigHint(diagnostic: Diagnostic): Diagnostic {
  if (diagnostic.hint) return diagnostic;
  return { ...diagnostic, hint: hintFor(diagnostic.code) };
}

function hintFor(code: string): string {
  if (code === "yaml.aliases") return "Remove the anchors/aliases that repeat data; write the values out.";
  if (code === "yaml.too-large") return "Config files hold settings, not data; shrink the file.";
  if (code.startsWith("yaml.")) return "Fix the YAML syntax here (indentation, brackets, quotes).";
  if (code === "config.unknown-key") return "Remove the key or fix its spelling.";
  if (code === "config.missing-key") return "Add the key (docs/reference.md lists every key).";
  if (code === "config.promotes-from") return "Name another environment (a file environments/<name>.yaml).";
  if (code === "config.environment-name") return "Rename the file: lowercase letters, digits and dashes.";
  return "Fix the value here to match the expected type.";
}
