#!/usr/bin/env node
// `npm run mutate [-- --only id1,id2]`: one-line mutations of the gate, promotion, redaction and
// env rules. Each is applied alone, the test files that should notice it run, and the file is
// restored. A mutation the tests still pass on "survived": a missing test. Slow (a vitest run per
// mutation); run by hand, not in CI. Exits 1 when any survived or no longer applies.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = fileURLToPath(new URL("..", import.meta.url));

const POLICY = "test/promote/gate-policy.test.ts";
const PLAN = "test/promote/plan.test.ts";
const EXECUTE = "test/promote/execute.test.ts";
const KILL = "test/faults/kill-rerun.test.ts";
const IAM = "test/emulator/iam.test.ts";
const REDACT = "test/core/redact.test.ts";

/** file, the exact text (must occur once), its replacement, and the tests that must catch it. */
export const MUTATIONS = [
  // The gate and promotion.
  {
    id: "already-serving-ignores-gate",
    file: "deploy/promote/plan.ts",
    search: "service !== undefined && hasPassed(records, candidate) && sameTraffic(",
    replace: "service !== undefined && sameTraffic(",
    tests: [POLICY, PLAN],
  },
  {
    id: "rollback-to-any-recorded",
    file: "deploy/promote/rollback-plan.ts",
    search: 'if (target?.result !== "passed") {',
    replace: "if (target === undefined) {",
    tests: [POLICY],
  },
  {
    id: "rollback-to-never-gated",
    file: "deploy/promote/rollback-plan.ts",
    search: 'if (target?.result !== "passed") {',
    replace: 'if (target?.result === "failed") {',
    tests: [POLICY],
  },
  {
    id: "failed-smoke-still-shifts",
    file: "deploy/promote/execute-steps.ts",
    search: "      if (!result.ok) {",
    replace: "      if (false) {",
    tests: [EXECUTE],
  },
  {
    id: "previous-passed-ignores-result",
    file: "deploy/model/gate-records.ts",
    search: 'record.result === "passed" &&',
    replace: "true &&",
    tests: [PLAN, POLICY],
  },
  {
    id: "restore-split-with-candidate",
    file: "deploy/promote/failure-policy.ts",
    search: "revision !== candidate && hasPassed(records, revision);\n  if",
    replace: "hasPassed(records, revision);\n  if",
    tests: [POLICY],
  },
  {
    id: "restore-ungated-split",
    file: "deploy/promote/failure-policy.ts",
    search: "serving.length > 0 && serving.every(passed)",
    replace: "serving.length > 0",
    tests: [POLICY],
  },
  {
    id: "last-passed-any-revision",
    file: "deploy/promote/failure-policy.ts",
    search: "ready.has(revision) && hasPassed(records, revision)",
    replace: "ready.has(revision)",
    tests: [POLICY],
  },
  {
    id: "never-make-private",
    file: "deploy/promote/failure-policy.ts",
    search: "  return failedServing\n",
    replace: "  return false\n",
    tests: [POLICY],
  },
  {
    id: "new-service-public",
    file: "deploy/promote/plan.ts",
    search: 'service ? (input.access ?? "public") : "private"',
    replace: '"public"',
    tests: [POLICY],
  },
  {
    id: "make-public-before-gate",
    file: "deploy/promote/plan.ts",
    search: '    actions.push(...makePublic, { kind: "finish" });',
    replace: '    actions.unshift(...makePublic);\n    actions.push({ kind: "finish" });',
    tests: [POLICY],
  },
  {
    id: "smoke-without-token",
    file: "deploy/promote/execute-steps.ts",
    search: "check.identityToken ? await identityFor(run) : undefined",
    replace: "undefined",
    tests: [KILL],
  },
  {
    id: "gate-skips-version",
    file: "deploy/smoke/health-check.ts",
    search: "if (version !== options.expectVersion) {",
    replace: "if (false) {",
    tests: ["test/promote/deploy-promote.test.ts"],
  },
  {
    id: "gate-skips-revision",
    file: "deploy/smoke/health-check.ts",
    search: "if (revision !== options.expectRevision) {",
    replace: "if (false) {",
    tests: ["test/smoke/cli.test.ts", "test/smoke/reference-server.test.ts"],
  },
  {
    id: "dead-lock-holder-kept",
    file: "deploy/model/lock.ts",
    search: "lock.pid > 0 && !isAlive(lock.pid)",
    replace: "lock.pid > 0 && false",
    tests: [PLAN],
  },
  {
    id: "failed-recheck-keeps-traffic",
    file: "deploy/promote/execute-recovery.ts",
    search: "  if (run.lock.held || run.createdService) await recover();\n",
    replace:
      "  if (run.plan.alreadyServing) return;\n  if (run.lock.held || run.createdService) await recover();\n",
    tests: [KILL],
  },
  {
    id: "canary-after-failed-previous",
    file: "deploy/promote/plan.ts",
    search: 'gateOf(records, previousRevision)?.result !== "failed";',
    replace: "true;",
    tests: [PLAN, POLICY],
  },
  {
    id: "canary-on-private-service",
    file: "deploy/promote/plan.ts",
    search: '      access === "public" &&\n',
    replace: "",
    tests: [PLAN, POLICY],
  },
  {
    id: "created-service-deleted-after-shift",
    file: "deploy/promote/execute-recovery.ts",
    search: "run.createdService && !run.shifted && run.lock.held",
    replace: "run.createdService && run.lock.held",
    tests: [EXECUTE],
  },
  {
    id: "rollback-to-failed-start",
    file: "deploy/promote/rollback-plan.ts",
    search: 'input.revisions.filter((r) => r.ready !== "failed")',
    replace: "input.revisions",
    tests: [POLICY, PLAN],
  },
  {
    id: "rollback-to-rolled-back",
    file: "deploy/model/gate-records.ts",
    search: "      !record.rolledBackAt &&\n",
    replace: "",
    tests: [PLAN, POLICY],
  },
  {
    id: "promote-from-split-source",
    file: "deploy/promote/artifact.ts",
    search: "split.length === 1 && split[0]!.percent === 100 ?",
    replace: "split.length > 0 ?",
    tests: ["test/promote/promote-source.test.ts"],
  },
  // The emulator's invoker check.
  {
    id: "invoker-check-off",
    file: "packages/emulator/src/controller.ts",
    search: 'if (!service || allowsUnauthenticated(service)) return "ok";',
    replace: 'return "ok";',
    tests: [IAM],
  },
  {
    id: "iam-etag-unchecked",
    file: "packages/emulator/src/iam-policy.ts",
    search: 'etag !== "" && etag !== policyEtag(service)',
    replace: 'etag !== "" && false',
    tests: [IAM],
  },
  {
    id: "token-audience-unchecked",
    file: "packages/emulator/src/identity-tokens.ts",
    search: 'if (typeof claims.aud !== "string" || !audiences.includes(claims.aud)) return "invalid";',
    replace: "",
    tests: [IAM],
  },
  {
    id: "custom-audiences-ignored",
    file: "packages/emulator/src/controller.ts",
    search: "return own ? [own, ...audiences] : audiences;",
    replace: "return own ? [own] : [];",
    tests: [IAM],
  },
  {
    id: "serverless-authorization-ignored",
    file: "packages/emulator/src/controller.ts",
    search:
      'return typeof headers[SERVERLESS_AUTHORIZATION] === "string" ? SERVERLESS_AUTHORIZATION : "authorization";',
    replace: 'return "authorization";',
    tests: [IAM],
  },
  {
    id: "expired-token-accepted",
    file: "packages/emulator/src/identity-tokens.ts",
    search: 'if (typeof claims.exp !== "number" || claims.exp * 1000 < this.now()) return "invalid";',
    replace: "",
    tests: ["test/emulator/identity-tokens.test.ts", IAM],
  },
  // Redaction.
  {
    id: "redact-ignores-escaped-form",
    file: "deploy/core/redact.ts",
    search: "return [escaped, ...lines, ...secretUrlParts(value)];",
    replace: "return [...lines, ...secretUrlParts(value)];",
    tests: [REDACT],
  },
  {
    id: "redact-short-secrets-too-long",
    file: "deploy/core/redact.ts",
    search: "const MIN_MASKABLE_LENGTH = 4;",
    replace: "const MIN_MASKABLE_LENGTH = 40;",
    tests: [REDACT],
  },
  // Env rules.
  {
    id: "public-credential-name-ok",
    file: "deploy/envfiles/rules/public-not-secret.ts",
    search: "} else if (looksLikeCredentialName(key)) {",
    replace: "} else if (false) {",
    tests: ["test/envfiles/rules/public-not-secret.test.ts"],
  },
  {
    id: "same-key-set-skips-optional",
    file: "deploy/envfiles/rules/same-key-set.ts",
    search: "if (having.length === 0 || having.length === files.length) continue;",
    replace: "continue;",
    tests: ["test/envfiles/rules/same-key-set.test.ts"],
  },
  {
    id: "build-target-unchecked",
    file: "deploy/envfiles/rules/environment-name.ts",
    search: "if (!entry || entry.value === environment.name) continue;",
    replace: "continue;",
    tests: ["test/envfiles/rules/environment-name.test.ts"],
  },
  {
    id: "run-app-shape-only-a",
    file: "deploy/envfiles/rules/realtime-server-target.ts",
    search: 'if (!hostname.endsWith(".run.app")) return undefined;',
    replace: 'if (!hostname.endsWith(".a.run.app")) return undefined;',
    tests: [
      "test/envfiles/rules/realtime-server-target.test.ts",
      "test/envfiles/rules/run-app-url-shapes.test.ts",
    ],
  },
  {
    id: "cors-missing-origin-ok",
    file: "deploy/envfiles/rules/cors-covers-web-host.ts",
    search: "const missing = web.required.filter((origin) => !origins.includes(origin));",
    replace: "const missing = web.required.filter(() => false);",
    tests: ["test/envfiles/rules/cors-covers-web-host.test.ts"],
  },
  // Credential and address rules.
  {
    id: "entropy-threshold-4-6",
    file: "deploy/envfiles/credential-patterns.ts",
    search: "const ENTROPY_THRESHOLD = 4.0;",
    replace: "const ENTROPY_THRESHOLD = 4.6;",
    tests: ["test/envfiles/credential-patterns.test.ts", "test/check/undeclared-and-credentials.test.ts"],
  },
  {
    id: "private-range-misses-172-31",
    file: "deploy/hosting/bundle-scan.ts",
    search: "b >= 16 && b <= 31",
    replace: "b >= 16 && b <= 30",
    tests: ["test/hosting/bundle-scan.test.ts"],
  },
];

