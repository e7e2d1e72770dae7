import type { ReadFrontEnd } from "../hosting/read-front-end.js";
import type { ProjectSnapshot } from "./snapshot.js";

// Pure: where a project may keep a front end, and for one built by a framework (Next.js, Vite,
// Create React App) the commented `hosting:` block and to-dos init drafts for it. Commented, because a folder of
// pages may as well be served by the server itself: deploying it to Hosting is the user's call.

/**
 * Where a front end may live: the project, then each first-level folder with a package.json. Which
 * of them is one is the Hosting detector's call (readFrontEnd), so init and `check` agree.
 */
export function frontEndDirs(snapshot: ProjectSnapshot): string[] {
  return snapshot.files
    .filter((file) => /^([^/]+\/)?package\.json$/.test(file))
    .sort()
    .map((file) => (file === "package.json" ? "." : file.slice(0, -"/package.json".length)));
}

export interface FrontEndDraft {
  /** `Next.js`, `Vite`, … */
  name: string;
  /** The front end's folder, relative to the project. */
  dir: string;
  /** hosting.publicDir, relative to the project. */
  publicDir: string;
  mode: string;
  buildCommand?: string;
  /** What static hosting can't serve, as to-do sentences naming file and line. */
  blockers: string[];
}

export function frontEndDraft(frontEnd: ReadFrontEnd): FrontEndDraft | undefined {
  if (frontEnd.framework === "static" || frontEnd.publicDir === undefined) return undefined;
  const inDir = (path: string) => (frontEnd.dir === "." ? path : `${frontEnd.dir}/${path}`);
  return {
    name: frontEnd.name,
    dir: frontEnd.dir,
    publicDir: inDir(frontEnd.publicDir),
    mode: frontEnd.mode,
    ...(frontEnd.buildCommand
      ? {
          buildCommand:
            frontEnd.dir === "." ? frontEnd.buildCommand : `cd ${frontEnd.dir} && ${frontEnd.buildCommand}`,
        }
      : {}),
    blockers: frontEnd.blockers
      .filter((blocker) => blocker.severity === "error")
      .map(
        (blocker) =>
          `${inDir(blocker.file)}${blocker.line ? `:${blocker.line}` : ""}: ${blocker.feature}: ${blocker.reason}`,
      ),
  };
}

/** The commented `hosting:` block for one environment's YAML. */
export function renderFrontEndHosting(
  draft: FrontEndDraft,
  site: string,
  provider: "local" | "firebase",
): string[] {
  return [
    `# The web front end (${draft.name} in ${draft.dir === "." ? "this project" : `${draft.dir}/`}, detected by init); uncomment to deploy it with the server:`,
    "# hosting:",
    `#   provider: ${provider}${provider === "local" ? "  # firebase on Google" : ""}`,
    `#   site: ${site}`,
    `#   publicDir: ${draft.publicDir}`,
    `#   mode: ${draft.mode}`,
    ...(draft.buildCommand ? [`#   build: { command: ${JSON.stringify(draft.buildCommand)} }`] : []),
  ];
}
