import type { EnvironmentKind } from "../config/environment-schema.js";
import { environmentKinds } from "../config/environment-schema.js";
import { SERVICE_URL_PLACEHOLDER } from "../envfiles/placeholders.js";
import type { ServerDetection } from "./detect-server.js";
import type { DraftVariable, EnvDraft } from "./env-draft.js";

interface RenderInput {
  server: ServerDetection;
  env: EnvDraft;
  /** Relative path from environments/ to the shipped JSON Schemas folder (for `$schema` lines). */
  schemaDir: string;
}

/** Pure: every file init writes, path (relative to the project) → content. */
export function renderInitFiles(input: RenderInput): Map<string, string> {
  const files = new Map<string, string>();
  const base = serviceBaseName(input.server.packageName);
  files.set("environments/echogate.yaml", renderProjectSettings(input));
  files.set("environments/env.schema.yaml", renderEnvSchema(input));
  files.set("environments/smoke.yaml", renderSmokeSpec(input));
  for (const kind of environmentKinds) {
    files.set(`environments/${kind}.yaml`, renderEnvironment(kind, base, input.schemaDir));
    files.set(`environments/.env.${kind}`, input.env.files[kind]);
  }
  return files;
}

const schemaLine = (schemaDir: string, name: string) =>
  `# yaml-language-server: $schema=${schemaDir}/${name}.schema.json`;

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

function renderEnvironment(kind: EnvironmentKind, base: string, schemaDir: string): string {
  const descriptions: Record<EnvironmentKind, string> = {
    local: "A developer's machine: the embedded Cloud Run emulator.",
    preview: "One per git branch, short-lived.",
    staging: "Pre-production: every build is deployed and gated here first.",
    production: "Receives only builds that passed the gate in staging.",
  };
  return [
    schemaLine(schemaDir, "environment"),
    `kind: ${kind}`,
    `description: ${JSON.stringify(descriptions[kind])}`,
    "service:",
    "  # local: the embedded emulator; google: Cloud Run (set project to your Google Cloud project id).",
    "  endpoint: local",
    `  project: ${base}`,
    "  regions: [us-central1]",
    `  name: ${base}-${kind}`,
    `  envFile: .env.${kind}`,
    ...(kind === "production" ? ["promotesFrom: staging"] : []),
    "# smoke: environments/smoke.yaml applies; a smoke: section here replaces it for this environment.",
    "",
  ].join("\n");
}

function renderProjectSettings({ server, schemaDir }: RenderInput): string {
  const lines = [
    schemaLine(schemaDir, "project"),
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
  if (server.cloudbuild) lines.push(`  cloudbuild: ${yamlString(server.cloudbuild)}`);
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
    schemaLine(schemaDir, "env-schema"),
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
  return [`  ${variable.key}: { ${fields.join(", ")} }${notes.length ? `  # ${notes.join("; ")}` : ""}`];
}

function renderSmokeSpec({ server, schemaDir }: RenderInput): string {
  const protocol = server.protocol ?? "ws-json";
  const lines = [
    schemaLine(schemaDir, "smoke"),
    "# The smoke gate every environment runs before traffic moves (an environment's own smoke: section",
    "# replaces this file for it). Every key: docs/reference.md#smoke-spec. Templates: {{room}} {{client}} {{nonce}}.",
    "health:",
    "  path: /health",
    "  versionField: version  # the /health JSON field that reports APP_VERSION",
    "echo:",
    `  protocol: ${protocol}${server.protocolEvidence ? `  # ${server.protocolEvidence}` : "  # no socket.io or ws found: check this"}`,
  ];
  if (protocol === "socket.io") {
    if (server.listens.length > 0)
      lines.push(`  # Events the server listens for (socket.on): ${server.listens.join(", ")}`);
    if (server.broadcastsExcludingSender.length > 0) {
      lines.push(
        `  # Emitted to every client but the sender: ${server.broadcastsExcludingSender.join(", ")}.`,
        "  # If your message event works that way by design, the sender can't get its own echo:",
        "  # senderReceivesEcho: false",
      );
    }
    const join =
      server.listens.find((event) => /join|enter|add user|login|subscribe/i.test(event)) ?? "join-room";
    const message =
      server.listens.find((event) => /message|chat|say|send|msg/i.test(event)) ?? "chat-message";
    const matchesDefaults = join === "join-room" && message === "chat-message";
    lines.push(
      matchesDefaults
        ? "  # The defaults fit this server's events: join-room, then chat-message to the room. Spelled out:"
        : "  # Adapt these to your events' payloads, then uncomment (the defaults are join-room / chat-message):",
      "  # join:",
      `  #   event: ${yamlString(join)}`,
      '  #   payload: { roomId: "{{room}}", peerId: "{{client}}" }',
      server.repliesToSender[0]
        ? `  #   waitFor: { event: ${yamlString(server.repliesToSender[0])} }   # or { ack: true } when the server confirms through the emit's callback`
        : "  #   waitFor: { ack: true }   # or { event: <the event the server answers the join with> }",
      "  # send:",
      `  #   event: ${yamlString(message)}`,
      '  #   payload: { roomId: "{{room}}", message: { id: "{{nonce}}", content: "echogate smoke {{nonce}}" } }',
      "  # expect:",
      `  #   event: ${yamlString(message)}`,
      '  #   match: { id: "{{nonce}}" }',
    );
  } else {
    lines.push(
      "  # path: /   # the WebSocket path",
      '  # join: { payload: { type: join, roomId: "{{room}}" }, waitFor: { match: { type: joined } } }',
      '  # send: { payload: { type: chat-message, roomId: "{{room}}", id: "{{nonce}}" } }',
      '  # expect: { match: { id: "{{nonce}}" } }',
    );
  }
  return `${lines.join("\n")}\n`;
}

function yamlString(value: string): string {
  return /^[A-Za-z0-9_./-][A-Za-z0-9_./ -]*$/.test(value) &&
    !/^(true|false|null|yes|no|on|off)$/i.test(value) &&
    !value.endsWith(" ")
    ? value
    : JSON.stringify(value);
}
