import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';
import { createTestDatabase, postgresUrl, TestDatabase, withClient } from '../support/database';
import { FakeStripe } from '../support/fake-stripe';
import { ServiceProcess } from '../support/service-process';
import { randomHex, sleep, waitFor } from '../support/process-helpers';
import { runShutdownScenario, ShutdownScenario, stopScenario } from '../support/shutdown-scenario';

// Graceful shutdown on PostgreSQL: after a graceful SIGTERM the service has ended every database
// connection itself. The OS closes the sockets of any process that exits, so pg_stat_activity
// alone cannot tell a clean close from an abandoned pool; a TCP proxy between the service and the
// server sees whether each connection ended with the protocol's Terminate message ('X'), which
// node-postgres sends only when a client is ended (pool.end(), as DataSource.destroy() does).

const TERMINATE = Buffer.from([0x58, 0, 0, 0, 4]);

interface ProxiedConnection {
  /** The last bytes the service sent on this connection. */
  tail: Buffer;
  closed: boolean;
}

class RecordingProxy {
  readonly connections: ProxiedConnection[] = [];
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly target: { host: string; port: number }) {}

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  async start(): Promise<this> {
    this.server = createServer((client) => {
      const record: ProxiedConnection = { tail: Buffer.alloc(0), closed: false };
      this.connections.push(record);
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.on('data', (chunk: Buffer) => {
        record.tail = Buffer.concat([record.tail, chunk]).subarray(-TERMINATE.length);
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => client.write(chunk));
      client.on('close', () => {
        record.closed = true;
        upstream.end();
      });
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

async function connectionsOf(applicationName: string): Promise<number> {
  const rows = await withClient(postgresUrl()!, (client) =>
    client.query<{ count: string }>(
      'SELECT count(*) AS count FROM pg_stat_activity WHERE application_name = $1',
      [applicationName],
    ),
  );
  return Number(rows.rows[0].count);
}

describe('Graceful shutdown on SIGTERM with PostgreSQL', () => {
  const GRACE_MS = 8_000;
  const applicationName = `billing-shutdown-${randomHex(4)}`;
  const parts: { fake?: FakeStripe; service?: ServiceProcess } = {};
  let database: TestDatabase | undefined;
  let proxy: RecordingProxy | undefined;
  let scenario: ShutdownScenario;
  let connectionsBeforeSigterm = -1;
  let connectionsAfterExit = -1;

  beforeAll(async () => {
    database = await createTestDatabase();
    const server = new URL(postgresUrl()!);
    proxy = await new RecordingProxy({ host: server.hostname, port: Number(server.port || 5432) }).start();
    const proxied = new URL(database.url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    scenario = await runShutdownScenario(
      {
        databaseUrl: proxied.toString(),
        cliDatabaseUrl: database.url,
        fakeDelayMs: 1_000,
        graceMs: GRACE_MS,
        keepAliveClient: false,
        // node-postgres takes application_name from PGAPPNAME.
        env: { PGAPPNAME: applicationName },
        beforeSigterm: async () => {
          connectionsBeforeSigterm = await connectionsOf(applicationName);
        },
      },
      (started) => Object.assign(parts, started),
    );
    // A server process ends a moment after its client has gone, whichever way it went.
    await waitFor(() => proxy!.connections.every((connection) => connection.closed), 'closed connections');
    const deadline = Date.now() + 3_000;
    do {
      connectionsAfterExit = await connectionsOf(applicationName);
      if (connectionsAfterExit === 0) break;
      await sleep(50);
    } while (Date.now() < deadline);
  }, 40_000);

  afterAll(async () => {
    await stopScenario(parts);
    await proxy?.stop();
    await database?.drop();
  });

  it('should finish the request in flight with 200 and store its checkout session', async () => {
    expect(scenario.inFlight.value?.status).toBe(200);
    const { id } = JSON.parse(scenario.inFlight.value!.body) as { id: string };
    expect(id).toMatch(/^cs_test_/);
    const rows = await withClient(database!.url, (client) =>
      client.query('SELECT account_id, status FROM checkout_sessions WHERE provider_session_id = $1', [id]),
    );
    expect(rows.rows).toEqual([{ account_id: scenario.accountId, status: 'open' }]);
  });

  it('should refuse new connections and exit with code 0 within SHUTDOWN_GRACE_MS', () => {
    expect(scenario.afterSigterm.error?.code).toBe('ECONNREFUSED');
    expect(scenario.exit.value).toBe(0);
    expect(scenario.exit.at).toBeGreaterThanOrEqual(scenario.inFlight.at);
    expect(scenario.exit.at - scenario.sigtermAt).toBeLessThan(GRACE_MS);
    expect(scenario.output).toContain('"msg":"shut down"');
  });

  it('should end every database connection itself (Terminate sent), leaving none in pg_stat_activity', () => {
    expect(connectionsBeforeSigterm).toBeGreaterThan(0);
    expect(proxy!.connections.length).toBeGreaterThan(0);
    const unterminated = proxy!.connections.filter((connection) => !connection.tail.equals(TERMINATE));
    expect(unterminated).toEqual([]);
    expect(connectionsAfterExit).toBe(0);
  });
});
