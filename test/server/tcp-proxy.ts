import { connect, createServer, type Server, type Socket } from "node:net";

/** A loopback TCP hop (Cloud Run's front end, a network path to a database): it can cut every connection and refuse new ones. */
export class CuttableProxy {
  readonly #sockets = new Set<Socket>();
  refusing = false;
  private constructor(readonly server: Server) {}

  static async start(targetPort: number): Promise<CuttableProxy> {
    const proxy: CuttableProxy = new CuttableProxy(
      createServer((inbound) => {
        if (proxy.refusing) return void inbound.destroy();
        const outbound = connect(targetPort, "127.0.0.1");
        for (const s of [inbound, outbound]) {
          proxy.#sockets.add(s);
          s.on("close", () => proxy.#sockets.delete(s));
          s.on("error", () => undefined);
        }
        inbound.pipe(outbound).pipe(inbound);
        inbound.on("close", () => outbound.destroy());
        outbound.on("close", () => inbound.destroy());
      }),
    );
    await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  cut(): void {
    for (const s of this.#sockets) s.destroy();
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
