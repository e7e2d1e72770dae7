import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ImageManifest } from "@echogate/common/image-manifest";
import { bundleServer } from "../../deploy/build/bundle-server.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
let serverBundle: Promise<Buffer> | undefined;

/** The reference server bundled once per test file, as the lead's build does. */
export function referenceServer(): Promise<Buffer> {
  serverBundle ??= bundleServer(repoRoot, "server/src/main.ts").then((bundle) => bundle.code);
  return serverBundle;
}

export interface TestImage {
  digest: string;
  imageRef: string;
  version: string;
}

/**
 * Writes an image into `<project>/.echogate/images/` following the store contract. `code` replaces
 * the server (e.g. one that crashes); `env` is baked in like the build bakes APP_VERSION.
 */
export async function makeImage(
  projectDir: string,
  options: { version: string; env?: Record<string, string>; code?: string; gitSha?: string },
): Promise<TestImage> {
  const code = options.code !== undefined ? Buffer.from(options.code) : await referenceServer();
  const env = { APP_VERSION: options.version, NODE_ENV: "production", ...options.env };
  const hex = createHash("sha256")
    .update(code)
    .update(JSON.stringify({ v: options.version, env }))
    .digest("hex");
  const digest = `sha256:${hex}`;
  const dir = join(projectDir, ".echogate", "images", `sha256-${hex}`);
  await mkdir(join(dir, "rootfs"), { recursive: true });
  await writeFile(join(dir, "rootfs", "server.js"), code);
  await writeFile(join(dir, "rootfs", "package.json"), JSON.stringify({ private: true, type: "commonjs" }));
  const manifest: ImageManifest = {
    schemaVersion: 1,
    digest,
    name: "echogate-server",
    version: options.version,
    gitSha: options.gitSha ?? "0123456789abcdef0123456789abcdef01234567",
    createdAt: new Date().toISOString(),
    entrypoint: ["node", "server.js"],
    env,
    workingDir: ".",
  };
  await writeFile(join(dir, "manifest.json"), JSON.stringify(manifest, null, 2));
  return { digest, imageRef: `local/echogate-server@${digest}`, version: options.version };
}
