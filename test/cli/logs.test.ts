import { once } from "node:events";
import { appendFile } from "node:fs/promises";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { followEmulatorLogs, parseLogLine } from "../../deploy/platform/logs/emulator-logs.js";
import type { LogEntry } from "../../deploy/platform/logs/log-entry.js";
import { logLineWriter } from "../../packages/emulator/src/revision-log.js";
import { driftProject } from "../drift/project.js";
import { runEchogate } from "../helpers/run-cli.js";

const REVISION = "chat-staging-00002-abc";
const LOG_FILE = `.echogate/emulator/logs/chat-staging__${REVISION}.log`;
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

describe("revision log lines on the emulator", () => {
  it("are written one timestamped line per printed line, partial lines joined, and read back", () => {
    const written: string[] = [];
    const at = new Date("2026-12-07T15:30:00.000Z");
    const out = logLineWriter(
      "stderr",
      (line) => written.push(line),
      () => at,
    );
    out.chunk(Buffer.from("listening on 8080\nerr"));
    out.chunk(Buffer.from("or: boom\r\npartial"));
    out.flush();
    expect(written).toEqual([
      "2026-12-07T15:30:00.000Z stderr listening on 8080\n",
      "2026-12-07T15:30:00.000Z stderr error: boom\n",
      "2026-12-07T15:30:00.000Z stderr partial\n",
    ]);
    expect(parseLogLine(written[1]!.trimEnd(), REVISION)).toEqual({
      timestamp: "2026-12-07T15:30:00.000Z",
      severity: "ERROR",
      revision: REVISION,
      text: "error: boom",
    });
    expect(parseLogLine("an old untimed line", REVISION).timestamp).toBeNull();
  });
});

describe("echogate logs on the emulator", () => {
  it("reads the revision's file in .echogate/emulator/logs/, --since leaving older lines out", async () => {
    const cwd = await driftProject({
      environments: { staging: {} },
      files: {
        [LOG_FILE]: [
          `${minutesAgo(60)} stdout booting`,
          `${minutesAgo(5)} stdout listening on 0.0.0.0:8080`,
          `${minutesAgo(1)} stderr join refused: room full`,
          "",
        ].join("\n"),
        ".echogate/emulator/logs/chat-staging__chat-staging-00001-old.log": `${minutesAgo(2)} stdout old revision\n`,
      },
    });
    const run = await runEchogate(["logs", "staging", "--revision", REVISION, "--since", "10m", "--json"], {
      cwd,
    });
    expect(run.exitCode, run.stderr).toBe(0);
    const result = run.json<{ revision: string; entries: LogEntry[] }>();
    expect(result.revision).toBe(REVISION);
    expect(result.entries.map((entry) => [entry.severity, entry.text])).toEqual([
      ["DEFAULT", "listening on 0.0.0.0:8080"],
      ["ERROR", "join refused: room full"],
    ]);
    const text = await runEchogate(["logs", "staging", "--revision", REVISION], { cwd });
    expect(text.stdout.split("\n").filter(Boolean)).toHaveLength(3);
    expect(text.stdout).toMatch(/Z ERROR join refused: room full\n$/);
    const bad = await runEchogate(["logs", "staging", "--revision", REVISION, "--since", "ten minutes"], {
      cwd,
    });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("Can't use --since ten minutes");
  });

  it("--follow prints the lines so far, then each line appended, until interrupted", async () => {
    const cwd = await driftProject({
      environments: { staging: {} },
      files: { [LOG_FILE]: `${minutesAgo(1)} stdout first\n` },
    });
    const seen: string[] = [];
    const controller = new AbortController();
    let arrived: () => void = () => {};
    const second = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const following = followEmulatorLogs(
      cwd,
      { service: "chat-staging", revision: REVISION, since: undefined },
      (entry) => {
        seen.push(entry.text);
        if (entry.text === "second") arrived();
      },
      controller.signal,
      20,
    );
    await appendFile(join(cwd, LOG_FILE), `${new Date().toISOString()} stdout sec`);
    await appendFile(join(cwd, LOG_FILE), "ond\n");
    await second;
    controller.abort();
    await following;
    expect(seen).toEqual(["first", "second"]);
  });
});

