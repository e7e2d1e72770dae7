import { posix } from "node:path";
import { entryFromDevScript } from "../source/dev-script-entry.js";
import { entryFromDockerfile } from "../source/dockerfile-entry.js";
import { shellWords, simpleCommands } from "../source/dockerfile-parser.js";
import {
  cloudbuildCandidates,
  DEV_SCRIPT_CANDIDATES,
  dockerfileCandidates,
  scriptsOf,
} from "../source/layout.js";
import { matchRunner, normalizeEntry } from "../source/runner-entry.js";
import { type HealthRoute, healthRoute } from "./health-route.js";
import { importGraph } from "./import-graph.js";
import { draftScenarios, type ScenarioDraft } from "./scenario-draft.js";
import {
  type DirectEvent,
  directEvents,
  historyEvents,
  type RestRoute,
  restRoutes,
} from "./server-surface.js";
import { draftSocketIoSmoke, type SocketIoDraft } from "./smoke-draft.js";
import { type ProjectSnapshot, textOf } from "./snapshot.js";
import { BUILTIN_EVENTS, socketHandlers } from "./socket-handlers.js";
import { draftWsSmoke, type WsDraft } from "./ws-draft.js";

/** One place that names a server file. */
interface EntrySighting {
  entry: string;
  /** `package.json script "start"`, `Dockerfile:7`, `Procfile:1`. */
  source: string;
}

export interface EntryCandidate {
  /** Relative to the project. */
  entry: string;
  seenIn: string[];
}

type Protocol = "socket.io" | "ws-json";
type Framework = "express" | "fastify" | "http";

export interface ServerDetection {
  workingDir: string;
  candidates: EntryCandidate[];
  /** Set when exactly one candidate exists (or `--entry` chose it). */
  entry: string | undefined;
  devScript: string | undefined;
  dockerfile: string | undefined;
  cloudbuild: string | undefined;
  protocol: Protocol | undefined;
  /** How the protocol was found, for the summary. */
  protocolEvidence: string | undefined;
  framework: Framework;
  /** Socket.IO events the server listens for (`socket.on('join-room')`), in source order. */
  listens: string[];
  /** Events the server's handlers emit: what its clients listen for. */
  emits: string[];
  /** Events it emits back to the connecting socket (`socket.emit('room-peers')`): join replies. */
  repliesToSender: string[];
  /** Events it emits to every client but the sender (`socket.broadcast.emit`, `socket.to(...).emit`). */
  broadcastsExcludingSender: string[];
  /** Where a `/health` route is, or undefined when none was found in the server's sources. */
  healthRoute: string | undefined;
  /** What that route reports as its version. */
  health: HealthRoute | undefined;
  /** The files detection read as the server: the entry's import graph (or, without an entry, its folder). */
  serverFiles: string[];
  /** The echo step drafted from the Socket.IO handlers. */
  socketIo: SocketIoDraft | undefined;
  /** The ws path and echo step drafted from the ws server. */
  ws: WsDraft | undefined;
  /** Files outside the server that emit the message event and listen for its echo (a client). */
  clientsExpectingEcho: string[];
  /** REST routes beside the realtime server (health left out). */
  restRoutes: RestRoute[];
  /** Socket.IO events addressed to one user or socket (a direct message). */
  directEvents: DirectEvent[];
  /** Events that carry history or resume a session. */
  historyEvents: string[];
  /** Scenario gates drafted from the above. */
  scenarios: ScenarioDraft[];
  /** Every Cloud Build file; `cloudbuild` is the one that builds the image. */
  cloudbuilds: string[];
  /** The server's package.json name and version. */
  packageName: string | undefined;
  packageVersion: string | undefined;
}

