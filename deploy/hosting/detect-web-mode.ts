import type { WebMode } from "../config/environment-schema.js";

interface WebModeProposal {
  mode: WebMode;
  /** The build command to propose for build-time modes. */
  buildCommand?: string;
  /** Where the build writes (hosting.publicDir). */
  publicDir?: string;
  reason: string;
}

interface PackageJsonLike {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
}

/**
 * Pure: which web mode fits a front end, from its package.json and the project's file paths
 * (relative, `/`-separated). A page that fetches /echogate.json keeps runtime-config; bundlers that
 * inline `VITE_*` / `NEXT_PUBLIC_*` / `REACT_APP_*` at build time get template; Next.js without a
 * static export (server rendering bakes values in places substitution can't reach) gets rebuild.
 */
export function detectWebMode(
  packageJson: PackageJsonLike | undefined,
  files: readonly string[],
  readText: (path: string) => string | undefined = () => undefined,
): WebModeProposal {
  const deps = { ...packageJson?.dependencies, ...packageJson?.devDependencies };
  const has = (name: string) => name in deps;
  const runtimeConfigPage = files.find(
    (file) => /\.(m?js|html)$/.test(file) && readText(file)?.includes("/echogate.json"),
  );
  if (runtimeConfigPage)
    return { mode: "runtime-config", reason: `${runtimeConfigPage} reads /echogate.json at run time` };
  if (has("next")) {
    const config = files.find((file) => /^next\.config\.(m?js|ts)$/.test(file));
    const staticExport = config !== undefined && /output\s*:\s*["']export["']/.test(readText(config) ?? "");
    return staticExport
      ? {
          mode: "template",
          buildCommand: "npx next build",
          publicDir: "out",
          reason: `Next.js with output: "export" (${config}); NEXT_PUBLIC_* are inlined at build time`,
        }
      : {
          mode: "rebuild",
          buildCommand: "npx next build",
          publicDir: ".next",
          reason: "Next.js without a static export: values may be baked where substitution can't reach",
        };
  }
  if (has("vite") || files.some((file) => /^vite\.config\.(m?[jt]s)$/.test(file)))
    return {
      mode: "template",
      buildCommand: "npx vite build",
      publicDir: "dist",
      reason: "Vite inlines import.meta.env.VITE_* at build time",
    };
  if (has("react-scripts"))
    return {
      mode: "template",
      buildCommand: "npx react-scripts build",
      publicDir: "build",
      reason: "Create React App inlines process.env.REACT_APP_* at build time",
    };
  return { mode: "runtime-config", reason: "no build-time bundler found; the page can read /echogate.json" };
}
