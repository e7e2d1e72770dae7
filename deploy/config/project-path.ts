import { posix, win32 } from "node:path";
import * as z from "zod";

/**
 * Why `path` (relative to `base`, itself relative to the project directory) would leave the
 * project, or undefined when it stays inside. Lexical only: symlinks are resolved where the path is
 * read. Pure.
 */
function projectPathProblem(path: string, base = ""): string | undefined {
  if (posix.isAbsolute(path) || win32.isAbsolute(path)) return "must be relative to the project directory";
  const resolved = posix.normalize(posix.join(base, path.replaceAll("\\", "/")));
  if (resolved === ".." || resolved.startsWith("../")) return "must stay inside the project directory";
  return undefined;
}

/** A non-empty path that stays inside the project (relative to `base`, itself inside the project). */
export function projectRelativePath(base = "") {
  return z
    .string()
    .min(1)
    .superRefine((path, ctx) => {
      const problem = projectPathProblem(path, base);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    });
}
