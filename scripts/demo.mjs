#!/usr/bin/env zx
// The whole story on the embedded emulator, in a throwaway copy of this repo:
// build → preview → staging → production, a broken build refused by the gate, a release, a rollback.
// Thin on purpose: every step is `node bin/echogate.js …`.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { $, chalk } from "zx";

const root = resolve(import.meta.dirname, "..");
const work = mkdtempSync(join(tmpdir(), "echogate-demo-"));
const started = Date.now();
const rows = [];
$.verbose = false;
$.env = { ...process.env, NO_COLOR: "1", ECHOGATE_EMULATOR_ENDPOINT: "" };

function banner(text) {
  console.log(`\n${chalk.bold.cyan(`━━ ${text}`)}`);
}

/** Runs `echogate …` in the demo project, streams its output, records the row for the final table. */
async function eg(label, args, { expect = 0, json = false } = {}) {
  const t0 = Date.now();
  console.log(chalk.dim(`$ echogate ${args.join(" ")}`));
  const p = await $({
    cwd: work,
    nothrow: true,
  })`node ${join(root, "bin/echogate.js")} ${args} ${json ? ["--json"] : []}`;
  if (!json) process.stdout.write(p.stdout);
  process.stdout.write(chalk.dim(p.stderr));
  const ok = p.exitCode === expect;
  rows.push({ step: label, exit: p.exitCode, expected: expect, ms: Date.now() - t0, ok });
  if (!ok) throw new Error(`${label}: exit ${p.exitCode}, expected ${expect}`);
  return json ? JSON.parse(p.stdout) : p;
}

async function health(environment) {
  const { environments } = await eg(`status ${environment}`, ["status", environment], { json: true });
  const url = environments[0].url;
  const body = await (await fetch(`${url}/health`)).json();
  console.log(`${environment} /health → version ${chalk.bold(body.version)}, revision ${body.revision}`);
  return body;
}

try {
  banner(`Project copy in ${work}`);
  for (const entry of [
    "package.json",
    "Dockerfile.minimal",
    "cloudbuild.yaml",
    "tsconfig.json",
    "environments",
    "server",
    "web",
  ]) {
    if (existsSync(join(root, entry))) cpSync(join(root, entry), join(work, entry), { recursive: true });
  }
  symlinkSync(join(root, "node_modules"), join(work, "node_modules"), "dir");
  writeFileSync(join(work, ".gitignore"), "node_modules/\n.echogate/\n");
  const git = (...args) => $({ cwd: work })`git -c user.email=demo@echogate.dev -c user.name=demo ${args}`;
  await git("init", "-q", "-b", "feature-chat-rooms");
  await git("add", "-A");
  await git("commit", "-q", "-m", "demo: v0.1.0");

  banner("Start the Cloud Run emulator");
  await eg("emulator start", ["emulator", "start"]);

  banner("Build once: one digest for every environment");
  const v1 = await eg("build v1", ["build"], { json: true });
  console.log(`built ${chalk.bold(v1.version)} ${v1.digest}`);

  banner("Preview for the current branch");
  const preview = await $({ cwd: work, nothrow: true })`node ${join(root, "bin/echogate.js")} preview deploy`;
  if (preview.exitCode === 0) {
    process.stdout.write(preview.stdout);
    rows.push({ step: "preview deploy", exit: 0, expected: 0, ms: 0, ok: true });
  } else {
    console.log(chalk.dim(`preview deploy unavailable (exit ${preview.exitCode}); using deploy preview`));
    await eg("deploy preview", ["deploy", "preview", "--image", v1.digest]);
  }

  banner("Staging: candidate at 0% + tag, smoke on the tag URL, shift, smoke again");
  await eg("deploy staging v1", ["deploy", "staging", "--image", v1.digest]);

  banner("Production receives exactly what passed staging");
  await eg("promote production --dry-run", ["promote", "production", "--dry-run"]);
  await eg("promote production v1", ["promote", "production"]);
  await eg("status", ["status"]);

  banner("A build with the seeds' bug (socket.to instead of io.to): the gate must refuse it");
  const bad = await eg("build --fault exclude-sender", ["build", "--fault", "exclude-sender"], {
    json: true,
  });
  await eg("deploy staging (faulty)", ["deploy", "staging", "--image", bad.digest], { expect: 1 });
  await eg("promote production (refused)", ["promote", "production", "--image", bad.digest], { expect: 1 });
  const prodAfterBad = await health("production");
  if (prodAfterBad.version !== v1.version) throw new Error("production stopped serving the good version");

  banner("Release v0.1.1 through staging to production, then roll production back");
  const pkg = JSON.parse(readFileSync(join(work, "package.json"), "utf8"));
  writeFileSync(join(work, "package.json"), `${JSON.stringify({ ...pkg, version: "0.1.1" }, null, 2)}\n`);
  await git("commit", "-q", "-am", "demo: v0.1.1");
  const v2 = await eg("build v2", ["build"], { json: true });
  await eg("deploy staging v2", ["deploy", "staging", "--image", v2.digest]);
  await eg("promote production v2", ["promote", "production"]);
  await health("production");
  await eg("rollback production", ["rollback", "production"]);
  const afterRollback = await health("production");
  if (afterRollback.version !== v1.version) throw new Error("rollback did not restore v1");
  await eg("status", ["status"]);
} catch (error) {
  console.error(chalk.red(`demo failed: ${error.message}`));
  process.exitCode = 1;
} finally {
  await $({ cwd: work, nothrow: true })`node ${join(root, "bin/echogate.js")} emulator stop`;
  rmSync(work, { recursive: true, force: true });
  banner("Summary");
  const width = Math.max(...rows.map((r) => r.step.length));
  for (const r of rows) {
    const mark = r.ok ? chalk.green("✔") : chalk.red("✖");
    console.log(
      `${mark} ${r.step.padEnd(width)}  exit ${r.exit}${r.expected ? ` (expected ${r.expected})` : ""}  ${String(r.ms).padStart(6)} ms`,
    );
  }
  console.log(
    `\n${process.exitCode ? chalk.red("demo failed") : chalk.green("demo passed")} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}
