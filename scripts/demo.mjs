#!/usr/bin/env zx
// The whole story on the embedded emulator, in a throwaway copy of this repo:
// build → preview (server + web channel) → staging (server + web) → production (server + web
// promoted together), broken builds refused by the gate (the echo's and a scenario's), a release, a
// rollback, staging on two instances sharing Redis and PostgreSQL, and a Vite front
// end that bakes its server URL at build time promoted as one template.
// Thin on purpose: every step is `node bin/echogate.js …`.
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { $, chalk } from "zx";

const root = resolve(import.meta.dirname, "..");
// The preview is for the branch this demo runs from ('demo' outside a git checkout or detached).
const rootBranch = await $({ cwd: root, nothrow: true })`git rev-parse --abbrev-ref HEAD`;
const branch =
  rootBranch.exitCode === 0 && rootBranch.stdout.trim() && rootBranch.stdout.trim() !== "HEAD"
    ? rootBranch.stdout.trim()
    : "demo";
const work = mkdtempSync(join(tmpdir(), "echogate-demo-"));
// The second example: a Vite front end that bakes its server URL at build time (test/fixtures/vite-web).
const viteWork = mkdtempSync(join(tmpdir(), "echogate-demo-vite-"));
const started = Date.now();
const rows = [];
$.verbose = false;
$.quiet = true;
$.env = { ...process.env, NO_COLOR: "1", ECHOGATE_EMULATOR_ENDPOINT: "" };

function banner(text) {
  console.log(`\n${chalk.bold.cyan(`━━ ${text}`)}`);
}

/** Runs `echogate …` in the demo project, streams its output, records the row for the final table. */
async function eg(label, args, { expect = 0, json = false, cwd = work } = {}) {
  const t0 = Date.now();
  console.log(chalk.dim(`$ echogate ${args.join(" ")}`));
  const p = await $({
    cwd,
    nothrow: true,
  })`node ${join(root, "bin/echogate.js")} ${args} ${json ? ["--json"] : []}`;
  const ok = p.exitCode === expect;
  if (!json) process.stdout.write(p.stdout);
  // --json runs stream NDJSON progress on stderr: shown only when the step went wrong.
  if (!json || !ok) process.stdout.write(chalk.dim(p.stderr));
  rows.push({ step: label, exit: p.exitCode, expected: expect, ms: Date.now() - t0, ok });
  if (!ok) throw new Error(`${label}: exit ${p.exitCode}, expected ${expect}`);
  return json ? JSON.parse(p.stdout) : p;
}

/** Fetches a hosted page's runtime config: which server that front end talks to. */
async function webConfig(label, url) {
  const config = await (await fetch(`${url}/echogate.json`)).json();
  console.log(`${label} web ${url} → server ${chalk.bold(config.serverUrl)}`);
  return config;
}

async function health(environment) {
  const { environments } = await eg(`status ${environment}`, ["status", environment], { json: true });
  const url = environments[0].url;
  const body = await (await fetch(`${url}/health`)).json();
  console.log(`${environment} /health → version ${chalk.bold(body.version)}, revision ${body.revision}`);
  return body;
}

/** True when a Redis server answers PING at `url` within a second. */
function redisAnswers(url) {
  const { hostname, port } = new URL(url);
  return new Promise((done) => {
    const socket = net.connect({ host: hostname, port: Number(port || 6379) });
    const finish = (ok) => {
      clearTimeout(timer);
      socket.destroy();
      done(ok);
    };
    const timer = setTimeout(() => finish(false), 1_000);
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => finish(String(data).startsWith("+PONG")));
    socket.once("error", () => finish(false));
  });
}

/** True when PostgreSQL accepts a connection and answers SELECT 1 at `url` within 2 s. */
async function postgresAnswers(url) {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Drops the demo's tables (its own prefix) so a run leaves nothing in the database. */
async function dropDemoTables(url, prefix) {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    for (const name of ["room_messages", "direct_messages"])
      await client.query(`DROP TABLE IF EXISTS ${prefix}${name}`);
    await client.query(`DROP SEQUENCE IF EXISTS ${prefix}dm_seq`);
  } catch {
    // Nothing to clean when the chapter was skipped.
  } finally {
    await client.end().catch(() => undefined);
  }
}

const databaseUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
// Letters, digits and underscores only (DATABASE_TABLE_PREFIX); unique per run.
const tablePrefix = `echogate_demo_${Date.now().toString(36)}_`;

/**
 * A build that breaks one feature the way real chat servers did: registration "simplified" to skip
 * the direct messages stored while the user was away (the client "fetches them over REST anyway").
 * Echo and health still pass; the offline-dm scenario must refuse it, and staging keeps serving.
 */
