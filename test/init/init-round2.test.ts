import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { draftEnv } from "../../deploy/init/env-draft.js";
import { deployedServices, existingNames, namesFor } from "../../deploy/init/existing-names.js";
import { healthRoute } from "../../deploy/init/health-route.js";
import { imageVariables } from "../../deploy/init/image-env.js";
import { importGraph } from "../../deploy/init/import-graph.js";
import { draftSocketIoSmoke } from "../../deploy/init/smoke-draft.js";
import { socketHandlers } from "../../deploy/init/socket-handlers.js";
import { runEchogate } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

// `echogate init` on the four adoption fixtures (test/fixtures/adopt-round2/), in-process: what it
// reads as the server, the smoke it drafts, the names it keeps, the env schema and the to-dos.

const fixtures = fileURLToPath(new URL("../fixtures/adopt-round2/", import.meta.url));
const copies: string[] = [];
afterAll(() => Promise.all(copies.map((dir) => rm(dir, { recursive: true, force: true }))));

async function fixture(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `echogate-r2-${name}-`));
  copies.push(dir);
  await cp(join(fixtures, name), dir, { recursive: true });
  return dir;
}

interface InitJson {
  found: {
    entry: string;
    events: string[];
    healthRoute: string | null;
    healthVersion: string | null;
    serverFiles: string[];
    cloudbuild: string | null;
    cloudbuilds: string[];
    wsPath: string | null;
    envFiles: Record<string, string>;
    variables: Array<{ key: string; type: string; secret: boolean }>;
  };
  files: Array<{ path: string; action: string }>;
  todo: string[];
}

async function init(dir: string, ...extra: string[]): Promise<InitJson> {
  const run = await runEchogate(["init", "--yes", "--json", ...extra], { cwd: dir });
  expect(run.exitCode, run.stderr).toBe(0);
  return run.json<InitJson>();
}

const read = (dir: string, path: string) => readFile(join(dir, path), "utf8");

describe("init on a Socket.IO signaling server with an archive, a client beside it and two Cloud Build files", () => {
  it("reads only the entry's import graph: no archived server, client or test events, no archived /health", async () => {
    const dir = await fixture("signaling");
    const result = await init(dir);
    expect(result.found.serverFiles).toEqual(["server.js", "lib/health.js", "lib/rooms.js"]);
    expect(result.found.events).toEqual(["join-room", "chat-message", "signal"]);
    // What clients listen for is what the server emits, never the client's own socket.on calls.
    expect((result.found as unknown as { emits: string[] }).emits).toEqual([
      "room-joined",
      "peer-joined",
      "chat-message",
      "signal",
      "peer-left",
    ]);
    expect(result.found.healthRoute).toBe("lib/health.js:5");
    expect((result.found as unknown as { directEvents: unknown }).directEvents).toEqual([
      { event: "signal", recipientKey: "to", delivers: "signal", where: "lib/rooms.js:24" },
    ]);
    // The signal to one recipient becomes a scenario, commented: what `to` holds comes from the app.
    const smoke = await read(dir, "environments/smoke.yaml");
    expect(smoke).toContain("# scenarios:\n");
    expect(smoke).toContain(
      '#       - emit: { client: alice, event: signal, payload: { to: "{{bobId}}", data: "{{nonce}}" } }',
    );
    expect(smoke).not.toMatch(/legacy-offer|test-only-event|event: joined|event: join\n/);
  });

  it("drafts join = the event that calls socket.join, confirmation = what it emits back; io.to(room) keeps the sender check", async () => {
    const dir = await fixture("signaling");
    await init(dir);
    const smoke = await read(dir, "environments/smoke.yaml");
    expect(smoke).toContain(
      [
        "  join:  # lib/rooms.js:10",
        "    event: join-room",
        '    payload: { roomId: "{{room}}", peerId: "{{client}}" }',
        "    waitFor: { event: room-joined }  # what the server emits back after joining",
      ].join("\n"),
    );
    expect(smoke).toContain('    payload: { roomId: "{{room}}", message: { id: "{{nonce}}"');
    expect(smoke).toContain('    event: chat-message\n    match: { id: "{{nonce}}"');
    expect(smoke).not.toContain("senderReceivesEcho");
  });

  it("says the /health version is hard-coded, with file and line", async () => {
    const result = await init(await fixture("signaling"));
    expect(result.found.healthVersion).toBe("hard-coded");
    expect(result.todo[0]).toMatch(
      /^lib\/health\.js:8: \/health hard-codes its version \(`version: "1\.0\.0"`\)/,
    );
  });

  it("keeps .firebaserc projects, the gcloud run deploy name and region, and both Cloud Build files", async () => {
    const dir = await fixture("signaling");
    const result = await init(dir);
    expect(result.found.cloudbuilds).toEqual([
      "deployment/cloudbuild.production.yaml",
      "deployment/cloudbuild.staging.yaml",
    ]);
    expect(result.found.cloudbuild).toBe("deployment/cloudbuild.production.yaml");
    const production = await read(dir, "environments/production.yaml");
    expect(production).toContain("  project: festival-signal-prod  # from .firebaserc projects.production");
    expect(production).toContain("  regions: [europe-west1]");
    expect(production).toContain("  name: chat-server  # from deployment/cloudbuild.production.yaml:9");
    expect(production).toContain(
      "# hosting: { provider: firebase, site: festival-signal, publicDir: public }",
    );
    const staging = await read(dir, "environments/staging.yaml");
    expect(staging).toContain("  project: festival-signal-staging  # from .firebaserc projects.staging");
    // The Cloud Build deploy bypasses the gate; the README's command is documentation, not a step.
    expect(result.todo.filter((item) => item.includes("without the smoke gate"))).toEqual([
      "deployment/cloudbuild.production.yaml:9: `gcloud run deploy chat-server` moves traffic without the smoke gate: replace the step with `npx echogate promote production` (check and drift --source refuse it: rule deploys-through-gate).",
    ]);
    expect(staging).toContain("  name: chat-server-staging");
  });

  it("drafts the env schema from .env.example; an origin is set per environment, a log level starts from the example", async () => {
    const dir = await fixture("signaling");
    const result = await init(dir);
    expect(result.found.envFiles).toEqual({ example: ".env.example" });
    const schema = await read(dir, "environments/env.schema.yaml");
    expect(schema).toContain("  ALLOWED_ORIGINS: { type: string }  # listed in .env.example");
    expect(schema).not.toContain("environmentSpecific");
    const staging = await read(dir, "environments/.env.staging");
    expect(staging).toContain("# ALLOWED_ORIGINS=   (listed in .env.example: set staging's value)");
    expect(staging).toContain("\nLOG_LEVEL=info\n");
    expect(result.todo.join("\n")).toContain(
      "Set ALLOWED_ORIGINS in environments/.env.preview, .env.staging",
    );
  });
});

