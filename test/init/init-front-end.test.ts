import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { planInit } from "../../deploy/init/init-project.js";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function project(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "echogate-init-front-"));
  dirs.push(dir);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

const SERVER = {
  "package.json": JSON.stringify({
    name: "chat",
    scripts: { start: "node server.js" },
    dependencies: { ws: "^8" },
  }),
  "server.js":
    'const { WebSocketServer } = require("ws");\nnew WebSocketServer({ port: Number(process.env.PORT) });\n',
};

describe("init drafts the front end's hosting block", () => {
  it("finds a framework in the project or a first-level folder, never a plain package", async () => {
    const dir = await project({
      ...SERVER,
      "web/package.json": JSON.stringify({
        scripts: { build: "vite build" },
        devDependencies: { vite: "^8" },
      }),
      "tools/package.json": JSON.stringify({ dependencies: { lodash: "^4" } }),
      "a/b/package.json": JSON.stringify({ scripts: { build: "next build" }, dependencies: { next: "^16" } }),
    });
    const plan = await planInit({ projectDir: dir, force: false, schemaDir: undefined });
    expect(plan.frontEnd).toMatchObject({ name: "Vite", dir: "web" });
  });

  it("finds a front end that keeps Create React App's conventions with another builder", async () => {
    const dir = await project({
      ...SERVER,
      "web/package.json": JSON.stringify({
        scripts: { build: "node build.mjs" },
        dependencies: { react: "^19" },
      }),
      "web/src/index.jsx": "const url = process.env.REACT_APP_SERVER_URL;\n",
    });
    const plan = await planInit({ projectDir: dir, force: false, schemaDir: undefined });
    expect(plan.frontEnd).toMatchObject({ name: "Create React App", dir: "web", publicDir: "web/build" });
  });

  it("writes a Next.js front end in web/ as a commented block with its out/ folder and build, and names what static hosting can't serve", async () => {
    const dir = await project({
      ...SERVER,
      "web/package.json": JSON.stringify({
        name: "web",
        scripts: { build: "next build" },
        dependencies: { next: "^16", react: "^19" },
      }),
      "web/next.config.mjs": 'export default { output: "export" };\n',
      "web/app/page.js": "export default function Page() { return null; }\n",
      "web/pages/api/messages.js": "export default function handler(req, res) { res.json([]); }\n",
    });
    const plan = await planInit({ projectDir: dir, force: false, schemaDir: undefined });
    expect(plan.frontEnd).toMatchObject({
      name: "Next.js",
      dir: "web",
      publicDir: "web/out",
      mode: "template",
    });
    const staging = plan.files.find((file) => file.path === "environments/staging.yaml")!.content;
    expect(staging).toContain("# hosting:");
    expect(staging).toContain("#   publicDir: web/out");
    expect(staging).toContain('#   build: { command: "cd web && npm run build" }');
    expect(staging).toContain("#   site: chat-staging");
    expect(staging).not.toMatch(/^hosting:/m);
    const local = plan.files.find((file) => file.path === "environments/local.yaml")!.content;
    expect(local).not.toContain("hosting");
    expect(plan.todo.join("\n")).toMatch(
      /Static hosting can't serve the Next\.js front end as it is: web\/pages\/api\/messages\.js/,
    );
  });

  it("drafts nothing for a server whose only pages are its own static folder", async () => {
    const dir = await project({ ...SERVER, "public/index.html": "<!doctype html><title>chat</title>\n" });
    const plan = await planInit({ projectDir: dir, force: false, schemaDir: undefined });
    expect(plan.frontEnd).toBeUndefined();
    expect(plan.files.map((file) => file.content).join("\n")).not.toContain("hosting:");
  });
});