/** A loopback Logging v2 API: `POST /v2/entries:list` as documented (filter, orderBy, pageSize, pageToken → entries, nextPageToken). */
describe("echogate logs on Google (Cloud Logging entries:list, loopback fake)", () => {
  const requests: { authorization: string | undefined; body: Record<string, unknown> }[] = [];
  let status = 200;
  const server = createServer(async (request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
    requests.push({ authorization: request.headers.authorization, body });
    if (request.method !== "POST" || request.url !== "/v2/entries:list") {
      response.writeHead(404).end();
      return;
    }
    if (status !== 200) {
      response.writeHead(status, { "content-type": "application/json" }).end(
        JSON.stringify({
          error: { code: status, message: "Permission denied", status: "PERMISSION_DENIED" },
        }),
      );
      return;
    }
    const entry = (id: string, timestamp: string, payload: Record<string, unknown>) => ({
      insertId: id,
      logName: "projects/demo-project/logs/run.googleapis.com%2Fstdout",
      resource: {
        type: "cloud_run_revision",
        labels: { service_name: "chat-production", revision_name: REVISION, location: "europe-west1" },
      },
      timestamp,
      receiveTimestamp: timestamp,
      ...payload,
    });
    const page =
      body.pageToken === undefined
        ? {
            entries: [
              entry("a1", "2026-12-07T15:00:00.000000Z", { severity: "INFO", textPayload: "listening" }),
            ],
            nextPageToken: "page-2",
          }
        : {
            entries: [
              entry("a2", "2026-12-07T15:01:00.000000Z", {
                severity: "ERROR",
                jsonPayload: { message: "redis connection lost", code: "ECONNRESET" },
              }),
            ],
          };
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(page));
  });
  let endpoint = "";
  beforeAll(async () => {
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.close();
    await once(server, "close");
  });

  it("asks for the revision's entries, oldest first, follows nextPageToken, and prints text and JSON payloads", async () => {
    const cwd = await driftProject({
      environments: { production: { service: { endpoint: "google" } } },
    });
    const run = await runEchogate(["logs", "production", "--revision", REVISION, "--since", "1h", "--json"], {
      cwd,
      env: { ECHOGATE_LOGGING_ENDPOINT: endpoint },
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.json<{ entries: LogEntry[] }>().entries).toEqual([
      { timestamp: "2026-12-07T15:00:00.000000Z", severity: "INFO", revision: REVISION, text: "listening" },
      {
        timestamp: "2026-12-07T15:01:00.000000Z",
        severity: "ERROR",
        revision: REVISION,
        text: "redis connection lost",
      },
    ]);
    expect(requests).toHaveLength(2);
    const [first, second] = requests;
    expect(first!.authorization).toBe("Bearer loopback-token");
    expect(first!.body).toMatchObject({
      resourceNames: ["projects/demo-project"],
      orderBy: "timestamp asc",
      pageSize: 1000,
    });
    expect(first!.body.filter).toMatch(
      new RegExp(
        `^resource\\.type="cloud_run_revision" AND resource\\.labels\\.service_name="chat-production" AND resource\\.labels\\.location="europe-west1" AND resource\\.labels\\.revision_name="${REVISION}" AND timestamp>="\\d{4}-[^"]+Z"$`,
      ),
    );
    expect(second!.body.pageToken).toBe("page-2");
  });

  it("a refusal from the API exits 3 with the role to grant, no stack", async () => {
    status = 403;
    const cwd = await driftProject({ environments: { production: { service: { endpoint: "google" } } } });
    const run = await runEchogate(["logs", "production", "--revision", REVISION], {
      cwd,
      env: { ECHOGATE_LOGGING_ENDPOINT: endpoint },
    });
    status = 200;
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain("Failed to read Cloud Logging (HTTP 403): Permission denied");
    expect(run.stderr).toContain("roles/logging.viewer on project demo-project");
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