describe("init on the official Socket.IO chat example (socket.broadcast.emit)", () => {
  it("suggests senderReceivesEcho: false only there, naming the client that listens for its own event", async () => {
    const dir = await fixture("chat-example");
    const result = await init(dir);
    const smoke = await read(dir, "environments/smoke.yaml");
    expect(smoke).toContain('    event: add user\n    payload: "{{client}}"\n    waitFor: { event: login }');
    expect(smoke).toContain('    event: new message\n    match: { message: "echogate smoke {{nonce}}" }');
    expect(smoke).toContain("  # public/main.js sends new message and listens for new message");
    expect(smoke).toContain("seeds' bug pattern");
    expect(smoke).toMatch(/^ {2}senderReceivesEcho: false/m);
    expect(result.todo.join("\n")).toContain(
      "senderReceivesEcho: false: new message is broadcast without the sender (index.js:28)",
    );
  });

  it("says /health reports no version, with file and line", async () => {
    const result = await init(await fixture("chat-example"));
    expect(result.found).toMatchObject({ healthRoute: "index.js:13", healthVersion: "none" });
    expect(result.todo[0]).toBe(
      'index.js:13: /health reports no version: add `version: process.env.APP_VERSION ?? "dev"` to its JSON (the gate checks that the new build answers).',
    );
  });
});

