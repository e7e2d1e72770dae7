import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runEchogate } from "../helpers/run-cli.js";
import { startSocketIoChat } from "../smoke/helpers.js";
import { getText, hostingEmulator, realtimeServer } from "./fixtures.js";
import { hostingProject, PRODUCTION_SERVER } from "./project.js";

describe("echogate web deploy", () => {
  it("scans, uploads, gates on a side channel, then releases with the environment's runtime config", async () => {
    const { emulator } = await hostingEmulator();
    const server = await realtimeServer();
    const cwd = await hostingProject();
    const run = await runEchogate(["web", "deploy", "staging", "--server-url", server.url, "--json"], {
      cwd,
      env: { ECHOGATE_HOSTING_URL: emulator.url },
    });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const result = run.json<{ url: string; uploaded: number; total: number; gate: { ok: boolean } }>();
    expect(result).toMatchObject({ uploaded: 3, total: 3, gate: { ok: true } });
    const config = JSON.parse(
      (await getText(`${emulator.channelUrl("chat-staging", "live")}/echogate.json`)).text,
    );
    expect(config).toEqual({
      environment: "staging",
      serverUrl: server.url.replace("http:", "ws:"),
      protocol: "ws-json",
      public: { PUBLIC_APP_NAME: "chat (staging)" },
    });
    expect(run.stdout + run.stderr).not.toContain("s3cr3t-value");

    // Production receives the same build by clone, with its own runtime config.
    const prodServer = await realtimeServer();
    emulator.resetStats();
    const promote = await runEchogate(["web", "deploy", "production", "--server-url", prodServer.url], {
      cwd,
      env: { ECHOGATE_HOSTING_URL: emulator.url },
    });
    expect(promote.exitCode, promote.stderr).toBe(1);
    expect(promote.stderr).toContain("public.PUBLIC_SERVER_URL");
    expect(promote.stderr).toContain(PRODUCTION_SERVER);
    expect(emulator.channelUrl("chat-production", "live")).toBeDefined();
    expect((await getText(`${emulator.channelUrl("chat-production", "live")}/app.js`)).status).toBe(404);
  });

  it("names the server's real protocol in /echogate.json (socket.io for a Socket.IO server)", async () => {
    const { emulator } = await hostingEmulator();
    const server = await startSocketIoChat({ includeSender: true });
    try {
      const cwd = await hostingProject();
      const yaml = join(cwd, "environments", "staging.yaml");
      const text = await readFile(yaml, "utf8");
      await writeFile(
        yaml,
        text.replace(
          "  echo:\n    timeoutMs: 1500",
          [
            "  echo:",
            "    protocol: socket.io",
            "    timeoutMs: 1500",
            '    join: { event: join-room, payload: { roomId: "{{room}}", peerId: "{{client}}" }, waitFor: { event: room-peers } }',
            '    send: { event: chat-message, payload: { roomId: "{{room}}", message: { id: "{{nonce}}", content: "smoke {{nonce}}" } } }',
            '    expect: { event: chat-message, match: { id: "{{nonce}}" } }',
          ].join("\n"),
        ),
      );
      const run = await runEchogate(["web", "deploy", "staging", "--server-url", server.url, "--json"], {
        cwd,
        env: { ECHOGATE_HOSTING_URL: emulator.url },
      });
      expect(run.exitCode, run.stdout + run.stderr).toBe(0);
      const config = JSON.parse(
        (await getText(`${emulator.channelUrl("chat-staging", "live")}/echogate.json`)).text,
      );
      expect(config.protocol).toBe("socket.io");
    } finally {
      await server.close();
    }
  });

  it("refuses a build carrying a secret's value, from any environment, without printing it", async () => {
    const { emulator } = await hostingEmulator();
    const server = await realtimeServer();
    const cwd = await hostingProject({
      web: { "index.html": "<h1>chat</h1>", "app.js": 'const key = "other-secret";\n' },
    });
    const run = await runEchogate(["web", "deploy", "staging", "--server-url", server.url, "--json"], {
      cwd,
      env: { ECHOGATE_HOSTING_URL: emulator.url },
    });
    expect(run.exitCode, run.stdout + run.stderr).toBe(1);
    expect(run.stdout + run.stderr).toContain("the value of secret API_SECRET (production)");
    expect(run.stdout + run.stderr).not.toContain("other-secret");
    expect((await getText(`${emulator.channelUrl("chat-staging", "live")}/app.js`)).status).toBe(404);
  });

  it("promotes production by cloning staging's version when production's settings name its own server", async () => {
    const { emulator } = await hostingEmulator();
    const [staging, production] = await Promise.all([realtimeServer(), realtimeServer()]);
    const cwd = await hostingProject();
    const env = { ECHOGATE_HOSTING_URL: emulator.url };
    expect(
      (await runEchogate(["web", "deploy", "staging", "--server-url", staging.url], { cwd, env })).exitCode,
    ).toBe(0);
    await writeFile(
      `${cwd}/environments/.env.production`,
      "PUBLIC_APP_NAME=chat\nPUBLIC_SERVER_URL=${SERVICE_URL}\n",
    );
    emulator.resetStats();
    const run = await runEchogate(["web", "deploy", "production", "--server-url", production.url, "--json"], {
      cwd,
      env,
    });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.json<{ clonedFrom: string }>().clonedFrom).toMatch(/^sites\/chat-staging\/versions\//);
    expect(emulator.stats.byRoute["versions.clone"]).toBe(1);
    const live = emulator.channelUrl("chat-production", "live")!;
    expect((await getText(`${live}/app.js`)).text).toContain("echogate.json");
    expect(JSON.parse((await getText(`${live}/echogate.json`)).text).serverUrl).toBe(
      production.url.replace("http:", "ws:"),
    );
  });

  it("refuses a front end whose runtime config points at the wrong server and releases nothing", async () => {
    const { emulator } = await hostingEmulator();
    const right = await realtimeServer();
    // A server `check` can't tell is wrong (no other environment's host), so only the pair gate can.
    const cwd = await hostingProject({
      stagingEnv: "PUBLIC_APP_NAME=chat (staging)\nPUBLIC_SERVER_URL=wss://chat-elsewhere.example.com\n",
    });
    const run = await runEchogate(["web", "deploy", "staging", "--server-url", right.url], {
      cwd,
      env: { ECHOGATE_HOSTING_URL: emulator.url },
    });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("pair gate refused");
    expect(run.stderr).toContain("Nothing was released to live");
    expect((await getText(`${emulator.channelUrl("chat-staging", "live")}/`)).status).toBe(404);
  });

  it("runs check first: a public value carrying a secret is refused (exit 1), never uploaded or printed", async () => {
    const { emulator } = await hostingEmulator();
    const server = await realtimeServer();
    const cwd = await hostingProject({
      stagingEnv: "PUBLIC_APP_NAME=lobby-s3cr3t-value\nAPI_SECRET=s3cr3t-value\n",
    });
    const run = await runEchogate(["web", "deploy", "staging", "--server-url", server.url, "--json"], {
      cwd,
      env: { ECHOGATE_HOSTING_URL: emulator.url },
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout + run.stderr).toContain("contains the value of secret API_SECRET");
    expect(run.stdout + run.stderr).not.toContain("s3cr3t-value");
    expect(emulator.stats.uploads).toBe(0);
  });

  it("refuses when the server it names fails the echo smoke (sender gets no echo)", async () => {
    const { emulator } = await hostingEmulator();
    const broken = await realtimeServer({ fault: true });
    const cwd = await hostingProject();
    const run = await runEchogate(["web", "deploy", "staging", "--server-url", broken.url], {
      cwd,
      env: { ECHOGATE_HOSTING_URL: emulator.url },
    });
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stderr).toContain("smoke: echo");
  });

  it("refuses a build that hard-codes another environment's server, naming file and line", async () => {
    const { emulator } = await hostingEmulator();
    const cwd = await hostingProject({
      web: { "index.html": "<p>hi</p>", "js/app.js": `// v1\nconst url = "${PRODUCTION_SERVER}";\n` },
    });
    const run = await runEchogate(["web", "deploy", "staging", "--server-url", "http://127.0.0.1:9"], {
      cwd,
      env: { ECHOGATE_HOSTING_URL: emulator.url },
    });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("/js/app.js:2:22 (byte 27): contains production's server");
    expect(emulator.stats.byRoute["versions.create"]).toBeUndefined();
  });

  it("refuses real Cloud Run URL shapes of another environment (and its own) in a runtime-config build", async () => {
    const { emulator } = await hostingEmulator();
    const env = { ECHOGATE_HOSTING_URL: emulator.url };
    const cwd = await hostingProject({
      web: {
        "index.html": "<p>hi</p>",
        "app.js":
          'const a = "wss://chat-production-hfttiarlja-uc.a.run.app";\nconst b = "https://chat-staging-123456789012.us-central1.run.app";\n',
      },
    });
    const staging = await runEchogate(["web", "deploy", "staging", "--server-url", "http://127.0.0.1:9"], {
      cwd,
      env,
    });
    expect(staging.exitCode).toBe(1);
    expect(staging.stderr).toContain(
      '/app.js:1:18 (byte 17): contains production\'s server (Cloud Run service chat-production) "chat-production-hfttiarlja-uc.a.run.app"',
    );
    expect(staging.stderr).toContain(`contains staging's own server (read it at runtime from /echogate.json`);
    const upload = await runEchogate(
      ["web", "deploy", "production", "--upload", "--server-url", "http://127.0.0.1:9"],
      { cwd, env },
    );
    expect(upload.exitCode).toBe(1);
    expect(upload.stderr).toContain(`contains staging's server (Cloud Run service chat-staging)`);
    expect(emulator.stats.byRoute["versions.create"]).toBeUndefined();
  });

  it("exits 2 when the build directory is missing or empty", async () => {
    const { emulator } = await hostingEmulator();
    const env = { ECHOGATE_HOSTING_URL: emulator.url };
    const missing = await runEchogate(["web", "deploy", "staging", "--server-url", "http://127.0.0.1:9"], {
      cwd: await hostingProject({ web: null }),
      env,
    });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain("web/public does not exist");
    const cwd = await hostingProject({ web: null });
    await mkdir(join(cwd, "web/public"), { recursive: true });
    const empty = await runEchogate(["web", "deploy", "staging", "--server-url", "http://127.0.0.1:9"], {
      cwd,
      env,
    });
    expect(empty.exitCode).toBe(2);
    expect(empty.stderr).toContain("web/public is empty");
  });

  it("exits 2 when the build has nothing to serve at / (no root index.html), before any upload", async () => {
    const { emulator } = await hostingEmulator();
    const env = { ECHOGATE_HOSTING_URL: emulator.url };
    const builds: Record<string, string>[] = [
      { "sub/.keep": "" },
      { "sub/index.html": "<p>hi</p>", "app.js": "" },
    ];
    for (const web of builds) {
      const run = await runEchogate(["web", "deploy", "staging", "--server-url", "http://127.0.0.1:9"], {
        cwd: await hostingProject({ web }),
        env,
      });
      expect(run.exitCode, run.stderr).toBe(2);
      expect(run.stderr).toContain("web/public has no index.html at its root");
    }
    expect(emulator.stats.byRoute["versions.create"]).toBeUndefined();
  });
  it("sends firebase.json's config with the version, and refuses (exit 1, before any upload) a run rewrite to another environment's service", async () => {
    const { emulator } = await hostingEmulator();
    const server = await realtimeServer();
    const firebaseJson = (serviceId: string) =>
      `{\n  "hosting": {\n    "public": "web/public",\n    "rewrites": [\n      { "source": "/api/**", "run": { "serviceId": "${serviceId}" } },\n      { "source": "**", "destination": "/index.html" }\n    ]\n  }\n}\n`;
    const crossed = await hostingProject({ extra: { "firebase.json": firebaseJson("chat-preview") } });
    const refused = await runEchogate(["web", "deploy", "staging", "--server-url", server.url], {
      cwd: crossed,
      env: { ECHOGATE_HOSTING_URL: emulator.url },
    });
    expect(refused.exitCode, refused.stdout + refused.stderr).toBe(1);
    expect(refused.stderr).toContain("firebase.json:5:");
    expect(refused.stderr).toContain("it is preview's service");
    expect(emulator.stats.uploads).toBe(0);

    const cwd = await hostingProject({ extra: { "firebase.json": firebaseJson("chat-production") } });
    const run = await runEchogate(["web", "deploy", "staging", "--server-url", server.url, "--json"], {
      cwd,
      env: { ECHOGATE_HOSTING_URL: emulator.url },
    });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const { version } = run.json<{ version: string }>();
    const stored = (await (await fetch(`${emulator.url}/v1beta1/${version}`)).json()) as { config: unknown };
    expect(stored.config).toEqual({
      rewrites: [
        { glob: "/api/**", run: { serviceId: "chat-staging", region: "us-central1" } },
        { glob: "**", path: "/index.html" },
      ],
    });
    const deep = await getText(`${emulator.channelUrl("chat-staging", "live")}/rooms/7`);
    expect(deep.status).toBe(200);
  });
});