const REALTIME_DEPENDENCIES = ["socket.io", "ws"];
const FALLBACK_ENTRIES = [
  "server.js",
  "index.js",
  "app.js",
  "main.js",
  "src/server.js",
  "src/index.js",
  "src/main.js",
  "src/app.js",
  "server.ts",
  "src/server.ts",
  "src/index.ts",
  "src/main.ts",
];
const SOURCE_FILE = /\.(c|m)?(j|t)sx?$/;

interface PackageJson {
  name?: string;
  version?: string;
  scripts?: Record<string, unknown>;
  dependencies?: Record<string, unknown>;
  devDependencies?: Record<string, unknown>;
}

function parsePackage(text: string | undefined): PackageJson | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === "object" && parsed !== null ? (parsed as PackageJson) : undefined;
  } catch {
    return undefined;
  }
}

function dependsOn(pkg: PackageJson | undefined, name: string): boolean {
  return Boolean(pkg?.dependencies?.[name] ?? pkg?.devDependencies?.[name]);
}

const join = (dir: string, path: string) =>
  dir === "." ? normalizeEntry(path) : normalizeEntry(posix.join(dir, path));

/**
 * The server's package: the root's when it depends on a realtime library or has a start script,
 * else the one subfolder package.json that depends on socket.io or ws.
 */
function detectWorkingDir(snapshot: ProjectSnapshot): string {
  const root = parsePackage(textOf(snapshot, "package.json"));
  if (
    root &&
    (REALTIME_DEPENDENCIES.some((dep) => dependsOn(root, dep)) || typeof root.scripts?.start === "string")
  )
    return ".";
  const nested = snapshot.files
    .filter((file) => file.endsWith("/package.json"))
    .filter((file) =>
      REALTIME_DEPENDENCIES.some((dep) => dependsOn(parsePackage(textOf(snapshot, file)), dep)),
    );
  return nested.length === 1 ? posix.dirname(nested[0]!) : ".";
}

/** Every server file a script, Dockerfile or Procfile starts, grouped by file. */
function entrySightings(snapshot: ProjectSnapshot, workingDir: string): EntrySighting[] {
  const sightings: EntrySighting[] = [];
  const packagePath = join(workingDir, "package.json");
  const packageText = textOf(snapshot, packagePath);
  if (packageText !== undefined) {
    const scripts = scriptsOf(packageText);
    for (const name of DEV_SCRIPT_CANDIDATES) {
      if (typeof scripts[name] !== "string") continue;
      const fact = entryFromDevScript(packageText, packagePath, name);
      if (fact.entry)
        sightings.push({ entry: join(workingDir, fact.entry), source: `${packagePath} script "${name}"` });
    }
  }
  for (const dockerfile of dockerfileCandidates(snapshot.files)) {
    const text = textOf(snapshot, dockerfile);
    if (text === undefined) continue;
    const fact = entryFromDockerfile(text, dockerfile);
    // COPY sources are relative to the build context, taken to be the Dockerfile's folder or the working dir.
    const context = posix.dirname(dockerfile) === "." ? workingDir : posix.dirname(dockerfile);
    if (fact.entry)
      sightings.push({
        entry: join(context, fact.entry),
        source: `${dockerfile}${fact.line ? `:${fact.line}` : ""}`,
      });
  }
  const procfile = join(workingDir, "Procfile");
  const procText = textOf(snapshot, procfile);
  if (procText !== undefined) {
    procText.split(/\r?\n/).forEach((line, index) => {
      const match = /^web:\s*(.+)$/.exec(line.trim());
      if (!match) return;
      for (const words of simpleCommands(shellWords(match[1]!))) {
        const runner = matchRunner(words);
        if (runner.kind === "entry")
          sightings.push({ entry: join(workingDir, runner.entry), source: `${procfile}:${index + 1}` });
      }
    });
  }
  return sightings;
}

