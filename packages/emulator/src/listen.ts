import type http from "node:http";
import type net from "node:net";

export interface Listening {
  port: number;
  /** Stops listening and ends open (keep-alive, WebSocket) connections rather than waiting for them. */
  close(): Promise<void>;
}

/** Listens on `host:port` (0: any free port) and keeps track of connections so `close` ends them. */
export async function listen(server: http.Server, port = 0, host = "127.0.0.1"): Promise<Listening> {
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  const bound = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve((server.address() as net.AddressInfo).port));
  });
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
