import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';

/**
 * How the proxy treats the database:
 * - `forward`: every connection is passed through to the server;
 * - `stopped`: like a stopped server, existing connections are cut and the port is closed, so
 *   that new connections are refused (ECONNREFUSED);
 * - `refuse`: existing connections are cut and new ones accepted and closed at once;
 * - `hang`: like an unreachable host, existing connections are cut and new ones are accepted but
 *   never answered (the client has to give up by itself);
 * - `partition`: like a network partition, nothing passes any more, but no connection is closed:
 *   open ones stay open, silent, and new ones are accepted and never answered.
 */
export type ProxyMode = 'forward' | 'stopped' | 'refuse' | 'hang' | 'partition';

/**
 * A TCP proxy between the service and PostgreSQL, so that a test can take "the database" away
 * from one service and give it back without touching the server other test files share.
 */
export class TcpProxy {
  /** Connections accepted from clients, whatever became of them. */
  accepted = 0;
  private mode: ProxyMode = 'forward';
  /** Connections open when a partition began: their data is dropped until it ends. */
  private readonly frozen = new Set<Socket>();
  /** Open client connections that have sent a LISTEN, each with its connection to the server. */
  private readonly listeners = new Map<Socket, Socket>();
  private server?: Server;
  private listenPort = 0;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly target: { host: string; port: number },
    private readonly listenHost = '127.0.0.1',
  ) {}

  get port(): number {
    return this.listenPort;
  }

  /** Open connections (client and server sides both count). */
  get openSockets(): number {
    return this.sockets.size;
  }

  /** `url` with its host and port replaced by the proxy's (path, user and query kept). */
  proxiedUrl(url: string): string {
    const proxied = new URL(url);
    proxied.hostname = this.listenHost;
    proxied.port = String(this.port);
    return proxied.toString();
  }

  async start(): Promise<this> {
    this.server = createServer((client) => this.accept(client));
    await this.listen();
    return this;
  }

  /** Cuts every open connection and treats new ones the given way. */
  async cut(mode: Exclude<ProxyMode, 'forward'> = 'refuse'): Promise<void> {
    this.mode = mode;
    if (mode === 'partition') {
      for (const socket of this.sockets) this.frozen.add(socket);
      return;
    }
    this.destroyAll();
    if (mode === 'stopped') await this.close();
  }

  /**
   * A silent partition of only the connections that have sent LISTEN so far (the client sends its
   * statements as text, so the proxy sees which): nothing passes on them any more in either
   * direction and nothing is closed, while every other connection, open or new, goes on as
   * before. Returns how many connections it froze; `restore` ends them.
   */
  partitionListeners(): number {
    for (const [client, upstream] of this.listeners) {
      this.frozen.add(client);
      this.frozen.add(upstream);
    }
    return this.listeners.size;
  }

  /** Passes new connections through again (on the same port). */
  async restore(): Promise<void> {
    this.mode = 'forward';
    // Connections that lived through a partition are out of step with the server: end them.
    for (const socket of this.frozen) socket.destroy();
    this.frozen.clear();
    if (this.server && !this.server.listening) await this.listen();
  }

  async stop(): Promise<void> {
    this.mode = 'refuse';
    this.destroyAll();
    await this.close();
  }

  /**
   * Listens on the proxy's port (a free one the first time). Between `stopped` and `restore` the
   * port is free, and an outgoing connection may take it for a moment: then it is tried again.
   */
  private async listen(): Promise<void> {
    const server = this.server!;
    const deadline = Date.now() + 5_000;
    for (;;) {
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(this.listenPort, this.listenHost, () => {
            server.off('error', reject);
            resolve();
          });
        });
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    this.listenPort = (server.address() as AddressInfo).port;
  }

  private async close(): Promise<void> {
    const server = this.server;
    if (!server?.listening) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.accepted++;
    this.track(client);
    if (this.mode === 'refuse') {
      client.destroy();
      return;
    }
    if (this.mode === 'hang' || this.mode === 'partition') {
      // Read and drop whatever the client sends; never answer.
      client.on('data', () => undefined);
      return;
    }
    const upstream = connect(this.target.port, this.target.host);
    this.track(upstream);
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);
    client.on('data', (chunk: Buffer) => {
      if (!this.listeners.has(client) && chunk.includes('LISTEN ')) this.listeners.set(client, upstream);
    });
    client.on('close', () => this.listeners.delete(client));
    this.relay(client, upstream);
    this.relay(upstream, client);
  }

  /** Copies data from one socket to the other, except while a partition holds the source. */
  private relay(from: Socket, to: Socket): void {
    from.on('data', (chunk: Buffer) => {
      if (!this.frozen.has(from) && !to.destroyed) to.write(chunk);
    });
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
  }

  private destroyAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    this.frozen.clear();
    this.listeners.clear();
  }
}