async function brokenOfflineChapter(git, serving) {
  banner(
    "A build that loses offline direct messages: echo and /health pass, the offline-dm scenario must refuse it",
  );
  const file = join(work, "server/src/direct-handlers.ts");
  const source = readFileSync(file, "utf8");
  const line = "const pending = await store.pendingDms(userId, msg.since, PENDING_BATCH);";
  if (!source.includes(line))
    throw new Error(`the demo's patch target is gone from server/src/direct-handlers.ts: ${line}`);
  writeFileSync(
    file,
    source.replace(line, "const pending: DirectMessage[] = []; // clients fetch history over REST"),
  );
  await git("commit", "-q", "-am", "demo: registration skips stored direct messages");
  console.log(chalk.dim(`server/src/direct-handlers.ts: ${line} → const pending: DirectMessage[] = [];`));
  const broken = await eg("build (drops offline DMs)", ["build"], { json: true });
  await eg("deploy staging (drops offline DMs)", ["deploy", "staging", "--image", broken.digest], {
    expect: 1,
  });
  const after = await health("staging");
  if (after.version !== serving) throw new Error("staging stopped serving the good version");
  await git("reset", "-q", "--hard", "HEAD~1");
}

/**
 * Staging on two instances sharing rooms through Redis: the gate puts its clients on both
 * instances (each read /health's `instance`, kept the affinity cookie) and requires the message to
 * cross. The server contract: with REDIS_URL set, rooms are shared; /health reports `instance`.
 */
