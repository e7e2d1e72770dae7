import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { expect, it } from "vitest";
import { parseDockerfile, shellWords } from "../../deploy/source/dockerfile-parser.js";
import { REPO_ROOT } from "./helpers.js";
import { DATABASE_URL, dropTables, requirePostgres, testTablePrefix } from "./postgres.js";

it("the esbuild command in Dockerfile.minimal bundles a server that runs alone (pg without pg-native) and reports APP_VERSION", async () => {
  const db = await requirePostgres();
  const tablePrefix = testTablePrefix();
  const dockerfile = readFileSync(join(REPO_ROOT, "Dockerfile.minimal"), "utf8");
  const run = parseDockerfile(dockerfile).find((i) => i.keyword === "RUN" && i.args.includes("esbuild"));
  const words = shellWords(run!.args);
  expect(words.slice(0, 2)).toEqual(["npx", "esbuild"]);
  const out = mkdtempSync(join(tmpdir(), "echogate-bundle-"));
  try {
    const args = words
      .slice(2)
      .map((w) => (w.startsWith("--outfile=") ? `--outfile=${join(out, "server.js")}` : w));
    await execa(join(REPO_ROOT, "node_modules/.bin/esbuild"), [...args, "--log-level=error"], {
      cwd: REPO_ROOT,
    });

    // Like the image: server.js alone, no package.json or node_modules beside it.
    const child = spawn(process.execPath, ["server.js"], {
      cwd: out,
      env: {
        PATH: process.env.PATH ?? "",
        PORT: "0",
        HOST: "127.0.0.1",
        APP_VERSION: "0.1.0-abc1234",
        DATABASE_URL,
        DATABASE_TABLE_PREFIX: tablePrefix,
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const [chunk] = (await once(child.stdout!, "data")) as [Buffer];
      const port = (JSON.parse(chunk.toString().split("\n")[0]!) as { port: number }).port;
      const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as Record<
        string,
        unknown
      >;
      expect(health).toMatchObject({ version: "0.1.0-abc1234", store: "postgres", database: "up" });
      child.kill("SIGTERM");
      const [code] = await once(child, "exit");
      expect(code).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
    await dropTables(db, tablePrefix);
    await db.end();
  }
});