/** Distinct entries that exist in the project; when nothing names one, the usual file names that look like a server. */
function entryCandidates(snapshot: ProjectSnapshot, workingDir: string): EntryCandidate[] {
  const byEntry = new Map<string, string[]>();
  for (const sighting of entrySightings(snapshot, workingDir)) {
    if (!snapshot.files.includes(sighting.entry) && !existsAsBuildOutput(sighting.entry)) continue;
    byEntry.set(sighting.entry, [...(byEntry.get(sighting.entry) ?? []), sighting.source]);
  }
  if (byEntry.size > 0) return mergeCompiled([...byEntry].map(([entry, seenIn]) => ({ entry, seenIn })));
  return FALLBACK_ENTRIES.map((file) => join(workingDir, file))
    .filter((file) => looksLikeServer(textOf(snapshot, file)))
    .map((entry) => ({ entry, seenIn: ["its file name and contents"] }));
}

/**
 * `node dist/server.js` in the Dockerfile and `tsx src/server.ts` in the dev script are one server,
 * compiled and not: one candidate (the source file), not a choice to ask about.
 */
function mergeCompiled(candidates: EntryCandidate[]): EntryCandidate[] {
  const stem = (entry: string) => posix.basename(entry).replace(/\.[cm]?[jt]sx?$/, "");
  const compiled = (entry: string) => /(^|\/)(dist|build|out)\//.test(entry);
  const sources = candidates.filter((candidate) => !compiled(candidate.entry));
  return candidates.flatMap((candidate) => {
    if (!compiled(candidate.entry)) {
      const outputs = candidates.filter(
        (other) => compiled(other.entry) && stem(other.entry) === stem(candidate.entry),
      );
      return [
        {
          entry: candidate.entry,
          seenIn: [
            ...candidate.seenIn,
            ...outputs.flatMap((o) => o.seenIn.map((where) => `${where}, compiled as ${o.entry}`)),
          ],
        },
      ];
    }
    return sources.some((source) => stem(source.entry) === stem(candidate.entry)) ? [] : [candidate];
  });
}

/** A compiled entry (dist/server.js) doesn't exist before a build; it still names the server. */
function existsAsBuildOutput(entry: string): boolean {
  return /^(dist|build|out)\//.test(entry);
}

