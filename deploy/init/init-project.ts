import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, UsageError } from "../core/errors.js";
import { readFrontEnd } from "../hosting/read-front-end.js";
import { normalizeEntry } from "../source/runner-entry.js";
import { detectServer, type EntryCandidate, healthSnippet, type ServerDetection } from "./detect-server.js";
import { draftEnv, type EnvDraft } from "./env-draft.js";
import { type ExistingNames, existingNames } from "./existing-names.js";
import { type FrontEndDraft, frontEndDirs, frontEndDraft } from "./front-end-draft.js";
import { gitignoreWithState } from "./gitignore.js";
import { imageVariables } from "./image-env.js";
import { renderInitFiles } from "./render-files.js";
import { scanProject, withServerGraph } from "./scan.js";
import { writeFilesAtomically } from "./write-files.js";

/** `update`: a line added to a file of the user's (.gitignore), whatever --force says. */
type FileAction = "create" | "unchanged" | "keep" | "overwrite" | "update";

interface PlannedFile {
  path: string;
  action: FileAction;
  content: string;
}

export interface InitPlan {
  server: ServerDetection;
  env: Pick<EnvDraft, "sources" | "variables">;
  /** Project ids, sites and services the project already uses, kept in the drafted environments. */
  names: ExistingNames;
  /** The framework-built front end init found (its `hosting:` block is drafted commented). */
  frontEnd: FrontEndDraft | undefined;
  files: PlannedFile[];
  /** Things to do by hand, each one sentence (a missing /health with its lines, secrets to set). */
  todo: string[];
  next: string;
}

interface InitRequest {
  projectDir: string;
  /** --entry: the server file, relative to the project. */
  entry?: string;
  force: boolean;
  /** From environments/ to the installed package's schemas/; undefined writes no `$schema` line. */
  schemaDir: string | undefined;
  /** Asks the person at the terminal to pick among several candidates; absent when nobody can be asked. */
  chooseEntry?: (candidates: EntryCandidate[]) => Promise<string | undefined>;
}