describe("init on Express + Socket.IO + REST + PostgreSQL with .env.example and no Dockerfile", () => {
  it("reads the server's required modules, not client/ or test/, and drafts the schema from .env.example", async () => {
    const dir = await fixture("rest-chat");
    const result = await init(dir);
    expect(result.found.serverFiles).toEqual([
      "src/index.js",
      "src/db.js",
      "src/routes/messages.js",
      "src/socket.js",
    ]);
    expect(result.found.events).toEqual(["join", "send-message", "typing"]);
    expect(result.found.variables.map((v) => v.key)).toEqual(["DATABASE_URL", "REDIS_URL", "CORS_ORIGIN"]);
    expect(result.found.variables.find((v) => v.key === "DATABASE_URL")).toMatchObject({ type: "url" });
    const smoke = await read(dir, "environments/smoke.yaml");
    expect(smoke).toContain(
      '    event: join\n    payload: { room: "{{room}}", author: "{{client}}" }\n    waitFor: { event: history }',
    );
    expect(smoke).toContain('  expect:\n    event: new-message\n    match: { id: "{{nonce}}"');
    expect(result.todo).toEqual([
      expect.stringContaining(
        "Set DATABASE_URL, REDIS_URL, CORS_ORIGIN in environments/.env.preview, .env.staging",
      ),
      expect.stringMatching(/^Give each environment its own DATABASE_URL, REDIS_URL: .*rule shared-backend/),
    ]);
    const surface = result.found as unknown as { restRoutes: unknown; historyEvents: string[] };
    // The router is mounted with app.use("/api", messagesRouter(db, io)) in src/index.js.
    expect(surface.restRoutes).toEqual([
      expect.objectContaining({
        method: "GET",
        path: "/api/rooms/:room/messages",
        where: "src/routes/messages.js:7",
      }),
      expect.objectContaining({
        method: "POST",
        path: "/api/rooms/:room/messages",
        where: "src/routes/messages.js:11",
        bodyKeys: ["author", "text"],
        emits: { event: "new-message", payload: "{ ...message, at: saved.at }" },
      }),
    ]);
    expect(surface.historyEvents).toEqual(["history"]);
    // Scenarios: the join's history reply and the REST route that emits to the room, written live.
    expect((result.found as unknown as { scenarios: unknown }).scenarios).toEqual([
      { name: "history-on-join", drafted: "live" },
      { name: "rest-burst", drafted: "live" },
    ]);
    expect(smoke).toContain(
      '      - expect: { client: bob, event: history, match: { messages: { $contains: { id: "{{nonce}}", text: "echogate smoke {{nonce}}" } } } }',
    );
    expect(smoke).toContain(
      '      - burst: { count: 10, from: { http: { method: POST, path: "/api/rooms/{{room}}/messages", body: { author: smoke, text: "m{{i}} {{nonce}}" } } }, receivers: [alice, bob, carol], expect: { event: new-message, match: { text: "m{{i}} {{nonce}}" } }, order: arrival }',
    );
  });
});

describe("init on a TypeScript ws server with Redis pub/sub and a Dockerfile with # escape=`", () => {
  it("finds the ws path, the join and message types, the image's ENV lines and .env.sample", async () => {
    const dir = await fixture("ws-redis");
    const result = await init(dir);
    expect(result.found.serverFiles).toEqual(["src/server.ts", "src/bus.ts", "src/rooms.ts"]);
    expect(result.found.wsPath).toBe("/ws");
    const smoke = await read(dir, "environments/smoke.yaml");
    expect(smoke).toContain("  path: /ws  # src/server.ts:27");
    expect(smoke).toContain(
      '  join: { payload: { type: join, room: "{{room}}" }, waitFor: { match: { type: joined } } }',
    );
    const schema = await read(dir, "environments/env.schema.yaml");
    expect(schema).toContain("  REDIS_URL: { type: url }  # listed in .env.sample");
    expect(schema).toContain(
      "  REDIS_CHANNEL_PREFIX: { type: string, required: false }  # the image sets it (Dockerfile:14)",
    );
    expect(schema).toContain("  LOG_LEVEL: { type: string, required: false }");
  });
});

describe("init reads the server's modules wherever they sit", () => {
  it("follows imports below the scan depth and past a client folder of 450 files that sorts first", async () => {
    const client = Object.fromEntries(
      Array.from({ length: 450 }, (_, i) => [
        `app/components/c${i}.js`,
        `socket.emit("client-event-${i}");\n`,
      ]),
    );
    const dir = await testdir({
      ...client,
      "package.json": JSON.stringify({
        name: "deep",
        scripts: { start: "node server/index.js" },
        dependencies: { "socket.io": "4" },
      }),
      "server/index.js": [
        "const { Server } = require('socket.io');",
        "const io = new Server(Number(process.env.PORT));",
        "io.on('connection', (socket) => require('./realtime/handlers/rooms/join')(io, socket));",
        "",
      ].join("\n"),
      "server/realtime/handlers/rooms/join.js": [
        "module.exports = (io, socket) => {",
        "  socket.on('enter-room', ({ room }) => { socket.join(room); socket.emit('entered', { room }); });",
        "  socket.on('post-message', ({ room, id }) => io.to(room).emit('posted', { id }));",
        "};",
        "",
      ].join("\n"),
    });
    const result = await init(dir);
    expect(result.found.serverFiles).toEqual(["server/index.js", "server/realtime/handlers/rooms/join.js"]);
    expect(result.found.events).toEqual(["enter-room", "post-message"]);
  });
});

