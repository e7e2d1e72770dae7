import type { PackageJsonLike, WebFramework } from "./detect-web-mode.js";

// Pure: what in a front end static hosting (Firebase Hosting serving files) can't serve: a
// Next.js server build, API routes, middleware, server-side rendering per request, server
// actions, the image optimizer, ISR; a dev-server proxy that the built site would miss.

export interface StaticHostingBlocker {
  /** The file that uses it (relative to the front end), and the line when one line shows it. */
  file: string;
  line?: number;
  /** Short name: `API route`, `middleware`, `getServerSideProps`, … */
  feature: string;
  /** Why static hosting can't serve it, and what to do instead. */
  reason: string;
  /** error: the hosted site would break (or `next build` refuses the export); warning: worth a look. */
  severity: "error" | "warning";
}

type ReadText = (path: string) => string | undefined;

const SOURCE = /\.(m?[jt]sx?|cjs|cts)$/;
const NEXT_CONFIG = /^next\.config\.(m?js|cjs|ts|mts)$/;
const VITE_CONFIG = /^vite\.config\.(m?[jt]s|cjs|cts)$/;

export function staticHostingBlockers(
  framework: WebFramework,
  packageJson: PackageJsonLike | undefined,
  files: readonly string[],
  readText: ReadText,
): StaticHostingBlocker[] {
  if (framework === "next") return nextBlockers(files, readText);
  const blockers: StaticHostingBlocker[] = [];
  const devProxy = (file: string, line: number | undefined) =>
    blockers.push({
      file,
      ...(line ? { line } : {}),
      feature: "dev-server proxy",
      reason:
        "the dev server forwards these requests to your server; the built site on Hosting sends them to Hosting, which has no such paths. Call the server by its public URL variable, or add a rewrite to the service in firebase.json",
      severity: "warning",
    });
  if (framework === "vite")
    for (const file of files.filter((path) => VITE_CONFIG.test(path))) {
      const line = lineOf(readText(file), /\bproxy\s*:/);
      if (line) devProxy(file, line);
    }
  if (framework === "cra") {
    if (packageJson?.proxy !== undefined) devProxy("package.json", undefined);
    const setupProxy = files.find((file) => /^src\/setupProxy\.[jt]s$/.test(file));
    if (setupProxy) devProxy(setupProxy, undefined);
  }
  return blockers;
}

function nextBlockers(files: readonly string[], readText: ReadText): StaticHostingBlocker[] {
  const blockers: StaticHostingBlocker[] = [];
  const add = (
    file: string,
    line: number | undefined,
    feature: string,
    reason: string,
    severity: "error" | "warning" = "error",
  ) => blockers.push({ file, ...(line ? { line } : {}), feature, reason, severity });
  const config = files.find((file) => NEXT_CONFIG.test(file));
  const configText = config ? (readText(config) ?? "") : "";
  const staticExport = /\boutput\s*:\s*["'`]export["'`]/.test(configText);
  if (!staticExport)
    add(
      config ?? "package.json",
      undefined,
      "no static export",
      'Next.js without output: "export" builds a Node server (next start), and Hosting serves files only: set output: "export" in next.config so `next build` writes the site to out/',
    );
  if (config && staticExport && !/\bgenerateBuildId\b/.test(configText))
    add(
      config,
      undefined,
      "random build id",
      "each next build gets a random build id (in out/_next/static/<id>/ and every page), so a promotion that rebuilds the gated template in another workspace (CI) can't reproduce its digest; set generateBuildId in next.config (e.g. from the commit)",
      "warning",
    );
  for (const key of ["rewrites", "redirects", "headers"]) {
    const line = lineOf(configText, new RegExp(`\\b${key}\\s*(\\(|:)`));
    if (config && line)
      add(
        config,
        line,
        `next.config ${key}`,
        `a static export does not apply next.config ${key}; put them in firebase.json's hosting block`,
        "warning",
      );
  }
  if (config && !/\bunoptimized\s*:\s*true\b|\bloader(File)?\s*:/.test(configText)) {
    const image = files.find(
      (file) => isAppSource(file) && /from\s*["']next\/image["']/.test(readText(file) ?? ""),
    );
    if (image)
      add(
        image,
        lineOf(readText(image), /from\s*["']next\/image["']/),
        "next/image default loader",
        "the default image loader optimizes on the server; set images: { unoptimized: true } (or a custom loader) in next.config",
      );
  }
  for (const file of files) {
    if (!isAppSource(file)) continue;
    const underPages = /^(src\/)?pages\//.test(file);
    const underApp = /^(src\/)?app\//.test(file);
    if (/^(src\/)?(middleware|proxy)\.[jt]s$/.test(file)) {
      add(
        file,
        undefined,
        "middleware",
        "middleware runs on a server for every request; static hosting has none",
      );
      continue;
    }
    if (underPages && /^(src\/)?pages\/api\//.test(file)) {
      add(
        file,
        undefined,
        "API route",
        "pages/api routes run on a server; move them to the realtime server (or a Cloud Run service behind a firebase.json rewrite)",
      );
      continue;
    }
    const text = readText(file) ?? "";
    if (underApp && /\/route\.[jt]sx?$/.test(file)) {
      const method = /export\s+(?:async\s+)?(?:function|const)\s+(POST|PUT|PATCH|DELETE|OPTIONS)\b/.exec(
        text,
      );
      const dynamic =
        /export\s+const\s+dynamic\s*=\s*["']force-dynamic["']|from\s*["']next\/headers["']|\b(request|req)\.(headers|cookies|nextUrl|url|json|formData|text)\b/.exec(
          text,
        );
      if (method)
        add(
          file,
          lineOf(text, new RegExp(`\\b${method[1]}\\b`)),
          "route handler",
          `${method[1]} handlers run on a server; a static export only writes GET handlers that need no request`,
        );
      else if (dynamic)
        add(
          file,
          lineOf(text, new RegExp(escapeRegex(dynamic[0]))),
          "route handler",
          "this GET handler reads the request (or is force-dynamic), so it can't be written out at build time",
        );
      continue;
    }
    if (underPages) {
      const line = lineOf(text, /\bgetServerSideProps\b/);
      if (line)
        add(
          file,
          line,
          "getServerSideProps",
          "getServerSideProps renders on a server per request; use getStaticProps, or fetch on the client",
        );
    }
    const serverAction = lineOf(text, /^\s*["']use server["']/m);
    if (serverAction)
      add(
        file,
        serverAction,
        "server action",
        '"use server" actions run on a server; call the realtime server (or an API on Cloud Run) instead',
      );
    const revalidate =
      lineOf(text, /export\s+const\s+revalidate\s*=\s*[1-9]/) ??
      (underPages ? lineOf(text, /\brevalidate\s*:\s*[1-9]/) : undefined);
    if (revalidate)
      add(
        file,
        revalidate,
        "ISR revalidate",
        "incremental static regeneration rebuilds pages on a server; a static export is built once",
      );
  }
  return blockers;
}

const isAppSource = (file: string) => SOURCE.test(file) && !file.startsWith("node_modules/");

/** 1-based line of the first match, or undefined. */
function lineOf(text: string | undefined, pattern: RegExp): number | undefined {
  if (!text) return undefined;
  const match = pattern.exec(text);
  if (!match) return undefined;
  return text.slice(0, match.index).split("\n").length;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
