import type { EnvironmentKind } from "../config/environment-schema.js";
import { environmentKinds } from "../config/environment-schema.js";
import { SERVICE_URL_PLACEHOLDER } from "../envfiles/placeholders.js";
import type { ServerDetection } from "./detect-server.js";
import type { DraftVariable, EnvDraft } from "./env-draft.js";
import { type ExistingNames, namesFor } from "./existing-names.js";
import { type FrontEndDraft, renderFrontEndHosting } from "./front-end-draft.js";

interface RenderInput {
  server: ServerDetection;
  env: EnvDraft;
  /** Relative path from environments/ to the installed JSON Schemas folder; undefined: no `$schema` line. */
  schemaDir: string | undefined;
  names: ExistingNames;
  /** A framework-built front end init found, drafted as a commented `hosting:` block. */
  frontEnd?: FrontEndDraft | undefined;
}

/** Pure: every file init writes, path (relative to the project) → content. */
export function renderInitFiles(input: RenderInput): Map<string, string> {
  const files = new Map<string, string>();
  const base = serviceBaseName(input.server.packageName);
  files.set("environments/echogate.yaml", renderProjectSettings(input));
  files.set("environments/env.schema.yaml", renderEnvSchema(input));
  files.set("environments/smoke.yaml", renderSmokeSpec(input));
  for (const kind of environmentKinds) {
    files.set(`environments/${kind}.yaml`, renderEnvironment(kind, base, input));
    files.set(`environments/.env.${kind}`, input.env.files[kind]);
  }
  return files;
}

const schemaLine = (schemaDir: string | undefined, name: string): string[] =>
  schemaDir === undefined ? [] : [`# yaml-language-server: $schema=${schemaDir}/${name}.schema.json`];