describe("init on the round-1 fixtures (test/fixtures/adopt/)", () => {
  const roundOne = fileURLToPath(new URL("../fixtures/adopt/", import.meta.url));
  async function copy(name: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), `echogate-r1-${name}-`));
    copies.push(dir);
    await cp(join(roundOne, name), dir, { recursive: true });
    return dir;
  }

  it("a payload handed whole to a helper (roomOf(payload)) gets the usual room shape, commented as unsure", async () => {
    const dir = await copy("socketio-chat");
    const result = await init(dir);
    const smoke = await read(dir, "environments/smoke.yaml");
    expect(smoke).toContain('  #   payload: { roomId: "{{room}}", peerId: "{{client}}" }');
    expect(smoke).toContain(
      '  #   payload: { roomId: "{{room}}", message: { id: "{{nonce}}", content: "echogate smoke {{nonce}}" } }',
    );
    expect(result.todo.join("\n")).toContain("Fit environments/smoke.yaml");
  });

  it("a ws message nested in the frame (message.message) is sent and matched nested", async () => {
    const dir = await copy("native-ws");
    await init(dir);
    const smoke = await read(dir, "environments/smoke.yaml");
    expect(smoke).toContain(
      '  send: { payload: { type: chat-message, roomId: "{{room}}", message: { id: "{{nonce}}", content: "echogate smoke {{nonce}}" } } }',
    );
    expect(smoke).toContain('  expect: { match: { type: chat-message, message: { id: "{{nonce}}" } } }');
  });
});

describe("re-running init", () => {
  it("lists fitting smoke.yaml until the file was fitted, then no more", async () => {
    const dir = await testdir({
      "package.json": JSON.stringify({
        name: "x",
        scripts: { start: "node server.js" },
        dependencies: { "socket.io": "4" },
      }),
      "server.js": [
        "const io = require('socket.io')(Number(process.env.PORT));",
        "io.on('connection', (socket) => {",
        "  socket.on('enter', (data) => { socket.join(data.room); });",
        "  socket.on('say', (data) => { io.to(data.room).emit('said', data.whatever); });",
        "});",
        "",
      ].join("\n"),
    });
    const first = await init(dir);
    expect(first.todo.join("\n")).toContain("Fit environments/smoke.yaml");
    expect(await read(dir, "environments/smoke.yaml")).toContain("  # join:  # server.js:3");
    const fitted = (await read(dir, "environments/smoke.yaml")).replace("  # join:", "  join:");
    await writeFile(join(dir, "environments/smoke.yaml"), fitted);
    const again = await init(dir);
    expect(again.todo.join("\n")).not.toContain("smoke.yaml");
  });
});

describe("$schema lines", () => {
  const project = {
    "package.json": JSON.stringify({
      name: "x",
      scripts: { start: "node server.js" },
      dependencies: { ws: "8" },
    }),
    "server.js": "require('ws');\nrequire('http').createServer().listen(process.env.PORT);\n",
  };

  it("are left out when echogate is not installed in the project (npx): never a path into the npx cache", async () => {
    const dir = await testdir(project);
    await init(dir);
    expect(await read(dir, "environments/staging.yaml")).not.toContain("$schema");
  });

  it("point into node_modules/echogate when installed, in the project or a workspace root above it", async () => {
    const installed = {
      "node_modules/echogate/package.json": JSON.stringify({ name: "echogate" }),
      "node_modules/echogate/schemas/environment.schema.json": "{}",
    };
    const dir = await testdir({ ...project, ...installed });
    await init(dir);
    expect(await read(dir, "environments/staging.yaml")).toMatch(
      /^# yaml-language-server: \$schema=\.\.\/node_modules\/echogate\/schemas\/environment\.schema\.json\n/,
    );
    const root = await testdir({
      ...installed,
      ...Object.fromEntries(Object.entries(project).map(([path, text]) => [`server/${path}`, text])),
    });
    await init(join(root, "server"));
    expect(await read(join(root, "server"), "environments/smoke.yaml")).toContain(
      "$schema=../../node_modules/echogate/schemas/smoke.schema.json",
    );
  });
});

