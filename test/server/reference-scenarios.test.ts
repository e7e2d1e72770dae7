import { readFileSync } from "node:fs";
import { join } from "node:path";
import type pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { SmokeSpecInput } from "../../deploy/config/smoke-spec.js";
import { runSmoke } from "../../deploy/smoke/run-smoke.js";
import { REPO_ROOT, startTestServer, type TestServer } from "./helpers.js";
import { DATABASE_URL, dropTables, requirePostgres, testTablePrefix } from "./postgres.js";

// The repo's own smoke spec (every environment's gate) against the reference server it deploys.
const spec = parse(readFileSync(join(REPO_ROOT, "environments/smoke.yaml"), "utf8")) as SmokeSpecInput & {
  scenarios: NonNullable<SmokeSpecInput["scenarios"]>;
};

let db: pg.Client;
const prefix = testTablePrefix();
let server: TestServer | undefined;

beforeAll(async () => {
  db = await requirePostgres();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});
afterAll(async () => {
  await dropTables(db, prefix);
  await db.end();
});

describe.each([
  ["memory", {}],
  ["postgres", { DATABASE_URL, DATABASE_TABLE_PREFIX: prefix }],
] as const)("environments/smoke.yaml against the reference server (%s store)", (_kind, env) => {
  it("passes the echo and every scenario", async () => {
    server = await startTestServer({ ...env });
    const result = await runSmoke(server.url, spec);
    const failed = result.scenarios.filter((scenario) => !scenario.ok);
    expect(failed.map((scenario) => `${scenario.name}: ${scenario.diagnosis}`)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.scenarios.map((scenario) => scenario.name)).toEqual(spec.scenarios.map((s) => s.name));
  });
});
