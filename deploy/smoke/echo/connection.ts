/** One message as the gate sees it: a socket.io event (or acknowledgement) with its arguments, or a ws-json message. */
export interface Inbound {
  /** socket.io event name; undefined for ws-json and for acknowledgements. */
  event: string | undefined;
  /** The first argument (ws-json: the whole message). */
  payload: unknown;
  /** Every argument (ws-json: the message alone). */
  args: unknown[];
  /** True for the server's acknowledgement of one of this client's emits. */
  ack?: boolean;
  /** performance.now() at receipt. */
  at: number;
}

/** A connected smoke client, the same for every protocol. */
export interface EchoConnection {
  readonly client: string;
  /**
   * socket.io: emit(event, ...args), with an acknowledgement callback when `ack` (the ack then
   * arrives as an Inbound with `ack: true`); ws-json: args[0] is the whole message.
   */
  send(event: string | undefined, args: readonly unknown[], options?: { ack?: boolean }): void;
  /** Every message received since the handshake, in order; earlier ones are replayed to the first listener. */
  onMessage(listener: (message: Inbound) => void): void;
  /** Called once when the connection ends other than by close(). */
  onClosed(listener: (reason: string) => void): void;
  /** Closes the connection and resolves once its socket is gone; idempotent. */
  close(): Promise<void>;
  /** Cuts the connection abruptly (TCP socket destroyed, no close handshake) and resolves once it is gone. */
  drop(): Promise<void>;
  /**
   * Resolves once the server has read everything this client sent before: a round trip on the same
   * connection that the server answers in order (Socket.IO: a namespace connect it refuses; ws-json:
   * a ping). False when no answer came within `timeoutMs` or the connection ended.
   */
  barrier(timeoutMs: number): Promise<boolean>;
}

export interface ConnectOptions {
  /** Full URL: ws(s)://host/path for ws-json, the http(s) origin for socket.io. */
  url: string;
  path: string;
  transports: Array<"polling" | "websocket">;
  client: string;
  timeoutMs: number;
  signal: AbortSignal;
  /** Sent as the Origin header, as a browser on that site would (checks the server's CORS list). */
  origin?: string;
  /**
   * More handshake headers: socket.io's `extraHeaders` (sent on every request, as a browser page's
   * client would on polling), a scenario client's identity on either protocol.
   */
  headers?: Readonly<Record<string, string>>;
  /** Sent as the Authorization header (an identity token for a private service). */
  authorization?: string;
  /** Sent as the Cookie header: the platform's session-affinity cookie pins the client to an instance. */
  cookie?: string;
  /** socket.io: the handshake's auth object. */
  auth?: Record<string, unknown>;
  /** socket.io: the handshake query; ws-json: added to the URL's query string. */
  query?: Record<string, string>;
}

export type Connector = (options: ConnectOptions) => Promise<EchoConnection>;

/** The connection could not be established; the message says why (status, TLS, refused, timeout). */
export class HandshakeError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Buffers messages until the first listener arrives, so nothing sent right after the handshake is lost. */
export class MessageHub {
  private backlog: Inbound[] | undefined = [];
  private readonly messageListeners: Array<(message: Inbound) => void> = [];
  private readonly closedListeners: Array<(reason: string) => void> = [];
  private closedReason: string | undefined;

  push(message: Inbound): void {
    if (this.backlog) this.backlog.push(message);
    else for (const listener of this.messageListeners) listener(message);
  }

  onMessage(listener: (message: Inbound) => void): void {
    this.messageListeners.push(listener);
    const backlog = this.backlog;
    this.backlog = undefined;
    for (const message of backlog ?? []) listener(message);
  }

  closed(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    for (const listener of this.closedListeners) listener(reason);
  }

  onClosed(listener: (reason: string) => void): void {
    if (this.closedReason !== undefined) listener(this.closedReason);
    else this.closedListeners.push(listener);
  }
}
