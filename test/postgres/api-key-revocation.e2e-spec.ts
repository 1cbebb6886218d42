import { execFile } from 'node:child_process';
import { sql } from 'kysely';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { HEARTBEAT_TRUST_MS } from '../../src/auth/postgres-revocation.listener';
import { createTestDatabase, postgresUrl, TestDatabase, withClient } from '../support/database';
import { sleep, waitFor } from '../support/process-helpers';
import { ServiceProcess, startServiceProcess } from '../support/service-process';
import { APP_ORIGIN, createAccount, startTestApp, TestAccount, TestApp } from '../support/test-app';
import { CliAccount, createAccountWithCli } from './admin-cli';
import { call, stopProcess } from './http-client';
import { TcpProxy } from './tcp-proxy';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

/**
 * On PostgreSQL API keys are cached (for up to API_KEY_CACHE_TTL_MS, here a minute), and a
 * revocation made anywhere reaches every instance through LISTEN/NOTIFY at once.
 */
describe('API key revocation with the key cache (PostgreSQL)', () => {
  let sut: TestApp;
  let account: TestAccount;

  beforeAll(async () => {
    sut = await startTestApp({ API_KEY_CACHE_TTL_MS: '60000' });
  });

  afterAll(() => sut.close());

  beforeEach(async () => {
    account = await createAccount(sut);
  });

  const me = () => sut.http().get('/api/subscriptions/me').set('x-api-key', account.apiKey);

  const statusWithin = async (ms: number, expected: number) => {
    const deadline = Date.now() + ms;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await me()).status;
      if (status === expected) return status;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return status;
  };

  it('should refuse a cached key at once when another process revokes it', async () => {
    await me().expect(200);

    await run(
      process.execPath,
      ['-r', '@swc-node/register', 'src/cli/main.ts', 'api-keys:revoke', '--id', account.apiKeyId],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH, DATABASE_URL: sut.database.url },
      },
    );

    expect(await statusWithin(1_000, 401)).toBe(401);
  });

  it('should stop trusting the cache while the revocation listener is disconnected', async () => {
    await me().expect(200);
    await withClient(postgresUrl()!, (client) =>
      client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN %'`),
    );
    // A revocation nobody announces (as if the notification were lost while disconnected).
    await sut.db.changes(sql`UPDATE api_keys SET revoked_at = ${new Date()} WHERE id = ${account.apiKeyId}`);

    expect(await statusWithin(1_000, 401)).toBe(401);
  });
});

/**
 * A LISTEN connection can go deaf without closing: a silent network partition, a NAT entry
 * dropped. The service runs as its own process and reaches PostgreSQL through a proxy that freezes
 * only the connection that sent LISTEN (open, silent, nothing closed), so the NOTIFY of a
 * revocation never arrives while every other connection works. A revoked key must then be
 * refused within HEARTBEAT_TRUST_MS, not after the cache's lifetime (a minute here).
 */
describe('API key revocation when the LISTEN connection silently misses the NOTIFY (PostgreSQL)', () => {
  const CACHE_TTL_MS = 60_000;
  /** Polling for the refusal gives up long before the cache would have let the key go by itself. */
  const REFUSAL_WAIT_MS = 15_000;
  const CACHE_ON = 'revocation listener hears its heartbeat; API key cache on';
  const CACHE_OFF = 'revocation listener has not heard its heartbeat in time; API key cache off';
  const RECONNECTING = 'revocation listener hears nothing on its connection; connecting again';
  let database: TestDatabase;
  let proxy: TcpProxy;
  let service: ServiceProcess;
  const accounts: Record<'before' | 'victim' | 'after' | 'bystander', CliAccount> = {} as never;

  const me = (account: CliAccount) =>
    call(service, 'GET', '/api/subscriptions/me', { apiKey: account.apiKey });
  /** A revocation nobody announces: only a key served from the cache still passes after it. */
  const revokeSilently = (account: CliAccount) =>
    withClient(database.url, (client) =>
      client.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [account.apiKeyId]),
    );
  const occurrences = (line: string) => service.output().split(line).length - 1;

  beforeAll(async () => {
    database = await createTestDatabase();
    const server = new URL(database.url);
    proxy = await new TcpProxy({ host: server.hostname, port: Number(server.port || 5432) }).start();
    service = await startServiceProcess({
      DATABASE_URL: proxy.proxiedUrl(database.url),
      PAYMENT_PROVIDER: 'sandbox',
      API_KEY_CACHE_TTL_MS: String(CACHE_TTL_MS),
      ALLOWED_REDIRECT_ORIGINS: APP_ORIGIN,
      RATE_LIMIT_PER_MINUTE: '1000000',
    });
    await Promise.all(
      (['before', 'victim', 'after', 'bystander'] as const).map(async (name) => {
        accounts[name] = await createAccountWithCli(database.url, `Listener ${name}`);
      }),
    );
    await waitFor(() => occurrences(CACHE_ON) > 0, 'the API key cache to be on', 10_000);
  }, 90_000);

  afterAll(async () => {
    await proxy?.restore();
    if (service) await stopProcess(service);
    await proxy?.stop();
    await database?.drop();
  }, 30_000);

  it('should serve a key from its cache while its listener hears its heartbeat', async () => {
    expect((await me(accounts.before)).status).toBe(200);

    await revokeSilently(accounts.before);

    expect((await me(accounts.before)).status).toBe(200);
  });

  it('should refuse a revoked key within the heartbeat bound when only its listener has gone silent', async () => {
    expect((await me(accounts.victim)).status).toBe(200);
    expect(proxy.partitionListeners()).toBe(1);

    // As the admin command line revokes, in one transaction, without its start-up time.
    await withClient(database.url, async (client) => {
      await client.query('BEGIN');
      await client.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [accounts.victim.apiKeyId]);
      await client.query('SELECT pg_notify($1, $2)', ['api_key_revoked', accounts.victim.apiKeyId]);
      await client.query('COMMIT');
    });
    const revokedAt = Date.now();
    let status = (await me(accounts.victim)).status;
    while (status !== 401 && Date.now() - revokedAt < REFUSAL_WAIT_MS) {
      await sleep(100);
      status = (await me(accounts.victim)).status;
    }
    const refusedAfterMs = Date.now() - revokedAt;

    expect(status).toBe(401);
    expect(refusedAfterMs).toBeLessThan(HEARTBEAT_TRUST_MS + 1_000);
    // Only the listener was cut off: every other request still reaches the database.
    expect((await me(accounts.bystander)).status).toBe(200);
    await waitFor(() => occurrences(CACHE_OFF) > 0, 'the cache-off warning', 2_000);
  }, 30_000);

  it('should trust its cache again once the listener has replaced its silent connection', async () => {
    await waitFor(() => occurrences(CACHE_ON) > 1, 'the API key cache to be on again', 20_000);

    expect(occurrences(RECONNECTING)).toBe(1);
    expect((await me(accounts.after)).status).toBe(200);
    await revokeSilently(accounts.after);
    expect((await me(accounts.after)).status).toBe(200);
    // What the cache holds now was read after the revocation: the revoked key stays refused.
    expect((await me(accounts.victim)).status).toBe(401);
  }, 30_000);
});
