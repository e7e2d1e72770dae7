// A loopback HTTP proxy in front of one emulator API that records every request it forwards, so a
// benchmark counts what a command sends on the wire, whatever code path sent it.
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  status?: number;
}

export interface CountingProxy {
  url: string;
  /** Requests forwarded since the last `take()`, in arrival order. */
  take(): RecordedRequest[];
  close(): Promise<void>;
}

export async function startCountingProxy(upstream: string): Promise<CountingProxy> {
  const target = new URL(upstream);
  let recorded: RecordedRequest[] = [];
  const server = createServer((incoming, outgoing) => {
    const entry: RecordedRequest = { method: incoming.method ?? "GET", url: incoming.url ?? "/" };
    recorded.push(entry);
    const forward = request(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        // The emulators answer only Host headers naming themselves (DNS rebinding protection).
        headers: { ...incoming.headers, host: target.host },
      },
      (answer) => {
        entry.status = answer.statusCode;
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forward.on("error", (error) => {
      entry.status = 502;
      outgoing.destroy(error);
    });
    incoming.pipe(forward);
  });
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    take() {
      const taken = recorded;
      recorded = [];
      return taken;
    },
    close: () =>
      new Promise<void>((closed) => {
        server.closeAllConnections();
        server.close(() => closed());
      }),
  };
}