async function scaleOutChapter(image) {
  banner(
    "Scale-out: staging on two instances, rooms shared through Redis, messages kept in PostgreSQL, fan-out gated",
  );
  const redisUrl = process.env.REDIS_URL || "redis://127.0.0.1:6379";
  if (!(await redisAnswers(redisUrl))) {
    console.log(
      chalk.yellow(
        `Skipping this chapter: no Redis answers at ${new URL(redisUrl).host} (set REDIS_URL, or run: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no).`,
      ),
    );
    return;
  }
  // Two instances must share the messages they keep, not only the broadcast: a user who comes back
  // on the other instance must find what was stored for it (the offline-dm scenario checks it).
  if (!(await postgresAnswers(databaseUrl))) {
    console.log(
      chalk.yellow(
        `Skipping this chapter: no PostgreSQL answers at ${new URL(databaseUrl).host} (set DATABASE_URL, or start one with trust auth and a database named test).`,
      ),
    );
    return;
  }
  const schema = join(work, "environments/env.schema.yaml");
  if (!readFileSync(schema, "utf8").includes("REDIS_URL:")) {
    const text = readFileSync(schema, "utf8").replace(
      "\n  PORT:\n",
      "\n  REDIS_URL:\n    type: url\n    required: false\n    secret: true\n    environmentSpecific: true\n    protocols: { default: [redis, rediss] }\n    description: Redis backplane shared by the server's instances.\n  PORT:\n",
    );
    writeFileSync(schema, text);
  }
  appendFileSync(
    join(work, "environments/.env.staging"),
    `REDIS_URL=${redisUrl}\nDATABASE_URL=${databaseUrl}\nDATABASE_TABLE_PREFIX=${tablePrefix}\n`,
  );
  const stagingYaml = join(work, "environments/staging.yaml");
  writeFileSync(
    stagingYaml,
    readFileSync(stagingYaml, "utf8").replace(
      "  envFile: .env.staging\n",
      "  envFile: .env.staging\n  minInstances: 2\n  maxInstances: 2\n  backplane: redis\n",
    ),
  );
  console.log(
    "staging: minInstances 2, maxInstances 2, backplane redis, REDIS_URL and DATABASE_URL in .env.staging",
  );
  const serverShares =
    existsSync(join(work, "server/src")) &&
    (await $({ cwd: work, nothrow: true })`grep -rlq REDIS_URL server/src`).exitCode === 0;
  if (!serverShares)
    console.log(
      chalk.yellow(
        "This reference server keeps rooms in memory (no REDIS_URL support): the fan-out gate must refuse it.",
      ),
    );
  await eg("deploy staging (2 instances)", ["deploy", "staging", "--image", image], {
    expect: serverShares ? 0 : 1,
  });
  if (serverShares) await eg("status staging", ["status", "staging"]);
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
  await git("init", "-q", "-b", branch);
  await git("add", "-A");
  await git("commit", "-q", "-m", "demo: v0.1.0");

  banner("Start the emulators (Cloud Run + Hosting, one daemon)");
  await eg("emulator start", ["emulator", "start"]);
  // Like `firebase hosting:sites:create`: the local Hosting emulator deploys only to sites created first.
  await eg("emulator sites", ["emulator", "sites"]);

  banner("Build once: one digest for every environment");
  const v1 = await eg("build v1", ["build"], { json: true });
  console.log(`built ${chalk.bold(v1.version)} ${v1.digest}`);

  banner(`Preview for branch ${branch}: its own service (gated like staging) + web channel`);
  const preview = await eg(`preview deploy --branch ${branch}`, ["preview", "deploy", "--branch", branch], {
    json: true,
  });
  console.log(`preview ${preview.id}: service ${preview.service}, expires ${preview.expireTime}`);
  await webConfig("preview", preview.webUrl);
  await eg("preview list", ["preview", "list"]);

  banner("Staging: candidate at 0% + tag, smoke on the tag URL, shift, smoke again; then its web");
  await eg("deploy staging v1", ["deploy", "staging", "--image", v1.digest]);
  const stagingWeb = await eg("web deploy staging", ["web", "deploy", "staging"], { json: true });
  await webConfig("staging", stagingWeb.url);

  banner("Production receives exactly what passed staging: the server digest and the web build");
  await eg("promote production --dry-run", ["promote", "production", "--dry-run"]);
  const prod = await eg("promote production v1", ["promote", "production"], { json: true });
  console.log(`production web cloned from ${prod.web.clonedFrom} (no rebuild)`);
  await webConfig("production", prod.web.url);
  await eg("status", ["status"]);

  banner("A build with the seeds' bug (socket.to instead of io.to): the gate must refuse it");
  const bad = await eg("build --fault exclude-sender", ["build", "--fault", "exclude-sender"], {
    json: true,
  });
  await eg("deploy staging (faulty)", ["deploy", "staging", "--image", bad.digest], { expect: 1 });
  await eg("promote production (refused)", ["promote", "production", "--image", bad.digest], { expect: 1 });
  const prodAfterBad = await health("production");
  if (prodAfterBad.version !== v1.version) throw new Error("production stopped serving the good version");
  const prodWeb = await webConfig("production", prod.web.url);
  if (prodWeb.environment !== "production") throw new Error("production web stopped serving");

  await brokenOfflineChapter(git, v1.version);

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

  await scaleOutChapter(v2.digest);

  banner("A Vite front end that bakes VITE_SERVER_URL at build time: built once as a template");
  cpSync(join(root, "test/fixtures/vite-web"), viteWork, { recursive: true });
  symlinkSync(join(root, "node_modules"), join(viteWork, "node_modules"), "dir");
  const imageDir = `sha256-${v1.digest.replace("sha256:", "")}`;
  cpSync(join(work, ".echogate/images", imageDir), join(viteWork, ".echogate/images", imageDir), {
    recursive: true,
  });
  const vite = { cwd: viteWork };
  await eg("vite: emulator sites", ["emulator", "sites"], vite);
  await eg("vite: deploy staging", ["deploy", "staging", "--image", v1.digest], vite);
  const viteStaging = await eg("vite: web deploy staging (template)", ["web", "deploy", "staging"], {
    ...vite,
    json: true,
  });
  const viteProd = await eg("vite: promote production", ["promote", "production"], { ...vite, json: true });
  console.log(
    `template digest: staging ${chalk.bold(viteStaging.webDigest)}, production ${chalk.bold(viteProd.web.webDigest)}`,
  );
  if (viteStaging.webDigest !== viteProd.web.webDigest)
    throw new Error("production's template differs from staging's");
  for (const [label, url] of [
    ["staging", viteStaging.url],
    ["production", viteProd.web.url],
  ]) {
    const html = await (await fetch(`${url}/`)).text();
    const entry = /\/assets\/index-[\w-]+\.js/.exec(html)[0];
    const js = await (await fetch(`${url}${entry}`)).text();
    const baked = /`(wss?:\/\/[^`]+)`/.exec(js)?.[1];
    console.log(`${label.padEnd(10)} ${entry} bakes ${chalk.bold(baked)}`);
  }

  banner("The pull request closes: its preview goes away");
  await eg(`preview cleanup --branch ${branch} --yes`, ["preview", "cleanup", "--branch", branch, "--yes"]);
} catch (error) {
  console.error(chalk.red(`demo failed: ${error.message}`));
  process.exitCode = 1;
} finally {
  const stop = await $({ cwd: work, nothrow: true })`node ${join(root, "bin/echogate.js")} emulator stop`;
  process.stdout.write(stop.stdout);
  if (existsSync(join(viteWork, ".echogate")))
    await $({ cwd: viteWork, nothrow: true })`node ${join(root, "bin/echogate.js")} emulator stop`;
  rmSync(work, { recursive: true, force: true });
  rmSync(viteWork, { recursive: true, force: true });
  await dropDemoTables(databaseUrl, tablePrefix);
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
