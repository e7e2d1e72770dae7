import type { ReadFrontEnd } from "../hosting/read-front-end.js";
import type { ProjectSnapshot } from "./snapshot.js";

// Pure: where a project keeps a front end built by a framework (Next.js, Vite, Create React App),
// and the commented `hosting:` block and to-dos init drafts for it. Commented, because a folder of
// pages may as well be served by the server itself: deploying it to Hosting is the user's call.

const FRAMEWORK_PACKAGES = ["next", "vite", "react-scripts", "@craco/craco", "react-app-rewired"];

/** Folders (`.` for the project) whose package.json depends on a front-end framework: the project first, then first-level folders. */
export function frontEndDirs(snapshot: ProjectSnapshot): string[] {
  const manifests = snapshot.files.filter((file) => /^([^/]+\/)?package\.json$/.test(file)).sort();
  return manifests
    .filter((file) => usesFramework(snapshot.texts.get(file)))
    .map((file) => (file === "package.json" ? "." : file.slice(0, -"/package.json".length)));
}

function usesFramework(text: string | undefined): boolean {
  if (text === undefined) return false;
  try {
    const manifest = JSON.parse(text) as Record<string, unknown>;
    const names = ["dependencies", "devDependencies"].flatMap((key) => {
      const deps = manifest[key];
      return deps && typeof deps === "object" ? Object.keys(deps) : [];
    });
    return names.some((name) => FRAMEWORK_PACKAGES.includes(name));
  } catch {
    return false;
  }
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
