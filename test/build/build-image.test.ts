import { stat, symlink } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { buildImage } from "../../deploy/build/build-image.js";
import { findImage, listImages } from "../../deploy/build/image-store.js";
import { runEchogate } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

const repoRoot = process.cwd();

const DOCKERFILE = (entry: string) => `FROM node:20-slim AS build
WORKDIR /app
COPY . .
RUN npx esbuild ${entry} --bundle --platform=node --format=cjs --outfile=dist/server.js

FROM node:20-slim
COPY --from=build /app/dist/server.js ./server.js
CMD ["node", "server.js"]
`;

const TINY_SERVER = `import { createServer } from "node:http";
const server = createServer((req, res) => {
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({ version: process.env.APP_VERSION, fault: process.env.ECHOGATE_FAULT ?? null }));
});
server.listen(Number(process.env.PORT), "0.0.0.0", () => console.log(String(server.address().port)));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
`;

async function project(options: { devEntry?: string; version?: string } = {}): Promise<string> {
  const dir = await testdir({
    "package.json": JSON.stringify({
      name: "tiny",
      version: options.version ?? "1.2.3",
      scripts: { dev: `tsx ${options.devEntry ?? "src/main.ts"}` },
    }),
    "Dockerfile.minimal": DOCKERFILE("src/main.ts"),
    "src/main.ts": TINY_SERVER,
  });
  await symlink(join(repoRoot, "node_modules"), join(dir, "node_modules"));
  await execa("git", ["init", "-q"], { cwd: dir });
  await execa("git", ["add", "package.json", "Dockerfile.minimal", "src"], { cwd: dir });
  await execa("git", ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init"], { cwd: dir });
  return dir;
}

describe("buildImage", () => {
  it("stores a content-addressed image whose version is package version + short sha", async () => {
    const dir = await project();
    const sha = (await execa("git", ["rev-parse", "HEAD"], { cwd: dir })).stdout.trim();
    const image = await buildImage({ projectDir: dir });
    expect(image.version).toBe(`1.2.3+${sha.slice(0, 7)}`);
    expect(image.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(image.imageRef).toBe(`local/echogate-server@${image.digest}`);
    expect(image.entry).toBe("src/main.ts");
    const manifest = await findImage(dir, image.digest);
    expect(manifest?.env.APP_VERSION).toBe(image.version);
    expect(await listImages(dir)).toHaveLength(1);
    // Owner-only all the way down: the image holds the server's code and baked environment.
    const mode = async (path: string) => (await stat(join(image.dir, path))).mode & 0o777;
    expect(await mode(".")).toBe(0o700);
    expect(await mode("rootfs")).toBe(0o700);
    expect(await mode("manifest.json")).toBe(0o600);
    expect(await mode("rootfs/package.json")).toBe(0o600);
  });

  it("gives the same digest for the same source and version, and reuses the stored image", async () => {
    const dir = await project();
    const first = await buildImage({ projectDir: dir });
    const second = await buildImage({ projectDir: dir });
    expect(second.digest).toBe(first.digest);
    expect(second.reused).toBe(true);
  });

  it("changes the digest when the baked version or a fault changes", async () => {
    const a = await buildImage({ projectDir: await project({ version: "1.0.0" }) });
    const b = await buildImage({ projectDir: await project({ version: "1.0.1" }) });
    expect(a.digest).not.toBe(b.digest);
    const dir = await project();
    const good = await buildImage({ projectDir: dir });
    const faulty = await buildImage({ projectDir: dir, fault: "exclude-sender" });
    expect(faulty.digest).not.toBe(good.digest);
    expect(faulty.version).toBe(`${good.version}.fault-exclude-sender`);
    expect(faulty.manifest.env.ECHOGATE_FAULT).toBe("exclude-sender");
  });

  it("marks a build from uncommitted changes as dirty, and tells two such builds apart by their code", async () => {
    const dir = await project();
    const clean = await buildImage({ projectDir: dir });
    expect(clean.version).not.toMatch(/dirty/);
    await execa("sh", ["-c", "echo 'globalThis.edit = 1;' >> src/main.ts"], { cwd: dir });
    const first = await buildImage({ projectDir: dir });
    expect(first.version).toMatch(
      new RegExp(`^${clean.version.replace(/[.+]/g, "\\$&")}\\.dirty\\.[0-9a-f]{7}$`),
    );
    await execa("sh", ["-c", "echo 'globalThis.edit = 2;' >> src/main.ts"], { cwd: dir });
    const second = await buildImage({ projectDir: dir });
    expect(second.version).toMatch(/\.dirty\.[0-9a-f]{7}$/);
    expect(second.version).not.toBe(first.version);
    expect((await buildImage({ projectDir: dir })).version).toBe(second.version);
  });

  it("produces an image that runs and reports its baked version", async () => {
    const dir = await project();
    const image = await buildImage({ projectDir: dir });
    const server = execa(process.execPath, ["server.js"], {
      cwd: join(image.dir, "rootfs"),
      env: { ...image.manifest.env, PORT: "0" },
      reject: false,
    });
    try {
      const port = await new Promise<string>((resolve) =>
        server.stdout?.once("data", (chunk) => resolve(String(chunk).trim())),
      );
      const body = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { version: string };
      expect(body.version).toBe(image.version);
    } finally {
      server.kill("SIGTERM");
      await server;
    }
  });
});

describe("echogate build", () => {
  it("refuses to build when the Dockerfile and the dev script start different servers", async () => {
    const dir = await project({ devEntry: "src/other-server.ts" });
    const run = await runEchogate(["build"], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("Dockerfile.minimal");
    expect(run.stderr).toContain("src/other-server.ts");
    expect(await listImages(dir)).toHaveLength(0);
  });

  it("fails with exit 2 naming the file when Dockerfile.minimal is missing", async () => {
    const dir = await testdir({ "package.json": JSON.stringify({ name: "x", version: "1.0.0" }) });
    const run = await runEchogate(["build"], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("Dockerfile.minimal");
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("prints digest, version and entry with --json", async () => {
    const dir = await project();
    const run = await runEchogate(["build", "--json"], { cwd: dir });
    expect(run.exitCode).toBe(0);
    const result = run.json<{ ok: boolean; digest: string; version: string; entry: string }>();
    expect(result).toMatchObject({ ok: true, entry: "src/main.ts" });
    expect(await findImage(dir, result.digest)).toBeDefined();
  });

  it("rejects an unknown fault name", async () => {
    const dir = await project();
    const run = await runEchogate(["build", "--fault", "nope"], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("exclude-sender");
  });
});
