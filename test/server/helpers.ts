import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { resolve } from "node:path";
import { afterEach } from "vitest";
import { WebSocket } from "ws";
import type { Logger, Severity } from "../../server/src/logger.js";
import { type RunningServer, startServer } from "../../server/src/start-server.js";

export const REPO_ROOT = resolve(import.meta.dirname, "../..");

export interface LogLine {
  severity: Severity;
  message: string;
  fields: Record<string, unknown>;
}

export interface TestServer extends RunningServer {
  logs: LogLine[];
  wsUrl: string;
}

/** In-process server on 127.0.0.1, a free port, and only the env given here. */
/**
 * Servers and clients for the tests of a file, each closed after the test that opened it:
 * `start` starts a test server, `clients` holds the clients to close.
 */
export function useTestServers(): { start: typeof startTestServer; clients: TestClient[] } {
  const servers: TestServer[] = [];
  const clients: TestClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  return {
    clients,
    start: async (env) => {
      const server = await startTestServer(env);
      servers.push(server);
      return server;
    },
  };
}

export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const logs: LogLine[] = [];
  const logger: Logger = {
    log: (severity, message, fields = {}) => logs.push({ severity, message, fields }),
  };
  const server = await startServer({ port: 0, host: "127.0.0.1", env, logger });
  return { ...server, logs, wsUrl: server.url.replace(/^http/, "ws") };
}

export type Msg = Record<string, unknown> & { type: string };

/** A ws client that queues every JSON message so tests can await the next one matching a predicate. */
export class TestClient {
  readonly messages: Msg[] = [];
  #barriers = 0;
  readonly #waiters: Array<{ match: (msg: Msg) => boolean; resolve: (msg: Msg) => void }> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const msg = JSON.parse(data.toString()) as Msg;
      const waiter = this.#waiters.find((w) => w.match(msg));
      if (waiter) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(msg);
      } else this.messages.push(msg);
    });
  }

  static async connect(
    url: string,
    options: ConstructorParameters<typeof WebSocket>[2] = {},
  ): Promise<TestClient> {
    const ws = new WebSocket(url, options);
    await once(ws, "open");
    return new TestClient(ws);
  }

  send(message: unknown): void {
    this.ws.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** Resolves with the first (queued or future) message matching; rejects after `timeoutMs`. */
  next(match: string | ((msg: Msg) => boolean), timeoutMs = 2_000): Promise<Msg> {
    const predicate = typeof match === "string" ? (msg: Msg) => msg.type === match : match;
    const queued = this.messages.findIndex(predicate);
    if (queued >= 0) return Promise.resolve(this.messages.splice(queued, 1)[0]!);
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(
          new Error(`no matching message within ${timeoutMs} ms; got ${describeMessages(this.messages)}`),
        );
      }, timeoutMs);
      const waiter = {
        match: predicate,
        resolve: (msg: Msg) => {
          clearTimeout(timer);
          resolvePromise(msg);
        },
      };
      this.#waiters.push(waiter);
    });
  }

  /**
   * Messages matching that arrived and no `next` took. Absence means something only after a barrier
   * (`roundTrip`, or a later reply the server sends after what must not arrive), never after a wait.
   */
  received(match: string | ((msg: Msg) => boolean)): Msg[] {
    const predicate = typeof match === "string" ? (msg: Msg) => msg.type === match : match;
    return this.messages.filter(predicate);
  }

  /**
   * A request and its reply on this connection (join a room of its own, leave it): whatever the
   * server wrote to this socket before handling the request has arrived once this resolves.
   */
  async roundTrip(): Promise<void> {
    const roomId = `barrier-${this.#barriers++}`;
    await this.join(roomId, "barrier");
    this.send({ type: "leave", roomId });
    await this.next((msg) => msg.type === "left" && msg.roomId === roomId);
  }

  async join(roomId: string, peerId: string): Promise<Msg> {
    this.send({ type: "join", roomId, peerId });
    return this.next("joined");
  }

  async closed(timeoutMs = 3_000): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState === WebSocket.CLOSED) return { code: -1, reason: "already closed" };
    const timeout = AbortSignal.timeout(timeoutMs);
    const [code, reason] = (await once(this.ws, "close", { signal: timeout })) as [number, Buffer];
    return { code, reason: reason.toString() };
  }

  close(): void {
    this.ws.terminate();
  }
}

export interface ChildServer {
  child: ChildProcess;
  port: number;
  url: string;
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `node --import tsx server/src/main.ts` as a real child process; resolves once it logs "listening". */
export async function spawnServer(env: Record<string, string>): Promise<ChildServer> {
  const child = spawn(process.execPath, ["--import", "tsx", "server/src/main.ts"], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once("exit", (code, signal) => done({ code, signal })),
  );
  const port = await new Promise<number>((done, fail) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      fail(new Error(`server did not start within 10 s\nstdout: ${out}\nstderr: ${err}`));
    }, 10_000);
    const onData = () => {
      const line = out.split("\n").find((l) => l.includes('"listening"'));
      if (!line) return;
      clearTimeout(timer);
      child.stdout!.off("data", onData);
      done((JSON.parse(line) as { port: number }).port);
    };
    child.stdout!.on("data", onData);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      fail(new Error(`server exited with ${code} before listening\nstdout: ${out}\nstderr: ${err}`));
    });
  });
  return { child, port, url: `http://127.0.0.1:${port}`, stdout: () => out, exited };
}

/** A bounded summary of what arrived: a flood test can queue megabytes. */
function describeMessages(messages: readonly Msg[]): string {
  const shown = messages.slice(-5).map((msg) => JSON.stringify(msg).slice(0, 200));
  return `${messages.length} messages, the last ${shown.length}: ${shown.join(", ")}`;
}
