import { createInterface } from "node:readline/promises";
import { ExitCode } from "../../core/exit-codes.js";
import type { Style } from "../../core/output.js";
import type { EntryCandidate } from "../../init/detect-server.js";
import { applyInit, type InitPlan, planInit } from "../../init/init-project.js";
import { schemaDirFor } from "../../init/schema-location.js";
import type { ArgsOf, CommandContext } from "../command.js";
import type { initShape } from "../commands/init.js";

export async function run(args: ArgsOf<typeof initShape>, ctx: CommandContext): Promise<number> {
  const { dryRun, entry } = args;
  const interactive =
    !args.yes && !ctx.globals.json && !ctx.env.CI && Boolean(process.stdin.isTTY && process.stderr.isTTY);
  const plan = await planInit({
    projectDir: ctx.cwd,
    ...(entry ? { entry } : {}),
    force: args.force,
    schemaDir: schemaDirFor(ctx.cwd),
    ...(interactive ? { chooseEntry: askForEntry } : {}),
  });
  if (!dryRun) await applyInit(ctx.cwd, plan);
  const data = toJson(plan, dryRun);
  ctx.output.result(data, (_data, style) => render(plan, dryRun, style));
  return ExitCode.ok;
}

function toJson(plan: InitPlan, dryRun: boolean) {
  return {
    ok: true,
    dryRun,
    found: {
      workingDir: plan.server.workingDir,
      entry: plan.server.entry ?? null,
      candidates: plan.server.candidates,
      devScript: plan.server.devScript ?? null,
      dockerfile: plan.server.dockerfile ?? null,
      cloudbuild: plan.server.cloudbuild ?? null,
      protocol: plan.server.protocol ?? null,
      framework: plan.server.framework,
      events: plan.server.listens,
      emits: plan.server.emits,
      broadcastsExcludingSender: plan.server.broadcastsExcludingSender,
      healthRoute: plan.server.healthRoute ?? null,
      healthVersion: plan.server.health?.version ?? null,
      serverFiles: plan.server.serverFiles,
      cloudbuilds: plan.server.cloudbuilds,
      wsPath: plan.server.ws?.path?.value ?? null,
      restRoutes: plan.server.restRoutes,
      directEvents: plan.server.directEvents,
      historyEvents: plan.server.historyEvents,
      scenarios: plan.server.scenarios.map(({ name, confident }) => ({
        name,
        drafted: confident ? "live" : "commented",
      })),
      smokeDraft: plan.server.socketIo ?? plan.server.ws ?? null,
      names: plan.names,
      frontEnd: plan.frontEnd ?? null,
      envFiles: plan.env.sources,
      variables: plan.env.variables.map(({ key, type, secret, public: isPublic, realtimeServer }) => ({
        key,
        type,
        secret,
        public: isPublic,
        realtimeServer,
      })),
    },
    files: plan.files.map((file) => ({
      path: file.path,
      action: file.action,
      ...(dryRun ? { content: file.content } : {}),
    })),
    todo: plan.todo,
    next: plan.next,
  };
}

const VERB: Record<string, string> = {
  create: "created",
  overwrite: "overwrote",
  update: "updated",
  unchanged: "unchanged",
  keep: "kept (changed since; --force to replace)",
};

function render(plan: InitPlan, dryRun: boolean, style: Style): string {
  const server = plan.server;
  const found = [
    `${style.bold("Found")}`,
    `  server entry   ${server.entry}${server.workingDir !== "." ? ` (working dir ${server.workingDir})` : ""}`,
    `  protocol       ${server.protocol ?? "unknown (no socket.io or ws found)"}${server.protocolEvidence ? style.dim(` — ${server.protocolEvidence}`) : ""}`,
    `  dev script     ${server.devScript ?? "(none)"}`,
    `  Dockerfile     ${server.dockerfile ?? "(none)"}`,
    `  Cloud Build    ${server.cloudbuilds.length > 0 ? server.cloudbuilds.map((file) => (file === server.cloudbuild ? `${file} (builds the image)` : file)).join(", ") : "(none)"}`,
    `  /health        ${server.healthRoute ? `${server.healthRoute}${server.health?.version === "build" ? "" : style.yellow(` (version: ${server.health?.version})`)}` : style.yellow("not found")}`,
    `  server files   ${server.serverFiles.join(", ") || "(none)"}`,
    `  env files      ${Object.values(plan.env.sources).join(", ") || "(none)"}`,
  ];
  if (server.listens.length > 0) found.push(`  events         ${server.listens.join(", ")}`);
  if (server.emits.length > 0) found.push(`  emits          ${server.emits.join(", ")}`);
  if (server.restRoutes.length > 0)
    found.push(
      `  REST routes    ${server.restRoutes.map((route) => `${route.method} ${route.path}`).join(", ")}`,
    );
  for (const direct of server.directEvents)
    found.push(
      `  direct         ${direct.event} → ${direct.delivers}, to the recipient in ${direct.recipientKey} ${style.dim(`— ${direct.where}`)}`,
    );
  if (server.historyEvents.length > 0) found.push(`  history        ${server.historyEvents.join(", ")}`);
  if (server.ws?.path)
    found.push(`  ws path        ${server.ws.path.value} ${style.dim(`— ${server.ws.path.where}`)}`);
  for (const service of plan.names.services)
    found.push(
      `  Cloud Run      ${service.name}${service.region ? ` (${service.region})` : ""} ${style.dim(`— ${service.where}`)}`,
    );
  if (plan.frontEnd)
    found.push(
      `  front end      ${plan.frontEnd.name} in ${plan.frontEnd.dir === "." ? "this project" : `${plan.frontEnd.dir}/`}, builds into ${plan.frontEnd.publicDir} ${style.dim("— hosting: drafted, commented, in each environment")}`,
    );
  const projects = Object.entries(plan.names.firebaseProjects);
  if (projects.length > 0)
    found.push(
      `  projects       ${projects.map(([alias, id]) => `${alias}: ${id}`).join(", ")} ${style.dim("— .firebaserc")}`,
    );
  const secrets = plan.env.variables.filter((v) => v.secret).map((v) => v.key);
  if (secrets.length > 0)
    found.push(`  secrets        ${secrets.join(", ")} ${style.dim("(values never copied)")}`);
  const files = dryRun
    ? plan.files
        .filter((file) => file.action !== "unchanged" && file.action !== "keep")
        .map(
          (file) =>
            `${style.bold(`--- ${file.path}`)} ${style.dim(`(would be ${file.action === "create" ? "created" : file.action === "update" ? "updated" : "overwritten"})`)}\n${file.content}`,
        )
    : plan.files.map((file) => `  ${VERB[file.action]!.padEnd(10)} ${file.path}`);
  const todo =
    plan.todo.length > 0 ? ["", style.bold("To do"), ...plan.todo.map((item) => `  - ${item}`)] : [];
  return [
    ...found,
    "",
    dryRun ? style.bold("Would write (dry run; nothing written)") : style.bold("Files"),
    ...files,
    ...todo,
    "",
    `Next: ${style.bold(plan.next)}`,
  ].join("\n");
}

async function askForEntry(candidates: EntryCandidate[]): Promise<string | undefined> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    process.stderr.write("Several files could be the server:\n");
    for (const [index, candidate] of candidates.entries()) {
      process.stderr.write(`  ${index + 1}) ${candidate.entry}  (${candidate.seenIn.join(", ")})\n`);
    }
    const answer = (await rl.question(`Which one does echogate deploy? [1-${candidates.length}] `)).trim();
    return candidates[Number(answer) - 1]?.entry;
  } finally {
    rl.close();
  }
}
