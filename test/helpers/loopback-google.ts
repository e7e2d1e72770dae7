import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";

export interface LoopbackGoogle {
  /** Requests (and proxy CONNECTs) that reached the counter so far. */
  requests(): number;
  /** The environment that sends every route to Google here: HTTPS proxy, metadata server. */
  env(extra?: Record<string, string>): Record<string, string>;
}

/**
 * A loopback server standing in for every way the CLI could reach Google — the Cloud Run and OAuth
 * endpoints through an HTTPS proxy, the metadata server — which counts what arrives and refuses it
 * (502). Started before the file's tests, closed after them.
 */
export function useLoopbackGoogle(): LoopbackGoogle {
  const server = createServer((_request, response) => {
    requests++;
    response.writeHead(502).end();
  });
  server.on("connect", (_request, socket) => {
    requests++;
    socket.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
  });
  let requests = 0;
  let address = "";
  beforeAll(async () => {
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, "close");
  });
  return {
    requests: () => requests,
    env: (extra = {}) => ({
      NO_COLOR: "1",
      HTTPS_PROXY: `http://${address}`,
      HTTP_PROXY: `http://${address}`,
      https_proxy: `http://${address}`,
      http_proxy: `http://${address}`,
      NO_PROXY: "",
      no_proxy: "",
      GCE_METADATA_HOST: address,
      GCE_METADATA_IP: address,
      ...extra,
    }),
  };
}
