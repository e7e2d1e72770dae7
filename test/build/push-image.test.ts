import { readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findImage } from "../../deploy/build/image-store.js";
import { pushImage } from "../../deploy/build/push-image.js";
import { isEchogateError } from "../../deploy/core/errors.js";
import { resolveImage } from "../../packages/emulator/src/image-store-reader.js";
import { type FakeRegistry, startFakeRegistry } from "../helpers/fake-registry.js";
import { runEchogate } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

const repoRoot = process.cwd();

const SERVER = `import { createServer } from "node:http";
createServer((req, res) => res.end(process.env.APP_VERSION)).listen(Number(process.env.PORT));
`;

async function project(): Promise<string> {
  const dir = await testdir({
    "package.json": JSON.stringify({ name: "tiny", version: "1.2.3", scripts: { dev: "tsx src/main.ts" } }),
    "src/main.ts": SERVER,
    "Dockerfile.minimal": 'FROM node:20-slim\nCOPY dist/server.js ./server.js\nCMD ["node", "server.js"]\n',
    "environments/echogate.yaml": "layout:\n  serverEntry: src/main.ts\n",
  });
  await symlink(join(repoRoot, "node_modules"), join(dir, "node_modules"));
  await execa("git", ["init", "-q"], { cwd: dir });
  await execa("git", ["add", "package.json", "src"], { cwd: dir });
  await execa("git", ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init"], { cwd: dir });
  return dir;
}

interface PushResult {
  digest: string;
  imageRef: string;
  localDigest: string;
  version: string;
  base: string;
  layerBytes: number;
  uploadedBlobs: number;
  reusedBlobs: number;
}

let registry: FakeRegistry;
let dir: string;
let repository: string;
let base: string;
let baseLayer: string;

beforeAll(async () => {
  registry = await startFakeRegistry();
  baseLayer = registry.seedBase("library/node", "20-slim").layerDigest;
  base = `${registry.host}/library/node:20-slim`;
  repository = `${registry.host}/demo/echogate/server`;
  dir = await project();
});
afterAll(() => registry.close());

const push = (...extra: string[]) =>
  runEchogate(["build", "--push", repository, "--base", base, "--json", ...extra], { cwd: dir });

const manifestOf = (imageRef: string) => {
  const [name, digest] = imageRef.slice(registry.host.length + 1).split("@");
  return JSON.parse(registry.manifests.get(`${name}@${digest}`)!.bytes.toString("utf8")) as {
    mediaType: string;
    config: { digest: string };
    layers: { mediaType: string; digest: string; size: number }[];
  };
};

describe("build --push", () => {
  it("pushes base + server layer + config, and the registry's digest is the one echogate computed", async () => {
    const run = await push();
    expect(run.exitCode, run.stderr).toBe(0);
    const result = run.json<PushResult>();
    expect(result.imageRef).toBe(`${repository}@${result.digest}`);
    expect(result.digest).not.toBe(result.localDigest);
    expect(result.base).toMatch(new RegExp(`^${registry.host}/library/node@sha256:[0-9a-f]{64}$`));
    expect(registry.rejectedUploads).toBe(0);
    // The base layer was read from the base repository and uploaded to the target one.
    expect(result.uploadedBlobs).toBe(3);
    expect(registry.requests).toContainEqual({ method: "GET", path: `/v2/library/node/blobs/${baseLayer}` });

    const manifest = manifestOf(result.imageRef);
    expect(manifest.mediaType).toBe("application/vnd.oci.image.manifest.v1+json");
    expect(manifest.layers).toHaveLength(2);
    const config = JSON.parse(registry.blobs.get(manifest.config.digest)!.toString("utf8"));
    expect(config.architecture).toBe("amd64");
    expect(config.config).toMatchObject({
      Cmd: ["node", "server.js"],
      WorkingDir: "/app",
      Entrypoint: ["docker-entrypoint.sh"],
    });
    expect(config.config.Env).toEqual(
      expect.arrayContaining([
        "PATH=/usr/local/bin:/usr/bin:/bin",
        `APP_VERSION=${result.version}`,
        "NODE_ENV=production",
      ]),
    );

    // The server layer is a real tar.gz holding exactly the local image's files under /app.
    const layer = registry.blobs.get(manifest.layers[1]!.digest)!;
    const out = await testdir({});
    await writeFile(join(out, "layer.tgz"), layer);
    const listing = (await execa("tar", ["-tzf", "layer.tgz"], { cwd: out })).stdout.split("\n").sort();
    expect(listing).toEqual(["app/", "app/package.json", "app/server.js"]);
    await execa("tar", ["-xzf", "layer.tgz"], { cwd: out });
    const localRootfs = join(dir, ".echogate/images", result.localDigest.replace(":", "-"), "rootfs");
    expect(await readFile(join(out, "app/server.js"))).toEqual(
      await readFile(join(localRootfs, "server.js")),
    );
    expect(result.layerBytes).toBe(layer.length);
  });

  it("records the pushed digest in the local store, so deploy knows its version and the emulator runs it", async () => {
    const result = (await push()).json<PushResult>();
    const alias = await findImage(dir, result.digest);
    expect(alias).toMatchObject({
      version: result.version,
      pushedFrom: result.localDigest,
      digest: result.digest,
    });
    const resolved = await resolveImage(join(dir, ".echogate/images"), result.imageRef);
    expect(resolved.ok).toBe(true);
    if (resolved.ok)
      expect(await readFile(join(resolved.image.rootfs, "server.js"), "utf8")).toContain("APP_VERSION");
  });

  it("is reproducible: the same build pushes the same digest and uploads nothing again", async () => {
    const first = (await push()).json<PushResult>();
    const again = await push();
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.json<PushResult>()).toMatchObject({
      digest: first.digest,
      uploadedBlobs: 0,
      reusedBlobs: 3,
    });
  });

  it("fails (exit 3) when the registry answers another digest than the manifest it was sent", async () => {
    const liar = await startFakeRegistry({ lieAboutDigest: true });
    try {
      liar.seedBase("library/node", "20-slim");
      const run = await runEchogate(
        ["build", "--push", `${liar.host}/demo/r/server`, "--base", `${liar.host}/library/node:20-slim`],
        { cwd: dir },
      );
      expect(run.stderr).toContain("stored the manifest as");
      expect(run.exitCode).toBe(3);
    } finally {
      await liar.close();
    }
  });

  it("refuses a repository with a tag or digest, or no registry, with exit 2", async () => {
    for (const bad of ["server", `${repository}:latest`, `${repository}@sha256:${"a".repeat(64)}`]) {
      const run = await runEchogate(["build", "--push", bad], { cwd: dir });
      expect(run.exitCode, bad).toBe(2);
      expect(run.stderr).toContain("not a repository");
    }
  });
});