/** A Cloud Run service name base: lowercase, dashes, starts with a letter, short enough for tags and previews. */
function serviceBaseName(packageName: string | undefined): string {
  const cleaned = (packageName ?? "app")
    .replace(/^@[^/]+\//, "")
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .slice(0, 20)
    .replace(/-+$/, "");
  return cleaned || "app";
}

function renderEnvironment(
  kind: EnvironmentKind,
  base: string,
  { schemaDir, names, frontEnd }: RenderInput,
): string {
  const descriptions: Record<EnvironmentKind, string> = {
    local: "A developer's machine: the embedded Cloud Run emulator.",
    preview: "One per git branch, short-lived.",
    staging: "Pre-production: every build is deployed and gated here first.",
    production: "Receives only builds that passed the gate in staging.",
  };
  const kept = namesFor(kind, names);
  const from = (where: string | undefined) => (where ? `  # from ${where}` : "");
  const project = kept.project ?? base;
  const publicDir = names.hostingPublicDir ?? "public";
  return [
    ...schemaLine(schemaDir, "environment"),
    `kind: ${kind}`,
    `description: ${JSON.stringify(descriptions[kind])}`,
    "service:",
    "  # local: the embedded emulator; google: Cloud Run (set project to your Google Cloud project id).",
    "  endpoint: local",
    `  project: ${yamlString(project)}${from(kept.projectFrom)}`,
    `  regions: [${kept.region ?? "us-central1"}]`,
    `  name: ${yamlString(kept.service ?? `${base}-${kind}`)}${from(kept.serviceFrom)}`,
    `  envFile: .env.${kind}`,
    ...(kind === "production" ? ["promotesFrom: staging"] : []),
    ...(frontEnd && kind !== "local"
      ? renderFrontEndHosting(
          frontEnd,
          kept.hostingSite ?? `${base}-${kind}`,
          kept.hostingSite ? "firebase" : "local",
        )
      : kept.hostingSite
        ? [
            `# The web front end's existing Hosting site (.firebaserc targets${names.hostingPublicDir ? `, firebase.json public: ${publicDir}` : ""}); uncomment to deploy it with the server:`,
            `# hosting: { provider: firebase, site: ${kept.hostingSite}, publicDir: ${publicDir} }`,
          ]
        : []),
    "# smoke: environments/smoke.yaml applies; a smoke: section here replaces it for this environment.",
    "",
  ].join("\n");
}

function renderProjectSettings({ server, schemaDir }: RenderInput): string {
  const lines = [
    ...schemaLine(schemaDir, "project"),
    "# Detected by echogate init. Every key is optional; an unset key is detected again on each run.",
    "layout:",
    `  workingDir: ${yamlString(server.workingDir)}`,
  ];
  if (server.entry) lines.push(`  serverEntry: ${yamlString(server.entry)}`);
  lines.push(
    server.devScript
      ? `  devScript: ${yamlString(server.devScript)}`
      : "  devScript: false  # no package.json script starts the server",
  );
  if (server.dockerfile) lines.push(`  dockerfile: ${yamlString(server.dockerfile)}`);
  if (server.cloudbuild) {
    const others = server.cloudbuilds.filter((file) => file !== server.cloudbuild);
    lines.push(
      `  cloudbuild: ${yamlString(server.cloudbuild)}${others.length > 0 ? `  # it builds the image; also found: ${others.join(", ")}` : ""}`,
    );
  }
  lines.push(
    "version:",
    '  # package: package.json version + short git sha. Or { from: file, file: VERSION, pattern: "(\\\\S+)" },',
    "  # or { from: command, command: git describe --tags }.",
    "  from: package",
    "",
  );
  return lines.join("\n");
}

function renderEnvSchema({ env, schemaDir }: RenderInput): string {
  const lines = [
    ...schemaLine(schemaDir, "env-schema"),
    "# Every variable an env file in environments/ may set, drafted by echogate init from",
    `# ${Object.values(env.sources).join(", ") || "no existing env file"}. Review the types and flags.`,
    `# ${SERVICE_URL_PLACEHOLDER} stands for this environment's own server URL; deploy fills it in.`,
    "version: 1",
  ];
  if (env.variables.length === 0) lines.push("variables: {}");
  else {
    lines.push("variables:");
    for (const variable of env.variables) lines.push(...renderVariable(variable));
  }
  return `${lines.join("\n")}\n`;
}

function renderVariable(variable: DraftVariable): string[] {
  const fields: string[] = [`type: ${variable.type}`];
  if (variable.secret) fields.push("secret: true");
  if (variable.public) fields.push("public: true");
  if (variable.realtimeServer) fields.push("realtimeServer: true");
  if (variable.environmentSpecific) fields.push("environmentSpecific: true");
  if (variable.optional) fields.push("required: false");
  const notes: string[] = [];
  if (variable.secret)
    notes.push(`secret because of ${variable.secretBecause ?? "its name"}; its value is never copied`);
  if (variable.realtimeServer) notes.push("points at this project's own server");
  if (variable.setByImage) notes.push(`the image sets it (${variable.declaredIn})`);
  else if (variable.declaredIn) notes.push(`listed in ${variable.declaredIn}`);
  return [`  ${variable.key}: { ${fields.join(", ")} }${notes.length ? `  # ${notes.join("; ")}` : ""}`];
}

function renderSmokeSpec({ server, schemaDir }: RenderInput): string {
  const protocol = server.protocol ?? "ws-json";
  const lines = [
    ...schemaLine(schemaDir, "smoke"),
    "# The smoke gate every environment runs before traffic moves (an environment's own smoke: section",
    "# replaces this file for it). Every key: docs/reference.md#smoke-spec. Templates: {{room}} {{client}} {{nonce}}.",
    "health:",
    "  path: /health",
    "  versionField: version  # the /health JSON field that reports APP_VERSION",
    "echo:",
    `  protocol: ${protocol}${server.protocolEvidence ? `  # ${server.protocolEvidence}` : "  # no socket.io or ws found: check this"}`,
  ];
  if (server.serverFiles.length > 0)
    lines.push(`  # Read from the server entry and what it imports: ${server.serverFiles.join(", ")}`);
  if (protocol === "socket.io") lines.push(...socketIoEcho(server));
  else lines.push(...wsEcho(server));
  lines.push(...scenarioLines(server));
  return `${lines.join("\n")}\n`;
}

/** The drafted keys, written live when every part was found, else commented out for review. */
function drafted(confident: boolean, keys: string[]): string[] {
  return keys.map((line) => (confident ? `  ${line}` : `  # ${line}`));
}

function socketIoEcho(server: ServerDetection): string[] {
  const draft = server.socketIo;
  const lines: string[] = [];
  if (server.listens.length > 0)
    lines.push(`  # Events the server listens for (socket.on): ${server.listens.join(", ")}`);
  if (server.emits.length > 0)
    lines.push(`  # Events it emits (what its clients listen for): ${server.emits.join(", ")}`);
  if (!draft?.join && !draft?.send) {
    lines.push(
      "  # No join or message handler found: the defaults (join-room, then chat-message to the room) apply.",
    );
    return lines;
  }
  const confident = draft.confident;
  lines.push(
    confident
      ? "  # Drafted from the server's handlers (review the payloads):"
      : "  # Drafted from the server's handlers, unsure where marked: fit them, then uncomment (the defaults are join-room / chat-message):",
  );
  const keys: string[] = [];
  if (draft.join) {
    keys.push(
      `join:  # ${draft.join.where}${server.socketIo?.join && draft.join.waitFor ? "" : " (unsure: no confirmation found)"}`,
      `  event: ${yamlString(draft.join.event)}`,
      `  payload: ${flow(draft.join.payload)}`,
      draft.join.waitFor
        ? `  waitFor: ${"ack" in draft.join.waitFor ? "{ ack: true }  # the handler calls its callback" : `{ event: ${yamlString(draft.join.waitFor.event)} }  # what the server emits back after joining`}`
        : "  waitFor: { ack: true }  # unsure: or { event: <what the server answers the join with> }",
    );
  }
  if (draft.send && draft.expect) {
    keys.push(
      `send:  # ${draft.send.where}`,
      `  event: ${yamlString(draft.send.event)}`,
      `  payload: ${flow(draft.send.payload)}`,
      "expect:",
      `  event: ${yamlString(draft.expect.event)}`,
      draft.expect.match
        ? `  match: ${flow(draft.expect.match)}`
        : '  match: { id: "{{nonce}}" }  # unsure: a field of the echo that carries the nonce you send',
    );
  }
  lines.push(...drafted(confident, keys));
  if (draft.expect?.target === "everyone") {
    lines.push(
      `  # ${draft.expect.event} goes to the whole room (io.to/io.in): the sender gets its own copy, and the gate checks it does.`,
    );
  } else if (draft.expect?.target === "others") {
    lines.push(
      `  # ${draft.expect.event} is sent to everyone but the sender (socket.broadcast / socket.to): the sender never gets its own copy.`,
      ...(server.clientsExpectingEcho.length > 0
        ? [
            `  # ${server.clientsExpectingEcho.join(", ")} sends ${draft.send!.event} and listens for ${draft.expect.event}: if it waits for its own`,
            "  # copy to show a message, this is the seeds' bug pattern: emit with io.to(room) instead, and drop the line below.",
          ]
        : []),
      `  ${confident ? "" : "# "}senderReceivesEcho: false  # by design only: the gate then skips the sender's own copy`,
    );
  }
  return lines;
}

function wsEcho(server: ServerDetection): string[] {
  const draft = server.ws;
  const lines: string[] = [];
  lines.push(
    draft?.path
      ? `  path: ${draft.path.value}  # ${draft.path.where}`
      : "  # path: /   # the WebSocket path (no path: option found on the WebSocketServer)",
  );
  if (!draft?.join && !draft?.send) {
    lines.push(
      '  # join: { payload: { type: join, roomId: "{{room}}" }, waitFor: { match: { type: joined } } }',
      '  # send: { payload: { type: chat-message, roomId: "{{room}}", id: "{{nonce}}" } }',
      '  # expect: { match: { id: "{{nonce}}" } }',
    );
    return lines;
  }
  lines.push(
    draft.confident
      ? "  # Drafted from the message types the server handles (review the payloads):"
      : "  # Drafted from the message types the server handles, unsure: fit them, then uncomment:",
  );
  const keys: string[] = [];
  if (draft.join)
    keys.push(
      `join: { payload: ${flow(draft.join.payload)}${draft.join.waitFor ? `, waitFor: { match: ${flow(draft.join.waitFor)} }` : ""} }`,
    );
  if (draft.send && draft.expect)
    keys.push(
      `send: { payload: ${flow(draft.send.payload)} }`,
      `expect: { match: ${flow(draft.expect.match)} }`,
    );
  lines.push(...drafted(draft.confident, keys));
  return lines;
}

/** Drafted scenario gates: live when every part came from the server's code, else commented with why. */
function scenarioLines(server: ServerDetection): string[] {
  if (server.scenarios.length === 0) return [];
  const lines = [
    "# Scenario gates drafted from the server (docs/reference.md, smoke scenarios); they run after the echo check.",
  ];
  const live = server.scenarios.filter((scenario) => scenario.confident);
  lines.push(live.length > 0 ? "scenarios:" : "# scenarios:");
  for (const scenario of server.scenarios) {
    const prefix = scenario.confident ? "" : "# ";
    if (!scenario.confident) lines.push(`  # unsure: ${scenario.unsure ?? "review every step"}`);
    lines.push(
      `${prefix}  - name: ${scenario.name}`,
      `${prefix}    description: ${JSON.stringify(scenario.description)}`,
      `${prefix}    clients: ${flow(Object.fromEntries(scenario.clients.map((client) => [client, {}])))}`,
      `${prefix}    steps:`,
      ...scenario.steps.map((step) => `${prefix}      - ${flow(step).replace(/^\{ | \}$/g, "")}`),
    );
  }
  return lines;
}

type FlowValue = string | number | boolean | FlowValue[] | { [key: string]: FlowValue };

/** A YAML flow value on one line: `{ roomId: "{{room}}", peerId: "{{client}}" }`. */
function flow(value: FlowValue): string {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string") return /[{}:]/.test(value) ? JSON.stringify(value) : yamlString(value);
  if (Array.isArray(value)) return `[${value.map(flow).join(", ")}]`;
  const entries = Object.entries(value);
  if (entries.length === 0) return "{}";
  return `{ ${entries.map(([key, inner]) => `${/^\$/.test(key) ? key : yamlString(key)}: ${flow(inner)}`).join(", ")} }`;
}

function yamlString(value: string): string {
  return /^[A-Za-z0-9_./-][A-Za-z0-9_./ -]*$/.test(value) &&
    !/^(true|false|null|yes|no|on|off)$/i.test(value) &&
    !value.endsWith(" ")
    ? value
    : JSON.stringify(value);
}
