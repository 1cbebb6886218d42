import { HEARTBEAT_TRUST_MS } from '../../src/auth/postgres-revocation.listener';
import { ACCOUNT_CHANGED_CHANNEL } from '../../src/subscriptions/current-subscription-cache';
import { createTestDatabase, TestDatabase, withClient } from '../support/database';
import { sleep, waitFor } from '../support/process-helpers';
import { ServiceProcess, startServiceProcess } from '../support/service-process';
import { APP_ORIGIN } from '../support/test-app';
import { CliAccount, createAccountWithCli } from './admin-cli';
import { call, setCancelAtPeriodEnd, stopProcess, subscribeInSandbox } from './http-client';
import { TcpProxy } from './tcp-proxy';

const CACHE_ON = 'revocation listener hears its heartbeat; API key cache on';

/**
 * `me` from memory on PostgreSQL (docs/guarantees.md#g15), with two instances: the one serving
 * `me` reaches the database through a proxy that can cut off its LISTEN connection alone. A
 * change made on either instance is seen on the other at once; a change nobody announces is not
 * (the cache is in use); with the listener cut off the cache is off within the heartbeat bound.
 */
describe('me from memory with two instances on one PostgreSQL database', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let reader: ServiceProcess;
  let writer: ServiceProcess;

  beforeAll(async () => {
    database = await createTestDatabase();
    const server = new URL(database.url);
    proxy = await new TcpProxy({ host: server.hostname, port: Number(server.port || 5432) }).start();
    const env = {
      PAYMENT_PROVIDER: 'sandbox',
      TRIAL_DAYS: '30',
      ALLOWED_REDIRECT_ORIGINS: `${APP_ORIGIN},http://localhost:*`,
      RATE_LIMIT_PER_MINUTE: '1000000',
    };
    [reader, writer] = await Promise.all([
      startServiceProcess({ ...env, DATABASE_URL: proxy.proxiedUrl(database.url) }),
      startServiceProcess({ ...env, DATABASE_URL: database.url }),
    ]);
    await waitFor(() => reader.output().includes(CACHE_ON), 'the reader to trust its caches', 10_000);
  }, 60_000);

  afterAll(async () => {
    await proxy?.restore();
    await Promise.allSettled([reader, writer].filter(Boolean).map((instance) => stopProcess(instance)));
    await proxy?.stop();
    await database?.drop();
  }, 30_000);

  const me = async (instance: ServiceProcess, account: CliAccount) => {
    const response = await call(instance, 'GET', '/api/subscriptions/me', { apiKey: account.apiKey });
    expect(response.status).toBe(200);
    return response.body.subscription as {
      status: string;
      cancelAtPeriodEnd: boolean;
      quantity: number;
    } | null;
  };

  /** Reads `me` on `instance` until `check` holds or `ms` pass; how long it took. */
  const within = async (
    ms: number,
    instance: ServiceProcess,
    account: CliAccount,
    check: (subscription: Awaited<ReturnType<typeof me>>) => boolean,
  ): Promise<number> => {
    const started = Date.now();
    while (!check(await me(instance, account))) {
      if (Date.now() - started > ms) return Infinity;
      await sleep(5);
    }
    return Date.now() - started;
  };

  /** A change nobody announces (as a hand-made UPDATE would be): only a cached `me` hides it. */
  const changeSilently = (account: CliAccount, quantity: number) =>
    withClient(database.url, (client) =>
      client.query('UPDATE subscriptions SET quantity = $1 WHERE account_id = $2', [
        quantity,
        account.accountId,
      ]),
    );

  it('should show on one instance, within milliseconds, every change made on the other, from the first read on', async () => {
    const account = await createAccountWithCli(database.url, 'Cached reader');
    expect(await me(reader, account)).toBeNull();
    await subscribeInSandbox(writer, account);
    expect(
      await within(1_000, reader, account, (subscription) => subscription?.status === 'trialing'),
    ).toBeLessThan(1_000);

    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      const cancel = i % 2 === 0;
      await me(reader, account); // cached now
      await setCancelAtPeriodEnd(writer, account, cancel);
      delays.push(
        await within(1_000, reader, account, (subscription) => subscription?.cancelAtPeriodEnd === cancel),
      );
    }
    expect(Math.max(...delays)).toBeLessThan(1_000);
    // The reader's own writes are forgotten before it answers them.
    await setCancelAtPeriodEnd(reader, account, true);
    expect((await me(reader, account))?.cancelAtPeriodEnd).toBe(true);
  }, 60_000);

  it('should answer me from memory while its listener hears its heartbeat', async () => {
    const account = await createAccountWithCli(database.url, 'Cached silently');
    await subscribeInSandbox(writer, account);
    await within(1_000, reader, account, (subscription) => subscription?.quantity === 1);

    await changeSilently(account, 9);

    expect((await me(reader, account))?.quantity).toBe(1);
    expect((await me(writer, account))?.quantity).toBe(9);
    // An announced change of the account (as every writer of its records makes) is heard.
    await withClient(database.url, (client) =>
      client.query('SELECT pg_notify($1, $2)', [ACCOUNT_CHANGED_CHANNEL, account.accountId]),
    );
    expect(await within(1_000, reader, account, (subscription) => subscription?.quantity === 9)).toBeLessThan(
      1_000,
    );
  }, 60_000);

  it('should read me from the database within the heartbeat bound once its listener has gone silent', async () => {
    const account = await createAccountWithCli(database.url, 'Deaf reader');
    await subscribeInSandbox(writer, account);
    await within(1_000, reader, account, (subscription) => subscription?.quantity === 1);
    expect(proxy.partitionListeners()).toBe(1);

    await changeSilently(account, 4);
    const seenAfter = await within(
      HEARTBEAT_TRUST_MS + 5_000,
      reader,
      account,
      (subscription) => subscription?.quantity === 4,
    );

    expect(seenAfter).toBeLessThan(HEARTBEAT_TRUST_MS + 1_000);
  }, 60_000);
});
