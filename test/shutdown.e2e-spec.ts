import Database from 'better-sqlite3';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeStripe } from './support/fake-stripe';
import { ServiceProcess } from './support/service-process';
import { LogLine, parseLogLines, randomHex } from './support/process-helpers';
import { runShutdownScenario, ShutdownScenario, stopScenario } from './support/shutdown-scenario';

// On SIGTERM the requests in flight finish, new ones are refused, the database
// connection closes and the process exits 0; past SHUTDOWN_GRACE_MS it gives up with exit code 1.
// The service runs as its own process on a SQLite file with a rollback journal: a transaction
// writes the -journal file first and removes it when it commits or rolls back, so a -journal left
// behind (a hot journal) shows a transaction the process did not finish before it exited.

const FAKE_DELAY_MS = 1_000;

function sqliteFile(): { path: string; url: string; remove(): void } {
  const path = join(tmpdir(), `billing-shutdown-${randomHex(6)}.sqlite`);
  return {
    path,
    url: `sqlite:${path}`,
    remove: () => {
      for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
    },
  };
}

function logLines(scenario: ShutdownScenario): LogLine[] {
  return parseLogLines(scenario.output).filter((line): line is LogLine => typeof line !== 'string');
}

const indexOfMessage = (lines: LogLine[], msg: string) => lines.findIndex((line) => line.msg === msg);

/** The line pino-http wrote when the in-flight POST /api/subscriptions/sessions ended. */
const inFlightCompletion = (lines: LogLine[]) =>
  lines.findIndex((line) => line.req?.url === '/api/subscriptions/sessions' && line.res !== undefined);