/** Detects and drafts everything init would write; reads the project, writes nothing. */
export async function planInit(request: InitRequest): Promise<InitPlan> {
  const { projectDir } = request;
  const { snapshot: scanned, unreadable } = scanProject(projectDir);
  if (unreadable.length > 0) {
    throw new ConfigError(
      "init.unreadable",
      `Can't read ${unreadable.length} file(s) init needs: ${unreadable.map((u) => `${u.file} (${u.reason})`).join(", ")}.`,
      { hint: "Make them readable (check permissions), then run echogate init again. Nothing was written." },
    );
  }
  if (!scanned.files.some((file) => file === "package.json" || file.endsWith("/package.json"))) {
    throw new ConfigError(
      "init.no-project",
      `Can't set up echogate in ${projectDir}: there is no package.json here.`,
      {
        hint: "Run echogate init in your Node server's repository (the folder with its package.json).",
      },
    );
  }
  const entry = request.entry === undefined ? undefined : normalizeEntry(request.entry);
  if (entry !== undefined && !scanned.files.includes(entry) && !existsSync(join(projectDir, entry))) {
    throw new UsageError(`Can't use --entry ${entry}: no such file in ${projectDir}.`, {
      hint: "Give the server file relative to the project, e.g. --entry src/server.js.",
    });
  }
  let server = detectServer(scanned, entry);
  if (server.entry === undefined) {
    const chosen = server.candidates.length > 1 ? await request.chooseEntry?.(server.candidates) : undefined;
    if (chosen === undefined) throw entryProblem(server.candidates, projectDir);
    server = detectServer(scanned, chosen);
  }
  const snapshot = withServerGraph(projectDir, scanned, server.entry!);
  if (snapshot !== scanned) server = detectServer(snapshot, server.entry);
  const envFiles = new Map([...snapshot.texts].filter(([file]) => /(^|\/)\.env(\.[\w-]+)?$/.test(file)));
  const dockerfileText = server.dockerfile ? snapshot.texts.get(server.dockerfile) : undefined;
  const imageEnv = dockerfileText === undefined ? [] : imageVariables(server.dockerfile!, dockerfileText);
  const env = draftEnv(envFiles, server.workingDir, imageEnv);
  if (env.problems.length > 0) {
    const first = env.problems[0]!;
    throw new ConfigError(
      "init.env-file",
      `Can't draft the env schema: ${first.file}${first.line ? `:${first.line}` : ""}: ${first.message}`,
      {
        location: { file: first.file ?? ".env", ...(first.line ? { line: first.line } : {}) },
        hint: `Fix the line (KEY=value), then run echogate init again. Nothing was written.${env.problems.length > 1 ? ` ${env.problems.length - 1} more problem(s) follow the first.` : ""}`,
        details: { diagnostics: env.problems },
      },
    );
  }
  const names = existingNames(snapshot.texts);
  const frontEnd = frontEndDirs(snapshot)
    .map((dir) => frontEndDraft(readFrontEnd(projectDir, dir === "." ? "x" : `${dir}/x`)))
    .find((draft) => draft !== undefined);
  const rendered = renderInitFiles({ server, env, schemaDir: request.schemaDir, names, frontEnd });
  const files = [...rendered].map(([path, content]): PlannedFile => {
    const target = join(projectDir, path);
    if (!existsSync(target)) return { path, action: "create", content };
    if (readFileSync(target, "utf8") === content) return { path, action: "unchanged", content };
    return { path, action: request.force ? "overwrite" : "keep", content };
  });
  const gitignore = snapshot.texts.get(".gitignore");
  const ignoring = gitignoreWithState(gitignore);
  if (ignoring !== undefined)
    files.push({
      path: ".gitignore",
      action: gitignore === undefined ? "create" : "update",
      content: ignoring,
    });
  return {
    server,
    env: { sources: env.sources, variables: env.variables },
    names,
    frontEnd,
    files,
    todo: [
      ...todoList(server, env, snapshot.texts, files, names),
      ...(frontEnd?.blockers ?? []).map(
        (blocker) => `Static hosting can't serve the ${frontEnd!.name} front end as it is: ${blocker}`,
      ),
    ],
    next: "echogate check",
  };
}

/** Writes the files the plan creates or overwrites, all or none. */
export async function applyInit(projectDir: string, plan: InitPlan): Promise<void> {
  const writes = new Map(
    plan.files
      .filter((file) => file.action === "create" || file.action === "overwrite" || file.action === "update")
      .map((file) => [file.path, file.content]),
  );
  if (writes.size > 0) await writeFilesAtomically(projectDir, writes);
}

function entryProblem(candidates: EntryCandidate[], projectDir: string): Error {
  if (candidates.length === 0) {
    return new ConfigError("init.no-entry", `Can't find the server entry in ${projectDir}.`, {
      hint: "No package.json script (start, dev, server), Dockerfile CMD or Procfile starts a server file; pass --entry <file>.",
    });
  }
  const list = candidates
    .map((candidate) => `${candidate.entry} (${candidate.seenIn.join(", ")})`)
    .join("; ");
  return new UsageError(`Can't choose the server entry: ${candidates.length} candidates: ${list}.`, {
    hint: `Pass --entry with the one echogate should deploy, e.g. --entry ${candidates[0]!.entry}.`,
    details: { candidates },
  });
}