function looksLikeServer(text: string | undefined): boolean {
  return (
    text !== undefined &&
    /(\.listen\s*\(|createServer\s*\(|socket\.io|new\s+WebSocketServer|require\(\s*['"]ws['"]\s*\))/.test(
      text,
    )
  );
}

const OUTSIDE_SERVER =
  /(^|\/)(test|tests|__tests__|spec|e2e|web|public|client|pages|app|archive|archived|old|legacy|examples?|scripts)\//;

/**
 * The server's own source files: the entry and every file it imports or requires, relative paths
 * followed; without an entry (or its text), the source files next to it that are not tests,
 * clients or archives.
 */
function serverSources(snapshot: ProjectSnapshot, entry: string | undefined, workingDir: string): string[] {
  if (entry !== undefined && snapshot.texts.has(entry))
    return importGraph(entry, (file) => snapshot.texts.get(file));
  const dir = entry ? posix.dirname(entry) : workingDir;
  const inDir = (file: string) => dir === "." || file.startsWith(`${dir}/`);
  return snapshot.files.filter(
    (file) =>
      SOURCE_FILE.test(file) &&
      inDir(file) &&
      snapshot.texts.has(file) &&
      !OUTSIDE_SERVER.test(file.slice(dir === "." ? 0 : dir.length + 1)),
  );
}

/** Pure: everything init finds about the server, given the chosen entry (or none yet). */
export function detectServer(snapshot: ProjectSnapshot, chosenEntry?: string): ServerDetection {
  const workingDir = detectWorkingDir(snapshot);
  const candidates = entryCandidates(snapshot, workingDir);
  const entry = chosenEntry ?? (candidates.length === 1 ? candidates[0]!.entry : undefined);
  const pkg = parsePackage(textOf(snapshot, join(workingDir, "package.json")));
  const sources = serverSources(snapshot, entry, workingDir);
  const code = sources.map((file) => ({ file, text: textOf(snapshot, file)! }));
  const { protocol, evidence } = detectProtocol(pkg, code);
  const handlers = protocol === "socket.io" ? socketHandlers(code) : [];
  const socketIo = protocol === "socket.io" ? draftSocketIoSmoke(handlers) : undefined;
  const cloudbuilds = cloudbuildCandidates(snapshot.files);
  const health = healthRoute(code);
  const routes = restRoutes(code);
  const direct = directEvents(handlers);
  const history = historyEvents(handlers);
  return {
    workingDir,
    candidates,
    entry,
    devScript: detectDevScript(textOf(snapshot, join(workingDir, "package.json")), entry, workingDir),
    dockerfile: pickFile(dockerfileCandidates(snapshot.files), workingDir, [
      "Dockerfile.minimal",
      "Dockerfile",
    ]),
    cloudbuild: pickCloudbuild(snapshot, cloudbuilds, workingDir),
    cloudbuilds,
    protocol,
    protocolEvidence: evidence,
    framework: dependsOn(pkg, "fastify") ? "fastify" : dependsOn(pkg, "express") ? "express" : "http",
    listens: protocol === "socket.io" ? listenedEvents(code) : [],
    emits:
      protocol === "socket.io"
        ? [
            ...new Set(
              socketHandlers(code, { lifecycle: true }).flatMap((handler) =>
                handler.emits.map((emit) => emit.event),
              ),
            ),
          ]
        : [],
    broadcastsExcludingSender: protocol === "socket.io" ? excludingSender(code) : [],
    repliesToSender: protocol === "socket.io" ? emittedToSender(code) : [],
    healthRoute: health?.where,
    health,
    serverFiles: sources,
    restRoutes: routes,
    directEvents: direct,
    historyEvents: history,
    scenarios:
      protocol === "socket.io"
        ? draftScenarios({
            socketIo,
            handlers,
            restRoutes: routes,
            directEvents: direct,
            historyEvents: history,
          })
        : [],
    socketIo,
    ws: protocol === "ws-json" ? draftWsSmoke(code) : undefined,
    clientsExpectingEcho:
      socketIo?.send && socketIo.expect ? clientsExpectingEcho(snapshot, sources, socketIo) : [],
    packageName: typeof pkg?.name === "string" ? pkg.name : undefined,
    packageVersion: typeof pkg?.version === "string" ? pkg.version : undefined,
  };
}

/** Source files outside the server that emit the message event and listen for the echo: a client of it. */
function clientsExpectingEcho(
  snapshot: ProjectSnapshot,
  server: readonly string[],
  draft: SocketIoDraft,
): string[] {
  const quoted = (event: string) => `(['"\`])${event.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\1`;
  const emits = new RegExp(`\\.emit\\(\\s*${quoted(draft.send!.event)}`);
  const listens = new RegExp(`\\.on\\(\\s*${quoted(draft.expect!.event)}`);
  return snapshot.files.filter((file) => {
    const text = snapshot.texts.get(file);
    return (
      SOURCE_FILE.test(file) &&
      !server.includes(file) &&
      !/(^|\/)(archive|archived|old|legacy|test|tests|__tests__)\//.test(file) &&
      text !== undefined &&
      emits.test(text) &&
      listens.test(text)
    );
  });
}

/** Among several Cloud Build files, the one that builds the image (a docker build or pack step), nearest the server. */
function pickCloudbuild(
  snapshot: ProjectSnapshot,
  candidates: string[],
  workingDir: string,
): string | undefined {
  const preferred = pickFile(candidates, workingDir, ["cloudbuild.yaml", "cloudbuild.yml"]);
  if (preferred) return preferred;
  const builds = candidates.filter((file) =>
    /cloud-builders\/docker|['"\s]build['"\s,]|\bpack\s+build|gcloud\s+builds\s+submit/.test(
      snapshot.texts.get(file) ?? "",
    ),
  );
  return builds[0] ?? candidates[0];
}

function detectDevScript(
  packageText: string | undefined,
  entry: string | undefined,
  workingDir: string,
): string | undefined {
  if (packageText === undefined || entry === undefined) return undefined;
  const scripts = scriptsOf(packageText);
  return DEV_SCRIPT_CANDIDATES.find((name) => {
    if (typeof scripts[name] !== "string") return false;
    const fact = entryFromDevScript(packageText, "package.json", name);
    return fact.entry !== null && join(workingDir, fact.entry) === entry;
  });
}

function pickFile(candidates: string[], workingDir: string, preferred: string[]): string | undefined {
  for (const dir of workingDir === "." ? ["."] : [workingDir, "."]) {
    for (const name of preferred) {
      const path = join(dir, name);
      if (candidates.includes(path)) return path;
    }
  }
  return candidates.length === 1 ? candidates[0] : undefined;
}

function detectProtocol(
  pkg: PackageJson | undefined,
  code: Array<{ file: string; text: string }>,
): { protocol: Protocol | undefined; evidence: string | undefined } {
  const imports = (name: string) =>
    code.find(({ text }) =>
      new RegExp(`(require\\(\\s*|from\\s+)['"]${name.replace(".", "\\.")}['"]`).test(text),
    );
  const socketIo = imports("socket.io");
  if (socketIo) return { protocol: "socket.io", evidence: `${socketIo.file} imports socket.io` };
  const ws = imports("ws");
  if (ws) return { protocol: "ws-json", evidence: `${ws.file} imports ws` };
  if (dependsOn(pkg, "socket.io"))
    return { protocol: "socket.io", evidence: "package.json depends on socket.io" };
  if (dependsOn(pkg, "ws")) return { protocol: "ws-json", evidence: "package.json depends on ws" };
  return { protocol: undefined, evidence: undefined };
}

const ON_EVENT = /\.on\(\s*(['"`])([^'"`$]+)\1/g;

function listenedEvents(code: Array<{ text: string }>): string[] {
  const events = code.flatMap(({ text }) => [...text.matchAll(ON_EVENT)].map((match) => match[2]!));
  return [...new Set(events.filter((event) => !BUILTIN_EVENTS.has(event)))];
}

function emittedToSender(code: Array<{ text: string }>): string[] {
  const pattern = /socket\s*\.\s*emit\(\s*(['"`])([^'"`$]+)\1/g;
  return [...new Set(code.flatMap(({ text }) => [...text.matchAll(pattern)].map((match) => match[2]!)))];
}

function excludingSender(code: Array<{ text: string }>): string[] {
  const pattern =
    /socket\s*\.\s*(?:broadcast|to\([^)]*\)|in\([^)]*\))(?:\s*\.\s*(?:to|in)\([^)]*\))*\s*\.\s*emit\(\s*(['"`])([^'"`$]+)\1/g;
  return [...new Set(code.flatMap(({ text }) => [...text.matchAll(pattern)].map((match) => match[2]!)))];
}

/** The lines to add for a `/health` that reports what echogate's gate checks (docs/server-contract.md). */
export function healthSnippet(framework: Framework): string {
  const body = `{ status: "ok", version: process.env.APP_VERSION ?? "dev", revision: process.env.K_REVISION ?? null }`;
  switch (framework) {
    case "express":
      return `app.get("/health", (req, res) => res.json(${body}));`;
    case "fastify":
      return `fastify.get("/health", async () => (${body}));`;
    case "http":
      return [
        "// first thing in the request handler given to http.createServer:",
        `if (req.url === "/health") {`,
        `  res.writeHead(200, { "content-type": "application/json" });`,
        `  res.end(JSON.stringify(${body}));`,
        "  return;",
        "}",
      ].join("\n");
  }
}