describe("detection parts (pure)", () => {
  it("importGraph follows ESM, CJS, dynamic imports, re-exports, TS's .js specifiers and index files, not comments", () => {
    const texts = new Map([
      [
        "src/main.ts",
        'import { a } from "./a.js";\nexport * from "./b";\n// require("./commented")\nconst c = await import("./c");\n',
      ],
      ["src/a.ts", 'const d = require("../lib/d.cjs");\nimport "./dir";\n'],
      ["src/b.mts", ""],
      ["src/c/index.js", ""],
      ["src/dir/index.ts", ""],
      ["lib/d.cjs", 'require("socket.io");\n'],
      ["src/commented.js", ""],
      ["archive/old.js", ""],
    ]);
    expect(importGraph("src/main.ts", (file) => texts.get(file))).toEqual([
      "src/main.ts",
      "src/a.ts",
      "src/b.mts",
      "src/c/index.js",
      "lib/d.cjs",
      "src/dir/index.ts",
    ]);
  });

  it("an emit to io.in(room) includes the sender; socket.to(room) and socket.broadcast exclude it", () => {
    const code = [
      {
        file: "s.js",
        text: [
          "io.on('connection', (client) => {",
          "  client.on('join', (room, ack) => { client.join(room); ack({ ok: true }); });",
          "  client.on('msg', ({ room, id }) => { io.in(room).emit('msg', { id }); client.to(room).emit('seen', { id }); });",
          "});",
        ].join("\n"),
      },
    ];
    const handlers = socketHandlers(code);
    expect(handlers.map((h) => [h.event, h.emits.map((e) => `${e.event}:${e.target}`)])).toEqual([
      ["join", []],
      ["msg", ["msg:everyone", "seen:others"]],
    ]);
    const draft = draftSocketIoSmoke(handlers);
    expect(draft.join).toMatchObject({ event: "join", payload: "{{room}}", waitFor: { ack: true } });
    expect(draft.expect).toMatchObject({ event: "msg", target: "everyone", match: { id: "{{nonce}}" } });
  });

  it("healthRoute tells a build version from a hard-coded or package.json one", () => {
    const at = (text: string) => healthRoute([{ file: "s.js", text }]);
    expect(at("app.get('/health', (q, r) => r.json({ version: process.env.APP_VERSION }));")?.version).toBe(
      "build",
    );
    expect(
      at(
        "const pkg = require('./package.json');\napp.get('/health', (q, r) => r.json({ version: pkg.version }));",
      ),
    ).toMatchObject({
      version: "hard-coded",
      versionAt: { where: "s.js:2", text: "version: pkg.version" },
    });
    expect(at("app.get('/healthz', (q, r) => r.send('ok'));")?.version).toBe("none");
  });

  it("gcloud run deploy NAME with --region and --project, in a shell line, a YAML args list and a package.json script", () => {
    expect(
      deployedServices(
        "scripts/deploy.sh",
        "gcloud run deploy chat-api-staging \\\n  --image $IMAGE --region=us-east1 --project acme-stg\n",
      ),
    ).toEqual([
      {
        name: "chat-api-staging",
        region: "us-east1",
        project: "acme-stg",
        where: "scripts/deploy.sh:1",
        environment: "staging",
      },
    ]);
    expect(
      deployedServices("cloudbuild.yaml", "args: ['run', 'deploy', '${_SERVICE}', '--region', 'eu']"),
    ).toEqual([]);
    const names = existingNames(
      new Map([
        [
          "package.json",
          JSON.stringify({ scripts: { "deploy:prod": "gcloud run deploy chat-api --region europe-west4" } }),
        ],
      ]),
    );
    expect(namesFor("production", names)).toMatchObject({ service: "chat-api", region: "europe-west4" });
    expect(namesFor("staging", names)).toMatchObject({ service: "chat-api-staging", region: "europe-west4" });
  });

  it("environmentSpecific only for a key one deployed env file sets and another leaves out, not for values that differ", () => {
    const draft = draftEnv(
      new Map([
        [".env.staging", "API_URL=https://api-staging.example.com\nDEBUG_ROUTES=true\nLOG_LEVEL=debug\n"],
        [".env.production", "API_URL=https://api.example.com\nLOG_LEVEL=info\n"],
        [".env", "API_URL=http://localhost:3000\nLOCAL_ONLY=1\nLOG_LEVEL=debug\n"],
      ]),
      ".",
    );
    const flag = (key: string) => draft.variables.find((v) => v.key === key)?.environmentSpecific;
    expect([flag("API_URL"), flag("LOG_LEVEL"), flag("DEBUG_ROUTES"), flag("LOCAL_ONLY")]).toEqual([
      false,
      false,
      true,
      false,
    ]);
  });

  it("reads ENV in the final stage only, with a backtick escape and the legacy form", () => {
    const text =
      '# escape=`\nFROM node AS build\nENV BUILD_ONLY=1\nFROM node\nENV A=1 `\n    B="two words"\nENV LEGACY some value\n';
    expect(imageVariables("Dockerfile", text)).toEqual([
      { key: "A", value: "1", where: "Dockerfile:5" },
      { key: "B", value: "two words", where: "Dockerfile:5" },
      { key: "LEGACY", value: "some value", where: "Dockerfile:7" },
    ]);
  });
});