describe('Graceful shutdown on SIGTERM', () => {
  describe('with a request in flight that ends within SHUTDOWN_GRACE_MS', () => {
    const GRACE_MS = 8_000;
    const database = sqliteFile();
    const parts: { fake?: FakeStripe; service?: ServiceProcess } = {};
    let scenario: ShutdownScenario;
    let journalModeBeforeSigterm: unknown;

    beforeAll(async () => {
      scenario = await runShutdownScenario(
        {
          databaseUrl: database.url,
          fakeDelayMs: FAKE_DELAY_MS,
          graceMs: GRACE_MS,
          keepAliveClient: false,
          beforeSigterm: () => {
            const db = new Database(database.path, { readonly: true });
            try {
              journalModeBeforeSigterm = db.pragma('journal_mode', { simple: true });
            } finally {
              db.close();
            }
          },
        },
        (started) => Object.assign(parts, started),
      );
    }, 30_000);

    afterAll(async () => {
      await stopScenario(parts);
      database.remove();
    });

    it('should finish the request in flight with 200 and a valid checkout session', () => {
      const response = scenario.inFlight.value;
      expect(scenario.inFlight.error).toBeUndefined();
      expect(response?.status).toBe(200);
      const body = JSON.parse(response!.body) as { id: string; url: string };
      expect(body).toEqual({ id: expect.stringMatching(/^cs_test_[0-9a-f]+$/), url: expect.any(String) });
      expect(body.url).toBe(scenario.fake.sessions.get(body.id)?.url);
      // It was still waiting on the provider when SIGTERM came, and the service went on with it.
      const sessionCall = scenario.fake.received('POST', '/v1/checkout/sessions');
      expect(sessionCall).toHaveLength(1);
      expect(sessionCall[0].at).toBeGreaterThan(scenario.sigtermAt);
      expect(scenario.inFlight.at - scenario.sigtermAt).toBeGreaterThanOrEqual(FAKE_DELAY_MS);
    });

    it('should refuse a new connection while the request in flight is still running', () => {
      expect(scenario.afterSigterm.value).toBeUndefined();
      expect(scenario.afterSigterm.error?.code).toBe('ECONNREFUSED');
      expect(scenario.afterSigterm.sentAt).toBeLessThan(scenario.inFlight.at);
    });

    it('should close an idle keep-alive connection at once, without answering anything on it', () => {
      expect(scenario.idleConnection.closedAt).toBeDefined();
      expect(scenario.idleConnection.closedAt!).toBeLessThan(scenario.inFlight.at);
      expect(scenario.idleConnection.bytesAfterSigterm).toBe(0);
    });

    it('should exit with code 0 once the request has finished, within SHUTDOWN_GRACE_MS', () => {
      expect(scenario.exit.error).toBeUndefined();
      expect(scenario.exit.value).toBe(0);
      expect(scenario.exit.at).toBeGreaterThanOrEqual(scenario.inFlight.at);
      expect(scenario.exit.at - scenario.sigtermAt).toBeLessThan(GRACE_MS);
    });

    it('should log "shutting down", then the request in flight, then "shut down"', () => {
      const lines = logLines(scenario);
      const shuttingDown = indexOfMessage(lines, 'shutting down');
      const shutDown = indexOfMessage(lines, 'shut down');
      expect(lines[shuttingDown]).toEqual(
        expect.objectContaining({ level: 30, context: 'Shutdown', signal: 'SIGTERM' }),
      );
      expect(lines[shutDown]).toEqual(expect.objectContaining({ level: 30, context: 'Shutdown' }));
      const completion = inFlightCompletion(lines);
      expect(lines[completion]?.res).toEqual({ statusCode: 200 });
      expect(shuttingDown).toBeLessThan(completion);
      expect(completion).toBeLessThan(shutDown);
      expect(lines.filter((line) => line.level >= 50)).toEqual([]);
    });

    it('should leave no transaction half done: no rollback journal behind, no WAL files', () => {
      expect(journalModeBeforeSigterm).toBe('delete');
      expect(existsSync(database.path)).toBe(true);
      expect(existsSync(`${database.path}-journal`)).toBe(false);
      expect(existsSync(`${database.path}-wal`)).toBe(false);
      expect(existsSync(`${database.path}-shm`)).toBe(false);
      const db = new Database(database.path, { readonly: true });
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        db.close();
      }
    });

    it('should have committed what the request in flight wrote during the shutdown', () => {
      const { id } = JSON.parse(scenario.inFlight.value!.body) as { id: string };
      const db = new Database(database.path, { readonly: true });
      try {
        const session = db
          .prepare('SELECT account_id, status FROM checkout_sessions WHERE provider_session_id = ?')
          .get(id);
        expect(session).toEqual({ account_id: scenario.accountId, status: 'open' });
        const customer = db
          .prepare('SELECT provider_customer_id FROM customers WHERE account_id = ?')
          .get(scenario.accountId) as { provider_customer_id: string } | undefined;
        expect(customer?.provider_customer_id).toMatch(/^cus_/);
        expect(scenario.fake.customers.has(customer!.provider_customer_id)).toBe(true);
      } finally {
        db.close();
      }
    });
  });

  describe('with a client that keeps its connection alive after the request in flight', () => {
    // Browsers, fetch, proxies and load balancers keep connections open between requests.
    const GRACE_MS = 4_000;
    const database = sqliteFile();
    const parts: { fake?: FakeStripe; service?: ServiceProcess } = {};
    let scenario: ShutdownScenario;

    beforeAll(async () => {
      scenario = await runShutdownScenario(
        { databaseUrl: database.url, fakeDelayMs: FAKE_DELAY_MS, graceMs: GRACE_MS, keepAliveClient: true },
        (started) => Object.assign(parts, started),
      );
    }, 30_000);

    afterAll(async () => {
      await stopScenario(parts);
      database.remove();
    });

    it('should finish the request in flight with 200', () => {
      expect(scenario.inFlight.error).toBeUndefined();
      expect(scenario.inFlight.value?.status).toBe(200);
      expect(JSON.parse(scenario.inFlight.value!.body)).toEqual({
        id: expect.stringMatching(/^cs_test_/),
        url: expect.stringMatching(/^https:\/\/checkout\.stripe\.test\//),
      });
    });

    it('should tell the client to close the connection when it answers the request in flight', () => {
      expect(scenario.inFlight.value?.headers.connection).toBe('close');
    });

    it('should exit with code 0 within SHUTDOWN_GRACE_MS although the client keeps its connection', () => {
      expect(scenario.exit.value).toBe(0);
      expect(scenario.exit.at - scenario.sigtermAt).toBeLessThan(GRACE_MS);
      expect(logLines(scenario).map((line) => line.msg)).toContain('shut down');
    });

    it('should leave no transaction half done (no rollback journal left behind)', () => {
      expect(existsSync(database.path)).toBe(true);
      expect(existsSync(`${database.path}-journal`)).toBe(false);
    });
  });

  describe('with a request in flight longer than SHUTDOWN_GRACE_MS', () => {
    const GRACE_MS = 500;
    const database = sqliteFile();
    const parts: { fake?: FakeStripe; service?: ServiceProcess } = {};
    let scenario: ShutdownScenario;

    beforeAll(async () => {
      scenario = await runShutdownScenario(
        { databaseUrl: database.url, fakeDelayMs: 3_000, graceMs: GRACE_MS, keepAliveClient: false },
        (started) => Object.assign(parts, started),
      );
    }, 30_000);

    afterAll(async () => {
      await stopScenario(parts);
      database.remove();
    });

    it('should exit with code 1 after about SHUTDOWN_GRACE_MS', () => {
      expect(scenario.exit.error).toBeUndefined();
      expect(scenario.exit.value).toBe(1);
      const elapsed = scenario.exit.at - scenario.sigtermAt;
      expect(elapsed).toBeGreaterThanOrEqual(GRACE_MS);
      // Before the provider's answer (3 s): it gave up on the request rather than waited for it.
      expect(elapsed).toBeLessThan(GRACE_MS + 2_000);
    });

    it('should log that the shutdown took too long, and not that it shut down', () => {
      const lines = logLines(scenario);
      expect(lines[indexOfMessage(lines, 'shutting down')]).toEqual(
        expect.objectContaining({ context: 'Shutdown', signal: 'SIGTERM' }),
      );
      expect(lines[indexOfMessage(lines, 'shutdown took too long; exiting')]).toEqual(
        expect.objectContaining({ level: 50, context: 'Shutdown', graceMs: GRACE_MS }),
      );
      expect(indexOfMessage(lines, 'shut down')).toBe(-1);
    });

    it('should cut off the request that was still in flight, and have refused new connections', () => {
      expect(scenario.inFlight.value).toBeUndefined();
      expect(scenario.inFlight.error?.code).toBe('ECONNRESET');
      expect(scenario.afterSigterm.error?.code).toBe('ECONNREFUSED');
    });
  });
});
