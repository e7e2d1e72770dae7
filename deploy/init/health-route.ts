import { closingBrace } from "./socket-handlers.js";

/** A `/health` route in the server's files and what it reports as its version. */
export interface HealthRoute {
  /** `src/server.js:9`. */
  where: string;
  /**
   * `build`: from the environment (APP_VERSION or the like); `hard-coded`: a literal or package.json's
   * version (the same for every build); `none`: no version field; `unknown`: a variable init can't follow.
   */
  version: "build" | "hard-coded" | "none" | "unknown";
  /** Where the hard-coded version is, and its text (`version: "1.0.0"`). */
  versionAt?: { where: string; text: string };
}

/** A literal, or package.json's version: the same for every build of one release. */
const HARD_CODED = /^(['"`])[^'"`$]*\1$|^\d|package\.json|\b(pkg|packageJson|manifest)\.version\b/;
const ROUTE = /['"`]\/health[z]?['"`]/;

/** Pure: the first `/health` route in the given files, its handler read up to its closing brace. */
export function healthRoute(code: ReadonlyArray<{ file: string; text: string }>): HealthRoute | undefined {
  for (const { file, text } of code) {
    const index = text.search(ROUTE);
    if (index < 0) continue;
    const lineOf = (offset: number) => text.slice(0, offset).split("\n").length;
    const where = `${file}:${lineOf(index)}`;
    const open = text.indexOf("{", index);
    const end = open < 0 ? text.length : closingBrace(text, open);
    const handler = text.slice(index, Math.min(end, index + 2000));
    const field = /\bversion\s*:\s*([^,}\n]+)|[{,]\s*version\s*[,}]/.exec(handler);
    if (!field) return { where, version: "none" };
    const expression = (field[1] ?? "version").trim();
    const at = {
      where: `${file}:${lineOf(index + field.index)}`,
      text: field[0].replace(/^[{,]\s*/, "").trim(),
    };
    if (/process\.env|APP_VERSION|import\.meta\.env/.test(expression)) return { where, version: "build" };
    if (HARD_CODED.test(expression)) return { where, version: "hard-coded", versionAt: at };
    if (expression === "version") {
      const declared = /\b(?:const|let|var)\s+version\s*=\s*([^;\n]+)/.exec(text);
      if (declared && /process\.env|APP_VERSION/.test(declared[1]!)) return { where, version: "build" };
      if (declared && HARD_CODED.test(declared[1]!.trim()))
        return { where, version: "hard-coded", versionAt: at };
    }
    return { where, version: "unknown" };
  }
  return undefined;
}
