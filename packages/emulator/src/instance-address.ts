import net from "node:net";

/**
 * The address the emulator reaches revision instances on. Cloud Run sends requests to the
 * container's network interface, never to its loopback (container contract: "listen for requests
 * on 0.0.0.0 on the port to which requests are sent"). One machine has no second interface, but
 * Linux and Windows route all of 127.0.0.0/8 to loopback: a server bound to 0.0.0.0 (or `::`)
 * answers on 127.0.0.2, one bound to 127.0.0.1 or localhost does not, as it would not on Google.
 */
const INSTANCE_ADDRESS = "127.0.0.2";

/** Where a server that listens on loopback only can be found, to say so when it fails. */
export const LOOPBACK_ONLY_ADDRESSES = ["127.0.0.1", "::1"] as const;

export interface InstanceAddress {
  host: string;
  /** false where 127.0.0.2 is not configured (macOS without an lo0 alias): the contract is not checked. */
  enforced: boolean;
}

let resolved: Promise<InstanceAddress> | undefined;

/** INSTANCE_ADDRESS when this machine routes it to loopback, else 127.0.0.1; probed once. */
export function instanceAddress(): Promise<InstanceAddress> {
  resolved ??= routable(INSTANCE_ADDRESS).then((ok) =>
    ok ? { host: INSTANCE_ADDRESS, enforced: true } : { host: "127.0.0.1", enforced: false },
  );
  return resolved;
}

/** Binds a throwaway listener on `host` and connects to it: both work only if the address is local. */
function routable(host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer((socket) => socket.destroy());
    server.once("error", () => resolve(false));
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      const socket = net.connect({ host, port });
      const done = (ok: boolean) => {
        socket.destroy();
        server.close(() => resolve(ok));
      };
      socket.once("connect", () => done(true));
      socket.once("error", () => done(false));
    });
  });
}
