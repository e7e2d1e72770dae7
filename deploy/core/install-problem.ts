import { EchogateError } from "./errors.js";
import { ExitCode } from "./exit-codes.js";

/**
 * A module that fails to load is a broken install (a missing package, or a host project's npm
 * `overrides` swapping in an incompatible version), never a platform failure: it exits 2 like
 * any other problem the user fixes on their side, and names the module.
 */
export class InstallError extends EchogateError {
  readonly module: string;

  constructor(module: string, reason: string, options: { cause?: unknown } = {}) {
    super("install.module-load", ExitCode.config, `Can't load the module "${module}": ${reason}`, {
      hint: `This is an install problem, not a platform failure. Reinstall (\`npm ci\`), and check the project's npm \`overrides\` / \`resolutions\` for "${module}"; echogate needs only its own dependencies as published.`,
      details: { module },
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.module = module;
  }
}

const NOT_FOUND_CODES = new Set(["ERR_MODULE_NOT_FOUND", "MODULE_NOT_FOUND"]);
const LOAD_CODES = new Set([
  ...NOT_FOUND_CODES,
  "ERR_PACKAGE_PATH_NOT_EXPORTED",
  "ERR_REQUIRE_ESM",
  "ERR_UNSUPPORTED_DIR_IMPORT",
  "ERR_INVALID_PACKAGE_TARGET",
  "ERR_INVALID_PACKAGE_CONFIG",
]);
const MISSING_EXPORT = /^The requested module '([^']+)' does not provide an export named '([^']+)'/;

interface ModuleLoadProblem {
  module: string;
  reason: string;
}

/** Recognises a module-loading failure anywhere in an error's cause chain (pure). */
function moduleLoadProblem(error: unknown): ModuleLoadProblem | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current && typeof current === "object"; depth++) {
    const found = fromOne(current as { code?: unknown; message?: unknown });
    if (found) return found;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function fromOne(error: {
  code?: unknown;
  message?: unknown;
  name?: unknown;
}): ModuleLoadProblem | undefined {
  const message = typeof error.message === "string" ? error.message : "";
  // Node's own SyntaxError only: a deployed server's log quoted in an API error is not echogate's install.
  const missingExport = error.name === "SyntaxError" ? MISSING_EXPORT.exec(message) : null;
  if (missingExport?.[1]) {
    return {
      module: missingExport[1],
      reason: `the installed copy does not provide the export "${missingExport[2]}" (an incompatible version)`,
    };
  }
  if (typeof error.code !== "string" || !LOAD_CODES.has(error.code)) return undefined;
  const named = /(?:Cannot find (?:package|module)|Package subpath|module) '([^']+)'/.exec(message);
  const module = named?.[1] ? packageOf(named[1]) : "(unknown)";
  const reason = NOT_FOUND_CODES.has(error.code)
    ? "it is not installed where echogate runs"
    : `${error.code}: ${message.split("\n")[0]}`;
  return { module, reason };
}

/** `/abs/node_modules/@scope/pkg/x.js` or `pkg/sub` → the package name; a file path stays as is. */
function packageOf(specifier: string): string {
  const inModules = specifier.lastIndexOf("node_modules/");
  const bare = inModules >= 0 ? specifier.slice(inModules + "node_modules/".length) : specifier;
  if (bare.startsWith("/") || bare.startsWith(".")) return bare;
  const parts = bare.split("/");
  return bare.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? bare);
}

/** The install problem behind `error`, as an InstallError, or undefined. */
export function asInstallError(error: unknown): InstallError | undefined {
  if (error instanceof InstallError) return error;
  const problem = moduleLoadProblem(error);
  return problem ? new InstallError(problem.module, problem.reason, { cause: error }) : undefined;
}
