import type { WebMode } from "../config/environment-schema.js";
import { type StaticHostingBlocker, staticHostingBlockers } from "./static-hosting-blockers.js";

// Pure: which front-end framework a project uses, the web mode and hosting settings that fit it,
// and what in it static hosting can't serve. `init` proposes `hosting:` from this, `check` reports
// the blockers, and deploy messages name the framework's own public-variable prefix.

export type WebFramework = "next" | "vite" | "cra" | "static";

export interface WebFrontEnd {
  framework: WebFramework;
  /** For messages: `Next.js`, `Vite`, `Create React App`, `a static site`. */
  name: string;
  mode: WebMode;
  /** The build command to propose for build-time modes (hosting.build.command): the package's build script when it has one. */
  buildCommand?: string;
  /** Where the build writes (hosting.publicDir), relative to the front end's folder. */
  publicDir?: string;
  /** The prefix the framework inlines at build time (`NEXT_PUBLIC_`), and how source code reads one. */
  publicPrefix?: string;
  readExample?: string;
  /** Directories or files (relative, `/`-separated) the framework's build writes besides publicDir: its cache, not the site. */
  buildCaches: string[];
  /** How the framework sets where its build writes, for hints. */
  outDirSetting?: string;
  reason: string;
  blockers: StaticHostingBlocker[];
}

export interface PackageJsonLike {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
  proxy?: unknown;
}

/** Builders that keep Create React App's conventions (REACT_APP_*, build/). */
const CRA_BUILDERS = ["react-scripts", "@craco/craco", "react-app-rewired"];
const NEXT_CONFIG = /^next\.config\.(m?js|cjs|ts|mts)$/;
const VITE_CONFIG = /^vite\.config\.(m?[jt]s|cjs|cts)$/;

/**
 * `files` are the front end's paths (relative, `/`-separated, without node_modules and build
 * output); `readText` reads one of them (undefined when unreadable). A page that fetches
 * /echogate.json keeps runtime-config; bundlers that inline public values at build time get
 * template.
 */
export function detectWebFrontEnd(
  packageJson: PackageJsonLike | undefined,
  files: readonly string[],
  readText: (path: string) => string | undefined = () => undefined,
): WebFrontEnd {
  const framework = frameworkOf(packageJson, files, readText);
  const blockers = staticHostingBlockers(framework, packageJson, files, readText);
  const runtimeConfigPage = files.find(
    (file) =>
      /\.(m?[jt]sx?|html)$/.test(file) &&
      !file.startsWith("environments/") &&
      readText(file)?.includes("/echogate.json"),
  );
  const base: WebFrontEnd = { ...FRAMEWORKS[framework], blockers };
  // The project's own build script runs the framework with the project's options.
  if (base.buildCommand && packageJson?.scripts?.build) base.buildCommand = "npm run build";
  if (framework === "static") {
    const page = files.find((file) => /(^|\/)index\.html$/.test(file));
    base.publicDir = page?.includes("/") ? page.slice(0, page.lastIndexOf("/")) : "public";
  }
  if (runtimeConfigPage)
    return {
      ...base,
      mode: "runtime-config",
      reason: `${runtimeConfigPage} reads /echogate.json at run time`,
    };
  return base;
}

const FRAMEWORKS: Record<WebFramework, Omit<WebFrontEnd, "blockers">> = {
  next: {
    framework: "next",
    name: "Next.js",
    mode: "template",
    buildCommand: "npx next build",
    publicDir: "out",
    publicPrefix: "NEXT_PUBLIC_",
    readExample: "process.env.NEXT_PUBLIC_SERVER_URL",
    buildCaches: [".next", "next-env.d.ts"],
    outDirSetting:
      'Next.js writes its static export to out/ with output: "export" in next.config (.next/ is its cache)',
    reason: 'Next.js with output: "export" writes the site to out/ and inlines NEXT_PUBLIC_* at build time',
  },
  vite: {
    framework: "vite",
    name: "Vite",
    mode: "template",
    buildCommand: "npx vite build",
    publicDir: "dist",
    publicPrefix: "VITE_",
    readExample: "import.meta.env.VITE_SERVER_URL",
    buildCaches: [],
    outDirSetting: "set Vite's build.outDir (or --outDir)",
    reason: "Vite inlines import.meta.env.VITE_* at build time",
  },
  cra: {
    framework: "cra",
    name: "Create React App",
    mode: "template",
    buildCommand: "npm run build",
    publicDir: "build",
    publicPrefix: "REACT_APP_",
    readExample: "process.env.REACT_APP_SERVER_URL",
    buildCaches: [],
    outDirSetting: "Create React App writes build/ (BUILD_PATH changes it)",
    reason: "Create React App inlines process.env.REACT_APP_* at build time and writes build/",
  },
  static: {
    framework: "static",
    name: "a static site",
    mode: "runtime-config",
    buildCaches: [],
    reason: "no build-time bundler found; the page can read /echogate.json",
  },
};

function frameworkOf(
  packageJson: PackageJsonLike | undefined,
  files: readonly string[],
  readText: (path: string) => string | undefined,
): WebFramework {
  const deps = { ...packageJson?.dependencies, ...packageJson?.devDependencies };
  const scripts = Object.values(packageJson?.scripts ?? {});
  const runs = (tool: string) =>
    scripts.some((script) => new RegExp(`(^|[\\s;&|(])${tool} build\\b`).test(script));
  if ("next" in deps || files.some((file) => NEXT_CONFIG.test(file)) || runs("next")) return "next";
  if ("vite" in deps || files.some((file) => VITE_CONFIG.test(file)) || runs("vite")) return "vite";
  if (
    CRA_BUILDERS.some((name) => name in deps) ||
    scripts.some((script) => /\b(react-scripts|craco|react-app-rewired) build\b/.test(script))
  )
    return "cra";
  // CRA's conventions with another builder (an esbuild or webpack script): the source reads
  // process.env.REACT_APP_* and the build script writes build/.
  if (
    scripts.length > 0 &&
    files.some(
      (file) => /^src\/.*\.[jt]sx?$/.test(file) && /process\.env\.REACT_APP_/.test(readText(file) ?? ""),
    )
  )
    return "cra";
  return "static";
}