describe("registry auth (Bearer challenge, Docker token spec)", () => {
  it("gets a token from the realm with the Basic credentials and pushes with it", async () => {
    const secured = await startFakeRegistry({
      auth: { username: "oauth2accesstoken", password: "ya29.test-token" },
    });
    try {
      secured.seedBase("library/node", "20-slim");
      const localDigest = (await push()).json<PushResult>().localDigest;
      const request = {
        projectDir: dir,
        localDigest,
        repository: `${secured.host}/demo/r/server`,
        base: `${secured.host}/library/node:20-slim`,
      };
      const anonymous = await pushImage({ ...request, credentials: async () => undefined }).catch((e) => e);
      expect(isEchogateError(anonymous) && anonymous.exitCode).toBe(3);
      expect(String(anonymous.message)).toContain("HTTP 401");

      const pushed = await pushImage({
        ...request,
        credentials: async () => ({ username: "oauth2accesstoken", password: "ya29.test-token" }),
      });
      expect(pushed.imageRef).toBe(`${secured.host}/demo/r/server@${pushed.digest}`);
      const tokenCalls = secured.requests.filter(
        (r) => r.path === "/token" && r.authorization?.startsWith("Basic "),
      );
      expect(tokenCalls.length).toBeGreaterThan(0);
      const manifestPut = secured.requests.find((r) => r.method === "PUT" && r.path.includes("/manifests/"));
      expect(manifestPut?.authorization).toMatch(/^Bearer /);
    } finally {
      await secured.close();
    }
  });
});

describe("the fake registry", () => {
  it("refuses an upload whose content is not its digest (so a corrupt push fails these tests)", async () => {
    const started = await fetch(`http://${registry.host}/v2/demo/x/blobs/uploads/`, { method: "POST" });
    const location = started.headers.get("location")!;
    const before = registry.rejectedUploads;
    const put = await fetch(`http://${registry.host}${location}?digest=sha256:${"0".repeat(64)}`, {
      method: "PUT",
      body: "not that",
    });
    expect(put.status).toBe(400);
    expect(registry.rejectedUploads).toBe(before + 1);
  });
});
