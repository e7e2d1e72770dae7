import { chmodSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { detectServer } from "../../deploy/init/detect-server.js";
import { gitignoreWithState } from "../../deploy/init/gitignore.js";
import { runEchogate } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";
import { chatProject } from "./chat-fixture.js";

interface InitJson {
  found: {
    entry: string;
    protocol: string;
    devScript: string;
    dockerfile: string;
    cloudbuild: string;
    healthRoute: string | null;
    events: string[];
    variables: Array<{
      key: string;
      type: string;
      secret: boolean;
      public: boolean;
      realtimeServer: boolean;
    }>;
  };
  files: Array<{ path: string; action: string; content?: string }>;
  todo: string[];
  next: string;
}

const read = (dir: string, path: string) => readFileSync(join(dir, path), "utf8");

describe("echogate init on an Express + Socket.IO chat", () => {
  it("detects the layout, drafts environments/, and `check` then passes", async () => {
    const dir = await testdir(chatProject());
    const run = await runEchogate(["init", "--yes", "--json"], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    const result = run.json<InitJson>();
    expect(result.found).toMatchObject({
      entry: "src/server.js",
      protocol: "socket.io",
      devScript: "start",
      dockerfile: "Dockerfile",
      cloudbuild: "deployment/cloudbuild.yaml",
      healthRoute: "src/server.js:9",
      events: ["join-room", "chat-message"],
    });
    const variable = (key: string) => result.found.variables.find((v) => v.key === key);
    expect(variable("SESSION_SECRET")).toMatchObject({ secret: true, type: "string" });
    expect(variable("SOCKET_URL")).toMatchObject({ realtimeServer: true, type: "url" });
    expect(variable("NEXT_PUBLIC_SOCKET_URL")).toMatchObject({ public: true, secret: false });
    expect(variable("MAX_ROOM_SIZE")).toMatchObject({ type: "int" });
    expect(variable("ENABLE_HISTORY")).toMatchObject({ type: "bool" });
    expect(result.next).toBe("echogate check");
    expect(result.files.map((f) => f.action)).toEqual(result.files.map(() => "create"));

    // No secret value reaches a generated file; own-server URLs became ${SERVICE_URL}.
    for (const name of readdirSync(join(dir, "environments"))) {
      const text = read(dir, `environments/${name}`);
      expect(text).not.toContain("Zt8qP2vLx9Kc4Wm7Rb1Hy6Nf3Jd5Gs0A");
      expect(text).not.toContain("Qm4Lr8Tz1Vx6Cb3Np9Wk2Hs7Jf5Gd0Ya");
    }
    expect(read(dir, "environments/.env.staging")).toContain("SOCKET_URL=${SERVICE_URL}/socket.io");
    expect(read(dir, "environments/.env.production")).toContain("MAX_ROOM_SIZE=200");
    // echogate is not installed in this project: no `$schema` path (init-round2.test.ts covers installed).
    expect(read(dir, "environments/staging.yaml")).not.toContain("$schema");
    expect(read(dir, "environments/echogate.yaml")).toContain("cloudbuild: deployment/cloudbuild.yaml");

    const check = await runEchogate(["check"], { cwd: dir });
    expect(check.exitCode, `${check.stdout}\n${check.stderr}`).toBe(0);
    const drift = await runEchogate(["drift", "--source"], { cwd: dir });
    expect(drift.exitCode, drift.stdout).toBe(0);
  });

  it("a re-run changes nothing; a changed file is kept unless --force", async () => {
    const dir = await testdir(chatProject());
    expect((await runEchogate(["init", "--yes"], { cwd: dir })).exitCode).toBe(0);
    const again = await runEchogate(["init", "--yes", "--json"], { cwd: dir });
    expect(again.json<InitJson>().files.every((f) => f.action === "unchanged")).toBe(true);
    const edited = "# mine\nkind: staging\n";
    await import("node:fs/promises").then((fs) =>
      fs.writeFile(join(dir, "environments/staging.yaml"), edited),
    );
    const kept = await runEchogate(["init", "--yes", "--json"], { cwd: dir });
    expect(kept.json<InitJson>().files.find((f) => f.path === "environments/staging.yaml")?.action).toBe(
      "keep",
    );
    expect(read(dir, "environments/staging.yaml")).toBe(edited);
    const forced = await runEchogate(["init", "--yes", "--force"], { cwd: dir });
    expect(forced.exitCode).toBe(0);
    expect(read(dir, "environments/staging.yaml")).toContain("kind: staging\ndescription:");
  });

  it("ignores .echogate/ in the project's .gitignore, once, keeping what it held", async () => {
    const dir = await testdir({ ...chatProject(), ".gitignore": "node_modules\ndist" });
    const run = await runEchogate(["init", "--yes", "--json"], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.json<InitJson>().files).toContainEqual(
      expect.objectContaining({ path: ".gitignore", action: "update" }),
    );
    expect(read(dir, ".gitignore")).toBe(
      "node_modules\ndist\n\n# echogate's local state (image store, emulators)\n.echogate/\n",
    );
    const again = await runEchogate(["init", "--yes", "--json"], { cwd: dir });
    expect(again.json<InitJson>().files.map((f) => f.path)).not.toContain(".gitignore");
    expect(read(dir, ".gitignore").match(/\.echogate\//g)).toHaveLength(1);
    expect(gitignoreWithState("/.echogate\n")).toBeUndefined();
    expect(gitignoreWithState(undefined)).toBe(".echogate/\n");
  });

  it("--dry-run prints the files and writes nothing", async () => {
    const dir = await testdir(chatProject());
    const run = await runEchogate(["init", "--dry-run"], { cwd: dir });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("--- environments/smoke.yaml");
    expect(run.stdout).toContain("Next: echogate check");
    expect(existsSync(join(dir, "environments"))).toBe(false);
  });

  it("reports a missing /health with the lines to add for Express", async () => {
    const server = chatProject()["src/server.js"]!.replace(/app\.get\("\/health"[\s\S]*?\n\}\);\n/, "");
    const dir = await testdir(chatProject({ "src/server.js": server }));
    const run = await runEchogate(["init", "--yes", "--json"], { cwd: dir });
    const result = run.json<InitJson>();
    expect(result.found.healthRoute).toBeNull();
    expect(result.todo[0]).toContain(
      'app.get("/health", (req, res) => res.json({ status: "ok", version: process.env.APP_VERSION',
    );
  });
});

describe("echogate init refuses bad input (exit 2, nothing written)", () => {
  const nothingWritten = (dir: string) => expect(existsSync(join(dir, "environments"))).toBe(false);

  it("an empty directory", async () => {
    const dir = await testdir({});
    const run = await runEchogate(["init", "--yes"], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("there is no package.json here");
    nothingWritten(dir);
  });

  it("two candidate servers: lists them, then --entry chooses", async () => {
    const dir = await testdir(
      chatProject({
        "package.json": JSON.stringify({
          name: "two",
          scripts: { start: "node src/server.js", server: "node legacy/server.js" },
          dependencies: { "socket.io": "^4" },
        }),
        "legacy/server.js": "require('socket.io');\n",
      }),
    );
    const run = await runEchogate(["init", "--yes"], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(
      /2 candidates: .*legacy\/server\.js .*src\/server\.js|2 candidates: .*src\/server\.js .*legacy\/server\.js/,
    );
    expect(run.stderr).toContain("--entry");
    nothingWritten(dir);
    const chosen = await runEchogate(["init", "--yes", "--entry", "src/server.js"], { cwd: dir });
    expect(chosen.exitCode, chosen.stderr).toBe(0);
    expect(read(dir, "environments/echogate.yaml")).toContain("serverEntry: src/server.js");
  });

  it("an env file with a malformed line names file and line", async () => {
    const dir = await testdir(
      chatProject({ ".env.production": "NODE_ENV=production\nthis is not a variable\n" }),
    );
    const run = await runEchogate(["init", "--yes"], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(".env.production:2");
    nothingWritten(dir);
  });

  it("an env file that can't be read (a dangling symlink)", async () => {
    const dir = await testdir(chatProject());
    const { rm, symlink } = await import("node:fs/promises");
    await rm(join(dir, ".env.staging"));
    await symlink(join(dir, "gone", ".env.staging"), join(dir, ".env.staging"));
    const run = await runEchogate(["init", "--yes"], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(".env.staging (it doesn't exist)");
    nothingWritten(dir);
  });

  it.skipIf(process.getuid?.() === 0)("an unreadable file", async () => {
    const dir = await testdir(chatProject());
    chmodSync(join(dir, ".env.staging"), 0o000);
    const run = await runEchogate(["init", "--yes"], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(".env.staging (EACCES)");
    nothingWritten(dir);
  });
});

describe("echogate init in a monorepo with a plain ws server in server/", () => {
  it("finds the working dir, the ws protocol, the missing /health (plain http), and drift agrees", async () => {
    const dir = await testdir({
      "package.json": JSON.stringify({
        name: "mono",
        private: true,
        workspaces: ["server", "web"],
        scripts: { dev: "next dev" },
      }),
      "web/package.json": JSON.stringify({ name: "web", dependencies: { next: "15" } }),
      "server/package.json": JSON.stringify({
        name: "@mono/rt-server",
        version: "0.4.0",
        scripts: { dev: "node --watch src/index.mjs", start: "node src/index.mjs" },
        dependencies: { ws: "^8" },
      }),
      "server/src/index.mjs": [
        'import http from "node:http";',
        'import { WebSocketServer } from "ws";',
        "const server = http.createServer((req, res) => res.end());",
        "const wss = new WebSocketServer({ server });",
        'wss.on("connection", (ws) => ws.on("message", (data) => ws.send(data)));',
        "server.listen(process.env.PORT || 8080);",
        "",
      ].join("\n"),
      "server/Dockerfile": 'FROM node:20-slim\nWORKDIR /app\nCOPY src ./src\nCMD ["node", "src/index.mjs"]\n',
    });
    const run = await runEchogate(["init", "--yes", "--json"], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    const result = run.json<InitJson & { found: { workingDir: string; framework: string } }>();
    expect(result.found).toMatchObject({
      workingDir: "server",
      entry: "server/src/index.mjs",
      protocol: "ws-json",
      dockerfile: "server/Dockerfile",
      devScript: "dev",
      healthRoute: null,
      framework: "http",
    });
    expect(result.todo[0]).toContain('if (req.url === "/health")');
    expect(read(dir, "environments/staging.yaml")).toContain("name: rt-server-staging");
    expect((await runEchogate(["check"], { cwd: dir })).exitCode).toBe(0);
    const drift = await runEchogate(["drift", "--source"], { cwd: dir });
    expect(drift.exitCode, drift.stdout).toBe(0);
    expect(drift.stdout).toMatch(/Dockerfile\s+server\/src\/index\.mjs/);
  });
});

describe("detectServer (pure)", () => {
  it("reads the official Socket.IO chat example: its events, and the broadcast that skips the sender", () => {
    const server = [
      "const express = require('express');",
      "const app = express();",
      "const server = require('http').createServer(app);",
      "const io = require('socket.io')(server);",
      "io.on('connection', (socket) => {",
      "  socket.on('new message', (data) => {",
      "    socket.broadcast.emit('new message', { username: socket.username, message: data });",
      "  });",
      "  socket.on('add user', (username) => {",
      "    socket.emit('login', { numUsers: 1 });",
      "    socket.broadcast.emit('user joined', { username, numUsers: 1 });",
      "  });",
      "  socket.on('disconnect', () => {});",
      "});",
      "server.listen(process.env.PORT || 3000);",
    ].join("\n");
    const texts = new Map([
      [
        "package.json",
        JSON.stringify({
          name: "chat",
          scripts: { start: "node index.js" },
          dependencies: { express: "4", "socket.io": "4" },
        }),
      ],
      ["index.js", server],
    ]);
    const detection = detectServer({ files: [...texts.keys()], texts });
    expect(detection).toMatchObject({
      entry: "index.js",
      protocol: "socket.io",
      framework: "express",
      listens: ["new message", "add user"],
      broadcastsExcludingSender: ["new message", "user joined"],
      repliesToSender: ["login"],
      healthRoute: undefined,
    });
  });
});

describe("entry candidates", () => {
  it("takes a TypeScript source and its compiled output as one server", () => {
    const texts = new Map([
      [
        "package.json",
        JSON.stringify({
          name: "ts-chat",
          scripts: { dev: "tsx watch src/server.ts", start: "node dist/server.js", build: "tsc" },
          dependencies: { "socket.io": "4" },
        }),
      ],
      ["src/server.ts", "import { Server } from 'socket.io';\n"],
      ["Dockerfile", 'FROM node:20-slim\nCOPY dist ./dist\nCMD ["node", "dist/server.js"]\n'],
    ]);
    const detection = detectServer({ files: [...texts.keys()], texts });
    expect(detection.candidates).toHaveLength(1);
    expect(detection.entry).toBe("src/server.ts");
    expect(detection.candidates[0]!.seenIn.join("; ")).toContain("compiled as dist/server.js");
  });
});