const { values } = parseArgs({ options: { only: { type: "string" }, list: { type: "boolean" } } });
const selected = values.only ? MUTATIONS.filter((m) => values.only.split(",").includes(m.id)) : MUTATIONS;
if (values.list) {
  for (const m of selected) console.log(`${m.id}\t${m.file}\t${m.tests.join(" ")}`);
  process.exit(0);
}

const results = [];
let restore;
for (const signal of ["SIGINT", "SIGTERM"])
  process.on(signal, () => {
    restore?.();
    process.exit(130);
  });

for (const mutation of selected) {
  const path = `${root}${mutation.file}`;
  const original = readFileSync(path, "utf8");
  const count = original.split(mutation.search).length - 1;
  if (count !== 1) {
    results.push({ ...mutation, status: "stale", detail: `search text found ${count} times` });
    console.log(`? ${mutation.id}: search text found ${count} times in ${mutation.file}`);
    continue;
  }
  restore = () => writeFileSync(path, original);
  writeFileSync(path, original.replace(mutation.search, mutation.replace));
  const started = Date.now();
  try {
    const run = spawnSync("npx", ["vitest", "run", "--bail", "1", ...mutation.tests], {
      cwd: root,
      encoding: "utf8",
      timeout: 300_000,
      env: { ...process.env, NO_COLOR: "1" },
    });
    const status = run.status === 0 ? "survived" : "killed";
    results.push({ ...mutation, status, ms: Date.now() - started });
    console.log(
      `${status === "killed" ? "✔ killed  " : "✖ SURVIVED"} ${mutation.id} (${mutation.file}, ${Math.round((Date.now() - started) / 1000)} s)`,
    );
  } finally {
    restore();
    restore = undefined;
  }
}

const killed = results.filter((r) => r.status === "killed").length;
const applied = results.filter((r) => r.status !== "stale").length;
console.log(
  `\nmutation score ${killed}/${applied} killed (${applied ? Math.round((100 * killed) / applied) : 0} %)`,
);
for (const r of results.filter((r) => r.status !== "killed"))
  console.log(`  ${r.status}: ${r.id} — ${r.file}`);
process.exitCode = killed === results.length ? 0 : 1;