function todoList(
  server: ServerDetection,
  env: EnvDraft,
  texts: ReadonlyMap<string, string>,
  files: readonly PlannedFile[],
  names: ExistingNames,
): string[] {
  const todo: string[] = [];
  const health = server.health;
  const reported = 'version: process.env.APP_VERSION ?? "dev"';
  if (!health) {
    todo.push(
      `Add a /health route to the server (the gate checks the version it reports; ${server.framework}):\n${indent(healthSnippet(server.framework))}`,
    );
  } else if (health.version === "none") {
    todo.push(
      `${health.where}: /health reports no version: add \`${reported}\` to its JSON (the gate checks that the new build answers).`,
    );
  } else if (health.version === "hard-coded") {
    todo.push(
      `${health.versionAt!.where}: /health hard-codes its version (\`${health.versionAt!.text}\`), the same for every build: report \`${reported}\` instead (echogate sets APP_VERSION per build).`,
    );
  }
  const code = server.serverFiles.map((file) => texts.get(file) ?? "");
  if (!code.some((text) => /env\.PORT\b|env\[["']PORT["']\]/.test(text))) {
    todo.push("Make the server listen on process.env.PORT: Cloud Run and the emulator pass the port there.");
  }
  const dockerfileText = server.dockerfile ? texts.get(server.dockerfile) : undefined;
  if (dockerfileText !== undefined && !/APP_VERSION/.test(dockerfileText)) {
    todo.push(
      `Bake the version into the image so /health can report it: add \`ARG VERSION=dev\` and \`ENV APP_VERSION=$VERSION\` to ${server.dockerfile}'s final stage${server.cloudbuild ? `, and pass \`--build-arg VERSION=\${_VERSION}\` in ${server.cloudbuild}'s docker build step` : ""} (\`echogate build --cloud\` sets _VERSION; local builds set APP_VERSION themselves).`,
    );
  }
  const secrets = env.variables.filter((variable) => variable.secret).map((variable) => variable.key);
  if (secrets.length > 0) {
    todo.push(
      `Set the secret(s) ${secrets.join(", ")} for each environment: init never copies secret values (they are commented out in environments/.env.*).`,
    );
  }
  const listed = env.variables.filter((variable) => variable.needsValue && !variable.secret);
  if (listed.length > 0) {
    todo.push(
      `Set ${listed.map((variable) => variable.key).join(", ")} in environments/.env.preview, .env.staging and .env.production (listed in ${listed[0]!.declaredIn}; each environment's own value, commented out until set; \`echogate check\` names every one still missing).`,
    );
    const backends = listed.filter((variable) => BACKEND.test(variable.key));
    if (backends.length > 0)
      todo.push(
        `Give each environment its own ${backends.map((variable) => variable.key).join(", ")}: one Redis or database behind two environments lets staging's messages reach production's clients (rule shared-backend refuses it unless env.schema.yaml declares \`shared: { environments: [...], reason: ... }\`).`,
      );
  }
  for (const service of names.services.filter((found) => !/\.md:\d+$/i.test(found.where))) {
    todo.push(
      `${service.where}: \`gcloud run deploy ${service.name}\` moves traffic without the smoke gate: replace the step with \`npx echogate ${service.environment === "staging" ? "deploy staging" : "promote production"}\` (check and drift --source refuse it: rule deploys-through-gate).`,
    );
  }
  const smoke = files.find((file) => file.path === "environments/smoke.yaml");
  // An existing smoke.yaml that differs from the draft was fitted by hand: nothing left to do there.
  const fitted = smoke?.action === "keep";
  if (!fitted) {
    const draft = server.protocol === "socket.io" ? server.socketIo : server.ws;
    const found = server.protocol === "socket.io" ? Boolean(server.socketIo?.send) : Boolean(server.ws?.send);
    if (found && !draft?.confident) {
      todo.push(
        "Fit environments/smoke.yaml's join/send/expect to your events, then uncomment them (drafts from your handlers are in the file).",
      );
    } else if (server.socketIo?.expect?.target === "others") {
      todo.push(
        `Check environments/smoke.yaml's senderReceivesEcho: false: ${server.socketIo.send!.event} is broadcast without the sender (${server.socketIo.send!.where}). Keep it only if that is by design; if your client expects its own copy, that is the seeds' bug: emit with io.to(room) and drop the line.`,
      );
    } else if (
      !found &&
      server.protocol === "socket.io" &&
      !(server.listens.includes("join-room") && server.listens.includes("chat-message"))
    ) {
      todo.push(
        "Fit environments/smoke.yaml's join/send/expect to your events (suggestions are in the file).",
      );
    }
  }
  return todo;
}

/** A connection to a private backend: a database, cache, broker or queue. */
const BACKEND = /DATABASE|DB_URL|POSTGRES|PG_|MYSQL|MONGO|REDIS|AMQP|RABBIT|KAFKA|NATS|QUEUE/i;

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
}
