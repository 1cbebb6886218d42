import { once } from 'node:events';
import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';

/** PostgreSQL's SSLRequest and GSSENCRequest codes: the server answers them with one bare byte. */
const SSL_REQUEST_CODE = 80877103;
const GSSENC_REQUEST_CODE = 80877104;
const READY_FOR_QUERY = 'Z'.charCodeAt(0);
const NO_ENCRYPTION = 'N'.charCodeAt(0);

/**
 * Reads the server→client half of one PostgreSQL connection and counts its ReadyForQuery ('Z')
 * messages. The server sends exactly one when it has finished with what the client sent (a
 * simple query, an extended-protocol Sync, a BEGIN or a COMMIT): one per completed round trip.
 * The first one of a connection ends its startup and is not a round trip of any request.
 *
 * Backend messages are a type byte, an int32 length (counting itself) and a payload; the parser
 * keeps only the 5 header bytes and skips payloads, so it copies nothing while it counts.
 */
class BackendStream {
  roundTrips = 0;
  /** Whether the connection switched to TLS/GSS encryption, after which nothing can be read. */
  opaque = false;
  private startupDone = false;
  private header = Buffer.alloc(0);
  private skip = 0;
  /** Bare one-byte answers still to come (to SSLRequest / GSSENCRequest). */
  private bareAnswers = 0;

  expectBareAnswer(): void {
    this.bareAnswers++;
  }

  feed(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length && !this.opaque) {
      if (this.skip > 0) {
        const skipped = Math.min(this.skip, chunk.length - offset);
        this.skip -= skipped;
        offset += skipped;
        continue;
      }
      if (this.bareAnswers > 0 && this.header.length === 0) {
        this.bareAnswers--;
        if (chunk[offset] !== NO_ENCRYPTION) this.opaque = true;
        offset++;
        continue;
      }
      const wanted = 5 - this.header.length;
      const piece = chunk.subarray(offset, offset + wanted);
      this.header = this.header.length === 0 ? Buffer.from(piece) : Buffer.concat([this.header, piece]);
      offset += piece.length;
      if (this.header.length < 5) return;
      const type = this.header[0];
      this.skip = this.header.readInt32BE(1) - 4;
      this.header = Buffer.alloc(0);
      if (type === READY_FOR_QUERY) {
        if (this.startupDone) this.roundTrips++;
        else this.startupDone = true;
      }
    }
  }
}

/**
 * Watches the client→server half only until the startup message, to notice an SSLRequest or
 * GSSENCRequest (an int32 length of 8 and the request code), whose answer is a bare byte.
 */
class FrontendStartup {
  private bytes = Buffer.alloc(0);
  private done = false;

  constructor(private readonly backend: BackendStream) {}

  feed(chunk: Buffer): void {
    while (!this.done && chunk.length > 0) {
      this.bytes = Buffer.concat([this.bytes, chunk]);
      chunk = Buffer.alloc(0);
      if (this.bytes.length < 8) return;
      const length = this.bytes.readInt32BE(0);
      const code = this.bytes.readInt32BE(4);
      if (length === 8 && (code === SSL_REQUEST_CODE || code === GSSENC_REQUEST_CODE)) {
        this.backend.expectBareAnswer();
        chunk = this.bytes.subarray(8);
        this.bytes = Buffer.alloc(0);
        continue;
      }
      this.done = true; // the StartupMessage itself: nothing more to watch
    }
  }
}

export interface RoundTripCount {
  /** Completed round trips on all connections (startups excluded). */
  roundTrips: number;
  /** Connections opened through the proxy. */
  connections: number;
  /** Connections that switched to encryption and could not be counted. */
  opaqueConnections: number;
}

/**
 * A TCP proxy in front of PostgreSQL that counts the database round trips of whatever talks
 * through it (bench/run.ts points a separate service instance's DATABASE_URL at it). Take a
 * `count()` before and after a batch of requests; the difference is their round trips.
 */
export class PgRoundTripCounter {
  private server?: Server;
  private readonly streams: BackendStream[] = [];
  private readonly sockets = new Set<Socket>();

  constructor(private readonly target: { host: string; port: number }) {}

  /** `url` with its host and port replaced by the proxy's (user, database and query kept). */
  proxiedUrl(url: string): string {
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String((this.server!.address() as AddressInfo).port);
    return proxied.toString();
  }

  async start(): Promise<this> {
    this.server = createServer((client) => this.accept(client));
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return this;
  }

  count(): RoundTripCount {
    return {
      roundTrips: this.streams.reduce((sum, stream) => sum + stream.roundTrips, 0),
      connections: this.streams.length,
      opaqueConnections: this.streams.filter((stream) => stream.opaque).length,
    };
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const backend = new BackendStream();
    const startup = new FrontendStartup(backend);
    this.streams.push(backend);
    const server = connect(this.target.port, this.target.host);
    for (const socket of [client, server]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    }
    const closeBoth = () => {
      client.destroy();
      server.destroy();
    };
    client.on('error', closeBoth).on('close', closeBoth);
    server.on('error', closeBoth).on('close', closeBoth);
    client.on('data', (chunk: Buffer) => {
      startup.feed(chunk);
      if (!server.write(chunk)) client.pause();
    });
    server.on('drain', () => client.resume());
    server.on('data', (chunk: Buffer) => {
      backend.feed(chunk);
      if (!client.write(chunk)) server.pause();
    });
    client.on('drain', () => server.resume());
  }
}
